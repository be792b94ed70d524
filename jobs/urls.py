"""Dashboard pages of jobs, mounted at /jobs/."""

from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.job_list, name="list"),
    path("import/", views.import_upload, name="import"),
    path("import/<str:upload_id>/", views.import_map, name="import_map"),
    path("export/", views.export_create, name="export"),
    path("print/", views.print_labels, name="print"),
    path("<str:job_id>/", views.job_detail, name="detail"),
    path("<str:job_id>/cancel/", views.job_cancel, name="cancel"),
    path("<str:job_id>/result/", views.job_result, name="result"),
    path("<str:job_id>/errors/", views.job_errors, name="errors"),
]
