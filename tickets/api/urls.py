"""API routes for events, tickets and check-ins, mounted under /api/v1/."""

from django.urls import re_path

from tickets.api import views

_ID = r"(?P<event_id>[^/]+)"
_TICKET = r"(?P<ticket_id>[^/]+)"

urlpatterns = [
    re_path(r"^checkins/?$", views.CheckinView.as_view(), name="checkin"),
    re_path(r"^checkins/batch/?$", views.CheckinBatchView.as_view(), name="checkin-batch"),
    re_path(r"^events/?$", views.EventListView.as_view(), name="event-list"),
    re_path(rf"^events/{_ID}/?$", views.EventDetailView.as_view(), name="event-detail"),
    re_path(rf"^events/{_ID}/checkin-kit/?$", views.CheckinKitView.as_view(), name="event-kit"),
    re_path(rf"^events/{_ID}/stats/?$", views.EventStatsView.as_view(), name="event-stats"),
    re_path(
        rf"^events/{_ID}/checkins/?$", views.EventCheckinListView.as_view(), name="event-checkins"
    ),
    re_path(
        rf"^events/{_ID}/checkins/(?P<checkin_id>[^/]+)/undo/?$",
        views.CheckinUndoView.as_view(),
        name="checkin-undo",
    ),
    re_path(rf"^events/{_ID}/tickets/?$", views.TicketListView.as_view(), name="ticket-list"),
    re_path(
        rf"^events/{_ID}/tickets/import/?$", views.TicketImportView.as_view(), name="ticket-import"
    ),
    re_path(
        rf"^events/{_ID}/tickets/export/?$", views.TicketExportView.as_view(), name="ticket-export"
    ),
    re_path(
        rf"^events/{_ID}/tickets/{_TICKET}/?$",
        views.TicketDetailView.as_view(),
        name="ticket-detail",
    ),
    re_path(
        rf"^events/{_ID}/tickets/{_TICKET}/revoke/?$",
        views.TicketRevokeView.as_view(),
        name="ticket-revoke",
    ),
    re_path(
        rf"^events/{_ID}/tickets/{_TICKET}/reissue/?$",
        views.TicketReissueView.as_view(),
        name="ticket-reissue",
    ),
    re_path(
        rf"^events/{_ID}/tickets/{_TICKET}/image/?$",
        views.TicketImageView.as_view(),
        name="ticket-image",
    ),
    re_path(
        rf"^events/{_ID}/tickets/{_TICKET}/pdf/?$", views.TicketPdfView.as_view(), name="ticket-pdf"
    ),
]
