"""System status (database, Redis, a Celery worker) and the Sync Health tab's pages."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

import redis
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F, QuerySet
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    JsonResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods
from django_htmx.middleware import HtmxDetails

from connectors.errors import KINDS, Kind
from syncadmin.accounts.access import account_for, can_change
from syncadmin.accounts.models import Account
from syncadmin.celery import app as celery_app
from syncadmin.health import badges, links
from syncadmin.health import dashboard as agg
from syncadmin.health.forms import COLUMN_CHOICES, DEFAULT_COLUMNS, AllocationForm, ColumnsForm
from syncadmin.health.models import UserColumns
from syncadmin.integration.models import ApiSettings
from syncadmin.sync.models import (
    LinkStatus,
    RecordLink,
    RunStatus,
    SyncError,
    SyncRun,
)
from syncadmin.usage.models import OrgLimit


class HtmxHttpRequest(HttpRequest):
    """A request through django-htmx's middleware (django-htmx's example project)."""

    htmx: HtmxDetails


def _check_db() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, connection.vendor
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return False, type(exc).__name__


def _check_redis() -> tuple[bool, str]:
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1
        )
        client.ping()
        return True, "ping ok"
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__


def _check_worker() -> tuple[bool, str]:
    try:
        replies = celery_app.control.ping(timeout=1.0)
    except Exception as exc:  # noqa: BLE001
        return False, type(exc).__name__
    if not replies:
        return False, "no worker answered"
    return True, f"{len(replies)} worker(s)"


def status(request: HttpRequest) -> HttpResponse:
    checks = {"database": _check_db(), "redis": _check_redis()}
    # Asking workers needs the broker; skip the wait when Redis is already down.
    checks["worker"] = _check_worker() if checks["redis"][0] else (False, "redis down")
    result = {name: {"up": up, "detail": detail} for name, (up, detail) in checks.items()}
    ok = all(up for up, _ in checks.values())
    code = 200 if ok else 503
    wants_json = request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        return JsonResponse({"ok": ok, "checks": result}, status=code)
    return render(request, "health/status.html", {"ok": ok, "checks": result}, status=code)


# --- Sync Health tab (FEATURES B1–B6, H5–H7, I1) ---------------------------------------------

# Jobs whose progress the Sync Health tab shows (the initial sync included, A4).
HEALTH_RUN_KINDS = (SyncRun.Kind.FULL, SyncRun.Kind.RETRY, SyncRun.Kind.RESYNC)
ERRORS_PER_PAGE = 25
RECORDS_PER_PAGE = 50
DESTINATIONS = {"hubspot": _("HubSpot"), "salesforce": _("Salesforce")}
# Restoring into HubSpot brings back the records deleted in HubSpot, and so on.
DELETED_STATUS = {"hubspot": LinkStatus.DELETED_HS, "salesforce": LinkStatus.DELETED_SF}


def _hx(request: HttpRequest) -> Any:
    """django-htmx's HtmxDetails (falsy when the request is not from htmx)."""
    return getattr(request, "htmx", None)


def _active_run(account: Account) -> SyncRun | None:
    return (SyncRun.objects.filter(account=account, kind__in=HEALTH_RUN_KINDS,
                                   status__in=badges.ACTIVE_RUN_STATUSES)
            .order_by("-started_at", "-id").first())


def _usage_context(account: Account, api: ApiSettings, org: OrgLimit | None, chart_range: str,
                   form: AllocationForm | None = None) -> dict[str, Any]:
    now = timezone.now()
    use = agg.usage(account, now)
    allocation = api.allocation
    series = use.series_7d if chart_range == "7d" else use.series_24h
    chart = agg.bar_chart(series, per_hour_limit=allocation / 24 if allocation else None)
    sf_limit = org.max if org and org.max else None
    return {
        "account": account,
        "used": use.used_24h,
        "allocation": allocation,
        "remaining": max(allocation - use.used_24h, 0),
        "over": use.used_24h > allocation,
        "used_percent": min(100, round(100 * use.used_24h / allocation)) if allocation else 0,
        "org": org if sf_limit else None,
        "form": form or AllocationForm(instance=api, sf_limit=sf_limit),
        "chart": chart,
        "chart_range": chart_range,
        "forecast": agg.forecast_today(use.series_7d, now, allocation, use.used_24h),
    }


