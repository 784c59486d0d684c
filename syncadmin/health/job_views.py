"""Sync Health's jobs: exports and their downloads, restore of deleted records, the job history."""


from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from syncadmin.accounts.access import account_for, can_change
from syncadmin.health import links
from syncadmin.health import runs as job_history
from syncadmin.health.export import export_dir
from syncadmin.health.views import (
    DESTINATIONS,
    RECORDS_PER_PAGE,
    HtmxHttpRequest,
    _deleted_qs,
    _restore_choice,
    _start_resync,
    _subnav,
)
from syncadmin.sync.models import (
    RunStatus,
    SyncRun,
)


@login_required
def export(request: HttpRequest, account_id: int) -> HttpResponse:
    """More → Export: a Celery task writes the file; the record view links to it when ready."""
    account = account_for(request, account_id, change=True)  # first: 404 for non-members
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    fmt = request.POST.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        fmt = "csv"
    params = {k: request.POST.get(k, "") for k in ("object", "status", "period")}
    run = SyncRun.objects.create(account=account, kind=SyncRun.Kind.EXPORT,
                                 status=RunStatus.QUEUED,
                                 params={"format": fmt, "filters": params,
                                         "user": request.user.pk})
    from syncadmin.health.tasks import export_records

    try:
        export_records.delay(run.pk)
    except Exception as exc:  # noqa: BLE001
        run.status, run.message = RunStatus.FAILED, f"Could not queue: {type(exc).__name__}"
        run.save(update_fields=["status", "message"])
        messages.error(request, _("The export could not be queued; try again in a moment."))
    else:
        messages.success(request, _("Export started; the download link appears here when "
                                    "the file is ready."))
    query = urlencode({k: v for k, v in params.items() if v})
    return redirect(reverse("health:records", kwargs={"account_id": account.pk})
                    + (f"?{query}" if query else ""))


@login_required
@require_http_methods(["GET"])
def download(request: HtmxHttpRequest, account_id: int, pk: int) -> HttpResponseBase:
    account = account_for(request, account_id)
    run = get_object_or_404(SyncRun, pk=pk, account=account, kind=SyncRun.Kind.EXPORT,
                            status=RunStatus.SUCCEEDED)
    path = export_dir() / Path(run.result_file).name
    if not run.result_file or not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@login_required
@require_http_methods(["GET", "POST"])
def restore(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    """More → Restore all deleted records: choose, review, Restore all N (FEATURES H7)."""
    account = account_for(request, account_id, change=request.method == "POST")
    if request.method == "POST":
        return _start_resync(request, account)
    destination, obj = _restore_choice(request.GET)
    review = "review" in request.GET
    qs = _deleted_qs(account, destination, obj).order_by("label", "id")
    page = Paginator(qs, RECORDS_PER_PAGE).get_page(request.GET.get("page")) if review else None
    ctx = {"account": account, "destination": destination, "object": obj, "review": review,
           "page": page, "objects": links.object_choices(), "destinations": DESTINATIONS,
           "app": DESTINATIONS[destination], "can_change": can_change(request)}
    return render(request, "health/restore.html", _subnav(ctx, "records"))


@login_required
@require_http_methods(["GET"])
def runs(request: HtmxHttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id)
    page, rows, chosen = job_history.page_of(account, request.GET)
    query = urlencode({k: v for k, v in chosen.items() if v})
    return render(request, "health/runs.html", _subnav({
        "account": account, "page": page, "rows": rows, "chosen": chosen, "query": query,
        "kinds": SyncRun.Kind.choices, "statuses": RunStatus.choices}, "runs"))


@login_required
@require_http_methods(["GET"])
def run_row(request: HtmxHttpRequest, account_id: int, pk: int) -> HttpResponse:
    account = account_for(request, account_id)
    run = get_object_or_404(SyncRun, pk=pk, account=account)
    as_export = request.GET.get("as") == "export"
    template = "health/_export.html" if as_export else "health/_run_row.html"
    return render(request, template, {"account": account, "run": run})
