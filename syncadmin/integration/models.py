"""Per-account integration settings, with HubSpot's "Recommended setup" as defaults.

Every settings model derives from AuditedModel: the audit mechanism (syncadmin.audit.log)
compares the values loaded from the database with the saved ones, so no view writes audit rows
itself.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from syncadmin.accounts.models import Account
from syncadmin.audit.models import AuditedModel
from syncadmin.integration import choices as c


class ContactSettings(AuditedModel):
    """The Contacts tab (FEATURES D1–D8)."""

    def audit_object(self) -> str:
        return "contacts"

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="contacts")
    sf_to_hs_create = models.CharField(
        _("When a Salesforce lead or contact is created or updated"),
        max_length=20, choices=c.SfToHsCreate.choices, default=c.SfToHsCreate.CREATE_UPDATE,
    )
    hs_to_sf_object = models.CharField(
        _("When a HubSpot contact is created or updated"),
        max_length=10, choices=c.HsToSfObject.choices, default=c.HsToSfObject.LEAD,
    )
    sf_deletion = models.CharField(
        _("When a Salesforce lead or contact is deleted"),
        max_length=10, choices=c.DeletionRule.choices, default=c.DeletionRule.NOTHING,
    )
    lifecycle = models.CharField(
        _("When a Salesforce contact's opportunity changes"),
        max_length=10, choices=c.LifecycleRule.choices, default=c.LifecycleRule.UPDATE,
    )
    company_lifecycle_sync = models.BooleanField(
        _("Also move the other contacts of the same company"), default=False,
    )
    inclusion_list_id = models.CharField(
        _("Inclusion list"), max_length=40, blank=True,
        help_text=_("Only members of this HubSpot list sync to Salesforce. None: all contacts."),
    )
    sf_picklist_mode = models.CharField(
        _("Salesforce state/country picklists"),
        max_length=12, choices=c.SfPicklistMode.choices, default=c.SfPicklistMode.DISABLED,
    )
    hs_state_country_mode = models.CharField(
        _("HubSpot state/country values"),
        max_length=10, choices=c.HsStateCountryMode.choices, default=c.HsStateCountryMode.MATCH,
    )
    only_with_email = models.BooleanField(
        _("Only sync contacts with an email address"), default=True
    )
    direction = models.CharField(
        _("Sync direction"), max_length=14, choices=c.Direction.choices, default=c.Direction.TWO_WAY
    )
    conflict_app = models.CharField(
        _("When data conflicts, prefer"),
        max_length=10, choices=c.App.choices, default=c.App.SALESFORCE,
    )

    class Meta:
        verbose_name = _("contact settings")
        verbose_name_plural = _("contact settings")

    def save(self, *args: Any, **kwargs: Any) -> None:
        _spread_conflict_app(self, "contacts", *args, **kwargs)

    def __str__(self) -> str:
        return f"Contact settings of {self.account}"

    def clean(self) -> None:
        # Creating SF records from HubSpot with nothing allowed to reach SF is contradictory.
        if self.direction == c.Direction.TO_HUBSPOT and self.inclusion_list_id:
            raise ValidationError(
                {"inclusion_list_id": _("An inclusion list limits what syncs to Salesforce; "
                                        "the direction is 'Only to HubSpot'.")}
            )


class ObjectSync(AuditedModel):
    """Companies, Deals, Tickets and custom objects tabs (FEATURES E1, E3, H1, H3)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="object_syncs")
    object = models.CharField(max_length=12, choices=c.SyncObject.choices)
    sf_object = models.CharField(_("Salesforce object"), max_length=80, blank=True)
    hs_object = models.CharField(_("HubSpot object"), max_length=80, blank=True)
    enabled = models.BooleanField(_("Sync on"), default=False)
    direction = models.CharField(
        _("Sync direction"), max_length=14, choices=c.Direction.choices, default=c.Direction.TWO_WAY
    )
    conflict_app = models.CharField(
        _("When data conflicts, prefer"),
        max_length=10, choices=c.App.choices, default=c.App.SALESFORCE,
    )
    sf_deletion = models.CharField(
        _("When the Salesforce record is deleted"),
        max_length=10, choices=c.ObjectDeletionRule.choices, default=c.ObjectDeletionRule.NOTHING,
    )
    # Initial-sync limit, one property filter per side (H3): {"field", "operator", "value"}.
    hs_filter = models.JSONField(_("HubSpot filter"), default=dict, blank=True)
    sf_filter = models.JSONField(_("Salesforce filter"), default=dict, blank=True)
    # Custom objects (E3): lookups to synced objects found when the HubSpot schema was made,
    # {"Contact__c": "contacts"}; they become associations. hs_object holds its objectTypeId.
    lookups = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("object sync")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "object", "sf_object"], name="one_sync_per_object"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_object_display()} sync of {self.account}"

    def audit_object(self) -> str:
        return f"custom:{self.sf_object}" if self.object == "custom" else self.object

    def save(self, *args: Any, **kwargs: Any) -> None:
        _spread_conflict_app(self, self.object, *args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if self.object == c.SyncObject.CONTACTS:
            errors["object"] = _("Contacts are configured in the Contacts tab.")
        if self.object == c.SyncObject.CUSTOM:
            if not self.sf_object.endswith("__c"):
                errors["sf_object"] = _("Choose a Salesforce custom object (its name ends in __c).")
            if self.direction != c.Direction.TO_HUBSPOT:
                errors["direction"] = _("Custom objects sync one way, Salesforce to HubSpot.")
        for name in ("hs_filter", "sf_filter"):
            problem = _filter_problem(getattr(self, name))
            if problem:
                errors[name] = problem
        if errors:
            raise ValidationError(errors)


def _spread_conflict_app(row: Any, object_key: str, *args: Any, **kwargs: Any) -> None:
    """The tab's conflict app is the default of every mapping of the object (H1, F4):
    changing it moves them all; a mapping can then prefer the other app on its own."""
    old = getattr(row, "_loaded_values", {}).get("conflict_app")
    models.Model.save(row, *args, **kwargs)
    if old is not None and old != row.conflict_app:
        FieldMapping.objects.filter(account_id=row.account_id, object=object_key).update(
            conflict_app=row.conflict_app)


def _filter_problem(flt: dict) -> str | None:
    if not flt:
        return None
    if not isinstance(flt, dict) or not flt.get("field"):
        return str(_("A filter needs a field."))
    if flt.get("operator") not in c.FilterOperator.values:
        return str(_("Unknown filter operator."))
    needs_value = flt["operator"] in (c.FilterOperator.EQ, c.FilterOperator.NEQ,
                                      c.FilterOperator.CONTAINS)
    if needs_value and not str(flt.get("value", "")).strip():
        return str(_("This operator needs a value."))
    return None


class FieldMapping(AuditedModel):
    """One HubSpot property ⇄ Salesforce field (FEATURES F1–F4)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="mappings")
    # A registry key, or "custom:API_NAME" for a custom object's mappings (E3).
    object = models.CharField(max_length=100)
    hs_property = models.CharField(_("HubSpot property"), max_length=100)
    sf_field = models.CharField(_("Salesforce field"), max_length=100)
    # Leads name some fields differently (MailingCity vs City); blank = no lead field.
    sf_lead_field = models.CharField(_("Salesforce lead field"), max_length=100, blank=True)
    field_type = models.CharField(
        _("Type"), max_length=10, choices=c.FieldType.choices, default=c.FieldType.TEXT
    )
    sync_rule = models.CharField(
        _("Sync rule"), max_length=10, choices=c.SyncRule.choices, default=c.SyncRule.PREFER_SF
    )
    conflict_app = models.CharField(
        _("When both changed, prefer"),
        max_length=10, choices=c.App.choices, default=c.App.SALESFORCE,
    )
    enabled = models.BooleanField(_("On"), default=True)
    required = models.BooleanField(_("Required"), default=False)
    custom = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("field mapping")
        ordering = ["object", "-required", "hs_property"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "object", "hs_property"], name="one_mapping_per_property"
            )
        ]

    def __str__(self) -> str:
        return f"{self.hs_property} ⇄ {self.sf_field}"

    def audit_label(self) -> str:
        from syncadmin.sync import objects  # the registry imports nothing of this app

        return f"{objects.get(self.object).label} mapping {self.hs_property}"

    def audit_detail(self) -> str:
        return f"{self.hs_property} ⇄ {self.sf_field}"

    def clean(self) -> None:
        if self.required and (not self.enabled or self.sync_rule == c.SyncRule.NONE):
            raise ValidationError(
                {"enabled": _("A required mapping cannot be turned off or set to Don't sync.")}
            )


class ValueMapping(AuditedModel):
    """One picklist value ⇄ one HubSpot option, per pipeline: deal stage ⇄ opportunity stage,
    ticket status ⇄ case status, ticket priority ⇄ case priority (FEATURES E1).

    Rows are pairs; either side may repeat (ten Salesforce stages onto seven HubSpot ones).
    HubSpot → Salesforce uses the first row (by id) with the HubSpot value; Salesforce →
    HubSpot the first row with the Salesforce value in the deal's pipeline. A value with no
    row is a classified error, not a crash. Defaults are made at the first sync from the org's
    picklist and the portal's pipelines; the admin edits them on the object's tab.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="value_mappings")
    object = models.CharField(max_length=100)
    hs_property = models.CharField(_("HubSpot property"), max_length=100)
    pipeline = models.CharField(_("Pipeline"), max_length=100, blank=True)
    hs_value = models.CharField(_("HubSpot value"), max_length=100)
    hs_label = models.CharField(max_length=200, blank=True)
    sf_value = models.CharField(_("Salesforce value"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("value mapping")
        ordering = ["object", "hs_property", "pipeline", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "object", "hs_property", "pipeline",
                                            "hs_value", "sf_value"], name="one_value_mapping"),
        ]

    def __str__(self) -> str:
        return f"{self.hs_property}={self.hs_value} ⇄ {self.sf_value}"

    def audit_label(self) -> str:
        return f"{self.object} {self.hs_property} {self.hs_label or self.hs_value}"

    def audit_detail(self) -> str:
        return f"{self.hs_property} {self.pipeline} {self.hs_value}".replace("  ", " ")


