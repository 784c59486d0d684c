"""API usage ledger and the org limit Salesforce reports (FEATURES B1–B3, I1).

The sync engine writes these (through `ledger.DbLedger`) and Sync Health reads them, so they
live below both. The tables keep the names the health app gave them when it owned the models.
"""

from django.db import models

from syncadmin.accounts.models import Account


class ApiUsage(models.Model):
    """Calls per account, remote, endpoint and minute.

    A per-minute bucket (not one row per call) keeps the rolling 24-hour sum cheap to read
    before every Salesforce request, and the hourly chart a small aggregate.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="api_usage")
    remote = models.CharField(max_length=10)  # "salesforce" | "hubspot"
    endpoint = models.CharField(max_length=100)
    minute = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "health_apiusage"  # created by the health app, before this app existed
        constraints = [
            models.UniqueConstraint(fields=["account", "remote", "endpoint", "minute"],
                                    name="one_usage_bucket")
        ]
        indexes = [
            # Covering: the 24 h sum and the hourly chart read only the index (no heap).
            # (calls as a key column: INCLUDE is PostgreSQL-only and dev runs on SQLite.)
            models.Index(fields=["account", "remote", "minute", "calls"],
                         name="usage_minute_calls"),
        ]

    def __str__(self) -> str:
        return f"{self.remote} {self.endpoint} {self.minute:%H:%M} ×{self.calls}"


class ApiUsageHour(models.Model):
    """Calls per account, remote and hour: a rollup of ApiUsage kept by usage.ledger.DbLedger.

    The dashboard's 7-day chart and the rolling 24-hour sum read at most 168 of these (plus
    the minute buckets of one boundary hour) instead of up to a million minute buckets.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    remote = models.CharField(max_length=10)
    hour = models.DateTimeField()
    calls = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "health_apiusagehour"
        constraints = [
            models.UniqueConstraint(fields=["account", "remote", "hour"], name="one_usage_hour")
        ]

    def __str__(self) -> str:
        return f"{self.remote} {self.hour:%Y-%m-%d %H}:00 ×{self.calls}"


class OrgLimit(models.Model):
    """The last `Sforce-Limit-Info: api-usage=used/max` Salesforce sent."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="org_limit")
    used = models.PositiveIntegerField(default=0)
    max = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "health_orglimit"

    def __str__(self) -> str:
        return f"{self.used}/{self.max}"
