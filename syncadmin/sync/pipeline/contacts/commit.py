"""The contacts' commit stage: every link a chunk touched, its snapshot and its errors, in
one transaction (errors are recorded by the pipeline's own `commit.record_error`)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from syncadmin.sync.models import LinkStatus, RecordLink, SyncError
from syncadmin.sync.pipeline.commit import LINK_FIELDS, mark_failed, mark_synced, record_error
from syncadmin.sync.pipeline.contacts.types import Pair


def finish(account: Any, pairs: list[Pair], snapshots: dict[int, dict[str, Any]]) -> None:
    """Saves every link touched by this run in bulk, and the errors of failed ones.
    `snapshots`: the new snapshot of each pair that synced, by id(pair)."""
    now = timezone.now()
    new: list[RecordLink] = []
    changed: list[RecordLink] = []
    synced: list[RecordLink] = []
    failed: list[Pair] = []
    for pair in pairs:
        link = pair.link
        if link is None or link.status in (LinkStatus.DELETED_SF, LinkStatus.DELETED_HS):
            continue
        excluded = link.status == LinkStatus.EXCLUDED and id(pair) not in snapshots
        if not excluded:
            if pair.hs_id:
                link.hs_id = pair.hs_id
            if pair.sf and pair.sf.get("Id"):
                link.sf_id = pair.sf["Id"]
                link.sf_object = pair.sf_object or link.sf_object
            if pair.errors:
                mark_failed(link, pair.errors, now)
                failed.append(pair)
            else:
                link.snapshot = snapshots.get(id(pair), link.snapshot)
                link.status, link.excluded_reason = LinkStatus.IN_SYNC, ""
                link.synced_at = now
                mark_synced(link)
                synced.append(link)
        link.updated_at = now
        (changed if link.pk else new).append(link)
    with transaction.atomic():
        RecordLink.objects.bulk_create(new, batch_size=1000)
        RecordLink.objects.bulk_update(changed, LINK_FIELDS, batch_size=1000)
        # Errors are current only: a record that synced has none left (B4).
        SyncError.objects.filter(link__in=[lk.pk for lk in synced]).delete()
        for pair in failed:
            for error, direction in pair.errors:
                record_error(account, pair.link, error, direction)
