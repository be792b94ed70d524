"""The dashboard's endpoint form: shape only; the service decides what is allowed."""

from django import forms

from webhooks.events import EVENT_TYPES, SUBSCRIBABLE


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL",
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/qr"}),
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    all_events = forms.BooleanField(label="Every event type", required=False, initial=True)
    events = forms.MultipleChoiceField(
        label="Events",
        required=False,
        choices=[(name, name) for name in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        help_text="Ignored when “Every event type” is ticked.",
    )
    group = forms.ChoiceField(label="Only codes of group", required=False)
    scan_thresholds = forms.CharField(
        label="Scan thresholds",
        required=False,
        help_text="Counts that send code.scan_threshold_reached once per code, like 100, 1000.",
    )
    code_scan_thresholds = forms.CharField(
        label="Thresholds for single codes",
        required=False,
        help_text="Code id, colon, counts; codes separated by semicolons: code_ab12…: 50, 500",
    )
    scan_batch_size = forms.IntegerField(
        label="Scans per code.scanned request",
        initial=1,
        help_text="1 sends one request per scan; more batches them.",
    )

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "Every code")] + [
            (group.public_id, group.name) for group in groups
        ]
        self.groups = {group.public_id: group for group in groups}
        self.fields["events"].choices = [
            (name, f"{name} — {EVENT_TYPES[name]}") for name in SUBSCRIBABLE
        ]

    def clean_scan_thresholds(self):
        raw = self.cleaned_data["scan_thresholds"].replace(" ", "")
        if not raw:
            return []
        values = []
        for part in raw.split(","):
            try:
                values.append(int(part))
            except ValueError:
                raise forms.ValidationError(
                    f"“{part}” is not a whole number; separate counts with commas."
                ) from None
        return values

    def clean_code_scan_thresholds(self):
        raw = self.cleaned_data["code_scan_thresholds"].strip()
        found: dict[str, list[int]] = {}
        for part in filter(None, (p.strip() for p in raw.split(";"))):
            code_id, colon, counts = part.partition(":")
            if not colon or not code_id.strip():
                raise forms.ValidationError(f"“{part}” needs a code id, a colon and counts.")
            try:
                found[code_id.strip()] = [int(c) for c in counts.replace(" ", "").split(",")]
            except ValueError:
                raise forms.ValidationError(
                    f"The counts of {code_id.strip()} must be whole numbers."
                ) from None
        return found

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "url": data["url"],
            "description": data["description"],
            "events": ["*"] if data["all_events"] else list(data["events"]),
            "group": self.groups.get(data["group"]) if data["group"] else None,
            "scan_thresholds": data["scan_thresholds"],
            "code_scan_thresholds": data["code_scan_thresholds"],
            "scan_batch_size": data["scan_batch_size"],
        }
