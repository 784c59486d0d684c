"""Import (FEATURES E4): choose a Salesforce object, confirm, watch the job, cancel it.

The page never talks to Salesforce or HubSpot: starting queues the `sync.import_object`
task with a SyncRun (kind import) that the progress partial polls; cancelling sets the
run's flag, which the job reads between chunks.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from syncadmin.accounts.access import account_for
from syncadmin.accounts.models import Account
from syncadmin.audit import log as audit
from syncadmin.integration.views import _is_htmx, _page
from syncadmin.sync import imports
from syncadmin.sync.models import RunStatus, SyncRun

RECENT = 10
ACTIVE = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SKIPPED)


def _choices(account: Account) -> list[tuple[str, str]]:
    return imports.importable(account)


def _run_of(account: Account, pk: int) -> SyncRun:
    return get_object_or_404(SyncRun, account=account, kind=SyncRun.Kind.IMPORT, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, account_id: int) -> HttpResponse:
    """GET: the object picker and recent imports. POST `object`: the confirmation; POST
    `object` and `confirm`: the import is queued and its progress page opens."""
    account = account_for(request, account_id, change=request.method == "POST")
    choices = _choices(account)
    chosen = request.POST.get("object", "")
    recent = list(SyncRun.objects.filter(account=account, kind=SyncRun.Kind.IMPORT)[:RECENT])
    ctx = {"choices": choices, "chosen": chosen, "recent": recent,
           "label": dict(choices).get(chosen, chosen)}
    if request.method == "GET":
        return _page(request, account, "integration/import.html", ctx, "features")
    if chosen not in dict(choices):
        ctx["error"] = _("Choose one of the objects listed.")
        return _page(request, account, "integration/import.html", ctx, "features", 400)
    if not account.sync_enabled:
        ctx["error"] = _("Sync is off for this account: turn it on to import.")
        return _page(request, account, "integration/import.html", ctx, "features", 409)
    if not request.POST.get("confirm"):
        return _page(request, account, "integration/import_confirm.html", ctx, "features")
    if any(r.status in ACTIVE for r in recent):
        messages.error(request, _("An import is already under way; wait for it to finish "
                                  "or cancel it first."))
        return redirect("integration:import", account_id=account.pk)
    from syncadmin.sync.tasks import import_object

    run = imports.new_run(account, chosen)
    try:
        import_object.delay(account.pk, run.pk)
    except Exception as exc:  # noqa: BLE001 - the broker is down: say so, keep the record
        run.status, run.finished_at = RunStatus.FAILED, timezone.now()
        run.message = f"Could not queue the job: {type(exc).__name__}"
        run.save(update_fields=["status", "finished_at", "message"])
        messages.error(request, _("The import could not be queued; try again in a moment."))
        return redirect("integration:import", account_id=account.pk)
    audit.record(account, f"Import of {chosen} started", {"import": [None, chosen]})
    return redirect("integration:import_run", account_id=account.pk, pk=run.pk)


@login_required
@require_http_methods(["GET"])
def progress(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    """The run's page; htmx polls its progress partial while the job is active."""
    account = account_for(request, account_id)
    run = _run_of(account, pk)
    ctx = {"account": account, "run": run, "active": run.status in ACTIVE,
           "resumable": run.status in imports.RESUMABLE,
           "figures": imports.summary(run),
           "cancel_asked": bool(run.params.get("cancel"))}
    if _is_htmx(request):
        return render(request, "integration/_import_progress.html", ctx)
    return _page(request, account, "integration/import_run.html", ctx, "features")


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    """GET: are you sure? POST: the job stops after the chunk it is in."""
    account = account_for(request, account_id, change=True)
    run = _run_of(account, pk)
    if request.method == "GET":
        return _page(request, account, "integration/import_cancel.html", {"run": run},
                     "features")
    if imports.request_cancel(run):
        audit.record(account, f"Import of {run.params.get('object', '')} cancelled")
        messages.success(request, _("Cancelling: the import stops after the records it is "
                                    "importing now. What it imported stays in HubSpot."))
    else:
        messages.info(request, _("This import had already finished."))
    return redirect("integration:import_run", account_id=account.pk, pk=run.pk)


@login_required
@require_http_methods(["POST"])
def resume(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    """A paused (API allocation) or failed import goes on from its cursor."""
    account = account_for(request, account_id, change=True)
    run = _run_of(account, pk)
    if imports.resume(run):
        from syncadmin.sync.tasks import import_object

        import_object.delay(account.pk, run.pk)
        audit.record(account, f"Import of {run.params.get('object', '')} resumed")
        messages.success(request, _("The import goes on from where it stopped."))
    else:
        messages.info(request, _("Only a paused or failed import can be resumed."))
    return redirect("integration:import_run", account_id=account.pk, pk=run.pk)
