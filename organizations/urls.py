from django.urls import path

from organizations import views

app_name = "organizations"
urlpatterns = [
    path("choose/", views.organization_choose_view, name="choose"),
    path("switch/", views.organization_switch_view, name="switch"),
    path("none/", views.no_organization_view, name="no_organization"),
]
