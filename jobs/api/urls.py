"""API routes for jobs, imports and exports, mounted under /api/v1/ by the project's URLconf."""

from django.urls import re_path

from jobs.api.labels import LabelSheetsView, LabelsView
from jobs.api.views import ExportView, ImportView, JobViewSet
from qrsite.api.routers import ApiRouter

router = ApiRouter()
router.register("jobs", JobViewSet, basename="job")

urlpatterns = [
    re_path(r"^imports/?$", ImportView.as_view(), name="imports"),
    re_path(r"^exports/?$", ExportView.as_view(), name="exports"),
    re_path(r"^labels/?$", LabelsView.as_view(), name="labels"),
    re_path(r"^label-sheets/?$", LabelSheetsView.as_view(), name="label-sheets"),
    *router.urls,
]
