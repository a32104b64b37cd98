from django.urls import path

from extensions import views

app_name = "extensions"
urlpatterns = [
    path("", views.extension_list_view, name="list"),
    path("new/", views.extension_create_view, name="create"),
    path("<int:pk>/", views.extension_detail_view, name="detail"),
    path("<int:pk>/edit/", views.extension_edit_view, name="edit"),
    path("<int:pk>/status/", views.extension_status_view, name="status"),
    path("groups/", views.extension_group_list_view, name="groups"),
]
