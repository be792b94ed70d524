from django.urls import path

from analytics import compare_views, report_views, views

app_name = "analytics"

urlpatterns = [
    path("", views.workspace_report, name="workspace"),
    path("export.csv", views.workspace_report, {"fmt": "csv"}, name="workspace_csv"),
    path("report.pdf", views.workspace_report, {"fmt": "pdf"}, name="workspace_pdf"),
    path("scans.csv", views.workspace_report, {"fmt": "scans"}, name="workspace_scans"),
    path("compare/", compare_views.compare, name="compare"),
    path("reports/", report_views.report_subscriptions, name="reports"),
    path(
        "reports/<str:subscription_id>/stop/",
        report_views.report_subscription_stop,
        name="report_stop",
    ),
    path("codes/<str:code_id>/", views.code_report, name="code"),
    path("codes/<str:code_id>/export.csv", views.code_report, {"fmt": "csv"}, name="code_csv"),
    path("codes/<str:code_id>/report.pdf", views.code_report, {"fmt": "pdf"}, name="code_pdf"),
    path("codes/<str:code_id>/scans.csv", views.code_report, {"fmt": "scans"}, name="code_scans"),
    path("groups/<str:group_id>/", views.group_report, name="group"),
    path("groups/<str:group_id>/export.csv", views.group_report, {"fmt": "csv"}, name="group_csv"),
    path("groups/<str:group_id>/report.pdf", views.group_report, {"fmt": "pdf"}, name="group_pdf"),
    path(
        "groups/<str:group_id>/scans.csv", views.group_report, {"fmt": "scans"}, name="group_scans"
    ),
]
