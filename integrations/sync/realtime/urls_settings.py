from django.urls import path

from integrations.sync.realtime import views_settings

app_name = "realtime_settings"
urlpatterns = [
    path("<str:kind>/switch/", views_settings.switch_view, name="switch"),
]
