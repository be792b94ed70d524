"""The public short-URL route, included at the site root (`/r/<slug>`)."""

from django.urls import path

from codes import scan

app_name = "scan"

urlpatterns = [
    path("r/<str:slug>", scan.redirect, name="redirect"),
]
