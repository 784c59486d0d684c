"""Thin Celery tasks: load, call the service, let it record (DESIGN.md decision 8)."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from connectors.errors import RemoteError
from syncadmin.accounts.models import Account
from syncadmin.sync import imports
from syncadmin.sync.models import RunStatus, SyncRun
from syncadmin.sync.service import restore_deleted, retry_links, run_account


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
                         countdown=settings.SYNC_RETRY_SECONDS, max_retries=600)


@shared_task(name="sync.prune", ignore_result=True)
def prune() -> dict[str, int]:
    """Daily on beat: old usage rows, job runs and export files (syncadmin.sync.retention)."""
    from syncadmin.sync import retention

    return retention.prune_all()


def start_initial_sync(account: Account) -> SyncRun:
    """Queues the first full sync; the returned run shows its progress."""
    run = SyncRun.objects.create(account=account, kind=SyncRun.Kind.FULL)
    run_sync.delay(account.pk, "full", run.pk)
    return run


def _run_of(task_id: str | None) -> SyncRun | None:
    """The SyncRun the page recorded when it queued this job (params["task_id"])."""
    return SyncRun.objects.filter(params__task_id=task_id).first() if task_id else None


def _again_later(task, run: SyncRun) -> None:
    """The account's lock was busy: wait for the running job instead of dropping this one."""
    if run.status == RunStatus.SKIPPED:
        SyncRun.objects.filter(pk=run.pk).update(status=RunStatus.QUEUED, finished_at=None)
        raise task.retry(countdown=settings.SYNC_RETRY_SECONDS, max_retries=600)


@shared_task(name="sync.retry_records", bind=True, acks_late=True, ignore_result=True)
def retry_records(self, account_id: int, link_ids: list[int]) -> None:
    account = Account.objects.get(pk=account_id)
    _again_later(self, retry_links(account, link_ids, run=_run_of(self.request.id)))


@shared_task(name="sync.resync_deleted", bind=True, acks_late=True, ignore_result=True)
def resync_deleted(self, account_id: int, destination: str, obj: str = "contacts") -> None:
    account = Account.objects.get(pk=account_id)
    _again_later(self, restore_deleted(account, destination, obj,
                                       run=_run_of(self.request.id)))


@shared_task(name="sync.import_object", bind=True, acks_late=True, ignore_result=True,
             autoretry_for=(RemoteError,), retry_backoff=5, retry_backoff_max=300,
             retry_jitter=True, max_retries=5)
def import_object(self, account_id: int, run_id: int) -> None:
    """E4: an import, or its continuation from the run's cursor (after a killed worker, a
    transient error or a pause; acks_late: a killed worker's job is delivered again)."""
    run = SyncRun.objects.filter(pk=run_id).first()
    if run is None or run.status in (RunStatus.SUCCEEDED, RunStatus.CANCELLED):
        return  # cancelled before it started, or a copy of a job that finished
    try:
        run = imports.import_object(Account.objects.get(pk=account_id), run)
    except RemoteError as exc:
        if exc.permanent:
            return  # recorded on the run and as an error card; retrying cannot help
        raise
    _again_later(self, run)


def start_import(account: Account, sf_object: str) -> SyncRun:
    """Queues an import of `sf_object`; the returned run shows its progress."""
    run = imports.new_run(account, sf_object)
    import_object.delay(account.pk, run.pk)
    return run
