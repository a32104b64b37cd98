"""The UC Client's web pages, under /uc/ (native clients use /api/uc/)."""

from django.urls import path

from sso import views_uc

app_name = "uc"
urlpatterns = [
    path("", views_uc.uc_home_view, name="home"),
    path("login/", views_uc.uc_login_view, name="login"),
    path("login/microsoft/", views_uc.uc_sso_start_view, name="sso_start"),
    path("login/password/", views_uc.uc_password_view, name="password"),
    path("logout/", views_uc.uc_logout_view, name="logout"),
]
