"""The account's sync lock is a short lease: a live run's heartbeat keeps it, a killed
worker's expires within SYNC_LOCK_SECONDS, so a dead run does not block the account."""

from __future__ import annotations

import time

import pytest

from syncadmin.sync.pipeline.run import RunResult
from syncadmin.sync.service import account_lock, run_job

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_dead_runs_lease_expires_quickly(connected, settings):
    settings.SYNC_LOCK_SECONDS = 1
    dead = account_lock(connected)
    assert dead.acquire(blocking=False)  # a worker killed right after taking the lock
    assert not account_lock(connected).acquire(blocking=False)
    time.sleep(1.3)
    other = account_lock(connected)
    assert other.acquire(blocking=False)
    other.release()


def test_a_live_run_keeps_its_lease_past_its_length(connected, settings):
    settings.SYNC_LOCK_SECONDS = 1
    taken: list[bool] = []

    def slow_work(engine):
        for _ in range(3):  # 2.4 s: more than twice the lease
            time.sleep(0.8)
            probe = account_lock(connected)
            taken.append(probe.acquire(blocking=False))
        return RunResult()

    run = run_job(connected, "poll", None, slow_work)
    assert run.status == "succeeded", run.message
    assert taken == [False, False, False]
    after = account_lock(connected)
    assert after.acquire(blocking=False)  # released at the end
    after.release()
