"""Health-only state: the record view's column choice. API usage lives in syncadmin.usage."""

from django.conf import settings
from django.db import models

from syncadmin.accounts.models import Account


class UserColumns(models.Model):
    """The record view's columns a user chose for an account (More → Edit columns)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    columns = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="one_column_choice")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account}: {', '.join(self.columns)}"
