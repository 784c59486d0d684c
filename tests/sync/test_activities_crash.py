"""Activities across a killed worker and the Salesforce API cost of events (issue 14 targets):
kill -9 in the middle of writing tasks, restart, finish: exactly one task per event; and at
most 6 Salesforce calls per 1,000 HubSpot events synced to tasks."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from syncadmin.sync.models import RunStatus, SyncRun, Watermark
from syncadmin.sync.service import run_account
from syncadmin.sync.tasks import run_sync
from tests.sync.activities_helpers import contacts_loaded, ms, tasks, turn_on

pytestmark = pytest.mark.django_db(transaction=True)


def opens(emails: list[str], n: int) -> list[dict]:
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    return [{"type": "OPEN", "recipient": emails[i % len(emails)],
             "created": ms(start + dt.timedelta(seconds=i)), "emailCampaignId": 3}
            for i in range(n)]


def people(hs, n: int) -> list[str]:
    emails = [f"p{i}@example.com" for i in range(n)]
    contacts_loaded(hs, [{"email": e, "lastname": f"P{i}"} for i, e in enumerate(emails)])
    return emails


@pytest.mark.slow
def test_killed_worker_mid_run_leaves_exactly_one_task_per_event(
        connected, hs, sf_client, celery_worker_process):
    each = 10_000
    emails = people(hs, 50)
    assert run_account(connected, kind="full").status == RunStatus.SUCCEEDED
    turn_on(connected, "marketing_email_opened", "marketing_email_clicked")
    hs.control.email_events(opens(emails, each))
    hs.control.email_events([{**e, "type": "CLICK"} for e in opens(emails, each)])
    hs.control.limits(ten_secondly=100_000)
    worker = celery_worker_process.start()
    run = SyncRun.objects.create(account=connected, kind="poll")
    run_sync.delay(connected.pk, "poll", run.pk)

    # Kill -9 once the opens are written and committed, while the clicks are being read or
    # written: the redelivered job must neither redo the opens nor duplicate any click.
    opened = Watermark.objects.filter(account=connected, side="hubspot",
                                      stream="activities:marketing_email_opened")
    deadline = time.monotonic() + 120
    while not opened.exists():
        assert time.monotonic() < deadline, "the opens were never applied"
        time.sleep(0.01)
    worker.kill()
    assert SyncRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
    celery_worker_process.start()

    deadline = time.monotonic() + 240
    while not SyncRun.objects.filter(pk=run.pk, status=RunStatus.SUCCEEDED).exists():
        assert time.monotonic() < deadline, list(SyncRun.objects.values("status", "message"))
        time.sleep(0.5)
    run.refresh_from_db()
    assert run.params["attempts"] == 2
    ids = [t["HubSpot_Event_Id__c"] for t in tasks(sf_client)]
    assert len(ids) == len(set(ids)) == 2 * each
    assert sum(i.startswith("email-") for i in ids) == 2 * each


def test_at_most_six_salesforce_calls_per_thousand_events_synced_to_tasks(connected, hs, sf):
    emails = people(hs, 20)
    assert run_account(connected, kind="full").status == RunStatus.SUCCEEDED
    turn_on(connected, "marketing_email_opened", "marketing_email_clicked")
    idle = run_account(connected)  # the event-id field is made here, once
    baseline = run_account(connected)
    hs.control.email_events(opens(emails, 3_000))
    run = run_account(connected)
    assert run.status == RunStatus.SUCCEEDED
    assert run.counts["activities"]["to_sf"]["created"] == 3_000
    per_thousand = (run.sf_calls - baseline.sf_calls) / 3
    assert per_thousand <= 6, (run.sf_calls, baseline.sf_calls, idle.sf_calls)
    assert run.sf_calls <= 6 * 3  # the whole poll, its contacts read included
