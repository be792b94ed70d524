"""The scan pages' look: a logo and an accent colour."""

from django import forms


class ScanPageBrandForm(forms.Form):
    use_color = forms.BooleanField(label="Use our own colour", required=False)
    color = forms.CharField(
        label="Accent colour",
        required=False,
        initial="#4f46e5",
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text="The band at the top of the page and the status number.",
    )
    logo = forms.ChoiceField(label="Logo", required=False, widget=forms.RadioSelect)
    logo_upload = forms.FileField(
        label="Upload a logo",
        required=False,
        help_text="PNG, JPEG, WebP or GIF up to 5 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/webp,image/gif"}
        ),
    )

    def __init__(self, *args, logos=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["logo"].choices = [("", "No logo (the product’s name)")] + [
            (logo.public_id, logo.name or "Logo") for logo in logos
        ]
