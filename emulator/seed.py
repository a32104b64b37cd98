"""Deterministic demo data from --seed: tenant, app registration, users, groups, mailboxes, presence."""

import datetime as dt
import random

from emulator.appreg import DEFAULT_PERMISSIONS, DEFAULT_REDIRECT_URIS, make_secret_value
from emulator.directory import EMPTY_EXTENSIONS
from emulator.util import iso, seeded_guid, utcnow

DEMO_PEOPLE = [
    ("Adele", "Vance", "Retail Manager", "Retail"), ("Alex", "Wilber", "Marketing Assistant", "Marketing"),
    ("Diego", "Siciliani", "HR Manager", "HR"), ("Grady", "Archie", "Designer", "R&D"),
    ("Isaiah", "Langer", "Sales Rep", "Sales"), ("Johanna", "Lorenz", "Senior Engineer", "Engineering"),
    ("Lee", "Gu", "Director", "Manufacturing"), ("Megan", "Bowen", "Marketing Manager", "Marketing"),
    ("Nestor", "Wilke", "Director", "Operations"), ("Patti", "Fernandez", "President", "Executive Management"),
]
FIRST = ("James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara Richard Susan "
         "Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty Anthony Sandra "
         "Mark Ashley Donald Kimberly Steven Emily Paul Donna Andrew Michelle Joshua Carol Kenneth Amanda Kevin "
         "Melissa Brian Deborah George Stephanie Timothy Rebecca Ronald Laura Jason Sharon Edward Cynthia Jeffrey "
         "Kathleen Ryan Amy Jacob Angela Gary Shirley Nicholas Anna Eric Brenda Jonathan Pamela Stephen Emma "
         "Larry Nicole Justin Helen Scott Samantha Brandon Katherine Benjamin Christine Samuel Debra Raymond "
         "Rachel Gregory Carolyn Frank Janet Alexander Maria Patrick Olivia Jack Heather Dennis Catherine").split()
LAST = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
        "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
        "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
        "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
        "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
        "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
        "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster").split()
DEPARTMENTS = {
    "Sales": ("Sales Rep", "Account Executive", "Sales Manager"),
    "Engineering": ("Software Engineer", "Senior Engineer", "Engineering Manager"),
    "Support": ("Support Engineer", "Support Lead"),
    "Marketing": ("Marketing Specialist", "Marketing Manager"),
    "Finance": ("Accountant", "Financial Analyst", "Controller"),
    "Operations": ("Operations Analyst", "Facilities Coordinator"),
    "HR": ("HR Generalist", "Recruiter"),
}
OFFICES = ("18/2111", "20/1101", "131/1104", "24/1106", "Building 2, Office 234", "Remote")
CITIES = (("Redmond", "WA", "US"), ("Seattle", "WA", "US"), ("London", None, "GB"), ("Berlin", None, "DE"))
PRESENCE_PAIRS = (
    ("Available", "Available"), ("Busy", "InACall"), ("Busy", "InAMeeting"), ("Away", "Away"),
    ("BeRightBack", "BeRightBack"), ("DoNotDisturb", "Presenting"), ("Offline", "OffWork"),
    ("AvailableIdle", "Available"), ("Offline", "Offline"),
)
GROUP_NAMES = ("Sales", "Engineering", "Support", "Marketing", "Finance", "Operations", "HR")


def make_user(rng, index: int, domain: str, first: str, last: str, title: str, dept: str, created: str) -> dict:
    nick = f"{first}.{last}".lower() if index < len(DEMO_PEOPLE) else f"{first}.{last}{index}".lower()
    upn = f"{nick}@{domain}"
    city, state, country = CITIES[index % len(CITIES)]
    extensions = EMPTY_EXTENSIONS
    extension_number = str(1000 + index) if index < 9000 else str(10000 + index)
    if index % 2 == 0:
        extensions = dict(EMPTY_EXTENSIONS, extensionAttribute1=extension_number)
    has_phone = index % 7 != 3
    return {
        "id": seeded_guid(rng), "displayName": f"{first} {last}", "givenName": first, "surname": last,
        "mail": upn, "userPrincipalName": upn, "mailNickname": nick.replace(".", ""),
        "accountEnabled": index % 50 != 49, "userType": "Member",
        "jobTitle": title, "department": dept, "officeLocation": OFFICES[index % len(OFFICES)],
        "companyName": "Contoso", "city": city, "state": state, "country": country, "usageLocation": country,
        "streetAddress": f"{index % 900 + 100} Main Street", "postalCode": f"{98000 + index % 999}",
        "preferredLanguage": "en-US",
        "businessPhones": [f"+1 425 555 {index % 10000:04d}"] if has_phone else [],
        "mobilePhone": f"+1 206 555 {(index * 7) % 10000:04d}" if index % 3 else None,
        "faxNumber": None,
        "employeeId": f"E{index + 1:06d}" if index % 10 < 7 else (extension_number if index % 10 == 7 else None),
        "employeeType": "Employee", "onPremisesExtensionAttributes": extensions, "onPremisesSyncEnabled": None,
        "proxyAddresses": [f"SMTP:{upn}"], "otherMails": [], "createdDateTime": created,
    }


