"""The SSO fixtures (tests/helpers/sso.py): an organization connected to the emulator, SSO on."""

from tests.helpers.sso import demo_user, emu, http, sso_org  # noqa: F401 - fixtures
