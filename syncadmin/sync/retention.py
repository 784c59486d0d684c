"""Retention (issue 16): old API-usage rows, job runs and export files are pruned on a
schedule, as healthchecks prunes its pings and flips (`manage.py prunepings`).

Each `prune_*` deletes what is older than its configured age and returns how much it
deleted; the `prune` command runs them all and beat runs it daily. Nothing still shown is
pruned: the usage chart reads 7 days of hourly rollups and the rolling 24-hour sum reads
minute buckets of one day, so those ages are floors the settings cannot go below.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from syncadmin.sync.models import RunStatus, SyncRun
from syncadmin.usage.models import ApiUsage, ApiUsageHour

MIN_MINUTE_DAYS = 2  # the rolling 24-hour sum, with a day to spare
MIN_HOUR_DAYS = 8  # the dashboard's 7-day chart
CHUNK = 10_000  # rows per DELETE, so a large backlog does not hold one long transaction


def _delete_in_chunks(qs: object) -> int:
    total = 0
    while True:
        ids = list(qs.values_list("pk", flat=True)[:CHUNK])  # type: ignore[attr-defined]
        if not ids:
            return total
        total += qs.model.objects.filter(pk__in=ids).delete()[0]  # type: ignore[attr-defined]


def prune_usage(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    minute_days = max(settings.RETENTION_USAGE_MINUTE_DAYS, MIN_MINUTE_DAYS)
    hour_days = max(settings.RETENTION_USAGE_HOUR_DAYS, MIN_HOUR_DAYS)
    return {
        "usage_minutes": _delete_in_chunks(
            ApiUsage.objects.filter(minute__lt=now - dt.timedelta(days=minute_days))),
        "usage_hours": _delete_in_chunks(
            ApiUsageHour.objects.filter(hour__lt=now - dt.timedelta(days=hour_days))),
    }


def prune_runs(now: dt.datetime | None = None) -> dict[str, int]:
    """Finished job runs older than RETENTION_RUN_DAYS (a running or queued one stays)."""
    now = now or timezone.now()
    old = SyncRun.objects.filter(started_at__lt=now - dt.timedelta(
        days=settings.RETENTION_RUN_DAYS)).exclude(status__in=(RunStatus.RUNNING,
                                                               RunStatus.QUEUED))
    return {"runs": _delete_in_chunks(old)}


def prune_exports(now: dt.datetime | None = None) -> dict[str, int]:
    """Export files older than RETENTION_EXPORT_HOURS; their runs then offer no download."""
    from syncadmin.health.export import export_dir

    cutoff = (now or timezone.now()).timestamp() - settings.RETENTION_EXPORT_HOURS * 3600
    removed = 0
    for path in Path(export_dir()).iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return {"export_files": removed}


def prune_all(now: dt.datetime | None = None) -> dict[str, int]:
    return {**prune_usage(now), **prune_runs(now), **prune_exports(now)}
