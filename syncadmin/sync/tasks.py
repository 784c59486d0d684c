"""Thin Celery tasks: load, call the service, let it record (DESIGN.md decision 8)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from connectors.errors import RemoteError
from syncadmin.accounts.models import Account
from syncadmin.sync.models import RunStatus, SyncRun
from syncadmin.sync.service import run_account


@shared_task(name="sync.poll_all", ignore_result=True)
def poll_all() -> int:
    """Beat calls this every SYNC_POLL_SECONDS: one poll per account with sync on."""
    ids = list(Account.objects.filter(sync_enabled=True).values_list("pk", flat=True))
    for account_id in ids:
        run_sync.delay(account_id, "poll")
    return len(ids)


@shared_task(name="sync.run", bind=True, acks_late=True, ignore_result=True,
             autoretry_for=(RemoteError,), retry_backoff=5, retry_backoff_max=300,
             retry_jitter=True, max_retries=5)
def run_sync(self, account_id: int, kind: str = "poll", run_id: int | None = None) -> None:
    account = Account.objects.filter(pk=account_id, sync_enabled=True).first()
    if account is None:
        return  # sync turned off since the task was queued
    run = SyncRun.objects.filter(pk=run_id).first() if run_id else None
    if run is not None and run.finished_at and run.status != RunStatus.SKIPPED:
        return  # a copy of a job that already finished (redelivered by the broker)
    try:
        run = run_account(account, kind=kind, run=run)
    except RemoteError as exc:
        if exc.permanent:
            return  # recorded as an error card; retrying cannot help
        raise
    if run.status == RunStatus.SKIPPED and kind != SyncRun.Kind.POLL:
        # Another job holds the account (or a dead worker's lock has not expired yet):
        # a poll can wait for the next beat, anything else must still happen.
        SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED, finished_at=None)
        raise self.retry(args=(account_id, kind, run.pk),
                         countdown=settings.SYNC_LOCK_SECONDS, max_retries=50)


def start_initial_sync(account: Account) -> SyncRun:
    """Queues the first full sync; the returned run shows its progress."""
    run = SyncRun.objects.create(account=account, kind=SyncRun.Kind.FULL)
    run_sync.delay(account.pk, "full", run.pk)
    return run
