from django.conf import settings

from accounts import selectors
from qrsite.navigation import nav_items


def workspace(request):
    """The current workspace and the others the user can switch to, for the navigation."""
    # `product_name`, not `site_name`: Django's auth views put the request's host in `site_name`.
    context = {"site_name": settings.SITE_NAME, "product_name": settings.SITE_NAME}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return context
    context["membership"] = request.membership or None
    context["workspace"] = request.workspace or None
    context["workspace_memberships"] = selectors.membership_list_for_user(user=user)
    context["nav_items"] = nav_items(request.path)
    return context
