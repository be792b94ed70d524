"""Dashboard forms for codes, groups and brand styles. They validate shape; services decide."""

from codes.forms.code import CodeForm
from codes.forms.content import ContentForm, content_form_class, content_type_choices
from codes.forms.editor import Editor, Preview, build_preview
from codes.forms.groups import GroupForm
from codes.forms.style import StyleForm

__all__ = [
    "CodeForm",
    "ContentForm",
    "Editor",
    "GroupForm",
    "Preview",
    "StyleForm",
    "build_preview",
    "content_form_class",
    "content_type_choices",
]
