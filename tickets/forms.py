"""Dashboard forms: an event, a ticket, an attendees file, the export of every ticket."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.utils import timezone


class EventForm(forms.Form):
    name = forms.CharField(max_length=150)
    venue = forms.CharField(max_length=200, required=False)
    time_zone = forms.CharField(
        max_length=64, initial="UTC", help_text="Like Europe/Berlin; the times below are in it."
    )
    starts_at = forms.DateTimeField(
        label="Starts", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Ends", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    checkin_opens_at = forms.DateTimeField(
        label="Check-in opens",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    checkin_closes_at = forms.DateTimeField(
        label="Check-in closes",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    viewers_can_check_in = forms.BooleanField(
        label="Viewers may use the door page too", required=False
    )

    def clean(self):
        data = super().clean()
        try:
            zone = zoneinfo.ZoneInfo(data.get("time_zone") or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.add_error("time_zone", "Give a time zone name, like Europe/Berlin.")
            return data
        # The browser sends wall-clock times; they are in the event's zone, not the server's.
        for field in ("starts_at", "ends_at", "checkin_opens_at", "checkin_closes_at"):
            value = data.get(field)
            if value is not None:
                naive = timezone.make_naive(value) if timezone.is_aware(value) else value
                data[field] = naive.replace(tzinfo=zone)
        return data


class TicketForm(forms.Form):
    holder_name = forms.CharField(label="Holder’s name", max_length=150)
    holder_email = forms.EmailField(label="Email", required=False)
    ticket_type = forms.CharField(label="Ticket type", max_length=80, required=False)
    external_id = forms.CharField(
        label="External id",
        max_length=255,
        required=False,
        help_text="The order or ticket number in your shop.",
    )


class AttendeesForm(forms.Form):
    file = forms.FileField(
        label="Attendees file",
        help_text="CSV or XLSX with a header row: name (or holder_name), email, ticket_type, "
        f"external_id; at most {settings.JOBS_IMPORT_MAX_ROWS:,} rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )


class TicketExportForm(forms.Form):
    OUTPUTS = {
        "pdf": ("pdf", []),
        "zip-pdf": ("zip", ["pdf"]),
        "zip-png": ("zip", ["png"]),
        "zip-pdf-png": ("zip", ["pdf", "png"]),
    }
    output = forms.ChoiceField(
        label="Download",
        choices=[
            ("pdf", "One PDF, a ticket per page"),
            ("zip-pdf", "ZIP: a PDF ticket per holder"),
            ("zip-png", "ZIP: a PNG code per holder"),
            ("zip-pdf-png", "ZIP: PDF tickets and PNG codes"),
        ],
        initial="pdf",
    )
    filename = forms.ChoiceField(
        label="Name the files by",
        choices=[
            ("holder_name", "Holder’s name"),
            ("external_id", "External id"),
            ("id", "Ticket id"),
        ],
        initial="holder_name",
    )

    def export_arguments(self) -> dict:
        format, files = self.OUTPUTS[self.cleaned_data["output"]]
        return {"format": format, "files": files, "filename": self.cleaned_data["filename"]}