def build(config) -> dict:
    """Everything the State needs, as plain data. Same seed -> same data (timestamps aside)."""
    rng = random.Random(config.seed)
    tenant_id = config.tenant_id or seeded_guid(random.Random(f"tenant-{config.seed}"))
    app_rng = random.Random(f"app-{config.seed}")
    client_id = config.client_id or seeded_guid(app_rng)
    secret = config.client_secret or make_secret_value(app_rng)
    domain = config.tenant_domain
    created = iso(utcnow() - dt.timedelta(days=400))
    users, depts = [], list(DEPARTMENTS)
    for index in range(config.users):
        if index < len(DEMO_PEOPLE):
            first, last, title, dept = DEMO_PEOPLE[index]
        else:
            first, last = rng.choice(FIRST), rng.choice(LAST)
            dept = depts[index % len(depts)]
            title = rng.choice(DEPARTMENTS[dept])
        users.append(make_user(rng, index, domain, first, last, title, dept, created))
    shared = None
    if config.users > len(DEMO_PEOPLE):  # the last user is a shared mailbox (disabled account, like Exchange)
        shared = users[-1]
        shared.update({"displayName": "Reception", "givenName": None, "surname": None, "jobTitle": None,
                       "mail": f"reception@{domain}", "userPrincipalName": f"reception@{domain}",
                       "mailNickname": "reception", "accountEnabled": False, "employeeId": None,
                       "department": None, "businessPhones": ["+1 425 555 0100"], "mobilePhone": None,
                       "onPremisesExtensionAttributes": EMPTY_EXTENSIONS,
                       "proxyAddresses": [f"SMTP:reception@{domain}"]})
    pw_rng = random.Random(f"pw-{config.seed}")
    demo = [{"username": u["userPrincipalName"], "password": f"Demo-{pw_rng.getrandbits(32):08x}!",
             "id": u["id"], "display_name": u["displayName"]}
            for u in users[:min(5, len(users))] if u is not shared]
    return {
        "tenant_id": tenant_id, "domain": domain, "users": users, "demo_users": demo, "shared": shared,
        "groups": _groups(rng, users, config.groups, shared),
        "app": {"client_id": client_id, "secret": secret, "secret_id": seeded_guid(app_rng),
                "object_id": seeded_guid(app_rng), "sp_object_id": seeded_guid(app_rng),
                "permissions": list(DEFAULT_PERMISSIONS),
                "redirect_uris": list(DEFAULT_REDIRECT_URIS) + [u for u in config.redirect_uris
                                                                 if u not in DEFAULT_REDIRECT_URIS]},
        "contacts": _contacts(rng, users, shared, config.shared_contacts),
        "presence": {u["id"]: PRESENCE_PAIRS[i % len(PRESENCE_PAIRS)] for i, u in enumerate(users)},
    }


def _groups(rng, users, count, shared) -> list[dict]:
    """Department groups (direct members by department) plus an 'All Staff' group nesting them."""
    groups = []
    names = list(GROUP_NAMES[: max(0, count - 1)])
    for name in names:
        members = [("user", u["id"]) for u in users if u.get("department") == name and u is not shared]
        groups.append({"id": seeded_guid(rng), "displayName": name, "mailNickname": name.lower(),
                       "description": f"{name} department", "members": members})
    if count >= 1:
        nested = [("group", g["id"]) for g in groups]
        direct = [("user", u["id"]) for u in users[:3]]
        groups.append({"id": seeded_guid(rng), "displayName": "All Staff", "mailNickname": "allstaff",
                       "description": "Everyone (nests the department groups)", "members": nested + direct})
    for extra in range(len(groups), count):
        groups.append({"id": seeded_guid(rng), "displayName": f"Project {extra}", "mailNickname": f"project{extra}",
                       "description": "Project group", "members": [("user", u["id"]) for u in users[extra::25]]})
    return groups


def _contacts(rng, users, shared, shared_count) -> list[tuple[str, str | None, dict]]:
    """(owner id, folder name or None for default, contact) tuples."""
    out = []
    companies = ("Fabrikam", "Tailspin Toys", "Northwind Traders", "Litware", "Adventure Works")
    for owner in users[:3]:
        for n in range(3):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            out.append((owner["id"], None, _contact(first, last, companies[n % len(companies)], n)))
    if shared is not None:
        for n in range(shared_count):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            folder = "Suppliers" if n % 5 == 4 else None
            out.append((shared["id"], folder, _contact(first, last, companies[n % len(companies)], n)))
    return out


def _contact(first: str, last: str, company: str, n: int) -> dict:
    domain = company.lower().replace(" ", "") + ".example"
    return {"givenName": first, "surname": last, "displayName": f"{first} {last}", "fileAs": f"{last}, {first}",
            "companyName": company, "jobTitle": "Account Manager",
            "emailAddresses": [{"name": f"{first} {last}", "address": f"{first}.{last}@{domain}".lower()}],
            "businessPhones": [f"+1 312 555 {n:04d}"], "homePhones": [],
            "mobilePhone": f"+1 773 555 {n:04d}" if n % 2 else None}