def _cards_context(account: Account) -> dict[str, Any]:
    return {"account": account, "cards": agg.error_cards(account),
            "active_run": _active_run(account)}


def _range(request: HttpRequest) -> str:
    return "7d" if request.GET.get("range") == "7d" else "24h"


@login_required
@require_http_methods(["GET", "POST"])
def dashboard(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    api, _created = ApiSettings.objects.get_or_create(account=account)
    org = OrgLimit.objects.filter(account=account).first()
    form = None
    status = 200
    if request.method == "POST":
        form = AllocationForm(request.POST, instance=api,
                              sf_limit=org.max if org and org.max else None)
        if form.is_valid():
            form.save()
            messages.success(request, _("Allocation updated."))
            if not _hx(request):
                return redirect("health:dashboard", account_id=account.pk)
            form = None
        else:
            api.refresh_from_db()
            # htmx swaps 2xx only; a plain form post gets a real 400.
            status = 200 if _hx(request) else 400
    if _hx(request) and _hx(request).target == "usage":
        ctx = _usage_context(account, api, org, _range(request), form)
        ctx["can_change"] = can_change(request)
        ctx["flash"] = list(messages.get_messages(request))
        return render(request, "health/_usage.html", ctx, status=status)
    ctx = _dashboard_context(request, account, api, org, form)
    return render(request, "health/dashboard.html", ctx, status=status)


def _dashboard_context(request: HttpRequest, account: Account, api: ApiSettings | None = None,
                       org: OrgLimit | None = None,
                       form: AllocationForm | None = None) -> dict[str, Any]:
    if api is None:
        api, _created = ApiSettings.objects.get_or_create(account=account)
        org = OrgLimit.objects.filter(account=account).first()
    ctx = _usage_context(account, api, org, _range(request), form)
    ctx.update(_cards_context(account))
    ctx.update(can_change=can_change(request), active_tab="health", sub="dashboard")
    return ctx



@login_required
@require_http_methods(["GET"])
def cards(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id)
    ctx = _cards_context(account)
    response = render(request, "health/_cards.html", ctx)
    watching = request.GET.get("watching", "")
    if watching.isdigit() and (ctx["active_run"] is None or ctx["active_run"].pk != int(watching)):
        # The job the page was watching ended: the open panel refreshes itself too.
        response["HX-Trigger"] = "runFinished"
    return response


def _valid_kind(kind: str) -> Kind:
    try:
        return Kind(kind)
    except ValueError:
        raise Http404 from None


def _panel_context(request: HttpRequest, account: Account, kind: Kind,
                   active_run: Any = False) -> dict[str, Any]:
    qs = (SyncError.objects.filter(account=account, kind=kind)
          .only("id", "object", "direction", "record_label", "hs_id", "sf_id", "code",
                "message", "first_seen", "last_seen", "link_id")
          # Contacts are a Contact or a Lead in Salesforce: the link knows which (its URL).
          .annotate(sf_object=F("link__sf_object"))
          .order_by("-last_seen", "-id"))
    page = Paginator(qs, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    for e in page:  # an unmapped picklist value is fixed on its object's tab (value tables)
        spec = links.spec_for(e.object) if e.code == "VALUE_NOT_MAPPED" else None
        e.fix_url = (reverse(spec.settings_tab, kwargs={"account_id": account.pk})  # type: ignore[attr-defined]
                     if spec and spec.settings_tab else "")
        e.fix_object = spec.label if spec else ""  # type: ignore[attr-defined]
    info = KINDS[kind]
    ctx = {"account": account, "kind": kind.value, "info": info, "page": page,
           "can_change": can_change(request),
           "active_run": _active_run(account) if active_run is False else active_run,
           "destinations": DESTINATIONS}
    if kind == Kind.ALLOCATION_REACHED:
        ctx["allocation_panel"] = _allocation_panel(account)
    return ctx


def _allocation_panel(account: Account) -> dict[str, Any]:
    """The allocation card is about the account, not records (issue 17, defect 8): what was
    used, and the two ways out: raise the allocation, or wait until calls leave the 24-hour
    window (the sync resumes by itself then)."""
    from syncadmin.usage.models import ApiUsage

    now = timezone.now()
    api, _created = ApiSettings.objects.get_or_create(account=account)
    oldest = (ApiUsage.objects.filter(account=account, remote="salesforce",
                                      minute__gte=now - dt.timedelta(days=1))
              .order_by("minute").values_list("minute", flat=True).first())
    return {"allocation": api.allocation,
            "used": agg.usage(account, now).used_24h,
            "frees_at": oldest + dt.timedelta(days=1, minutes=1) if oldest else None}


@login_required
@require_http_methods(["GET"])
def errors(request: HtmxHttpRequest, account_id: int, kind: str) -> HttpResponse:
    account = account_for(request, account_id)
    error_kind = _valid_kind(kind)
    if _hx(request) and not _hx(request).history_restore_request:
        return render(request, "health/_panel.html", _panel_context(request, account, error_kind))
    ctx = _dashboard_context(request, account)
    ctx.update(_panel_context(request, account, error_kind, ctx["active_run"]))
    return render(request, "health/dashboard.html", ctx)


def _enqueue(request: HttpRequest, account: Account, run_kind: str, task_name: str,
             args: tuple, params: dict[str, Any], total: int = 0) -> SyncRun | None:
    """Records a queued SyncRun and sends the engine's task; the task finds its run by
    params["task_id"] (== its own request.id). Returns None with a message when it cannot."""
    from syncadmin.sync import tasks

    task = getattr(tasks, task_name)
    task_id = str(uuid.uuid4())
    run = SyncRun.objects.create(account=account, kind=run_kind, status=RunStatus.QUEUED,
                                 progress_total=total, params={**params, "task_id": task_id})
    try:
        task.apply_async(args=args, task_id=task_id)
    except Exception as exc:  # noqa: BLE001 - the broker is down: say so, keep the record
        run.status = RunStatus.FAILED
        run.finished_at = timezone.now()
        run.message = f"Could not queue the job: {type(exc).__name__}"
        run.save(update_fields=["status", "finished_at", "message"])
        messages.error(request, _("The job could not be queued; try again in a moment."))
        return None
    return run


def _after_job(request: HttpRequest, account: Account, run: SyncRun | None,
               done_text: str) -> HttpResponse:
    if run is not None:
        messages.success(request, done_text)
    if _hx(request):
        ctx = _cards_context(account)
        ctx["flash"] = list(messages.get_messages(request))
        return render(request, "health/_job_started.html", ctx)
    return redirect("health:dashboard", account_id=account.pk)


@login_required
def retry(request: HttpRequest, account_id: int, kind: str) -> HttpResponse:
    account = account_for(request, account_id, change=True)  # first: 404 for non-members
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    error_kind = _valid_kind(kind)
    link_ids = list(SyncError.objects.filter(account=account, kind=error_kind)
                    .exclude(link=None).values_list("link_id", flat=True).distinct())
    run = None
    if link_ids:
        run = _enqueue(request, account, SyncRun.Kind.RETRY, "retry_records",
                       (account.pk, link_ids), {"error_kind": error_kind.value,
                                                "links": len(link_ids)}, total=len(link_ids))
    else:
        messages.info(request, _("No records to retry."))
    return _after_job(request, account, run,
                      ngettext("Retrying %(n)s record.", "Retrying %(n)s records.",
                               len(link_ids)) % {"n": len(link_ids)})


def _deleted_qs(account: Account, destination: str, obj: str) -> QuerySet[RecordLink]:
    return RecordLink.objects.filter(account=account, object=obj,
                                     status=DELETED_STATUS[destination])


def _restore_choice(data: Any, default_object: str = "") -> tuple[str, str]:
    """Destination app and record type (any registry object) of a restore/resync."""
    destination = data.get("destination", "hubspot")
    keys = links.object_keys()
    obj = data.get("object") or default_object or keys[0]
    if destination not in DESTINATIONS or obj not in keys:
        raise Http404
    return destination, obj


def _deleted_by_object(account: Account, destination: str) -> dict[str, int]:
    """Records deleted in `destination`, per object (one GROUP BY on the status index)."""
    if destination not in DELETED_STATUS:
        raise Http404
    rows = (RecordLink.objects.filter(account=account, status=DELETED_STATUS[destination])
            .values_list("object").annotate(n=Count("*")).order_by())
    return dict(rows)  # type: ignore[arg-type]


def _start_resync(request: HttpRequest, account: Account) -> HttpResponse:
    destination, obj = _restore_choice(request.POST)
    total = _deleted_qs(account, destination, obj).count()
    run = _enqueue(request, account, SyncRun.Kind.RESYNC, "resync_deleted",
                   (account.pk, destination, obj),
                   {"destination": destination, "object": obj}, total=total)
    done = ngettext("Restoring %(n)s deleted record in %(app)s.",
                    "Restoring %(n)s deleted records in %(app)s.", total)
    return _after_job(request, account, run,
                      done % {"n": total, "app": DESTINATIONS[destination]})


@login_required
@require_http_methods(["GET", "POST"])
def resync(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    """GET: the confirmation; POST: Resync all (FEATURES H6)."""
    account = account_for(request, account_id, change=request.method == "POST")
    if request.method == "POST":
        return _start_resync(request, account)
    deleted = _deleted_by_object(account, request.GET.get("destination", "hubspot"))
    # Without a choice: the first object (registry order) with deleted records.
    first = next((k for k in links.object_keys() if deleted.get(k)), "")
    destination, obj = _restore_choice(request.GET, first)
    ctx = {"account": account, "destination": destination, "app": DESTINATIONS[destination],
           "object": obj, "object_label": links.object_label(obj),
           "objects": [(key, label, deleted.get(key, 0)) for key, label in links.object_choices()],
           "total": deleted.get(obj, 0), "can_change": can_change(request)}
    if _hx(request):
        return render(request, "health/_resync_confirm.html", ctx)
    ctx.update(active_tab="health", sub="dashboard")
    return render(request, "health/resync.html", ctx)


def _subnav(ctx: dict[str, Any], sub: str) -> dict[str, Any]:
    ctx.update(active_tab="health", sub=sub)
    return ctx


@login_required
@require_http_methods(["GET"])
def objects(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id)
    rows = agg.object_overview(account)
    return render(request, "health/objects.html",
                  _subnav({"account": account, "rows": rows}, "objects"))


@login_required
@require_http_methods(["GET"])
def object_failed(request: HtmxHttpRequest, account_id: int, object: str) -> HttpResponse:
    """The seed's flow (H6): Object view → the Failed number → a right-hand panel listing
    those records, with Actions → Resync deleted records in HubSpot / in Salesforce."""
    account = account_for(request, account_id)
    spec = links.spec_for(object)
    if spec is None:
        raise Http404
    qs = (RecordLink.objects.filter(account=account, object=object)
          .filter(agg.STATUS_FILTERS["failed"]()).order_by("-updated_at", "-id"))
    page = Paginator(qs.defer("snapshot"), 25).get_page(request.GET.get("page"))
    deleted = dict(RecordLink.objects.filter(
        account=account, object=object, status__in=(LinkStatus.DELETED_HS,
                                                     LinkStatus.DELETED_SF))
        .values_list("status").annotate(n=Count("*")).order_by())
    ctx = {"account": account, "object": object, "object_label": links.object_label(object),
           "page": page, "deleted_hs": deleted.get(LinkStatus.DELETED_HS, 0),
           "deleted_sf": deleted.get(LinkStatus.DELETED_SF, 0),
           "one_way": spec.one_way,  # a custom object's records are not resynced (E3)
           "can_change": can_change(request)}
    if _hx(request) and not _hx(request).history_restore_request:
        return render(request, "health/_failed_panel.html", ctx)
    ctx.update(rows=agg.object_overview(account), panel_open=True)
    return render(request, "health/objects.html", _subnav(ctx, "objects"))


def _user_columns(request: HttpRequest, account: Account) -> list[str]:
    choice = UserColumns.objects.filter(user=request.user.pk, account=account).first()
    valid = dict(COLUMN_CHOICES)
    cols = [c for c in (choice.columns if choice else DEFAULT_COLUMNS) if c in valid]
    return cols or DEFAULT_COLUMNS


def _records_context(request: HtmxHttpRequest, account: Account) -> dict[str, Any]:
    qs, chosen = agg.filtered_links(account, request.GET)
    cols = _user_columns(request, account)
    # The snapshot (every synced value) can be large and the table never shows it.
    page = Paginator(qs.defer("snapshot"), RECORDS_PER_PAGE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in chosen.items() if v})
    labels = dict(COLUMN_CHOICES)
    exports = (SyncRun.objects.filter(account=account, kind=SyncRun.Kind.EXPORT)
               .order_by("-started_at", "-id")[:3])
    return {"account": account, "page": page, "chosen": chosen, "query": query,
            "columns": [(c, labels[c]) for c in cols],
            "objects": links.object_choices() + links.custom_object_choices(account),
            "statuses": STATUS_FILTER_CHOICES, "periods": PERIOD_CHOICES, "exports": exports,
            "can_change": can_change(request)}


@login_required
@require_http_methods(["GET"])
def records(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id)
    ctx = _records_context(request, account)
    if request.htmx and request.htmx.target == "record-table":
        # New filters, new URL: the associations panel of the old list closes (out of band).
        return render(request, "health/_records_table.html", {**ctx, "close_panel": True})
    return render(request, "health/records.html", _subnav(ctx, "records"))


STATUS_FILTER_CHOICES = [("in_sync", _("In sync")), ("failed", _("Failed")),
                         ("excluded", _("Excluded")), ("deleted_hs", _("Deleted in HubSpot")),
                         ("deleted_sf", _("Deleted in Salesforce"))]
PERIOD_CHOICES = [("24h", _("Last 24 hours")), ("7d", _("Last 7 days")),
                  ("30d", _("Last 30 days"))]


@login_required
@require_http_methods(["GET", "POST"])
def columns(request: HttpRequest, account_id: int) -> HttpResponse:
    """More → Edit columns. A personal view preference, not an account setting: viewers too."""
    account = account_for(request, account_id)
    if request.method == "POST":
        form = ColumnsForm(request.POST)
        if form.is_valid():
            UserColumns.objects.update_or_create(
                user=request.user, account=account,  # type: ignore[misc]
                defaults={"columns": form.cleaned_data["columns"]})
            messages.success(request, _("Columns saved."))
            return redirect(reverse("health:records", kwargs={"account_id": account.pk})
                            + ("?" + request.POST["query"] if request.POST.get("query") else ""))
        status = 400
    else:
        form = ColumnsForm(initial={"columns": _user_columns(request, account)})
        status = 200
    ctx = _subnav({"account": account, "form": form, "query": request.GET.get("query", "")},
                  "records")
    return render(request, "health/columns.html", ctx, status=status)
