"""Retention (issue 16): `manage.py prune` deletes what is older than the RETENTION_*
settings and keeps what the pages still show."""

from __future__ import annotations

import datetime as dt
import json
import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from syncadmin.health.export import export_dir
from syncadmin.sync.models import RunStatus, SyncRun
from syncadmin.usage.models import ApiUsage, ApiUsageHour

pytestmark = pytest.mark.django_db


def _run(account, days_ago, status=RunStatus.SUCCEEDED):
    run = SyncRun.objects.create(account=account, status=status)
    SyncRun.objects.filter(pk=run.pk).update(
        started_at=timezone.now() - dt.timedelta(days=days_ago))
    return run.pk


def test_prune_deletes_old_rows_runs_and_files_and_keeps_the_rest(account, settings):
    settings.RETENTION_RUN_DAYS = 30
    settings.RETENTION_USAGE_MINUTE_DAYS = 0  # below the floor: 2 days are kept anyway
    settings.RETENTION_USAGE_HOUR_DAYS = 35
    settings.RETENTION_EXPORT_HOURS = 24
    now = timezone.now()
    for days in (0.5, 1.5, 3, 40):
        ApiUsage.objects.create(account=account, remote="salesforce", endpoint="query",
                                minute=now - dt.timedelta(days=days), calls=1)
        ApiUsageHour.objects.create(account=account, remote="salesforce",
                                    hour=now - dt.timedelta(days=days), calls=1)
    keep = [_run(account, 1), _run(account, 29), _run(account, 45, RunStatus.RUNNING)]
    gone = [_run(account, 31), _run(account, 90, RunStatus.FAILED)]
    old_file, new_file = export_dir() / "old.csv", export_dir() / "new.csv"
    old_file.write_text("x")
    new_file.write_text("y")
    two_days = (now - dt.timedelta(hours=48)).timestamp()
    os.utime(old_file, (two_days, two_days))

    out = StringIO()
    call_command("prune", stdout=out)
    assert json.loads(out.getvalue()) == {"usage_minutes": 2, "usage_hours": 1, "runs": 2,
                                          "export_files": 1}
    assert ApiUsage.objects.count() == 2 and ApiUsageHour.objects.count() == 3
    assert sorted(SyncRun.objects.values_list("pk", flat=True)) == sorted(keep)
    assert not SyncRun.objects.filter(pk__in=gone).exists()
    assert new_file.exists() and not old_file.exists()

    out = StringIO()
    call_command("prune", "--only", "runs", stdout=out)
    assert json.loads(out.getvalue()) == {"runs": 0}


def test_beat_runs_the_prune_task_daily(settings):
    from syncadmin.sync.tasks import prune

    entry = settings.CELERY_BEAT_SCHEDULE["prune-old-rows"]
    assert (entry["task"], entry["schedule"]) == (prune.name, 86400.0)
