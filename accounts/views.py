from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.decorators import manager_required, workspace_required
from accounts.forms import InvitationForm, RoleForm, SignUpForm, WorkspaceForm
from accounts.middleware import SESSION_KEY
from qrsite.forms import add_service_errors
from qrsite.htmx import page_or_fragment, safe_next


def signup(request):
    if request.user.is_authenticated:
        return redirect("dashboard:home")
    form = SignUpForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_sign_up(**form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome! Your workspace is ready.")
            return redirect(safe_next(request, reverse("dashboard:home")))
    return render(
        request, "registration/signup.html", {"form": form, "next": request.GET.get("next", "")}
    )


@workspace_required
@require_POST
def workspace_switch(request):
    membership = selectors.membership_get_for_user(
        user=request.user, workspace_public_id=request.POST.get("workspace", "")
    )
    request.session[SESSION_KEY] = membership.workspace.public_id
    messages.info(request, f"Switched to {membership.workspace.name}.")
    # The page the user was on may show another workspace's object; start from the dashboard.
    return redirect("dashboard:home")


def workspace_create(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    form = WorkspaceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workspace = services.workspace_create(
                name=form.cleaned_data["name"], owner=request.user
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            request.session[SESSION_KEY] = workspace.public_id
            messages.success(request, f"Created {workspace.name}.")
            return redirect("dashboard:home")
    return render(request, "accounts/workspace_create.html", {"form": form})


@workspace_required
def settings_general(request):
    membership = request.membership
    form = WorkspaceForm(request.POST or None, initial={"name": membership.workspace.name})
    if request.method == "POST" and form.is_valid():
        try:
            services.workspace_rename(
                workspace=membership.workspace, name=form.cleaned_data["name"], actor=membership
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Workspace renamed.")
            return redirect("settings:general")
    return render(request, "accounts/settings_general.html", {"form": form})


def _members_context(request, invite_form=None):
    workspace = request.workspace
    return {
        "members": selectors.member_list_for_workspace(workspace=workspace),
        "invitations": selectors.invitation_list_pending(workspace=workspace),
        "invite_form": invite_form or InvitationForm(),
        "role_choices": RoleForm.base_fields["role"].choices,
    }


@workspace_required
def members(request):
    return render(request, "accounts/members.html", _members_context(request))


@manager_required
@require_POST
def invitation_create(request):
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                workspace=request.workspace, actor=request.membership, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            if request.htmx:
                return render(request, "accounts/members.html#team", _members_context(request))
            return redirect("settings:members")
    context = _members_context(request, invite_form=form)
    return page_or_fragment(request, "accounts/members.html", context, fragment="team")


@manager_required
@require_POST
def invitation_revoke(request, invitation_id):
    invitation = selectors.invitation_get_in_workspace(
        workspace=request.workspace, public_id=invitation_id
    )
    services.invitation_revoke(invitation=invitation, actor=request.membership)
    messages.success(request, f"Invitation to {invitation.email} withdrawn.")
    return redirect("settings:members")


@manager_required
@require_POST
def member_role(request, member_id):
    member = selectors.member_get_in_workspace(workspace=request.workspace, public_id=member_id)
    form = RoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"role": "Choose owner, admin, editor or viewer."})
        services.membership_change_role(
            membership=member, role=form.cleaned_data["role"], actor=request.membership
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{member.user.email} is now {member.get_role_display()}.")
    if request.htmx:
        return render(request, "accounts/members.html#team", _members_context(request))
    return redirect("settings:members")


@workspace_required
@require_POST
def member_remove(request, member_id):
    member = selectors.member_get_in_workspace(workspace=request.workspace, public_id=member_id)
    leaving = member.pk == request.membership.pk
    try:
        services.membership_remove(membership=member, actor=request.membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("settings:members")
    if leaving:
        request.session.pop(SESSION_KEY, None)
        messages.success(request, f"You left {member.workspace.name}.")
        return redirect("dashboard:home")
    messages.success(request, f"{member.user.email} was removed from the workspace.")
    return redirect("settings:members")


def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as exc:
        return render(
            request, "accounts/invitation_invalid.html", {"reason": exc.messages[0]}, status=400
        )
    if request.method == "POST" and request.user.is_authenticated:
        try:
            membership = services.invitation_accept(token=token, user=request.user)
        except ValidationError as exc:
            return render(
                request,
                "accounts/invitation_invalid.html",
                {"reason": exc.messages[0]},
                status=400,
            )
        request.session[SESSION_KEY] = membership.workspace.public_id
        messages.success(request, f"You joined {membership.workspace.name}.")
        return redirect("dashboard:home")
    return render(request, "accounts/invitation_accept.html", {"invitation": invitation})
