import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connectors import oauth
from connectors.errors import RemoteError
from syncadmin.accounts.access import account_for
from syncadmin.accounts.models import Account, Membership
from syncadmin.audit import log as audit


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
    return render(request, "accounts/overview.html", {"account": account,
                                                      "active_tab": "overview"})


# ---- connecting Salesforce and HubSpot (FEATURES A1, A2) --------------------------------
# The OAuth 2.0 web-server flow. The start is a GET link (the CSP's form-action is 'self',
# and browsers apply it to redirects that follow a form submission).

SF_KEY = "oauth:sf:{}"
HS_KEY = "oauth:hs:{}"
HS_SCOPES = ("oauth crm.objects.contacts.read crm.objects.contacts.write "
             "crm.objects.companies.read crm.objects.companies.write crm.objects.deals.read "
             "crm.objects.deals.write crm.schemas.contacts.write crm.lists.read")


def _ca_file(account: Account) -> str | None:
    """The account's CA (the sandbox's), else the configured one, else the system store."""
    return account.tls_ca_file or settings.REMOTE_CA_FILE or None


def _failure(exc: RemoteError, what: str) -> str:
    """What the admin reads when connecting failed (connectors.oauth classified it)."""
    if exc.code == oauth.UNREACHABLE:
        if what == "HubSpot":
            return _("HubSpot could not be reached (%(e)s). Nothing was changed; try again."
                     ) % {"e": exc.message}
        return _("Salesforce could not be reached (%(e)s). Nothing was changed; try again."
                 ) % {"e": exc.message}
    if exc.code == oauth.UNEXPECTED_ANSWER:
        return _("%(what)s sent an unexpected answer.") % {"what": what}
    return _("%(what)s refused the request: %(detail)s") % {"what": what, "detail": exc.message}


def _connect_error(request: HttpRequest, account: Account, message: str,
                   status: int = 400) -> HttpResponse:
    return render(request, "accounts/connect_error.html",
                  {"account": account, "message": message}, status=status)


