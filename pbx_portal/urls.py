"""The whole site map. Each area is included from the app that owns it."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from pbx_portal.health import healthz

handler500 = "pbx_portal.errors.server_error"  # a database that is down or hung: 503 with its own page

urlpatterns = [
    # The admin portal (PBX administrators)
    path("", RedirectView.as_view(pattern_name="extensions:list", permanent=False)),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("extensions/", include("extensions.urls")),
    path("organizations/", include("organizations.urls")),
    path("integrations/", include("integrations.urls")),  # Microsoft Entra ID: Connection; Collaboration
    path("integrations/entra/user-sync/", include("integrations.sync.users.urls")),
    path("integrations/entra/sso/", include("sso.urls_settings")),
    path("integrations/entra/scim/", include("integrations.scim.urls_settings")),
    path("integrations/sync/", include("integrations.sync.urls")),  # the sync log and runs (every kind)
    path("integrations/collaboration/contacts/", include("contacts.urls")),
    path("integrations/collaboration/presence/", include("presence.urls")),
    path("integrations/realtime/", include("integrations.sync.realtime.urls_settings")),  # the switch
    # Sign in with Microsoft (administrators; both callbacks registered in Entra)
    path("sso/", include("sso.urls")),
    # The UC Client (web)
    path("uc/", include("sso.urls_uc")),
    path("uc/directory/", include("contacts.urls_uc")),
    # APIs: the PBX (organization API keys) and the UC Client (UC tokens)
    path("api/pbx/", include("contacts.urls_pbx_api")),  # GET lookup
    path("api/pbx/", include("presence.urls_pbx_api")),  # POST calls/events
    path("api/uc/", include("sso.urls_uc_api")),  # token, revoke, me, openapi.yaml
    path("api/uc/", include("contacts.urls_uc_api")),  # directory
    # SCIM 2.0 for Microsoft Entra provisioning (the organization's Secret Token)
    path("scim/v2/", include("integrations.scim.urls")),
    # Operators
    path("operator/", admin.site.urls),
    # Microsoft Graph change notifications (machine to machine: no session, no CSRF, no admin SSO policy)
    path("graph/notifications/", include("integrations.sync.realtime.urls")),
    path("healthz", healthz, name="healthz"),
]
