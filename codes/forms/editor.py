"""The code editor: the code, content and design forms together, and the live preview.

One object so the create page, the edit page, the brand-style editor and the preview
endpoint all read the same posted form the same way.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

from codes.forms.code import CodeForm, with_https
from codes.forms.content import ContentForm, content_form_class
from codes.forms.style import StyleForm
from codes.rendering import CONTENT_TYPES, SpecError, Style, check, encode_content, render
from codes.validation import validate_custom_slug, validate_destination

# What a new dynamic code's preview encodes until the real short link exists: same length as a
# generated slug, so the preview has the density of the code that will be printed.
PLACEHOLDER_SLUG = "preview"
SAMPLE_URL = "https://example.com/"
PREVIEW_SIZE = 480


class Editor:
    """Binds the three forms of the code editor to one request."""

    def __init__(
        self,
        *,
        content_type: str,
        data=None,
        files=None,
        code=None,
        groups=(),
        logos=(),
        style: dict | None = None,
        logo_id: str = "",
        with_code: bool = True,
    ):
        self.content_type = content_type if content_type in CONTENT_TYPES else "url"
        self.code = code
        self.with_code = with_code
        code_initial, content_initial = {}, {}
        if code is not None:
            code_initial = {
                "name": code.name,
                "destination": code.destination,
                "group": code.group.public_id if code.group else "",
                "expires_at": code.expires_at,
                "scan_limit": code.scan_limit,
                "pass_query_string": code.pass_query_string,
                "external_id": code.external_id,
                "metadata": code.metadata or None,
            }
            if style is None:  # a brand style being tried on replaces the code's own look
                style = code.style
                logo_id = code.logo.public_id if code.logo else ""
        self.code_form = (
            CodeForm(
                data,
                content_type=self.content_type,
                groups=groups,
                editing=code,
                initial=code_initial,
            )
            if with_code
            else None
        )
        self.content_form: ContentForm | None = None
        if with_code and self.content_type != "url":
            form_class = content_form_class(self.content_type)
            if code is not None:
                content_initial = form_class.initial_from_content(code.content)
            self.content_form = form_class(data, initial=content_initial)
        self.style_form = StyleForm(
            data,
            files,
            logos=logos,
            initial=StyleForm.initial_from_style(style or {}, logo_id),
        )

    @property
    def forms(self) -> list:
        return [f for f in (self.content_form, self.code_form, self.style_form) if f is not None]

    def is_valid(self) -> bool:
        # Not all(generator): every form must run, so every error shows at once.
        results = [form.is_valid() for form in self.forms]
        return all(results)

    @property
    def is_dynamic(self) -> bool:
        return bool(self.code_form and self.code_form.is_dynamic)

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's refusal next to the field it names, whichever form holds it."""
        if not hasattr(error, "error_dict"):
            self.forms[0].add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            for form in self.forms:
                if name in form.fields:
                    for message in messages:
                        if form is self.style_form:
                            form.add_engine_error(name, message)
                        else:
                            form.add_error(name, message[:1].upper() + message[1:])
                    break
            else:
                target = self.style_form if name in ("style", "gradient") else self.forms[0]
                target.add_error(None, [f"{name.replace('_', ' ')}: {m}" for m in messages])

    # --- what the services get -----------------------------------------------------------

    def code_values(self) -> dict:
        """Keyword arguments shared by `code_create` and `code_update` (no logo, no kind)."""
        data = self.code_form.cleaned_data
        values = {
            "name": data.get("name", ""),
            "style": self.style_form.style,
            "external_id": data.get("external_id", ""),
            "metadata": data.get("metadata") or {},
        }
        if self.content_type == "url":
            values["destination"] = data.get("destination", "")
            if self.is_dynamic:
                values["expires_at"] = data.get("expires_at")
                values["scan_limit"] = data.get("scan_limit")
                values["pass_query_string"] = bool(data.get("pass_query_string"))
        else:
            values["content"] = self.content_form.content
        return values

    @property
    def group_id(self) -> str:
        return self.code_form.cleaned_data.get("group") or ""

    # --- the preview ---------------------------------------------------------------------

    def preview_payload(self) -> tuple[str, str]:
        """(payload, note): what the preview encodes, and why when it is a stand-in."""
        if self.code is not None and self.code.is_dynamic:
            return self.code.short_url, ""
        if self.code_form is None:
            return (
                f"{settings.SHORT_URL_BASE}{PLACEHOLDER_SLUG}",
                "Brand styles are shown on a sample short link.",
            )
        if self.content_type == "url":
            if self.is_dynamic:
                slug = (
                    (self.code_form["slug"].value() or "").strip()
                    if "slug" in self.code_form.fields
                    else ""
                )
                try:
                    slug = validate_custom_slug(slug) if slug else PLACEHOLDER_SLUG
                except ValidationError:
                    slug = PLACEHOLDER_SLUG
                note = (
                    ""
                    if slug != PLACEHOLDER_SLUG
                    else "Your short link is made when you save; the pattern will differ slightly."
                )
                return f"{settings.SHORT_URL_BASE}{slug}", note
            destination, _ = with_https((self.code_form["destination"].value() or "").strip())
            try:
                return encode_content("url", {"url": validate_destination(destination)}), ""
            except (ValidationError, SpecError):
                return SAMPLE_URL, "Enter the destination to see the code it will print."
        form = self.content_form
        if form.is_valid() and form.payload:
            return form.payload, ""
        return SAMPLE_URL, "Fill in the content to see the code it will print."


@dataclass
class Preview:
    image: str = ""  # a data: URI, so the preview needs no second request and stores nothing
    ok: bool = False
    problems: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report: object = None
    note: str = ""


def build_preview(editor: Editor, *, logo: bytes | None) -> Preview:
    """Render what will be printed and judge whether it scans, with reasons for a refusal."""
    style_form = editor.style_form
    payload, note = editor.preview_payload()
    design = style_form.design()
    if design is None:
        problems = [
            (style_form.fields[name].label if name in style_form.fields else "Design", error)
            for name, errors in style_form.errors.items()
            for error in errors
        ]
        return Preview(problems=problems, note=note)
    style = Style.from_dict(design)
    try:
        report = check(payload, style, logo=logo)
        image = render(payload, style, format="svg", size=PREVIEW_SIZE, logo=logo)
    except SpecError as exc:
        return Preview(problems=_labelled(style_form, exc.fields), note=note)
    return Preview(
        image="data:image/svg+xml;base64," + base64.b64encode(image).decode(),
        ok=report.ok,
        problems=_labelled(style_form, report.errors),
        warnings=[style_form.reworded(w) for w in report.warnings],
        report=report,
        note=note,
    )


def _labelled(style_form: StyleForm, errors: dict[str, str]) -> list[tuple[str, str]]:
    labels = {"gradient": "Gradient", "logo": "Logo", "content": "Content"}
    out = []
    for name, message in errors.items():
        label = (
            style_form.fields[name].label if name in style_form.fields else labels.get(name, name)
        )
        out.append((label, style_form.reworded(message)))
    return out
