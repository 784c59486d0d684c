"""The database side of connectors.usage: the ledger and budget the adapters consult."""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Sum

from connectors.usage import WINDOW_SECONDS, Budget
from syncadmin.accounts.models import Account
from syncadmin.health.models import ApiUsage, OrgLimit


def _minute(at: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(at - at % 60, tz=dt.UTC)


class DbLedger:
    """Implements connectors.usage.UsageLedger for one account."""

    def __init__(self, account: Account) -> None:
        self.account = account
        self.counts: dict[str, int] = {"salesforce": 0, "hubspot": 0}

    def record(self, remote: str, endpoint: str, at: float) -> None:
        self.counts[remote] = self.counts.get(remote, 0) + 1
        minute = _minute(at)
        updated = ApiUsage.objects.filter(
            account=self.account, remote=remote, endpoint=endpoint[:100], minute=minute
        ).update(calls=F("calls") + 1)
        if not updated:
            obj, created = ApiUsage.objects.get_or_create(
                account=self.account, remote=remote, endpoint=endpoint[:100], minute=minute,
                defaults={"calls": 1},
            )
            if not created:
                ApiUsage.objects.filter(pk=obj.pk).update(calls=F("calls") + 1)

    def used_since(self, remote: str, since: float) -> int:
        total = ApiUsage.objects.filter(
            account=self.account, remote=remote, minute__gte=_minute(since)
        ).aggregate(n=Sum("calls"))["n"]
        return int(total or 0)

    def set_org_limit(self, used: int, limit: int) -> None:
        OrgLimit.objects.update_or_create(account=self.account,
                                          defaults={"used": used, "max": limit})


def used_last_24h(account: Account, remote: str = "salesforce") -> int:
    return DbLedger(account).used_since(remote, dt.datetime.now(dt.UTC).timestamp()
                                        - WINDOW_SECONDS)


def budget_for(account: Account, ledger: DbLedger) -> Budget:
    return Budget(ledger=ledger, allocated=account.api.allocation)
