"""Dashboard forms: upload a spreadsheet, map its columns, choose what to export, print labels."""

from __future__ import annotations

from django import forms
from django.conf import settings

from codes.rendering import CONTENT_TYPES
from codes.rendering.sheets import PAGE_SIZES, PRESETS
from jobs.mapping import field_choices
from jobs.services.exports import FORMATS, NAME_COLUMNS


def row_kind_choices() -> list[tuple[str, str]]:
    choices = [
        ("dynamic:url", "Dynamic URL codes (their destination can change after printing)"),
        ("static:url", "Static URL codes"),
    ]
    for name, kind in CONTENT_TYPES.items():
        if name != "url":
            choices.append((f"static:{name}", f"Static codes: {kind.label}"))
    return choices


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Spreadsheet",
        help_text=f"CSV (UTF-8) or XLSX from Excel or Google Sheets, with a header row; at most "
        f"{settings.JOBS_IMPORT_MAX_ROWS:,} rows and {settings.JOBS_IMPORT_MAX_BYTES // 2**20} MB.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    row_kind = forms.ChoiceField(
        label="Each row becomes", choices=row_kind_choices, initial="dynamic:url"
    )


class MappingForm(forms.Form):
    """One select per column of the file, plus the import's options."""

    row_kind = forms.ChoiceField(label="Each row becomes", choices=row_kind_choices)
    template = forms.ChoiceField(label="Style", required=False)
    destination_template = forms.CharField(
        label="Destination template (mail merge)",
        required=False,
        help_text="Instead of a destination column: a URL with {column} placeholders, e.g. "
        "https://example.com/offer?c={customer_id}. The results CSV becomes the print shop's "
        "merge file.",
    )
    mode = forms.ChoiceField(
        label="If a row is wrong",
        choices=[
            ("all_or_nothing", "Stop: create nothing until every row is right"),
            ("valid_rows", "Create the valid rows and report the rest"),
        ],
        initial="all_or_nothing",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, header=(), content_type="url", initial_mapping=None, templates=(),
                 **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.header = list(header)
        choices = field_choices(content_type)
        self.columns = []
        for index, column in enumerate(self.header):
            name = f"col_{index}"
            self.fields[name] = forms.ChoiceField(
                label=column,
                choices=choices,
                required=False,
                initial=(initial_mapping or {}).get(column, ""),
            )
            self.columns.append(name)
        self.fields["template"].choices = [("", "Standard (black on white)")] + [
            (t.public_id, t.name) for t in templates
        ]

    def column_fields(self):
        return [self[name] for name in self.columns]

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        return {column: data.get(f"col_{i}") or "" for i, column in enumerate(self.header)}

    def kind_and_type(self) -> tuple[str, str]:
        kind, _, content_type = self.cleaned_data["row_kind"].partition(":")
        return kind, content_type


class ExportForm(forms.Form):
    formats = forms.MultipleChoiceField(
        label="Formats",
        choices=[(f, f.upper()) for f in FORMATS],
        initial=["png"],
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one format."},
    )
    size = forms.TypedChoiceField(
        label="Size",
        coerce=int,
        initial=400,
        choices=[(256, "256 px"), (400, "400 px"), (512, "512 px"), (1024, "1024 px"),
                 (2048, "2048 px")],
    )  # fmt: skip
    filename = forms.ChoiceField(
        label="Name the files by",
        choices=[(c, {"external_id": "External id", "name": "Name", "slug": "Short slug",
                      "id": "Code id"}[c]) for c in NAME_COLUMNS],
        initial="external_id",
        help_text="Unsafe characters become “-”; a repeated name gets -2, -3, …",
    )  # fmt: skip


class PrintForm(forms.Form):
    """The Print page's options; `options()` is what `label_options` takes."""

    mode = forms.ChoiceField(
        label="Output",
        choices=[
            ("sheet", "Label sheets"),
            ("print_shop", "Print-shop pieces (bleed, crop marks)"),
        ],
        initial="sheet",
        widget=forms.RadioSelect,
    )
    sheet = forms.ChoiceField(
        label="Sheet",
        choices=[(key, s.title) for key, s in PRESETS.items()] + [("custom", "Custom grid…")],
        initial="avery-l7163",
    )
    page_size = forms.ChoiceField(label="Page", choices=[(k, k.upper() if k != "letter" else
                                  "US Letter") for k in PAGE_SIZES], initial="a4", required=False)  # fmt: skip
    columns = forms.IntegerField(label="Columns", required=False, initial=2)
    rows = forms.IntegerField(label="Rows", required=False, initial=7)
    label_width = forms.FloatField(label="Label width (mm)", required=False, initial=99.1)
    label_height = forms.FloatField(label="Label height (mm)", required=False, initial=38.1)
    left = forms.FloatField(label="Left margin (mm)", required=False, initial=4.65)
    top = forms.FloatField(label="Top margin (mm)", required=False, initial=15.15)
    column_gap = forms.FloatField(label="Gap between columns (mm)", required=False, initial=2.5)
    row_gap = forms.FloatField(label="Gap between rows (mm)", required=False, initial=0)
    corner_radius = forms.FloatField(label="Corner radius (mm)", required=False, initial=1.5)
    trim_width = forms.FloatField(label="Trim width (mm)", required=False, initial=85)
    trim_height = forms.FloatField(label="Trim height (mm)", required=False, initial=55)
    bleed = forms.FloatField(label="Bleed (mm)", required=False, initial=3)
    line_1 = forms.CharField(label="Text line 1", required=False, initial="name")
    line_2 = forms.CharField(label="Text line 2", required=False, initial="short_url")
    line_3 = forms.CharField(label="Text line 3", required=False)
    font_size = forms.FloatField(
        label="Font size (pt)", initial=9, help_text="Shrunk to fit, down to 5 pt."
    )
    align = forms.ChoiceField(label="Text alignment", choices=[("left", "Left"), ("center", "Centre"), ("right", "Right")], initial="left")  # fmt: skip
    code_size = forms.FloatField(label="Code size (mm)", required=False, help_text="Empty: as large as the label allows.")  # fmt: skip
    start_at = forms.IntegerField(label="Start at label", initial=1, help_text="Skip labels already used on a partly used first sheet.")  # fmt: skip
    copies = forms.IntegerField(label="Labels per code", initial=1)
    scan_distance_m = forms.FloatField(label="Scanned from (m)", initial=0.15, help_text="Sets the smallest printed size that still scans.")  # fmt: skip
    background = forms.CharField(label="Label background", required=False, help_text="A colour such as #FFD60A; on print-shop pieces it fills the bleed.")  # fmt: skip

    GRID = ("page_size", "columns", "rows", "label_width", "label_height", "left", "top",
            "column_gap", "row_gap", "corner_radius")  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("line_1", "line_2", "line_3"):
            self.fields[name].widget.attrs["list"] = "label-fields"

    def options(self) -> dict:
        data = self.cleaned_data
        given = {
            "lines": [data[f"line_{i}"] for i in (1, 2, 3) if data.get(f"line_{i}")],
            "start_at": data["start_at"],
            "copies": data["copies"],
            "font_size": data["font_size"],
            "align": data["align"],
            "code_size": data.get("code_size"),
            "scan_distance_m": data["scan_distance_m"],
            "background": data.get("background") or None,
        }
        if data["mode"] == "print_shop":
            given["print_shop"] = {k: data.get(k) for k in ("trim_width", "trim_height", "bleed")}
        elif data["sheet"] == "custom":
            grid = {k: data.get(k) for k in self.GRID if data.get(k) not in (None, "")}
            given["sheet"] = grid
        else:
            given["sheet"] = data["sheet"]
        return given

    @staticmethod
    def field_for(name: str) -> str:
        """The form field a service error names (`sheet.columns` -> columns, `lines.0` ->
        line_1, `print_shop.bleed` -> bleed)."""
        head, _, tail = name.partition(".")
        if head == "lines" and tail.isdigit():
            return f"line_{int(tail) + 1}"
        if head in ("sheet", "print_shop") and tail:
            return tail
        return name
