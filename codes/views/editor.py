"""Create and edit a code: content, design and options, with a live preview.

The preview is a POST of the whole editor form to `preview` (debounced by htmx) that renders
and checks the design without storing anything. Without JavaScript the "Update preview"
button posts the form to its own page, which answers with the page and the preview filled in.
A logo is uploaded on its own as soon as it is picked (htmx), or with the form (no JavaScript);
either way it becomes a stored logo the form then refers to by id.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import editor_required, workspace_required
from codes import selectors, services
from codes.forms.editing import chosen_logo, editor_context, editor_preview, is_saving, make_editor
from codes.models import Kind
from codes.rendering import CONTENT_TYPES
from codes.views.common import upload_logo
from qrsite.content_policy import uploaded_file_headers_set


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


SWITCH_TYPE = "switch_type"


@editor_required
def create(request):
    source = request.POST if request.method == "POST" else request.GET
    if request.method == "POST" and source.get(SWITCH_TYPE) in CONTENT_TYPES:
        return _switched_type_page(request, content_type=source[SWITCH_TYPE])
    content_type = source.get("type", "url")
    content_type = content_type if content_type in CONTENT_TYPES else "url"
    return _editor_page(request, code=None, content_type=content_type)


def _switched_type_page(request, *, content_type: str):
    """The editor for another content type, keeping the posted design, logo, name and group:
    nothing is saved, and the new type's fields start empty (no errors for them yet)."""
    style, logo_id, template = _brand_style(request)
    data, upload_errors = upload_logo(request)
    posted = make_editor(request, data=data, content_type=request.POST.get("type", "url"))
    if posted.style_form.is_valid():
        style = posted.style_form.style
        logo_id = posted.style_form.cleaned_data.get("logo") or ""
    editor = make_editor(
        request,
        content_type=content_type,
        style=style,
        logo_id=logo_id,
        upload_errors=upload_errors,
    )
    posted.code_form.is_valid()
    kept = {key: posted.code_form.cleaned_data.get(key) for key in ("name", "group")}
    editor.code_form.initial.update({key: value for key, value in kept.items() if value})
    return render(request, "codes/editor.html", editor_context(request, editor, template=template))


@editor_required
def edit(request, code_id):
    code = selectors.code_get_for_workspace(workspace=request.workspace, public_id=code_id)
    return _editor_page(request, code=code, content_type=code.content_type)


def _editor_page(request, *, code, content_type: str):
    """The editor page for a new code (`code` is None) or an existing one: show it, redraw its
    preview without JavaScript, or save it and go to the code's page."""
    style, logo_id, template = _brand_style(request)
    data, upload_errors = upload_logo(request)
    editor = make_editor(
        request,
        data=data,
        code=code,
        content_type=content_type,
        style=style,
        logo_id=logo_id,
        upload_errors=upload_errors,
    )
    if is_saving(request) and editor.is_valid():
        try:
            saved = _save(request, editor)
        except ValidationError as exc:
            editor.add_service_errors(exc)
        else:
            messages.success(request, _saved_message(saved, created=code is None))
            if editor.code_form and editor.code_form.added_scheme:
                messages.info(
                    request,
                    f"We added https:// in front of the destination: it opens "
                    f"{saved.destination}. Check that this is the right page.",
                )
            return redirect("codes:detail", code_id=saved.public_id)
    context = editor_context(request, editor, template=template)
    return render(request, "codes/editor.html", context, status=422 if is_saving(request) else 200)


def _save(request, editor):
    values = {
        "group": _group(request, editor.group_id),
        "logo": chosen_logo(editor),
        **editor.code_values(),
    }
    if editor.code is not None:
        return services.code_update(code=editor.code, actor=request.user, **values)
    cleaned = editor.code_form.cleaned_data
    return services.code_create(
        workspace=request.workspace,
        actor=request.user,
        kind=cleaned.get("kind") or Kind.STATIC,
        content_type=editor.content_type,
        slug=cleaned.get("slug") or None,
        **values,
    )


def _saved_message(code, *, created: bool) -> str:
    if not created:
        return "Changes saved."
    if code.is_dynamic:
        return "Your code is ready. You can change where it points at any time."
    return "Your code is ready to download."


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
    return render(request, "codes/editor.html#preview", {"preview": editor_preview(editor)})


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
    return uploaded_file_headers_set(response)
