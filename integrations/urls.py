from django.urls import path

from integrations import views
from integrations.sync.urls import urlpatterns as sync_urlpatterns
from integrations.sync.users.urls import urlpatterns as user_sync_urlpatterns
from sso.views_admin import entra_sso_view

app_name = "integrations"
urlpatterns = [
    path("entra/", views.entra_view, name="entra"),
    path("entra/test/", views.entra_test_view, name="entra_test"),
    path("entra/sso/", entra_sso_view, name="entra_sso"),
    path("entra/test/status/", views.entra_test_status_view, name="entra_test_status"),
    path("collaboration/", views.collaboration_view, name="collaboration"),
    *sync_urlpatterns,
    *user_sync_urlpatterns,
]
