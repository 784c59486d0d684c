"""The settings header's actions: turn the sync off or on (A7) and delete the connection.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from syncadmin.accounts.access import account_for
from syncadmin.audit import log as audit
from syncadmin.integration.views import (
    _page,
)


@login_required
def sync_off(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    if request.method == "POST":
        if account.sync_enabled:
            account.sync_enabled = False
            account.save(update_fields=["sync_enabled"])
            audit.record(account, "Sync turned off", {"sync_enabled": [True, False]})
        messages.success(request, _("Sync is off. Nothing was deleted; turn it back on at any "
                                    "time."))
        return redirect("integration:contacts", account_id=account.pk)
    return _page(request, account, "integration/confirm_sync_off.html", {}, "")


@login_required
def sync_on(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    if request.method == "POST":
        if not account.sync_enabled:
            account.sync_enabled = True
            account.save(update_fields=["sync_enabled"])
            audit.record(account, "Sync turned on", {"sync_enabled": [False, True]})
        messages.success(request, _("Sync is on."))
        return redirect("integration:contacts", account_id=account.pk)
    return _page(request, account, "integration/confirm_sync_on.html", {}, "")


SF_FIELDS_CLEARED = ("sf_org_id", "sf_instance_url", "sf_login_url", "sf_user_id",
                     "sf_user_name", "sf_username")


@login_required
def connection_delete(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm_name", "").strip() != account.name:
            error = _("Type the account name exactly to confirm.")
        else:
            before = {f: getattr(account, f) for f in SF_FIELDS_CLEARED}
            for f in SF_FIELDS_CLEARED:
                setattr(account, f, "")
            account.sf_is_sandbox = False
            account.sync_enabled = False
            account.save(update_fields=[*SF_FIELDS_CLEARED, "sf_is_sandbox", "sync_enabled"])
            creds = account.credentials
            creds.sf_access_token = creds.sf_refresh_token = ""
            creds.hs_access_token = creds.hs_refresh_token = ""
            creds.hs_token_expires_at = None
            creds.save()
            audit.record(account, "Connection deleted",
                         {"sf_org_id": [before["sf_org_id"], ""]})
            messages.success(request, _("The connection was deleted. Your settings and "
                                        "mappings are kept; connect again to resume."))
            return redirect("integration:contacts", account_id=account.pk)
    return _page(request, account, "integration/confirm_delete.html", {"error": error}, "",
                 status=400 if error else 200)
