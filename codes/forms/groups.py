"""Campaign groups."""

from django import forms

from codes.forms.style import ColorInput
from codes.models import DEFAULT_GROUP_COLOR


class GroupForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Spring launch 2026"}),
    )
    slug = forms.SlugField(
        label="Slug",
        max_length=60,
        required=False,
        help_text="How the API names the group. Made from the name when empty.",
    )
    description = forms.CharField(
        label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    color = forms.CharField(
        label="Colour", initial=DEFAULT_GROUP_COLOR, max_length=7, widget=ColorInput()
    )
