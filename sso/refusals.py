"""Why a sign-in was refused, in words a UC user (and their administrator) can act on."""

from dataclasses import dataclass

from integrations.redirect_uris import admin_redirect_uri, uc_client_redirect_uri


@dataclass(frozen=True)
class Refusal:
    reason: str  # stored in the sign-in log
    title: str
    message: str
    fix: str
    status: int = 403
    aadsts_code: int | None = None


def sso_off(organization_name: str) -> Refusal:
    return Refusal("sso_off", "Single sign-on is switched off",
                   f"Sign in with Microsoft is not allowed for {organization_name}.",
                   "Ask your administrator to switch on Allow SSO Login (Integrations > Microsoft Entra ID > SSO), "
                   "or sign in with your PBX password if you have one.")


def not_configured() -> Refusal:
    return Refusal("not_configured", "Single sign-on is not set up",
                   "Your organization has not finished connecting the PBX to Microsoft Entra ID.",
                   "Ask your administrator to save the connection and run Test Connection "
                   "(Integrations > Microsoft Entra ID).", status=503)


def not_linked(account: str) -> Refusal:
    return Refusal("not_linked", "Your Microsoft account is not linked",
                   f"Sorry: your Microsoft account {account} is not linked to an extension: ask your administrator "
                   "to check that the email on your extension matches.",
                   "Your administrator sets your extension's email to your Microsoft address (or syncs your user from "
                   "Microsoft Entra ID); then sign in again.")


def extension_disabled(number: str) -> Refusal:
    return Refusal("extension_disabled", "Your extension is disabled",
                   f"Extension {number} is disabled, so it cannot sign in.",
                   "Ask your administrator to enable your extension.")


def wrong_tenant(detail: str) -> Refusal:
    return Refusal("wrong_tenant", "This Microsoft account belongs to another organization",
                   "You signed in with an account from a Microsoft Entra tenant that is not your organization's "
                   f"({detail}).",
                   "Sign in with your work account of this organization. If this keeps happening, ask your "
                   "administrator to run Test Connection.")


def bad_state() -> Refusal:
    return Refusal("state_mismatch", "This sign-in link is no longer valid",
                   "The sign-in answer did not match a sign-in started in this browser: it was already used, it "
                   "expired, or it was altered.",
                   "Start again from the sign-in page, in the same browser.", status=400)


def bad_id_token() -> Refusal:
    return Refusal("invalid_id_token", "The sign-in answer could not be trusted",
                   "Microsoft's answer did not match this sign-in (nonce or audience).",
                   "Start again from the sign-in page.", status=400)


def entra_unreachable() -> Refusal:
    return Refusal("entra_unreachable", "Microsoft could not be reached",
                   "The portal could not reach Microsoft Entra ID to finish your sign-in.",
                   "Try again in a minute.", status=502)


def bad_redirect(uri: str) -> Refusal:
    return Refusal("redirect_refused", "This app is not allowed",
                   f"The app asked to be sent back to “{uri[:200]}”, which is not an allowed UC Client address.",
                   "Use the official UC Client app; its administrator lists allowed app addresses in "
                   "UC_NATIVE_REDIRECT_SCHEMES.", status=400)


def bad_native_request(problem: str) -> Refusal:
    return Refusal("native_request_invalid", "The app's sign-in request is invalid", problem,
                   "Update the UC Client app.", status=400)


def admin_not_linked(account: str) -> Refusal:
    return Refusal("admin_not_linked", "No administrator is linked to this Microsoft account",
                   f"The Microsoft account {account} is not linked to a portal administrator of this organization.",
                   "Sign in with your username and password, then link your Microsoft account under "
                   "Integrations > Microsoft Entra ID > SSO.")


def admin_identity_taken(account: str) -> Refusal:
    return Refusal("admin_identity_taken", "This Microsoft account is already linked",
                   f"The Microsoft account {account} is already linked to another administrator.",
                   "Sign in with your own Microsoft account, or ask the other administrator to unlink it.", status=409)


# AADSTS codes a user can meet at the callback: what happened and how to fix it. Branch on the code only.
_AADSTS: dict[int, tuple[str, str]] = {
    50011: ("the redirect URI sent to Microsoft is not registered in the app",
            "In the app registration open Authentication > Web and add exactly {uri} (trailing slash included)."),
    500112: ("the reply address does not match the one used to start the sign-in",
             "Register exactly {uri} (trailing slash included) and start the sign-in again."),
    65004: ("you declined to consent to the app", "Start again and accept, or ask your administrator to consent."),
    65001: ("the app has no consent for sign-in in your organization",
            "Your administrator grants consent to the app (openid, profile) in Microsoft Entra."),
    50105: ("your account is not assigned to the app", "Ask your administrator to assign you to the app in Entra."),
    50020: ("your account is from another tenant", "Sign in with your account of this organization."),
    50034: ("the account does not exist in your organization's directory", "Check the email you typed."),
    50057: ("your Microsoft account is disabled", "Ask your administrator to enable your account."),
    50058: ("you are not signed in to Microsoft", "Start again and sign in."),
    50076: ("multi-factor authentication is required", "Start again and complete multi-factor authentication."),
    53003: ("a Conditional Access policy blocked the sign-in", "Ask your administrator which policy applies."),
    70008: ("the sign-in code expired or was already used", "Start again from the sign-in page."),
    501481: ("the PKCE verifier did not match", "Start again from the sign-in page."),
    700016: ("the application was not found in your organization's tenant",
             "Your administrator checks the Client ID and Tenant ID and runs Test Connection."),
    7000215: ("the portal's client secret was rejected",
              "Your administrator enters the secret's Value again and runs Test Connection."),
    7000222: ("the portal's client secret has expired",
              "Your administrator creates a new client secret and enters it in the portal."),
    90002: ("your organization's tenant was not found", "Your administrator checks the Tenant ID."),
}


def entra_error(error: str, aadsts_code: int | None, *, admin: bool = False) -> Refusal:
    uri = admin_redirect_uri() if admin else uc_client_redirect_uri()
    what, fix = _AADSTS.get(aadsts_code or 0, (
        f"Microsoft Entra ID answered “{error or 'an error'}”",
        "Start again; if it keeps happening, give your administrator the time and this code.",
    ))
    code = f"AADSTS{aadsts_code}" if aadsts_code else (error or "error")
    return Refusal("entra_error", "Microsoft could not sign you in", f"{code}: {what}.", fix.format(uri=uri),
                   status=400, aadsts_code=aadsts_code)
