"""API usage ledger and the org limit Salesforce reports (FEATURES B1–B3, I1)."""

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
        constraints = [
            models.UniqueConstraint(fields=["account", "remote", "endpoint", "minute"],
                                    name="one_usage_bucket")
        ]
        indexes = [models.Index(fields=["account", "remote", "minute"])]

    def __str__(self) -> str:
        return f"{self.remote} {self.endpoint} {self.minute:%H:%M} ×{self.calls}"


class OrgLimit(models.Model):
    """The last `Sforce-Limit-Info: api-usage=used/max` Salesforce sent."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="org_limit")
    used = models.PositiveIntegerField(default=0)
    max = models.PositiveIntegerField(default=0)
    seen_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.used}/{self.max}"