class TimelineEventSetting(AuditedModel):
    """HubSpot → Salesforce: one HubSpot timeline event as SF tasks (FEATURES G1)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="timeline_events")
    event = models.CharField(max_length=30, choices=c.TimelineEvent.choices)
    enabled = models.BooleanField(_("Sync"), default=False)
    sf_task_type = models.CharField(
        _("Salesforce task type"), max_length=20, choices=c.SfTaskType.choices, blank=True,
        default=c.SfTaskType.NONE,
    )

    class Meta:
        verbose_name = _("timeline event")
        constraints = [
            models.UniqueConstraint(fields=["account", "event"], name="one_setting_per_event")
        ]

    def __str__(self) -> str:
        return self.get_event_display()

    def audit_label(self) -> str:
        return f"Timeline event {self.get_event_display()}"

    def audit_object(self) -> str:
        return "activities"

    def audit_detail(self) -> str:
        return f"timeline:{self.event}"


class SfActivitySetting(AuditedModel):
    """Salesforce → HubSpot: Tasks, Emails, Calls, Meetings sub-tabs (FEATURES G5)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sf_activities")
    kind = models.CharField(max_length=10, choices=c.SfActivityKind.choices)
    enabled = models.BooleanField(_("Sync on"), default=False)
    deletion = models.CharField(
        _("When deleted in Salesforce"),
        max_length=10, choices=c.ActivityDeletion.choices, default=c.ActivityDeletion.NOTHING,
    )
    conflict_app = models.CharField(
        _("When data conflicts, prefer"),
        max_length=10, choices=c.App.choices, default=c.App.SALESFORCE,
    )
    # No backfill (G5): only rows created or changed after the kind was turned on sync.
    enabled_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("Salesforce activity setting")
        constraints = [
            models.UniqueConstraint(fields=["account", "kind"], name="one_setting_per_kind")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()

    def audit_label(self) -> str:
        return f"Salesforce {self.get_kind_display()}"

    def audit_object(self) -> str:
        return "activities"

    def audit_detail(self) -> str:
        return f"sf:{self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.enabled and self.enabled_at is None:
            self.enabled_at = timezone.now()
        elif not self.enabled:
            self.enabled_at = None
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "enabled_at"}
        super().save(*args, **kwargs)


