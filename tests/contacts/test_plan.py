"""The pure planner: Graph delta items + stored fingerprints -> creates, updates, deletes (no DB, no HTTP)."""

from hypothesis import given
from hypothesis import strategies as st

from contacts.sync.plan import contact_data, plan_page
from integrations.graph.contacts import GraphContact, MailboxAnswer, chunk_per_mailbox


def contact_from_graph(item: dict, region: str):
    return contact_data(GraphContact.from_graph(item), region)


def changes(items: list[dict]):
    """A delta page as the Graph layer hands it over (contacts and removals, in order)."""
    return MailboxAnswer(200, {"value": items}).contact_changes()


ITEM = {"id": "c1", "displayName": "Nina Supplier", "businessPhones": ["(312) 555-0101"], "mobilePhone": None,
        "emailAddresses": [{"name": "Nina", "address": "Nina@Fabrikam.example"}], "companyName": "Fabrikam"}


def test_contact_fields_normalized_and_originals_kept():
    data = contact_from_graph(ITEM, "US")
    assert data.phones == (("business", "(312) 555-0101", "+13125550101", "13125550101", "3125550101"),)
    assert data.emails == ("nina@fabrikam.example",)
    assert data.search_text == "nina supplier fabrikam nina@fabrikam.example"
    assert contact_from_graph({"id": "x", "emailAddresses": [{"address": "a@b.c"}]}, "US").display_name == "a@b.c"


def test_unchanged_contact_plans_nothing_and_a_change_plans_an_update():
    fingerprint = contact_from_graph(ITEM, "US").fingerprint
    assert plan_page(changes([ITEM]), {"c1": fingerprint}, "US").updates == []
    changed = plan_page(changes([{**ITEM, "companyName": "Litware"}]), {"c1": fingerprint}, "US")
    assert [d.source_id for d in changed.updates] == ["c1"] and not changed.creates


def test_repeated_items_last_wins_and_unknown_removals_are_ignored():
    removed = {"id": "c1", "@removed": {"reason": "deleted"}}
    plan = plan_page(changes([ITEM, removed, {"id": "zz", "@removed": {"reason": "deleted"}}]), {"c1": "old"}, "US")
    assert (plan.creates, plan.updates, plan.deletes) == ([], [], ["c1"])
    plan = plan_page(changes([removed, ITEM]), {}, "US")
    assert [d.source_id for d in plan.creates] == ["c1"] and plan.deletes == []


ids = st.sampled_from(["a", "b", "c", "d"])
items = st.lists(st.one_of(
    st.builds(lambda i, n: {"id": i, "displayName": n}, ids, st.text(max_size=5)),
    st.builds(lambda i: {"id": i, "@removed": {"reason": "deleted"}}, ids)), max_size=12)


@given(items, st.dictionaries(ids, st.text(max_size=3)))
def test_every_id_is_planned_at_most_once_and_consistently(page, existing):
    plan = plan_page(changes(page), existing, "US")
    planned = [d.source_id for d in plan.creates + plan.updates] + plan.deletes
    assert len(planned) == len(set(planned))
    assert all(d.source_id not in existing for d in plan.creates)
    assert all(d.source_id in existing for d in plan.updates) and set(plan.deletes) <= set(existing)


@given(st.lists(st.sampled_from(["m1", "m2", "m3"]), max_size=80))
def test_batches_hold_at_most_20_requests_and_4_per_mailbox(mailboxes):
    entries = [(i, (m, f"/url/{i}")) for i, m in enumerate(mailboxes)]
    chunks = chunk_per_mailbox(entries)
    assert sorted(i for chunk in chunks for i, _ in chunk) == list(range(len(mailboxes)))
    for chunk in chunks:
        assert len(chunk) <= 20
        assert all(sum(1 for _, (m, _u) in chunk if m == mailbox) <= 4 for mailbox in ("m1", "m2", "m3"))
