"""Runs one sync job for an account: lock, record the run, call the engine, record the result.

Celery tasks and the `sync` command both come through here, so a run from the command line
and one from a worker behave the same and never overlap (DESIGN.md decision 8).
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

import redis
from django.conf import settings
from django.utils import timezone

from connectors.errors import RemoteError
from syncadmin.accounts.models import Account
from syncadmin.sync.models import LinkStatus, RecordLink, RunStatus, SyncRun
from syncadmin.sync.pipeline.commit import record_account_error
from syncadmin.sync.pipeline.run import AccountSync, RunResult
from syncadmin.sync.remote import hubspot_for, salesforce_for
from syncadmin.usage.ledger import DbLedger

log = logging.getLogger(__name__)


class SyncStopped(Exception):
    """The account's sync was turned off while a job ran."""


STOPPED_BY_SYNC_OFF = (SyncRun.Kind.POLL, SyncRun.Kind.FULL, SyncRun.Kind.IMPORT)


def account_lock(account: Account) -> redis.lock.Lock:
    """One sync per account, held as a short lease: a live run's heartbeat renews it, a
    killed worker's expires within SYNC_LOCK_SECONDS, so the account is free again soon."""
    client = redis.Redis.from_url(settings.REDIS_URL)
    # thread_local=False: the heartbeat thread renews the token the run acquired.
    return client.lock(f"syncadmin:{settings.INSTALLATION}:sync:{account.pk}",
                       timeout=settings.SYNC_LOCK_SECONDS, blocking=False,
                       thread_local=False)


class Heartbeat(threading.Thread):
    """Renews the run's lease every third of its length while the run is alive."""

    def __init__(self, lock: redis.lock.Lock) -> None:
        super().__init__(daemon=True, name="sync-lease")
        self.lock, self.stopped, self.lost = lock, threading.Event(), False

    def run(self) -> None:
        while not self.stopped.wait(settings.SYNC_LOCK_SECONDS / 3):
            try:
                self.lock.reacquire()
            except redis.exceptions.LockError:
                self.lost = True  # expired (the process stalled): the run stops at its next step
                return
            except redis.exceptions.RedisError:
                log.warning("could not renew the sync lease; trying again")

    def stop(self) -> None:
        self.stopped.set()


def run_account(account: Account, *, kind: str = "poll", run: SyncRun | None = None) -> SyncRun:
    """A poll or a full sync."""
    return run_job(account, kind, run, lambda engine: engine.run(full=kind == "full"))


def retry_links(account: Account, link_ids: list[int], run: SyncRun | None = None) -> SyncRun:
    """B6: sync these records again now (after the admin fixed the cause)."""
    links = list(RecordLink.objects.filter(account=account, pk__in=link_ids))
    return run_job(account, SyncRun.Kind.RETRY, run, lambda engine: engine.run_links(links))


def restore_deleted(account: Account, destination: str, obj: str = "contacts",
                    run: SyncRun | None = None) -> SyncRun:
    """H6/H7: recreate in `destination` the records deleted there."""
    status = LinkStatus.DELETED_HS if destination == "hubspot" else LinkStatus.DELETED_SF
    links = list(RecordLink.objects.filter(account=account, object=obj, status=status))
    return run_job(account, SyncRun.Kind.RESYNC, run,
                   lambda engine: engine.restore(destination, links))


def run_job(account: Account, kind: str, run: SyncRun | None,
            work: Callable[[AccountSync], RunResult], *,
            status_of: Callable[[RunResult], str | None] = lambda result: None) -> SyncRun:
    """`status_of`: a job's own final status (an import the admin cancelled), else the
    usual succeeded / paused."""
    # Settings are read fresh for every run (J3), not from a caller's cached relations.
    account = Account.objects.get(pk=account.pk)
    run = run or SyncRun.objects.create(account=account, kind=kind)
    lock = account_lock(account)
    if not lock.acquire(blocking=False):
        run.status, run.message, run.finished_at = (
            RunStatus.SKIPPED, "Another sync of this account is running.", timezone.now())
        run.save()
        return run
    heartbeat = Heartbeat(lock)
    heartbeat.start()
    try:
        # Runs left "running" by a worker that died cannot still be running: we hold the lock.
        SyncRun.objects.filter(account=account, status=RunStatus.RUNNING).exclude(
            pk=run.pk).update(status=RunStatus.FAILED, finished_at=timezone.now(),
                              message="The worker running this job stopped; it was redone.")
        # A job redelivered after its worker died comes back with the same run.
        run.params = {**run.params, "attempts": int(run.params.get("attempts", 0)) + 1}
        run.status = RunStatus.RUNNING
        run.save(update_fields=["status", "params"])
        ledger = DbLedger(account)
        sf = salesforce_for(account, ledger)
        hs = hubspot_for(account, ledger)

        def progress(done: int, total: int) -> None:
            # Turning sync off stops a running sync at its next step (A7); nothing read so
            # far is lost: the watermark did not move, the next run starts from it again
            # (an import, from its cursor).
            if kind in STOPPED_BY_SYNC_OFF and not Account.objects.filter(
                    pk=account.pk, sync_enabled=True).exists():
                raise SyncStopped("Sync was turned off; the job stopped.")
            if heartbeat.lost:
                raise RuntimeError("the account's sync lease expired; another job may run")
            SyncRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=total)

        engine = AccountSync(account, sf, hs, progress=progress)
        result = work(engine)
        run.refresh_from_db(fields=["progress_done", "progress_total"])
        run.counts = result.as_dict()
        run.sf_calls, run.hs_calls = result.sf_calls, result.hs_calls
        run.status = status_of(result) or (
            RunStatus.PAUSED if result.paused else RunStatus.SUCCEEDED)
        run.message = result.message
    except SyncStopped as exc:
        run.status, run.message = RunStatus.FAILED, str(exc)
    except RemoteError as exc:
        log.warning("sync of %s failed: %r", account, exc)
        run.status, run.message = RunStatus.FAILED, f"{exc.kind}: {exc.message}"[:2000]
        if exc.permanent:
            record_account_error(account, exc)
        raise
    except Exception as exc:
        run.status, run.message = RunStatus.FAILED, repr(exc)[:2000]
        raise
    finally:
        heartbeat.stop()
        run.finished_at = timezone.now()
        run.save()
        with contextlib.suppress(redis.exceptions.LockError):  # expired meanwhile
            lock.release()
    return run
