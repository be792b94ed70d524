"""Settings → Webhooks pages, mounted at /settings/webhooks/ by the project's URLconf."""

from django.urls import path

from webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_create, name="create"),
    path("<str:endpoint_id>/", views.endpoint_detail, name="detail"),
    path("<str:endpoint_id>/test/", views.endpoint_send_test, name="test"),
    path("<str:endpoint_id>/rotate-secret/", views.endpoint_rotate_secret, name="rotate"),
    path("<str:endpoint_id>/enabled/", views.endpoint_toggle, name="toggle"),
    path("<str:endpoint_id>/delete/", views.endpoint_delete, name="delete"),
    path(
        "<str:endpoint_id>/deliveries/<str:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="redeliver",
    ),
]
