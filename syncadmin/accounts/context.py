from django.http import HttpRequest

from syncadmin.accounts.models import Membership


def accounts(request: HttpRequest) -> dict:
    """The account switcher's list, and whether the user may change the current account."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "my_memberships": Membership.objects.filter(user=request.user).select_related("account"),
        "membership": membership,
        "can_change": bool(membership and membership.can_change),
    }
