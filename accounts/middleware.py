from django.utils.functional import SimpleLazyObject

from accounts.models import Membership

SESSION_KEY = "workspace"


def current_membership(request) -> Membership | None:
    """The signed-in user's membership in the workspace they are working in, if any."""
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.select_related("workspace").filter(user=user)
    chosen = request.session.get(SESSION_KEY)
    membership = memberships.filter(workspace__public_id=chosen).first() if chosen else None
    if membership is None:
        membership = memberships.order_by("created_at").first()
        if membership is not None:
            request.session[SESSION_KEY] = membership.workspace.public_id
    return membership


class CurrentWorkspaceMiddleware:
    """Exposes `request.membership` and `request.workspace`, resolved once and only when used."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = SimpleLazyObject(lambda: current_membership(request))
        request.workspace = SimpleLazyObject(
            lambda: request.membership.workspace if request.membership else None
        )
        return self.get_response(request)
