"""Brand styles: a workspace's saved designs, made in the style editor or from a code, and
used to start new codes or restyle many codes at once (the list's bulk action)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST, require_safe

from accounts.decorators import editor_required, workspace_required
from codes import selectors, services
from codes.forms.actions import TemplateNameForm
from codes.forms.editing import chosen_logo, editor_context, is_saving, make_editor
from codes.forms.editor import PLACEHOLDER_SLUG
from codes.rendering import SpecError, Style
from codes.rendering import render as render_code
from codes.views.common import upload_logo
from qrsite.htmx import go

SAMPLE_SIZE = 240


def _template(request, template_id):
    return selectors.brand_template_get_for_workspace(
        workspace=request.workspace, public_id=template_id
    )


@workspace_required
def template_list(request):
    templates = selectors.brand_template_list_for_workspace(workspace=request.workspace)
    return render(request, "codes/template_list.html", {"templates": templates})


def _style_forms(request, *, style, logo_id: str, name: str):
    """The style editor and the style's name form, bound to a POST (a logo sent with it
    stored first), starting from `style`, `logo_id` and `name` otherwise."""
    data, upload_errors = upload_logo(request)
    editor = make_editor(
        request,
        data=data,
        style=style,
        logo_id=logo_id,
        with_code=False,
        upload_errors=upload_errors,
    )
    name_form = TemplateNameForm(data, prefix="template", initial={"name": name})
    return editor, name_form


def _style_values(editor, name_form) -> dict:
    """What `brand_template_create` and `brand_template_update` both take from the forms."""
    return {
        "name": name_form.cleaned_data["name"],
        "style": editor.style_form.style,
        "logo": chosen_logo(editor),
    }


def _style_page(request, editor, name_form, *, template=None, status=200):
    context = editor_context(request, editor, mode="style", name_form=name_form, template=template)
    return render(request, "codes/editor.html", context, status=status)


@editor_required
def template_create(request):
    """Save a design under a name: from the style editor, from the code editor's "Save as
    brand style" (its whole form is posted here) or from a code (`?from=<code id>`)."""
    style, logo_id, source = None, "", None
    if code_id := request.GET.get("from"):
        source = selectors.code_get_for_workspace(workspace=request.workspace, public_id=code_id)
        style, logo_id = source.style, source.logo.public_id if source.logo else ""
    name = f"{source.name} style" if source and source.name else ""
    editor, name_form = _style_forms(request, style=style, logo_id=logo_id, name=name)
    if is_saving(request):
        if editor.is_valid() & name_form.is_valid():
            try:
                template = services.brand_template_create(
                    workspace=request.workspace,
                    actor=request.user,
                    **_style_values(editor, name_form),
                )
            except ValidationError as exc:
                _name_errors(name_form, editor, exc)
            else:
                messages.success(request, f"Saved the brand style “{template.name}”.")
                if request.htmx:
                    return render(
                        request, "codes/editor.html#save_style", _save_context(request, template)
                    )
                return redirect("codes:template_list")
        if request.htmx:
            return render(
                request,
                "codes/editor.html#save_style",
                _save_context(
                    request,
                    None,
                    template_name_form=name_form,
                    style_errors=editor.style_form.errors,
                ),
            )
        return _style_page(request, editor, name_form, status=422)
    return _style_page(request, editor, name_form)


def _save_context(request, template, **extra) -> dict:
    context = {
        "saved_template": template,
        "template_name_form": TemplateNameForm(prefix="template"),
        "templates": selectors.brand_template_list_for_workspace(workspace=request.workspace),
    }
    context.update(extra)
    return context


def _name_errors(name_form, editor, exc: ValidationError) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages_ in errors.items():
        if field == "name":
            name_form.add_error("name", messages_)
        else:
            for message in messages_:
                editor.style_form.add_engine_error(field, message)


@editor_required
def template_edit(request, template_id):
    template = _template(request, template_id)
    logo_id = template.logo.public_id if template.logo else ""
    editor, name_form = _style_forms(
        request, style=template.style, logo_id=logo_id, name=template.name
    )
    if is_saving(request):
        if editor.is_valid() & name_form.is_valid():
            try:
                template = services.brand_template_update(
                    template=template, actor=request.user, **_style_values(editor, name_form)
                )
            except ValidationError as exc:
                _name_errors(name_form, editor, exc)
            else:
                messages.success(
                    request,
                    f"Saved “{template.name}”. Codes styled with it earlier keep their look; "
                    "apply it again from the codes list to update them.",
                )
                return redirect("codes:template_list")
        return _style_page(request, editor, name_form, template=template, status=422)
    return _style_page(request, editor, name_form, template=template)


@editor_required
@require_POST
def template_delete(request, template_id):
    template = _template(request, template_id)
    services.brand_template_delete(template=template, actor=request.user)
    messages.success(request, f"Deleted the brand style “{template.name}”. Codes keep their look.")
    return go(request, reverse("codes:template_list"))


@workspace_required
@require_safe
def template_image(request, template_id):
    """The style drawn on a sample short link, for the brand styles page."""
    template = _template(request, template_id)
    logo = template.logo.read_bytes() if template.logo else None
    try:
        data = render_code(
            f"{settings.SHORT_URL_BASE}{PLACEHOLDER_SLUG}",
            Style.from_dict(template.style),
            format="svg",
            size=SAMPLE_SIZE,
            logo=logo,
        )
    except SpecError:
        return HttpResponse(status=404)
    response = HttpResponse(data, content_type="image/svg+xml")
    response["Cache-Control"] = (
        "private, max-age=31536000, immutable" if request.GET.get("v") else "private, no-cache"
    )
    response["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    )
    return response
