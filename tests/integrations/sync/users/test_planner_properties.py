"""Property tests of the pure planner: no removal for a user in scope, no number ever given twice or taken over."""

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from extensions.numbering import NumberBook
from integrations.graph.users import GraphUser
from integrations.sync.users.mapping import directory_user
from integrations.sync.users.planner import CREATE, DISABLE, SKIP, NumberPolicy, plan_user
from integrations.sync.users.scope import IN_SCOPE, OUT_OF_SCOPE, Verdict

NOW = datetime(2026, 11, 28, tzinfo=UTC)
users = st.lists(st.fixed_dictionaries({
    "id": st.uuids().map(str),
    "displayName": st.text(min_size=0, max_size=20),
    "accountEnabled": st.booleans(),
    "userType": st.sampled_from(["Member", "Guest"]),
    "businessPhones": st.lists(st.from_regex(r"\+?[0-9 ()-]{0,16}", fullmatch=True), max_size=1),
    "mail": st.none() | st.emails(),
    "userPrincipalName": st.emails(),
}), min_size=1, max_size=30, unique_by=lambda u: u["id"])


@settings(max_examples=150, deadline=None)
@given(users=users, manual_numbers=st.sets(st.integers(1000, 1040).map(str), max_size=20),
       mode=st.sampled_from(["auto", "attribute"]), in_scope=st.lists(st.booleans(), min_size=30, max_size=30),
       has_row=st.lists(st.booleans(), min_size=30, max_size=30))
def test_planner_never_removes_in_scope_users_nor_shares_a_number(users, manual_numbers, mode, in_scope, has_row):
    holders = {number: f"manual:Desk {number}" for number in manual_numbers}
    rows, next_number = {}, 1100
    for index, user in enumerate(users):
        if has_row[index]:
            number = str(next_number)
            next_number += 1
            holders[number] = f"user:{user['id']}"
            rows[user["id"]] = {"id": index + 1, "entra_object_id": user["id"], "number": number, "status": "active",
                                "source": "entra" if index % 5 else "manual", "sync_state": "synced",
                                "sync_message": "", "removed_at": None, "display_name": "x", "first_name": "",
                                "last_name": "", "email": "", "job_title": "", "department": "", "mobile_phone": "",
                                "business_phone": "", "entra_upn": ""}
    book = NumberBook(holders, {}, [(1000, 1005)], 1000, 1060)
    policy = NumberPolicy(mode, "businessPhones", "last_digits", 4)
    given_numbers: dict[str, str] = {}
    for index, raw in enumerate(users):
        user = directory_user(GraphUser.from_graph(raw), "US")
        verdict = Verdict(IN_SCOPE) if in_scope[index] else Verdict(OUT_OF_SCOPE, "out")
        row = rows.get(raw["id"])
        action = plan_user(user, verdict, row, book, policy, NOW)
        if verdict.state == IN_SCOPE:
            assert action is None or action.kind != DISABLE
        if row is not None and row["source"] == "manual":
            assert action is None or action.kind == SKIP
        if action is not None and action.kind == CREATE:
            number = action.number
            assert number not in manual_numbers, "a manual extension's number was given away"
            assert not 1000 <= int(number) <= 1005, "a reserved number was given"
            assert number not in given_numbers, "the same number was given twice"
            given_numbers[number] = raw["id"]
        if action is not None and row is not None and "number" in action.values:
            assert action.values["number"] not in manual_numbers
            assert action.values["number"] not in given_numbers or given_numbers[action.values["number"]] == raw["id"]
            given_numbers[action.values["number"]] = raw["id"]


def _row(user_id: str, **fields) -> dict:
    return {"id": 1, "entra_object_id": user_id, "number": "1234", "status": "active", "source": "entra",
            "sync_state": "synced", "sync_message": "", "removed_at": None, "display_name": "Old Name",
            "first_name": "", "last_name": "", "email": "x@contoso.com", "job_title": "", "department": "",
            "mobile_phone": "", "business_phone": "", "entra_upn": "x@contoso.com", **fields}


def test_a_change_to_a_user_keeping_their_number_is_an_update_with_the_number_problem_beside_it():
    from integrations.sync.users.planner import BOOKKEEPING, CONFLICT, UPDATE

    raw = {"id": "u1", "displayName": "New Name", "accountEnabled": True, "userType": "Member",
           "userPrincipalName": "x@contoso.com", "mail": "x@contoso.com", "businessPhones": []}
    user = directory_user(GraphUser.from_graph(raw), "US")
    policy = NumberPolicy("attribute", "businessPhones", "last_digits", 4)
    book = NumberBook({"1234": "user:u1"}, {}, [], 1000, 1060)
    action = plan_user(user, Verdict(IN_SCOPE), _row("u1"), book, policy, NOW)
    assert action.kind == UPDATE and action.number == "1234" and "the number stays 1234" in action.reason
    same = directory_user(GraphUser.from_graph({**raw, "displayName": "Old Name"}), "US")
    quiet = plan_user(same, Verdict(IN_SCOPE), _row("u1"), book, policy, NOW)
    assert quiet.kind == BOOKKEEPING and quiet.before is None  # only the note changes: not an update
    new = plan_user(directory_user(GraphUser.from_graph({**raw, "id": "u2"}), "US"), Verdict(IN_SCOPE), None, book,
                    policy, NOW)
    assert new.kind == CONFLICT and not new.number  # a conflict is a user left without a number
