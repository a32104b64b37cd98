import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from organizations.models import Membership, Organization

pytestmark = pytest.mark.django_db


def test_creates_organization_and_admin(capsys):
    call_command("create_organization", "Contoso Ltd", "--admin", "alice", "--password", "Corr3ct-Horse-Battery")
    out = capsys.readouterr().out
    assert 'Created organization "Contoso Ltd"' in out and '"alice"' in out
    user = get_user_model().objects.get(username="alice")
    assert user.check_password("Corr3ct-Horse-Battery")
    assert Membership.objects.get(user=user).organization.name == "Contoso Ltd"
    assert not user.is_superuser


def test_password_from_environment(monkeypatch):
    monkeypatch.setenv("ADMIN_PW", "Env-Provided-Passw0rd")
    call_command("create_organization", "Fabrikam", "--admin", "bob", "--password-env", "ADMIN_PW")
    assert get_user_model().objects.get(username="bob").check_password("Env-Provided-Passw0rd")


def test_duplicate_organization_fails_clearly_and_creates_nothing():
    call_command("create_organization", "Contoso Ltd", "--admin", "alice", "--password", "Corr3ct-Horse-Battery")
    with pytest.raises(CommandError, match='An organization named "contoso ltd" already exists'):
        call_command("create_organization", "contoso ltd", "--admin", "carol", "--password", "Corr3ct-Horse-Battery")
    assert Organization.objects.count() == 1
    assert not get_user_model().objects.filter(username="carol").exists()


def test_duplicate_username_fails_and_rolls_back():
    call_command("create_organization", "Contoso Ltd", "--admin", "alice", "--password", "Corr3ct-Horse-Battery")
    with pytest.raises(CommandError, match='A user named "alice" already exists'):
        call_command("create_organization", "Other", "--admin", "alice", "--password", "Corr3ct-Horse-Battery")
    assert not Organization.objects.filter(name="Other").exists()


def test_weak_password_is_refused():
    with pytest.raises(CommandError, match=r"too common|too short"):
        call_command("create_organization", "Contoso Ltd", "--admin", "alice", "--password", "password")
    assert not Organization.objects.exists()


def test_missing_password_env_is_clear():
    with pytest.raises(CommandError, match="NOPE_NOT_SET is not set"):
        call_command("create_organization", "X", "--admin", "x", "--password-env", "NOPE_NOT_SET")
