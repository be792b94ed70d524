"""Small forms behind the code page's and the list's buttons."""

from django import forms

DOWNLOAD_FORMATS = [
    ("png", "PNG"),
    ("svg", "SVG (vector)"),
    ("pdf", "PDF (print)"),
    ("jpeg", "JPEG"),
]
DOWNLOAD_SIZES = [
    (256, "256 px"),
    (512, "512 px"),
    (1024, "1024 px"),
    (2048, "2048 px"),
    (4096, "4096 px"),
]

BULK_ACTIONS = [
    ("activate", "Activate"),
    ("deactivate", "Deactivate"),
    ("move", "Move to group…"),
    ("apply_style", "Apply brand style…"),
    ("delete", "Delete"),
]
MAX_BULK = 200
# The bulk move's choice "out of any group" (the empty value means nothing was chosen).
NO_GROUP = "none"
# "Select all N matching": the list's synchronous actions change at most this many at once
# (the ZIP of images is a background job and takes any number).
MAX_ALL_MATCHING = 1000


class DestinationForm(forms.Form):
    destination = forms.CharField(
        label="New destination",
        max_length=2048,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


class DownloadForm(forms.Form):
    format = forms.ChoiceField(
        label="Format",
        choices=DOWNLOAD_FORMATS,
        initial="png",
        help_text="SVG and PDF stay sharp at any size; send them to your designer or printer.",
    )
    size = forms.TypedChoiceField(label="Size", choices=DOWNLOAD_SIZES, coerce=int, initial=1024)


class ImageForm(forms.Form):
    """The inline image (thumbnails, the code page): any size the engine accepts."""

    format = forms.ChoiceField(choices=[("svg", "SVG"), ("png", "PNG")], required=False)
    size = forms.IntegerField(min_value=64, max_value=1024, required=False)


class MoveForm(forms.Form):
    group = forms.ChoiceField(label="Group", required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", "No group")] + [(g.public_id, g.name) for g in groups]


class BulkForm(forms.Form):
    codes = forms.MultipleChoiceField(label="Codes", required=False)
    all_matching = forms.BooleanField(required=False)
    action = forms.ChoiceField(label="Action", choices=BULK_ACTIONS)
    group = forms.ChoiceField(label="Group", required=False)
    template = forms.ChoiceField(label="Brand style", required=False)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, groups=(), templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        # No default: a move must name where to (taking codes out of their groups included).
        self.fields["group"].choices = (
            [("", "Choose a group…")]
            + [(g.public_id, g.name) for g in groups]
            + [(NO_GROUP, "No group (take them out of their groups)")]
        )
        self.fields["template"].choices = [("", "Choose a style")] + [
            (t.public_id, t.name) for t in templates
        ]
        # Any id is accepted here; the selector keeps only the workspace's own codes.
        ids = self.data.getlist("codes") if hasattr(self.data, "getlist") else []
        self.fields["codes"].choices = [(value, value) for value in ids[:MAX_BULK]]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("codes") and not cleaned.get("all_matching"):
            self.add_error("codes", "Select at least one code first.")
        if cleaned.get("action") == "move" and not cleaned.get("group"):
            self.add_error("group", "Choose the group to move the codes to.")
        if cleaned.get("action") == "apply_style" and not cleaned.get("template"):
            self.add_error("template", "Choose the brand style to apply.")
        if len(self.data.getlist("codes")) > MAX_BULK:
            self.add_error("codes", f"Select at most {MAX_BULK} codes at a time.")
        return cleaned


class TemplateNameForm(forms.Form):
    name = forms.CharField(
        label="Style name",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Acme primary"}),
    )
