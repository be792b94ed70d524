from datetime import UTC, datetime, time

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm

from accounts.models import ApiScope, Role


class SignUpForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=150, required=False)
    email = forms.EmailField(
        label="Work email", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 10 characters; not a common password.",
    )


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password don’t match an account. Check both and try again.",
    }
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )


class SiteUrlPasswordResetForm(PasswordResetForm):
    """Reset links start with SITE_URL, like invitations, whatever Host the request named."""

    def save(self, **kwargs):
        kwargs["extra_email_context"] = {
            "site_url": settings.SITE_URL.rstrip("/"),
            "site_name": settings.SITE_NAME,
            **(kwargs.get("extra_email_context") or {}),
        }
        super().save(**kwargs)


class WorkspaceForm(forms.Form):
    name = forms.CharField(label="Workspace name", max_length=100)


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=50,
        help_text="The system that will use it, e.g. “Warehouse label printer”.",
    )
    scope = forms.ChoiceField(
        label="Scope",
        choices=ApiScope.choices,
        initial=ApiScope.READ,
        help_text="Read only looks; write also creates and changes codes; admin also manages keys.",
    )
    expires_on = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty for a key that never expires; it still works until revoked.",
    )

    def expires_at(self):
        """The end of the chosen day (UTC), or None."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day, time.max, tzinfo=UTC)
