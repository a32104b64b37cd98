from django.urls import path

from integrations.sync.realtime import views

app_name = "realtime"
urlpatterns = [
    path("", views.notifications, name="notifications"),
    path("lifecycle/", views.lifecycle_notifications, name="lifecycle"),
]
