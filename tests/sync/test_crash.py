"""Kill -9 the worker in the middle of a 20k-person initial sync, restart it, let it finish:
no duplicate on either side, nothing lost (DESIGN.md decisions 3 and 8)."""

from __future__ import annotations

import time

import pytest

from syncadmin.sync.models import RunStatus, SyncRun
from syncadmin.sync.tasks import run_sync
from tests.sync.helpers import hs_contacts, people, sf_rows

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

SF_ONLY, HS_ONLY, BOTH = 8_000, 8_000, 4_000


def test_killed_worker_resumes_without_duplicates_or_losses(
        connected, sf, hs, sf_client, hs_client, celery_worker_process):
    both = people("Both", BOTH)
    sf.control.insert("Contact", people("Sf", SF_ONLY) + both)
    hs.control.load({"contacts": [{"email": p["Email"], "lastname": p["LastName"]}
                                  for p in people("Hs", HS_ONLY) + both]})
    # The real ten-second limit would make this test mostly waiting.
    hs.control.limits(ten_secondly=100_000)
    worker = celery_worker_process.start()
    run = SyncRun.objects.create(account=connected, kind="full")
    run_sync.delay(connected.pk, "full", run.pk)

    def hs_writes() -> int:
        # The sync reads HubSpot by search; its batch calls are the writes.
        return hs.control.usage()["by_endpoint"].get("POST batch", 0)

    def wait_until(condition) -> None:
        deadline = time.monotonic() + 120
        while not condition():
            assert time.monotonic() < deadline, "the kill point was never reached"
            time.sleep(0.01)

    # Kill 1: while the first attempt is still reading.
    wait_until(lambda: SyncRun.objects.get(pk=run.pk).status == RunStatus.RUNNING)
    worker.kill()
    worker = celery_worker_process.start()
    # Kill 2: the redelivered job has begun writing to HubSpot.
    wait_until(lambda: SyncRun.objects.get(pk=run.pk).params.get("attempts") == 2)
    writes_before = hs_writes()
    wait_until(lambda: hs_writes() > writes_before)
    worker.kill()
    celery_worker_process.start()

    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if SyncRun.objects.filter(pk=run.pk, status=RunStatus.SUCCEEDED).exists():
            break
        time.sleep(0.5)
    else:
        pytest.fail(f"no run finished: {list(SyncRun.objects.values('status', 'message'))}")

    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert run.params["attempts"] == 3  # started, killed twice, finished on the third try

    hs_emails = [c["email"].lower() for c in hs_contacts(hs_client, props=("email",))]
    sf_emails = [r["Email"].lower() for obj in ("Contact", "Lead")
                 for r in sf_rows(sf_client, obj, "Email")]
    everyone = SF_ONLY + HS_ONLY + BOTH
    assert len(hs_emails) == len(set(hs_emails)) == everyone
    assert len(sf_emails) == len(set(sf_emails)) == everyone
    assert set(hs_emails) == set(sf_emails)
