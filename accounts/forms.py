from datetime import UTC, datetime, time
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.db import transaction

from accounts.models import ApiScope, Role
from accounts.tasks import password_reset_send_enqueue
from accounts.throttling import login_lockout_end, password_reset_allowed


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
    """Reset links start with SITE_URL, like invitations, whatever Host the request named.

    The request only counts the attempt and enqueues the mail: looking the address up and
    sending happen in a task, so an address with an account and one without get the same
    answer in the same time."""

    def save(self, request=None, **kwargs):
        email = self.cleaned_data["email"]
        # Past the limit nothing is sent, and the answer stays the same neutral one.
        if password_reset_allowed(request=request, email=email):
            transaction.on_commit(lambda: password_reset_send_enqueue(email))

    def send_reset_mail(self) -> None:
        """Mail the link to every active account with this email; called by the task."""
        site_url = settings.SITE_URL.rstrip("/")
        super().save(
            domain_override=urlsplit(site_url).netloc,
            use_https=site_url.startswith("https:"),
            extra_email_context={"site_url": site_url, "site_name": settings.SITE_NAME},
        )


class UnlockingSetPasswordForm(SetPasswordForm):
    """The new-password form of a reset link; saving it ends the account's sign-in lockout
    (following the link proved the mailbox is theirs)."""

    def save(self, commit=True):
        user = super().save(commit)
        if commit:
            login_lockout_end(email=user.email)
        return user


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
    test = forms.BooleanField(
        label="Test key (sandbox)",
        required=False,
        help_text="qr_test_…: works on sandbox data only, kept apart from your live codes.",
    )

    def expires_at(self):
        """The end of the chosen day (UTC), or None."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return datetime.combine(day, time.max, tzinfo=UTC)
