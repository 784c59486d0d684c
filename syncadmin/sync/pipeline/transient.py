"""Records whose last write failed for a transient reason are tried again on every run.

A record that failed on a server error, a timeout, throttling or a row lock is past the
watermark: no later poll reads it again unless it changes. Without this stage it would
never reach the other side, while the run that failed it reported success (issue 16). Each
run retries such records (those not already tried in this run) until they sync or fail for a
permanent reason, which is an error card the admin acts on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from connectors.errors import KINDS
from syncadmin.sync.models import RecordLink, SyncError

BATCH = 1000  # links per run: one retry read per object, in chunks the adapters size

TRANSIENT_KINDS = tuple(k.value for k, info in KINDS.items() if not info.permanent)


def pending(account: Any, enabled: Iterable[str], tried_before: dt.datetime
            ) -> dict[str, list[RecordLink]]:
    """Links of enabled objects with a transient error last seen before this run, by object."""
    ids = (SyncError.objects.filter(account=account, link__isnull=False,
                                    kind__in=TRANSIENT_KINDS, last_seen__lt=tried_before)
           .order_by("last_seen").values_list("link_id", flat=True)[:BATCH])
    out: dict[str, list[RecordLink]] = {}
    for link in RecordLink.objects.filter(pk__in=list(ids), object__in=list(enabled)):
        out.setdefault(link.object, []).append(link)
    return out
