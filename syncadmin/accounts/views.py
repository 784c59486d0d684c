from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from syncadmin.accounts.access import account_for
from syncadmin.accounts.models import Membership


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Lands on the last used account, else the only one, else the account list."""
    memberships = list(Membership.objects.filter(user=request.user).select_related("account"))  # type: ignore[misc]
    last = request.session.get("account_id")
    ids = {m.account_id for m in memberships}
    if last in ids:
        return redirect("accounts:overview", account_id=last)
    if len(memberships) == 1:
        return redirect("accounts:overview", account_id=memberships[0].account_id)
    return render(request, "accounts/list.html", {"memberships": memberships})


@login_required
def overview(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id)
    request.session["account_id"] = account.pk
    return render(request, "accounts/overview.html", {"account": account})