@login_required
def connect(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    sandbox = request.GET.get("sandbox") in ("1", "on", "true")
    return render(request, "accounts/connect.html", {
        "account": account, "sandbox": sandbox, "token_form": HubSpotTokenForm(),
        "active_tab": "connect",
    })


@login_required
def connect_salesforce(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=True)
    sandbox = request.GET.get("sandbox") in ("1", "on", "true")
    login = (settings.SALESFORCE_SANDBOX_LOGIN_URL if sandbox
             else settings.SALESFORCE_LOGIN_URL).rstrip("/")
    state = secrets.token_urlsafe(24)
    request.session[SF_KEY.format(account.pk)] = {"state": state, "login": login,
                                                  "sandbox": sandbox}
    params = urlencode({
        "response_type": "code", "client_id": settings.SALESFORCE_CLIENT_ID,
        "redirect_uri": _sf_redirect_uri(request, account), "state": state,
    })
    return redirect(f"{login}/services/oauth2/authorize?{params}")


def _sf_redirect_uri(request: HttpRequest, account: Account) -> str:
    return request.build_absolute_uri(
        reverse("accounts:sf_callback", kwargs={"account_id": account.pk}))


def _hs_redirect_uri(request: HttpRequest, account: Account) -> str:
    return request.build_absolute_uri(
        reverse("accounts:hs_callback", kwargs={"account_id": account.pk}))


def _check_state(request: HttpRequest, key: str) -> dict[str, Any] | None:
    pending = request.session.pop(key, None)
    got = request.GET.get("state", "")
    if not pending or not got or not secrets.compare_digest(str(pending["state"]), got):
        return None
    return pending


@login_required
def sf_callback(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=True)
    pending = _check_state(request, SF_KEY.format(account.pk))
    if pending is None:
        return _connect_error(request, account, _(
            "The Salesforce sign-in could not be verified: the state does not match the one "
            "this browser started with. Nothing was changed; start the connection again."))
    if request.GET.get("error"):
        return _connect_error(request, account, _("Salesforce did not grant access: %(e)s") % {
            "e": request.GET.get("error_description") or request.GET["error"]})
    code = request.GET.get("code", "")
    if not code:
        return _connect_error(request, account, _("Salesforce sent no authorization code."))
    login = pending["login"]
    try:
        grant = oauth.exchange_salesforce_code(
            login, settings.SALESFORCE_CLIENT_ID, settings.SALESFORCE_CLIENT_SECRET, code,
            _sf_redirect_uri(request, account), _ca_file(account))
    except RemoteError as exc:
        return _connect_error(request, account, _failure(exc, "Salesforce"), status=502)
    info = grant.identity
    old_org = account.sf_org_id
    with transaction.atomic():
        creds = account.credentials
        creds.sf_access_token = grant.access_token
        creds.sf_refresh_token = grant.refresh_token or creds.sf_refresh_token
        creds.save()
        account.sf_instance_url = grant.instance_url or account.sf_instance_url
        account.sf_login_url = login
        account.sf_is_sandbox = bool(pending.get("sandbox"))
        account.sf_org_id = info.organization_id[:18]
        account.sf_user_id = info.user_id[:18]
        account.sf_user_name = info.name[:200]
        account.sf_username = (info.preferred_username or info.email)[:200]
        account.save()
        audit.record(account, "Salesforce connected", {
            "sf_org_id": [old_org, account.sf_org_id],
            "sf_username": ["", account.sf_username]})
    messages.success(request, _("Salesforce is connected as %(user)s.") % {
        "user": account.sf_username or account.sf_user_name})
    if account.sync_enabled:
        return redirect("integration:contacts", account_id=account.pk)
    return redirect("integration:setup", account_id=account.pk)


@login_required
def connect_hubspot(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=True)
    state = secrets.token_urlsafe(24)
    request.session[HS_KEY.format(account.pk)] = {"state": state}
    params = urlencode({
        "client_id": settings.HUBSPOT_CLIENT_ID,
        "redirect_uri": _hs_redirect_uri(request, account),
        "scope": HS_SCOPES, "state": state,
    })
    return redirect(f"{settings.HUBSPOT_AUTH_URL}?{params}")


def _store_hubspot(account: Account, access: str, refresh: str, expires_in: int | None,
                   portal_id: str) -> None:
    old = account.hubspot_portal_id
    with transaction.atomic():
        creds = account.credentials
        creds.hs_access_token = access
        creds.hs_refresh_token = refresh
        creds.hs_token_expires_at = (timezone.now() + timedelta(seconds=expires_in)
                                     if expires_in else None)
        creds.save()
        account.hubspot_portal_id = portal_id
        account.hubspot_host = settings.HUBSPOT_API_HOST
        account.save(update_fields=["hubspot_portal_id", "hubspot_host"])
        audit.record(account, "HubSpot connected", {"hubspot_portal_id": [old, portal_id]})


@login_required
def hs_callback(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=True)
    if _check_state(request, HS_KEY.format(account.pk)) is None:
        return _connect_error(request, account, _(
            "The HubSpot authorization could not be verified: the state does not match the one "
            "this browser started with. Nothing was changed; start the connection again."))
    code = request.GET.get("code", "")
    if not code:
        return _connect_error(request, account, _("HubSpot sent no authorization code."))
    try:
        grant = oauth.exchange_hubspot_code(
            settings.HUBSPOT_API_HOST, settings.HUBSPOT_CLIENT_ID,
            settings.HUBSPOT_CLIENT_SECRET, code, _hs_redirect_uri(request, account),
            _ca_file(account))
    except RemoteError as exc:
        return _connect_error(request, account, _failure(exc, "HubSpot"), status=502)
    _store_hubspot(account, grant.access_token, grant.refresh_token, grant.expires_in,
                   grant.hub_id)
    messages.success(request, _("HubSpot portal %(id)s is connected.") % {
        "id": account.hubspot_portal_id})
    return redirect("accounts:connect", account_id=account.pk)


class HubSpotTokenForm(forms.Form):
    token = forms.CharField(label=gettext_lazy("Private app access token"), max_length=500,
                            widget=forms.PasswordInput(render_value=False))
    portal_id = forms.CharField(
        label=gettext_lazy("Portal ID (if the token cannot be looked up)"), max_length=32,
        required=False)


@login_required
def hs_token(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    if request.method != "POST":
        return redirect("accounts:connect", account_id=account.pk)
    form = HubSpotTokenForm(request.POST)
    if form.is_valid():
        token = form.cleaned_data["token"].strip()
        portal = form.cleaned_data["portal_id"].strip()
        try:
            portal = oauth.hubspot_hub_id(settings.HUBSPOT_API_HOST, token,
                                          _ca_file(account)) or portal
        except RemoteError:
            if not portal:
                form.add_error("token", _("HubSpot did not recognise this token. Check it, or "
                                          "enter the portal ID as well."))
        if not form.errors:
            _store_hubspot(account, token, "", None, portal)
            messages.success(request, _("HubSpot portal %(id)s is connected.") % {"id": portal})
            return redirect("accounts:connect", account_id=account.pk)
    return render(request, "accounts/connect.html", {
        "account": account, "sandbox": False, "token_form": form, "active_tab": "connect",
    }, status=400)
