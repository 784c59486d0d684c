"""The settings audit log (FEATURES J2): the entries, and the base class of audited models.

Below accounts and integration alike: accounts records refused actions and connections,
integration's settings models derive from AuditedModel.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from syncadmin.accounts.models import Account


class AuditedModel(models.Model):
    """Remembers the values it was loaded with so that changes can be audited."""

    _loaded_values: dict[str, Any]
    account_id: int

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any, **kwargs: Any) -> Any:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._loaded_values = dict(zip(field_names, values, strict=True))
        return instance

    def audit_label(self) -> str:
        return str(self._meta.verbose_name).capitalize()

    def audit_object(self) -> str:
        """The synced object the row belongs to ("contacts", "deals", "custom:X",
        "activities"), stored as a key so the log can say it in any language."""
        return str(getattr(self, "object", "") or "")

    def audit_detail(self) -> str:
        """What tells this row from its siblings (a mapping's property), language-free."""
        return ""


class AuditEntry(models.Model):
    """Who changed which setting, from what to what, when (FEATURES J2). Append-only."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")
        REFUSED = "refused", _("Refused")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="audit_entries")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=8, choices=Action.choices)
    target = models.CharField(max_length=200)
    changes = models.JSONField(default=dict, blank=True)  # {field: [from, to]}, raw values
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Language-free: the log renders labels in the reader's language (issue 17, defect 5).
    model = models.CharField(max_length=100, blank=True)  # "integration.objectsync"
    object = models.CharField(max_length=100, blank=True)  # registry key or "activities"
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = _("audit entries")
        # Created by the integration app, which owned the model first: the table and the
        # index keep the names it gave them.
        db_table = "integration_auditentry"
        indexes = [models.Index(fields=["account", "-at"], name="integration_account_492189_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.target}"
