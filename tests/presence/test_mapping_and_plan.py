"""The pure parts: the mapping table and the poll planner (no database, no network)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from presence.mapping import AVAILABILITIES, DEFAULT_MAPPING, MappingError, mapping_table, pbx_state_for
from presence.poll import plan_changes

TABLE = mapping_table(DEFAULT_MAPPING)


@pytest.mark.parametrize(("availability", "activity", "state"), [
    ("Available", "Available", "available"),
    ("AvailableIdle", "Available", "available"),
    ("Busy", "InACall", "on_call"),
    ("Busy", "InAConferenceCall", "on_call"),
    ("Busy", "InAMeeting", "busy"),
    ("DoNotDisturb", "Presenting", "dnd"),
    ("Away", "Away", "away"),
    ("BeRightBack", "BeRightBack", "away"),
    ("Offline", "OffWork", "offline"),
    ("Offline", "OutOfOffice", "away"),
    ("PresenceUnknown", "PresenceUnknown", "unknown"),
    ("SomethingNew", "Whatever", "unknown"),
])
def test_default_mapping(availability, activity, state):
    assert pbx_state_for(TABLE, availability, activity) == state


@pytest.mark.parametrize(("rules", "message"), [
    ([{"availability": "Nope", "activity": "*", "pbx_state": "busy"}], "unknown Teams availability"),
    ([{"availability": "Busy", "activity": "Nope", "pbx_state": "busy"}], "unknown Teams activity"),
    ([{"availability": "Busy", "activity": "*", "pbx_state": "nope"}], "unknown PBX state"),
    ([{"availability": "Busy", "activity": "*", "pbx_state": "busy"}] * 2, "mapped twice"),
])
def test_invalid_mapping_is_refused_with_the_row(rules, message):
    with pytest.raises(MappingError, match=message):
        mapping_table(rules)


def test_plan_writes_only_changes():
    targets = [(1, "a"), (2, "b"), (3, "c")]
    current = {1: ("Available", "Available", "available", False), 2: ("Busy", "InACall", "on_call", False)}
    observed = {"a": ("Available", "Available"), "b": ("Away", "Away"), "c": ("Busy", "InACall")}
    changes = plan_changes(targets, current, observed, TABLE)
    assert [(c.extension_id, c.after) for c in changes] == [(2, ("Away", "Away", "away")),
                                                            (3, ("Busy", "InACall", "on_call"))]


def test_plan_reports_a_user_without_presence_once():
    targets = [(1, "a")]
    assert plan_changes(targets, {}, {}, TABLE)[0].after is None
    assert plan_changes(targets, {1: ("", "", "unknown", True)}, {}, TABLE) == []
    back = plan_changes(targets, {1: ("", "", "unknown", True)}, {"a": ("Available", "Available")}, TABLE)
    assert back[0].after == ("Available", "Available", "available")


presence_pairs = st.tuples(st.sampled_from(AVAILABILITIES), st.sampled_from(("Available", "InACall", "Away")))


@given(st.dictionaries(st.integers(1, 40), presence_pairs), st.dictionaries(st.integers(1, 40), presence_pairs))
def test_plan_then_apply_converges(before, after):
    """Applying the plan gives exactly what Teams said; planning again finds nothing to do."""
    targets = [(i, f"u{i}") for i in range(1, 41)]
    current = {i: (a, b, pbx_state_for(TABLE, a, b), False) for i, (a, b) in before.items()}
    observed = {f"u{i}": pair for i, pair in after.items()}
    for change in plan_changes(targets, current, observed, TABLE):
        current[change.extension_id] = (*change.after, False) if change.after else ("", "", "unknown", True)
    assert plan_changes(targets, current, observed, TABLE) == []
    for i, pair in after.items():
        assert current[i][:2] == pair
