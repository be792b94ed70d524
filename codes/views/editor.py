"""Create and edit a code: content, design and options, with a live preview.

The preview is a POST of the whole editor form to `preview` (debounced by htmx) that renders
and checks the design without storing anything. Without JavaScript the "Update preview"
button posts the form to its own page, which answers with the page and the preview filled in.
A logo is uploaded on its own as soon as it is picked (htmx), or with the form (no JavaScript);
either way it becomes a stored logo the form then refers to by id.
"""

from __future__ import annotations

import contextlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import editor_required, workspace_required
from codes import selectors, services
from codes.forms import Editor, build_preview, content_type_choices
from codes.forms.actions import TemplateNameForm
from codes.forms.content import content_type_hint, content_type_short_label
from codes.models import Kind
from codes.rendering import CONTENT_TYPES

PREVIEW_ACTION = "_preview"
LOGO_CHOICES = 24


def upload_logo(request) -> tuple[dict | None, list[str]]:
    """Store a logo sent with the form; returns (form data choosing it, refusal messages)."""
    if request.method != "POST":
        return None, []
    data = request.POST.copy()
    upload = request.FILES.get("logo_upload")
    if upload is None:
        return data, []
    try:
        logo = services.logo_create(
            workspace=request.workspace,
            actor=request.user,
            data=upload.read(),
            name=upload.name.rsplit(".", 1)[0][:100],
        )
    except ValidationError as exc:
        return data, exc.messages
    data["logo"] = logo.public_id
    return data, []


def make_editor(
    request, *, data=None, code=None, content_type="url", style=None, logo_id="", with_code=True
):
    workspace = request.workspace
    logos = list(selectors.logo_list_for_workspace(workspace=workspace)[:LOGO_CHOICES])
    # The logo in use is always a choice, however old it is.
    chosen = (
        (data or {}).get("logo") or logo_id or (code.logo.public_id if code and code.logo else "")
    )
    if chosen and all(logo.public_id != chosen for logo in logos):
        with contextlib.suppress(Http404):  # a foreign or unknown id is simply not offered
            logos.append(selectors.logo_get_for_workspace(workspace=workspace, public_id=chosen))
    return Editor(
        content_type=content_type,
        data=data,
        files=None,
        code=code,
        groups=selectors.group_choices_for_workspace(workspace=workspace),
        logos=logos,
        style=style,
        logo_id=logo_id,
        with_code=with_code,
    )


def chosen_logo(editor: Editor):
    """The stored logo the design form has selected, or None."""
    form = editor.style_form
    logo_id = form["logo"].value()
    return next((logo for logo in form.logos if logo.public_id == logo_id), None)


def refuse_upload(editor: Editor, messages_: list[str]) -> None:
    for message in messages_:
        editor.style_form.add_engine_error("logo", message)


def editor_context(request, editor: Editor, **extra) -> dict:
    logo = chosen_logo(editor)
    context = {
        "editor": editor,
        "form": editor.code_form,
        "content_form": editor.content_form,
        "style_form": editor.style_form,
        "preview": build_preview(editor, logo=logo.read_bytes() if logo else None),
        "content_type": editor.content_type,
        "content_label": CONTENT_TYPES[editor.content_type].label,
        "type_choices": [
            (name, content_type_short_label(name), content_type_hint(name))
            for name, _ in content_type_choices()
        ],
        "templates": selectors.brand_template_list_for_workspace(workspace=request.workspace),
        "template_name_form": TemplateNameForm(prefix="template"),
        "code": editor.code,
    }
    context.update(extra)
    return context


def _saving(request) -> bool:
    return request.method == "POST" and PREVIEW_ACTION not in request.POST


def _brand_style(request):
    """(style, logo id, template) of the brand style a page was opened with (`?style=`)."""
    source = request.POST if request.method == "POST" else request.GET
    if not (template_id := source.get("style")):
        return None, "", None
    template = selectors.brand_template_get_for_workspace(
        workspace=request.workspace, public_id=template_id
    )
    return template.style, template.logo.public_id if template.logo else "", template


