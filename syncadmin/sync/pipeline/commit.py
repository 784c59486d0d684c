"""The commit stage: links, snapshots and errors of a chunk in one transaction.

Watermarks are not moved here: run.py moves them after every object and association of the
run was committed, so a run that dies anywhere is read again from where it started.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from connectors.errors import Kind, RemoteError
from syncadmin.sync.models import Direction, LinkStatus, RecordLink, SyncError
from syncadmin.sync.pipeline.types import Pair

LINK_FIELDS = ["hs_id", "sf_id", "sf_object", "email", "label", "status", "excluded_reason",
               "snapshot", "synced_at", "updated_at", "retries", "retry_at"]


def mark_failed(link: RecordLink, errors: list[tuple[RemoteError | None, str]],
                now: Any) -> None:
    """One more failure: when to try again (retry_schedule), transient ones at once."""
    from syncadmin.sync.pipeline.retry_schedule import Schedule, next_retry

    transient = all(e is not None and not e.permanent for e, _ in errors)
    link.status = LinkStatus.FAILED
    link.retries = min(link.retries + 1, 32_000)
    link.retry_at = next_retry(link.retries, transient, now, Schedule.from_settings())


def mark_synced(link: RecordLink) -> None:
    link.retries, link.retry_at = 0, None


def save_pairs(account: Any, pairs: list[Pair]) -> None:
    now = timezone.now()
    new: list[RecordLink] = []
    changed: list[RecordLink] = []
    synced: list[int] = []
    failed: list[Pair] = []
    for pair in pairs:
        link = pair.link
        if link is None:
            continue
        if link.status not in (LinkStatus.DELETED_SF, LinkStatus.DELETED_HS,
                               LinkStatus.EXCLUDED) or pair.snapshot is not None:
            if pair.hs_id:
                link.hs_id = pair.hs_id
            if pair.sf_id:
                link.sf_id = pair.sf_id
                link.sf_object = link.sf_object or _sf_object(pair, link)
            if pair.errors:
                mark_failed(link, pair.errors, now)
                failed.append(pair)
            elif pair.snapshot is not None:
                link.snapshot = pair.snapshot
                link.status, link.excluded_reason = LinkStatus.IN_SYNC, ""
                link.synced_at = now
                mark_synced(link)
                if link.pk:
                    synced.append(link.pk)
        link.updated_at = now
        (changed if link.pk else new).append(link)
    with transaction.atomic():
        RecordLink.objects.bulk_create(new, batch_size=1000)
        RecordLink.objects.bulk_update(changed, LINK_FIELDS, batch_size=1000)
        # Errors are current only: a record that synced has none left (B4).
        SyncError.objects.filter(link__in=synced).delete()
        for pair in failed:
            for error, direction in pair.errors:
                record_error(account, pair.link, error, direction)


def _sf_object(pair: Pair, link: RecordLink) -> str:
    from syncadmin.sync import objects

    return objects.get(link.object).sf_object


def record_error(account: Any, link: RecordLink | None, error: RemoteError | None,
                 direction: str, obj: str | None = None) -> None:
    kind = error.kind if error is not None else Kind.GENERIC
    message = error.message if error is not None else "Unknown failure"
    row, created = SyncError.objects.get_or_create(
        account=account, link=link, kind=kind,
        defaults={
            "object": obj or (link.object if link else "contacts"), "direction": direction,
            "record_label": link.label if link else "", "message": message[:2000],
            "code": (error.code if error else "")[:80],
            "hs_id": (link.hs_id or "") if link else "",
            "sf_id": (link.sf_id or "") if link else "",
        },
    )
    if not created:
        SyncError.objects.filter(pk=row.pk).update(
            message=message[:2000], direction=direction, last_seen=timezone.now(),
            occurrences=row.occurrences + 1,
        )


def record_account_error(account: Any, error: RemoteError) -> None:
    """Account-wide conditions (API allocation reached) are one card without a record."""
    obj = SyncError.objects.filter(account=account, link=None, kind=error.kind).first()
    if obj is None:
        SyncError.objects.create(account=account, link=None, kind=error.kind,
                                 object="contacts", direction=Direction.TO_SF,
                                 record_label=str(account), message=error.message)
    else:
        SyncError.objects.filter(pk=obj.pk).update(message=error.message,
                                                   last_seen=timezone.now(),
                                                   occurrences=obj.occurrences + 1)


def clear_account_error(account: Any, kind: Kind) -> None:
    SyncError.objects.filter(account=account, link=None, kind=kind).delete()
