"""The common part of both SSO callbacks: take the pending flow, redeem the code through MSAL, check the tenant.

Raises Refused (already recorded in the sign-in log and the audit) for every way a callback can fail.
"""

from dataclasses import dataclass

from django.conf import settings

from integrations.graph import IdTokenClaims, SignInError
from integrations.models import EntraConnection
from organizations.models import Organization
from pbx_portal.http import client_ip
from sso import refusals
from sso.claims import tenant_problem
from sso.flows import flow_take, signin_client
from sso.refusals import Refusal
from sso.selectors import sso_allowed
from sso.services import refusal_record

UC_PURPOSES = frozenset({"uc_web", "uc_native"})
ADMIN_PURPOSES = frozenset({"admin_link", "admin_login"})


def channel_of(purpose: str) -> str:
    return purpose if purpose in UC_PURPOSES else "admin"


class Refused(Exception):
    def __init__(self, refusal: Refusal, *, admin: bool = False):
        self.refusal = refusal
        self.admin = admin
        super().__init__(refusal.reason)


def refuse(request, refusal: Refusal, *, organization, channel: str, claims=None, email: str = "",
           detail: str = "", extension=None) -> Refused:
    refusal_record(refusal, organization=organization, channel=channel, claims=claims, email=email,
                   detail=detail or refusal.message, extension=extension, ip=client_ip(request))
    return Refused(refusal, admin=channel == "admin")


@dataclass(frozen=True)
class Completed:
    entry: dict
    organization: Organization
    connection: EntraConnection
    claims: IdTokenClaims

    @property
    def purpose(self) -> str:
        return self.entry["purpose"]

    @property
    def channel(self) -> str:
        return channel_of(self.purpose)


def callback_complete(request, *, purposes: frozenset[str]) -> Completed:
    params = request.GET.dict()
    default_channel = "admin" if purposes == ADMIN_PURPOSES else "uc_web"
    entry = flow_take(request, params.get("state", ""))
    if entry is None or entry.get("purpose") not in purposes:
        raise refuse(request, refusals.bad_state(), organization=None, channel=default_channel,
                     detail="unknown, used or expired state" if entry is None else "flow of another kind")
    channel = channel_of(entry["purpose"])
    organization = Organization.objects.filter(pk=entry["organization_id"]).first()
    connection = EntraConnection.objects.filter(organization=organization).first() if organization else None
    hint = entry.get("login_hint", "")
    if connection is None or not connection.is_configured:
        raise refuse(request, refusals.not_configured(), organization=organization, channel=channel, email=hint)
    if entry["purpose"] in UC_PURPOSES and not sso_allowed(organization):
        raise refuse(request, refusals.sso_off(organization.name), organization=organization, channel=channel,
                     email=hint)
    try:
        claims = signin_client(connection).finish(entry["flow"], params)
    except SignInError as exc:
        if exc.kind == "state":
            refusal = refusals.bad_state()
        elif exc.kind == "id_token":
            refusal = refusals.bad_id_token()
        elif exc.kind == "connection":
            refusal = refusals.entra_unreachable()
        else:
            refusal = refusals.entra_error(exc.error, exc.aadsts_code, admin=channel == "admin")
        raise refuse(request, refusal, organization=organization, channel=channel, email=hint,
                     detail=f"{refusal.message} {exc.description}".strip()) from exc
    problem = tenant_problem(claims, expected_tenant_id=connection.expected_tenant_id,
                             authority_host=settings.MICROSOFT_AUTHORITY_HOST)
    if problem:
        raise refuse(request, refusals.wrong_tenant(problem), organization=organization, channel=channel,
                     claims=claims, detail=problem)
    return Completed(entry, organization, connection, claims)