def _group(request, group_id: str):
    if not group_id:
        return None
    return selectors.group_get_for_workspace(workspace=request.workspace, public_id=group_id)


@editor_required
def create(request):
    source = request.POST if request.method == "POST" else request.GET
    content_type = source.get("type", "url")
    content_type = content_type if content_type in CONTENT_TYPES else "url"
    style, logo_id, template = _brand_style(request)
    data, upload_errors = upload_logo(request)
    editor = make_editor(
        request, data=data, content_type=content_type, style=style, logo_id=logo_id
    )
    refuse_upload(editor, upload_errors)
    if _saving(request) and editor.is_valid():
        cleaned = editor.code_form.cleaned_data
        try:
            code = services.code_create(
                workspace=request.workspace,
                actor=request.user,
                kind=cleaned.get("kind") or Kind.STATIC,
                content_type=editor.content_type,
                group=_group(request, editor.group_id),
                logo=chosen_logo(editor),
                slug=cleaned.get("slug") or None,
                **editor.code_values(),
            )
        except ValidationError as exc:
            editor.add_service_errors(exc)
        else:
            if code.is_dynamic:
                messages.success(
                    request, "Your code is ready. You can change where it points at any time."
                )
            else:
                messages.success(request, "Your code is ready to download.")
            return redirect("codes:detail", code_id=code.public_id)
    context = editor_context(request, editor, template=template)
    return render(request, "codes/editor.html", context, status=422 if _saving(request) else 200)


@editor_required
def edit(request, code_id):
    code = selectors.code_get_for_workspace(workspace=request.workspace, public_id=code_id)
    style, logo_id, template = _brand_style(request)
    data, upload_errors = upload_logo(request)
    editor = make_editor(
        request, data=data, code=code, content_type=code.content_type, style=style, logo_id=logo_id
    )
    refuse_upload(editor, upload_errors)
    if _saving(request) and editor.is_valid():
        try:
            code = services.code_update(
                code=code,
                actor=request.user,
                group=_group(request, editor.group_id),
                logo=chosen_logo(editor),
                **editor.code_values(),
            )
        except ValidationError as exc:
            editor.add_service_errors(exc)
        else:
            messages.success(request, "Changes saved.")
            return redirect("codes:detail", code_id=code.public_id)
    context = editor_context(request, editor, template=template)
    return render(request, "codes/editor.html", context, status=422 if _saving(request) else 200)


@editor_required
@require_POST
def preview(request):
    """The live preview: render and check the posted design; nothing is stored."""
    code = None
    if code_id := request.POST.get("code"):
        code = selectors.code_get_for_workspace(workspace=request.workspace, public_id=code_id)
    editor = make_editor(
        request,
        data=request.POST,
        code=code,
        content_type=code.content_type if code else request.POST.get("type", "url"),
        with_code=request.POST.get("mode") != "style",
    )
    logo = chosen_logo(editor)
    context = {"preview": build_preview(editor, logo=logo.read_bytes() if logo else None)}
    return render(request, "codes/editor.html#preview", context)


@editor_required
@require_POST
def logo_upload(request):
    """Upload a logo as soon as it is picked (htmx) and answer with the logo picker, the new
    logo selected; the preview then refreshes itself."""
    data, upload_errors = upload_logo(request)
    if "logo_upload" not in request.FILES:
        upload_errors = ["Choose an image file to upload."]
    editor = make_editor(request, data=data, with_code=False)
    response = render(
        request,
        "codes/editor.html#logo_picker",
        {"style_form": editor.style_form, "upload_errors": upload_errors},
    )
    response["HX-Trigger-After-Settle"] = "preview-refresh"
    return response


@workspace_required
@require_safe
def logo_image(request, logo_id):
    """A stored logo, for the logo picker (media files are not public)."""
    logo = selectors.logo_get_for_workspace(workspace=request.workspace, public_id=logo_id)
    response = HttpResponse(logo.read_bytes(), content_type="image/png")
    # A logo asset never changes: a new upload is a new asset with a new id.
    response["Cache-Control"] = "private, max-age=31536000, immutable"
    return response