class ActivityMapping(AuditedModel):
    """Salesforce field → HubSpot activity property, per Salesforce activity kind (G5).

    Defaults come from the kind's spec (syncadmin.sync.objects.activities) the first time the
    tab or a sync needs them; the admin edits them and adds new ones. Owners never map."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE,
                                related_name="activity_mappings")
    kind = models.CharField(max_length=10, choices=c.SfActivityKind.choices)
    hs_property = models.CharField(_("HubSpot property"), max_length=100)
    sf_field = models.CharField(_("Salesforce field"), max_length=100)
    enabled = models.BooleanField(_("On"), default=True)

    class Meta:
        verbose_name = _("activity mapping")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "kind", "hs_property"],
                                    name="one_activity_mapping_per_property")
        ]

    def __str__(self) -> str:
        return f"{self.sf_field} → {self.hs_property}"

    def audit_label(self) -> str:
        return f"{self.get_kind_display()} mapping {self.hs_property}"

    def audit_object(self) -> str:
        return "activities"

    def audit_detail(self) -> str:
        return f"sf:{self.kind} {self.hs_property}"


class ApiSettings(AuditedModel):
    """The Salesforce API call allocation (FEATURES B2, I1)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="api")
    allocation = models.PositiveIntegerField(
        _("Allocated to HubSpot"), default=50_000, validators=[MinValueValidator(1)],
        help_text=_("Salesforce API calls the integration may use in any 24 hours."),
    )

    class Meta:
        verbose_name = _("API allocation")

    def __str__(self) -> str:
        return f"API allocation of {self.account}"
