from django.urls import path

from contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_settings_view, name="settings"),
    path("picker/", views.picker_start_view, name="picker"),
    path("picker/<int:pk>/", views.picker_poll_view, name="picker_poll"),
    path("mailboxes/", views.mailbox_status_view, name="mailboxes"),
]
