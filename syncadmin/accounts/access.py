"""The one place that decides whether the signed-in user may see or change an account."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from syncadmin.accounts.models import Account, Membership
from syncadmin.audit.log import record_refused


def account_for(request: HttpRequest, account_id: int, *, change: bool = False) -> Account:
    """The account if the user is a member (404 otherwise); with change=True, admins only (403).

    Every account-scoped view calls this. Sets request.membership for templates.
    """
    user = request.user
    if not user.is_authenticated:
        raise Http404
    membership = (
        Membership.objects.select_related("account", "account__credentials")
        .filter(user=user, account_id=account_id)
        .first()
    )
    if membership is None:
        raise Http404
    request.membership = membership  # type: ignore[attr-defined]
    if change and not membership.can_change:
        record_refused(user, membership.account, request.path)
        raise PermissionDenied
    return membership.account


def can_change(request: HttpRequest) -> bool:
    membership = getattr(request, "membership", None)
    return bool(membership and membership.can_change)
