from django.urls import path

from contacts import views

app_name = "contacts"
urlpatterns = [
    path("", views.contact_settings_view, name="settings"),
    path("pending/discard/", views.contact_settings_discard_view, name="pending_discard"),
    path("pending/", views.contact_settings_status_view, name="pending_status"),
    path("sync-now/", views.contacts_sync_now_view, name="sync_now"),
    path("picker/", views.picker_start_view, name="picker"),
    path("picker/<int:pk>/", views.picker_poll_view, name="picker_poll"),
    path("mailboxes/", views.mailbox_status_view, name="mailboxes"),
]
