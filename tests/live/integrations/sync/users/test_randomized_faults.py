"""Many rounds of random directory changes with random injected faults.

After each round the sync may have failed, but: no extension is ever disabled or deleted for a user who is still in
scope, and after every round without a fault the extensions equal what the directory says.
"""

import random

import pytest

from extensions.models import Extension
from integrations.graph import users as graph_users
from integrations.sync.models import SyncRun
from integrations.sync.users import engine
from tests.helpers.user_sync import directory_users, removal_events

pytestmark = [pytest.mark.integration, pytest.mark.django_db]
ROUNDS = 24
FAULTS = ("none", "none", "none", "429", "503_storm", "drop", "delta_410", "delta_400", "crash")


class WorkerKilled(BaseException):
    """Stands for a worker process dying between two pages (not an Exception: nothing in the engine catches it)."""


def random_changes(emu, rng, state) -> None:
    live = [u for u in directory_users(emu)]
    for _ in range(rng.randint(1, 6)):
        op = rng.choice(("create", "rename", "disable", "enable", "soft_delete", "restore", "hard_delete", "dept"))
        user = rng.choice(live)
        if op == "create":
            state["n"] += 1
            emu.control("POST", "users", json={"displayName": f"Random User{state['n']}",
                                               "mailNickname": f"random.user{state['n']}"})
        elif op == "rename":
            emu.control("PATCH", f"users/{user['id']}", json={"displayName": f"{user['displayName']} R{state['n']}"})
            state["n"] += 1
        elif op == "dept":
            emu.control("PATCH", f"users/{user['id']}", json={"department": rng.choice(("Sales", "Legal", "Ops"))})
        elif op == "disable":
            emu.control("PATCH", f"users/{user['id']}", json={"accountEnabled": False})
        elif op == "enable":
            emu.control("PATCH", f"users/{user['id']}", json={"accountEnabled": True})
        elif op == "soft_delete":
            emu.control("POST", f"users/{user['id']}/soft-delete")
            state["soft"].append(user["id"])
            live.remove(user)
        elif op == "restore" and state["soft"]:
            emu.control("POST", f"users/{state['soft'].pop(rng.randrange(len(state['soft'])))}/restore")
        elif op == "hard_delete":
            emu.control("DELETE", f"users/{user['id']}")
            live.remove(user)


def inject(emu, fault: str, monkeypatch) -> None:
    users = "/v1.0/users"
    if fault == "429":
        emu.control("POST", "faults", json={"kind": "429", "path": users, "count": 1, "retry_after": 0.01})
    elif fault == "503_storm":
        emu.control("POST", "faults", json={"kind": "503", "path": users, "count": 20, "retry_after": 0})
    elif fault == "drop":
        emu.control("POST", "faults", json={"kind": "drop", "path": users, "count": 1})
    elif fault in ("delta_410", "delta_400"):
        emu.control("POST", "delta/expire", json={"mode": fault[-3:]})
    elif fault == "crash":
        original = engine.UserSync._process
        calls = {"n": 0}

        def crash(self, *args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:
                raise WorkerKilled
            return original(self, *args, **kwargs)

        monkeypatch.setattr(engine.UserSync, "_process", crash)


def in_scope(users) -> dict[str, dict]:
    return {u["id"]: u for u in users if u["accountEnabled"] and u["userType"] == "Member"}


def test_random_changes_and_faults(emu, sync, organization, monkeypatch):
    monkeypatch.setattr(graph_users, "PAGE_SIZE", 60)
    monkeypatch.setattr(graph_users, "DELTA_PAGE_SIZE", 4)
    rng = random.Random(20261128)
    state = {"n": 0, "soft": []}
    process = engine.UserSync._process
    assert sync().status == "succeeded"
    outcomes = []
    for round_number in range(ROUNDS):
        random_changes(emu, rng, state)
        fault = rng.choice(FAULTS)
        inject(emu, fault, monkeypatch)
        try:
            run = sync(full=rng.random() < 0.15)
        except WorkerKilled:
            run = SyncRun.objects.filter(organization=organization).first()
            SyncRun.objects.filter(pk=run.pk).update(heartbeat_at="2020-01-01T00:00:00Z")
        monkeypatch.setattr(engine.UserSync, "_process", process)
        emu.control("DELETE", "faults")
        run.refresh_from_db()
        outcomes.append((fault, run.status))
        users = directory_users(emu)
        wanted = in_scope(users)
        for event in removal_events(run):
            assert event.subject_id not in wanted, (round_number, fault, event.subject, event.reason)
        if run.status == "succeeded":
            active = {str(e.entra_object_id): e for e in Extension.objects.filter(
                organization=organization, source="entra", status="active")}
            assert set(active) == set(wanted), (round_number, fault)
            for oid, user in wanted.items():
                assert active[oid].display_name == user["displayName"], (round_number, fault)
    clean = [fault for fault, status in outcomes if fault == "none"]
    assert clean and all(status == "succeeded" for fault, status in outcomes if fault in ("none", "429")), outcomes
    assert {"failed", "running"} <= {status for _, status in outcomes}, outcomes  # faults really bit
    print(outcomes)
