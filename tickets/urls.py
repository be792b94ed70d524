from django.urls import path

from tickets import views

app_name = "tickets"

urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("<str:event_id>/", views.event_detail, name="event_detail"),
    path("<str:event_id>/stats", views.event_stats, name="event_stats"),
    path("<str:event_id>/door/", views.door, name="door"),
    path("<str:event_id>/checkins.csv", views.checkins_csv, name="checkins_csv"),
    path("<str:event_id>/tickets/new", views.ticket_create, name="ticket_create"),
    path("<str:event_id>/tickets/import", views.ticket_import, name="ticket_import"),
    path("<str:event_id>/tickets/export", views.tickets_export, name="tickets_export"),
    path(
        "<str:event_id>/tickets/<str:ticket_id>/revoke", views.ticket_revoke, name="ticket_revoke"
    ),
    path(
        "<str:event_id>/tickets/<str:ticket_id>/reissue",
        views.ticket_reissue,
        name="ticket_reissue",
    ),
    path(
        "<str:event_id>/tickets/<str:ticket_id>/ticket.pdf",
        views.ticket_pdf_download,
        name="ticket_pdf",
    ),
    path("<str:event_id>/checkins/<str:checkin_id>/undo", views.checkin_undo, name="checkin_undo"),
]
