"""Operators' commands: connect_entra and sync_users (JSON contract, exit status)."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from extensions.models import Extension
from integrations.models import EntraConnection
from organizations.models import AuditEntry

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_connect_entra_saves_tests_and_prints_each_check(emu, organization, monkeypatch, capsys):
    monkeypatch.setenv("PBX_SECRET", emu.client_secret)
    call_command("connect_entra", organization.name.upper(), "--tenant-id", emu.tenant_id, "--client-id",
                 emu.client_id, "--secret-env", "PBX_SECRET", "--test")
    out = capsys.readouterr().out
    assert "[OK  ] Credentials accepted" in out or "[OK  ]" in out
    assert "Connected." in out and emu.client_secret not in out
    connection = EntraConnection.objects.get(organization=organization)
    assert connection.status == "connected" and connection.client_secret == emu.client_secret
    assert AuditEntry.objects.filter(organization=organization, action="entra.connection_changed").exists()


def test_connect_entra_wrong_secret_exits_non_zero(emu, organization, monkeypatch, capsys):
    monkeypatch.setenv("PBX_SECRET", "Wrong~secret-value-0123456789abcdefghij")
    with pytest.raises(CommandError) as error:
        call_command("connect_entra", organization.name, "--tenant-id", emu.tenant_id, "--client-id",
                     emu.client_id, "--secret-env", "PBX_SECRET", "--test")
    assert "AADSTS7000215" in str(error.value) or "rejected" in str(error.value)
    assert "[FAIL]" in capsys.readouterr().out


def test_connect_entra_bad_input_changes_nothing(organization, monkeypatch):
    monkeypatch.setenv("PBX_SECRET", "a-secret-value-long-enough-123456")
    with pytest.raises(CommandError, match="Nothing was saved"):
        call_command("connect_entra", organization.name, "--tenant-id", "common", "--client-id",
                     "00001111-aaaa-2222-bbbb-3333cccc4444", "--secret-env", "PBX_SECRET")
    assert not EntraConnection.objects.filter(organization=organization).exists()
    with pytest.raises(CommandError, match="not set"):
        call_command("connect_entra", organization.name, "--tenant-id", "contoso.onmicrosoft.com",
                     "--client-id", "00001111-aaaa-2222-bbbb-3333cccc4444", "--secret-env", "NOT_SET_ANYWHERE")
    with pytest.raises(CommandError, match="No organization"):
        call_command("connect_entra", "Nobody Inc", "--tenant-id", "x.com", "--client-id", "y",
                     "--secret-env", "PBX_SECRET")


def test_sync_users_json_contract(emu, connection, organization, capsys):
    call_command("sync_users", organization.name, "--json")
    summary = json.loads(capsys.readouterr().out)
    for key in ("status", "created", "updated", "disabled", "deleted", "restored", "conflicts", "graph_requests"):
        assert key in summary
    assert summary["status"] == "succeeded" and summary["created"] == Extension.objects.count() > 0
    assert summary["graph_requests"] == 3  # verified domains, delta starting point, one page
    call_command("sync_users", organization.name, "--dry-run", "--full", "--json")
    preview = json.loads(capsys.readouterr().out)
    assert preview["status"] == "succeeded" and preview["dry_run"] and preview["created"] == 0


def test_sync_users_failed_run_exits_non_zero(emu, connection, organization, capsys):
    emu.control("POST", "app/permissions", json={"revoke": ["User.Read.All"]})
    with pytest.raises(CommandError) as error:
        call_command("sync_users", organization.name, "--json")
    assert error.value.returncode == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "failed" and "User.Read.All" in summary["error"]


def test_sync_users_skipped_when_paused(emu, connection, organization, capsys):
    EntraConnection.objects.filter(pk=connection.pk).update(syncs_paused=True, status_detail="secret expired")
    call_command("sync_users", organization.name, "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "skipped" and "paused" in summary["error"]
    assert not Extension.objects.exists()


def test_sync_users_runs_with_saved_settings_while_automatic_sync_is_off(emu, connection, organization, capsys):
    EntraConnection.objects.filter(pk=connection.pk).update(feature_user_sync=False)
    call_command("sync_users", organization.name)
    out = capsys.readouterr().out
    assert "Automatic user sync is off" in out and "saved settings: All users" in out
    assert Extension.objects.filter(organization=organization).count() > 0
    call_command("sync_users", organization.name, "--json")
    summary = json.loads(capsys.readouterr().out)
    assert summary["status"] == "succeeded" and summary["automatic_sync"] is False
