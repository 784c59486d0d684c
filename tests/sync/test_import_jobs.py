"""Import (FEATURES E4) as Celery jobs through Redis and real worker processes: cancelled
between chunks, resumed from its cursor after a kill -9 with no duplicates, and listed in
the job history."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from syncadmin.sync import imports
from syncadmin.sync.models import RecordLink, RunStatus, SyncRun
from syncadmin.sync.tasks import start_import
from tests.sync.helpers import people
from tests.sync.import_helpers import hs_emails, run_import, sf_endpoints

pytestmark = pytest.mark.django_db(transaction=True)


# ---- as Celery jobs: cancel, kill -9, job history

def wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_cancel_stops_after_the_current_chunk_and_keeps_what_was_imported(
        connected, sf, hs, hs_client, celery_worker_process):
    hs.control.limits(ten_secondly=100_000)
    sf.control.insert("Contact", people("Stop", 8_000))
    celery_worker_process.start()
    run = start_import(connected, "Contact")
    # The first chunk is committed: its cursor is saved.
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).params.get("cursor"))
    assert imports.request_cancel(run)
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).finished_at is not None, 60)

    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED, run.message
    assert run.params["cancel"] is True
    assert 0 < run.progress_done < 8_000 and run.progress_total == 8_000
    # What was imported stays, linked; nothing past the cursor was written.
    imported = len(hs_emails(hs_client))
    assert imported == run.progress_done == RecordLink.objects.filter(
        account=connected, object="contacts").count()
    assert imports.summary(run)["created"] == imported
    assert not imports.request_cancel(run)  # finished: nothing left to cancel


def test_cancel_before_it_starts_imports_nothing(connected, sf, hs_client):
    sf.control.insert("Contact", people("Never", 3))
    run = imports.new_run(connected, "Contact")
    assert imports.request_cancel(run)
    run.refresh_from_db()
    assert (run.status, run.message) == (RunStatus.CANCELLED, "Cancelled before it started.")
    from syncadmin.sync.tasks import import_object

    import_object.apply(args=(connected.pk, run.pk))  # the queued task arrives anyway
    assert hs_emails(hs_client) == []
    assert SyncRun.objects.get(pk=run.pk).status == RunStatus.CANCELLED


def test_killed_worker_resumes_from_the_cursor_without_duplicates(
        connected, sf, hs, sf_client, hs_client, celery_worker_process):
    hs.control.limits(ten_secondly=100_000)
    hs.control.load({"contacts": [{"email": f"stop{i}@example.com", "lastname": "Hs"}
                                  for i in range(0, 8_000, 7)]})
    sf.control.insert("Contact", people("Stop", 8_000))
    worker = celery_worker_process.start()
    run = start_import(connected, "Contact")

    def hs_writes() -> int:
        return hs.control.usage()["by_endpoint"].get("POST batch", 0)

    # Killed in the middle of its second chunk: the first is committed, the second half
    # written to HubSpot and not linked yet.
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).params.get("cursor"))
    writes = hs_writes()
    wait_for(lambda: hs_writes() > writes + 3)
    worker.kill()
    killed_at = SyncRun.objects.get(pk=run.pk)
    assert killed_at.status == RunStatus.RUNNING and 0 < killed_at.progress_done < 8_000
    celery_worker_process.start()
    wait_for(lambda: SyncRun.objects.get(pk=run.pk).status == RunStatus.SUCCEEDED, 120)

    run.refresh_from_db()
    assert run.params["attempts"] == 2  # redelivered once, same run
    emails = hs_emails(hs_client)
    assert len(emails) == len(set(emails)) == 8_000
    links = RecordLink.objects.filter(account=connected, object="contacts")
    assert links.count() == 8_000 == len(set(links.values_list("hs_id", flat=True)))
    assert (run.progress_done, run.progress_total) == (8_000, 8_000)
    # Resumed from the cursor: no second COUNT(), one query per attempt, and the pages
    # read in all are the four, plus the one the kill interrupted (a re-read from the
    # start would be 4 more).
    calls = sf_endpoints(connected)
    assert calls["query"] == 3
    assert calls["query"] - 1 + calls.get("query/more", 0) in (4, 5)
    # The allocation (the ledger) counts every call; the run's figure misses the calls the
    # killed attempt made after its last commit (here at most the interrupted page's).
    assert sum(calls.values()) - 1 <= run.sf_calls <= sum(calls.values())
    figures = imports.summary(run)
    assert figures["created"] + figures["updated"] <= 8_000 and figures["failed"] == 0


def test_job_history_lists_the_import(connected, sf, client, make_member):
    sf.control.insert("Contact", people("History", 2))
    run_import(connected, "Contact")
    client.force_login(make_member(connected, "viewer"))
    page = client.get(reverse("health:runs", kwargs={"account_id": connected.pk}))
    assert page.status_code == 200
    body = page.content.decode()
    run = SyncRun.objects.get(account=connected, kind=SyncRun.Kind.IMPORT)
    assert "Import from Salesforce" in body and "created 2" in body
    import_page = reverse("integration:import_run", kwargs={"account_id": connected.pk,
                                                           "pk": run.pk})
    assert f'<a href="{import_page}">Contact</a>' in body
