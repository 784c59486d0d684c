"""When a failed record is tried again (issue 17), as HubSpot's own integration does it:
every 20 minutes, up to 10 times, then once a night; a transient failure (a lock, a server
error, throttling) at the very next run. Pure: the time is an argument, so tests freeze it.
Retries stop while most of the API allocation is used (run.py checks the budget).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Schedule:
    every: dt.timedelta = dt.timedelta(minutes=20)
    quick: int = 10  # retries at `every` before the nightly queue
    nightly_hour: int = 2  # UTC
    budget_share: float = 0.8  # no retries once this share of the allocation is used

    @classmethod
    def from_settings(cls) -> Schedule:
        return cls(every=dt.timedelta(minutes=settings.SYNC_RETRY_EVERY_MINUTES),
                   quick=settings.SYNC_RETRY_QUICK,
                   nightly_hour=settings.SYNC_RETRY_NIGHTLY_HOUR,
                   budget_share=settings.SYNC_RETRY_BUDGET_SHARE)


def next_retry(retries: int, transient: bool, now: dt.datetime,
               schedule: Schedule = Schedule()) -> dt.datetime:
    """`retries`: how many times the record has failed now (1 after its first failure)."""
    if transient:
        return now
    if retries <= schedule.quick:
        return now + schedule.every
    night = now.astimezone(dt.UTC).replace(hour=schedule.nightly_hour, minute=0, second=0,
                                           microsecond=0)
    return night if night > now else night + dt.timedelta(days=1)


def budget_allows(used_24h: int, allocation: int, schedule: Schedule = Schedule()) -> bool:
    return allocation > 0 and used_24h < allocation * schedule.budget_share
