"""Microsoft's real endpoints answering Test Connection's Graph reads, mocked with `responses`."""

import datetime

from django.utils import timezone

from tests.helpers.graph_payloads import CLIENT, SECRET, TENANT

GRAPH = "https://graph.microsoft.com/v1.0"


ALL_ROLES = ["User.Read.All", "GroupMember.Read.All", "Contacts.Read", "Presence.Read.All", "Application.Read.All"]


def graph_reads(rsps, *, secret_end=None, hint=SECRET[:3]):
    rsps.add("GET", f"{GRAPH}/organization", json={
        "@odata.context": f"{GRAPH}/$metadata#organization(id,displayName,verifiedDomains)",
        "value": [{"id": TENANT, "displayName": "Contoso", "verifiedDomains": []}],
    })
    rsps.add("GET", f"{GRAPH}/users", json={
        "@odata.context": f"{GRAPH}/$metadata#users(id,displayName)",
        "value": [{"id": "87d349ed-44d7-43e1-9a83-5f2406dee5bd", "displayName": "Adele Vance"}],
    })
    end = secret_end or timezone.now() + datetime.timedelta(days=200)
    rsps.add("GET", f"{GRAPH}/applications(appId='{CLIENT}')", json={
        "@odata.context": f"{GRAPH}/$metadata#applications(displayName,passwordCredentials,keyCredentials)/$entity",
        "displayName": "Virtual-Call PBX",
        "keyCredentials": [],
        "passwordCredentials": [
            {"customKeyIdentifier": None, "displayName": "old", "endDateTime": "2020-01-01T00:00:00Z", "hint": "Old",
             "keyId": "1a2b3c4d-0000-0000-0000-000000000001", "secretText": None,
             "startDateTime": "2019-01-01T00:00:00Z"},
            {"customKeyIdentifier": None, "displayName": "pbx", "endDateTime": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
             "hint": hint, "keyId": "1a2b3c4d-0000-0000-0000-000000000002", "secretText": None,
             "startDateTime": "2026-01-01T00:00:00Z"},
        ],
    })
