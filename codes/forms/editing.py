"""The editor bound to one request: the groups and logos it offers, the logo it has chosen,
and what the editor page shows. The code editor, the brand-style editor and the preview
endpoint all build their `Editor` here, so they read a posted form the same way."""

from __future__ import annotations

import contextlib

from django.http import Http404

from codes import selectors
from codes.forms.actions import TemplateNameForm
from codes.forms.content import content_type_choices, content_type_hint, content_type_short_label
from codes.forms.editor import Editor, Preview, build_preview
from codes.rendering import CONTENT_TYPES
from codes.rendering.logo import MAX_BYTES as MAX_LOGO_BYTES

# The no-JavaScript "Update preview" button posts the whole form under this name.
PREVIEW_ACTION = "_preview"
LOGO_CHOICES = 24


def is_saving(request) -> bool:
    """A POST meant to save, not one asking for the preview to be redrawn."""
    return request.method == "POST" and PREVIEW_ACTION not in request.POST


def make_editor(
    request,
    *,
    data=None,
    code=None,
    content_type="url",
    style=None,
    logo_id="",
    with_code=True,
    upload_errors=(),
) -> Editor:
    """The editor's forms bound to `data`, offering the workspace's groups and recent logos;
    `upload_errors` (a refused logo upload) are shown next to the upload field."""
    workspace = request.workspace
    logos = list(selectors.logo_list_for_workspace(workspace=workspace)[:LOGO_CHOICES])
    # The logo in use is always a choice, however old it is.
    chosen = (
        (data or {}).get("logo") or logo_id or (code.logo.public_id if code and code.logo else "")
    )
    if chosen and all(logo.public_id != chosen for logo in logos):
        with contextlib.suppress(Http404):  # a foreign or unknown id is simply not offered
            logos.append(selectors.logo_get_for_workspace(workspace=workspace, public_id=chosen))
    editor = Editor(
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
    for message in upload_errors:
        editor.style_form.add_engine_error("logo", message)
    return editor


def chosen_logo(editor: Editor):
    """The stored logo the design form has selected, or None."""
    form = editor.style_form
    logo_id = form["logo"].value()
    return next((logo for logo in form.logos if logo.public_id == logo_id), None)


def editor_preview(editor: Editor) -> Preview:
    logo = chosen_logo(editor)
    return build_preview(editor, logo=logo.read_bytes() if logo else None)


def editor_context(request, editor: Editor, **extra) -> dict:
    """Everything `codes/editor.html` shows around the editor's forms."""
    context = {
        "editor": editor,
        "form": editor.code_form,
        "content_form": editor.content_form,
        "style_form": editor.style_form,
        "preview": editor_preview(editor),
        "content_type": editor.content_type,
        "content_label": CONTENT_TYPES[editor.content_type].label,
        "type_choices": [
            (name, content_type_short_label(name), content_type_hint(name))
            for name, _ in content_type_choices()
        ],
        "templates": selectors.brand_template_list_for_workspace(workspace=request.workspace),
        "template_name_form": TemplateNameForm(prefix="template"),
        "code": editor.code,
        "max_logo_bytes": MAX_LOGO_BYTES,
    }
    context.update(extra)
    return context
