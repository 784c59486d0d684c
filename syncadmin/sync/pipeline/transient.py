"""Failed records are tried again by later runs, on the retry schedule (issue 16, issue 17).

A record whose write failed is past the watermark: no later poll reads it again unless it
changes. Each run therefore takes the failed links whose `retry_at` is due: a transient
failure (a lock, a server error, throttling) at the very next run, any other every 20
minutes up to 10 times and then nightly (retry_schedule.py), so a record the admin fixed in
the other app syncs without a click. None while most of the API allocation is used.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from syncadmin.sync.models import LinkStatus, RecordLink
from syncadmin.sync.pipeline.retry_schedule import Schedule, budget_allows

BATCH = 1000  # links per run: one retry read per object, in chunks the adapters size


def due(account: Any, enabled: Iterable[str], run_started: dt.datetime, now: dt.datetime
        ) -> dict[str, list[RecordLink]]:
    """Failed links of enabled objects whose retry is due (not ones this run just failed),
    by object; nothing when the allocation is mostly used."""
    from syncadmin.integration.models import ApiSettings
    from syncadmin.usage.ledger import rolling_sum

    links = list(RecordLink.objects.filter(account=account, status=LinkStatus.FAILED,
                                           object__in=list(enabled), retry_at__lte=now,
                                           updated_at__lt=run_started)
                 .order_by("retry_at")[:BATCH])
    if not links:  # the usual poll: one indexed query, no budget arithmetic
        return {}
    api = ApiSettings.objects.filter(account=account).first()
    allocation = api.allocation if api else 0
    if not budget_allows(rolling_sum(account, "salesforce", now - dt.timedelta(days=1)),
                         allocation, Schedule.from_settings()):
        return {}
    out: dict[str, list[RecordLink]] = {}
    for link in links:
        out.setdefault(link.object, []).append(link)
    return out
