"""Sync Health's own jobs: record exports. (Retry and resync are the engine's tasks.)"""

from __future__ import annotations

from celery import shared_task
from django.http import QueryDict
from django.utils import timezone

from syncadmin.health import export
from syncadmin.health.dashboard import filtered_links
from syncadmin.sync.models import RunStatus, SyncRun


@shared_task(name="health.export_records", acks_late=True)
def export_records(run_id: int) -> str:
    """Writes the export file of a SyncRun(kind=export); its progress is the run's progress."""
    run = SyncRun.objects.select_related("account").get(pk=run_id)
    if run.status == RunStatus.SUCCEEDED:
        return run.result_file
    params = QueryDict(mutable=True)
    params.update(run.params.get("filters", {}))
    qs, _chosen = filtered_links(run.account, params)
    fmt = "xlsx" if run.params.get("format") == "xlsx" else "csv"
    total = qs.count()
    run.status, run.progress_total, run.progress_done = RunStatus.RUNNING, total, 0
    run.save(update_fields=["status", "progress_total", "progress_done"])

    def progress(done: int) -> None:
        SyncRun.objects.filter(pk=run.pk).update(progress_done=done)

    name = f"records-{run.account_id}-{run.pk}-{timezone.now():%Y%m%d-%H%M%S}.{fmt}"
    path = export.export_dir() / name
    try:
        writer = export.write_xlsx if fmt == "xlsx" else export.write_csv
        n = writer(path, qs, progress)
    except Exception as exc:
        path.unlink(missing_ok=True)
        SyncRun.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, finished_at=timezone.now(),
            message=f"{type(exc).__name__}: {exc}"[:500])
        raise
    SyncRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, finished_at=timezone.now(), progress_done=n,
        progress_total=max(total, n), result_file=name, counts={"rows": n})
    return name
