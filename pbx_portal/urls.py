from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from pbx_portal.health import healthz

handler500 = "pbx_portal.errors.server_error"  # a database that is down or hung: 503 with its own page

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="extensions:list", permanent=False)),
    path("login/", auth_views.LoginView.as_view(template_name="registration/login.html",
                                                redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", healthz, name="healthz"),
    path("extensions/", include("extensions.urls")),
    path("integrations/collaboration/contacts/", include("contacts.urls")),
    path("integrations/", include("integrations.urls")),
    path("organizations/", include("organizations.urls")),
    path("operator/", admin.site.urls),
    path("", include("presence.urls")),
    path("", include("sso.urls")),
    path("", include("contacts.api_urls")),
]
