"""Dashboard forms: upload a spreadsheet, map its columns, choose what to export."""

from __future__ import annotations

from django import forms
from django.conf import settings

from codes.rendering import CONTENT_TYPES
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
