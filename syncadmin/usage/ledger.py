"""The database side of connectors.usage: the ledger and budget the adapters consult."""

from __future__ import annotations

import datetime as dt

from django.db import connection, models
from django.db.models import Sum

from connectors.usage import Budget
from syncadmin.accounts.models import Account
from syncadmin.usage.models import ApiUsage, ApiUsageHour, OrgLimit

HOUR = dt.timedelta(hours=1)


def _minute(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at - at % 60, tz=dt.UTC)


def _upsert_sql(model: type[models.Model], keys: list[str]) -> str:
    """INSERT … ON CONFLICT DO UPDATE calls = calls + new (PostgreSQL and SQLite ≥ 3.24)."""
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join([*keys, "calls"])
    marks = ", ".join(["%s"] * (len(keys) + 1))
    return (f"INSERT INTO {table} ({cols}) VALUES ({marks}) "  # noqa: S608 - names from _meta
            f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET calls = {table}.calls + EXCLUDED.calls")


def rolling_sum(account: Account | int, remote: str, since: dt.datetime) -> int:
    """Calls at or after `since` (minute precision), in two small queries whatever the volume:
    whole hours from the hourly rollup, the minutes of the one boundary hour from ApiUsage."""
    since = since.replace(second=0, microsecond=0)
    first_full = since if since.minute == 0 else since.replace(minute=0) + HOUR
    hours = ApiUsageHour.objects.filter(account=account, remote=remote, hour__gte=first_full
                                        ).aggregate(n=Sum("calls"))["n"] or 0
    minutes = 0
    if first_full > since:
        minutes = ApiUsage.objects.filter(account=account, remote=remote, minute__gte=since,
                                          minute__lt=first_full
                                          ).aggregate(n=Sum("calls"))["n"] or 0
    return int(hours) + int(minutes)


class DbLedger:
    """Implements connectors.usage.UsageLedger for one account."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.counts: dict[str, int] = {"salesforce": 0, "hubspot": 0}

    def record(self, remote: str, endpoint: str, at: float, n: int = 1) -> None:
        """Counts `n` calls (1 per request) in the minute bucket and the hourly rollup."""
        self.counts[remote] = self.counts.get(remote, 0) + n
        minute = _minute(at)
        hour = minute.replace(minute=0)
        with connection.cursor() as cursor:
            cursor.execute(_upsert_sql(ApiUsage, ["account_id", "remote", "endpoint", "minute"]),
                           [self.account.pk, remote, endpoint[:100], minute, n])
            cursor.execute(_upsert_sql(ApiUsageHour, ["account_id", "remote", "hour"]),
                           [self.account.pk, remote, hour, n])

    def used_since(self, remote: str, since: float) -> int:
        return rolling_sum(self.account, remote, _minute(since))

    def set_org_limit(self, used: int, limit: int) -> None:
        OrgLimit.objects.update_or_create(account=self.account,
                                          defaults={"used": used, "max": limit})


def budget_for(account: Account, ledger: DbLedger) -> Budget:
    return Budget(ledger=ledger, allocated=account.api.allocation)
