from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views
from accounts.forms import (
    EmailAuthenticationForm,
    SiteUrlPasswordResetForm,
    UnlockingSetPasswordForm,
)

# Django's own auth views (login, logout, password change and reset) keep their standard names.
auth_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(form_class=SiteUrlPasswordResetForm),
        name="password_reset",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(form_class=UnlockingSetPasswordForm),
        name="password_reset_confirm",
    ),
    path("", include("django.contrib.auth.urls")),
]

app_patterns = (
    [
        path("signup/", views.signup, name="signup"),
        path("workspaces/new/", views.workspace_create, name="workspace_create"),
        path("workspaces/switch/", views.workspace_switch, name="workspace_switch"),
        path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    ],
    "accounts",
)

urlpatterns = [*auth_patterns, path("", include(app_patterns))]
