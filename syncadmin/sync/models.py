"""What the engine remembers between runs: links, snapshots, watermarks, runs, errors."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from connectors.errors import KINDS, Kind
from syncadmin.accounts.models import Account


class LinkStatus(models.TextChoices):
    IN_SYNC = "in_sync", _("In sync")
    FAILED = "failed", _("Failed")
    EXCLUDED = "excluded", _("Excluded")
    DELETED_HS = "deleted_hs", _("Deleted in HubSpot")
    DELETED_SF = "deleted_sf", _("Deleted in Salesforce")


class RecordLink(models.Model):
    """One record as known on both sides, with the values last synced (the snapshot)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="links")
    # A registry key ("contacts", "deals"); later "custom:Shipment__c" tells custom objects
    # apart, hence the length.
    object = models.CharField(max_length=100)
    # NULL, not "", while a side has no record yet: the unique constraints skip NULLs.
    hs_id = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001
    sf_object = models.CharField(max_length=80, blank=True)
    sf_id = models.CharField(max_length=18, null=True, blank=True)  # noqa: DJ001
    email = models.CharField(max_length=254, blank=True)  # normalised, for matching
    label = models.CharField(max_length=255, blank=True)  # a readable name for the UI
    status = models.CharField(max_length=12, choices=LinkStatus.choices,
                              default=LinkStatus.IN_SYNC)
    excluded_reason = models.CharField(max_length=40, blank=True)
    snapshot = models.JSONField(default=dict, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    # Automatic retries of a failed record (issue 17): how many so far, and when the next
    # is due (pipeline/retry_schedule.py); both cleared when it syncs.
    retries = models.PositiveSmallIntegerField(default=0)
    retry_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "object", "hs_id"],
                                    condition=Q(hs_id__isnull=False), name="link_unique_hs_id"),
            models.UniqueConstraint(fields=["account", "sf_object", "sf_id"],
                                    condition=Q(sf_id__isnull=False), name="link_unique_sf_id"),
        ]
        indexes = [
            models.Index(fields=["account", "object", "status"]),
            models.Index(fields=["account", "object", "email"]),
            models.Index(fields=["account", "retry_at"], condition=Q(retry_at__isnull=False),
                         name="link_retry_due"),
        ]

    def __str__(self) -> str:
        return self.label or f"{self.object} hs={self.hs_id} sf={self.sf_id}"


class Watermark(models.Model):
    """Up to when each side's changes were fully applied (DESIGN.md decision 4)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="watermarks")
    side = models.CharField(max_length=10)  # "salesforce" | "hubspot"
    stream = models.CharField(max_length=80)  # e.g. "contacts:Contact", "deals"
    value = models.DateTimeField()
    # For cursors that walk records rather than time (the association sweep): the last pk.
    position = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "side", "stream"], name="one_watermark")
        ]

    def __str__(self) -> str:
        return f"{self.side}:{self.stream}@{self.value:%Y-%m-%d %H:%M:%S}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    PAUSED = "paused", _("Paused (API limit)")
    SKIPPED = "skipped", _("Skipped")
    CANCELLED = "cancelled", _("Cancelled")  # an import stopped by the admin (E4)


class SyncRun(models.Model):
    """One job: poll, full sync, retry, resync, export or import, as shown in the job
    history."""

    class Kind(models.TextChoices):
        POLL = "poll", _("Incremental sync")
        FULL = "full", _("Initial / full sync")
        RETRY = "retry", _("Retry failed records")
        RESYNC = "resync", _("Resync deleted records")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import from Salesforce")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POLL)
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)  # {"contacts": {"to_hs": {...}}}
    sf_calls = models.PositiveIntegerField(default=0)
    hs_calls = models.PositiveIntegerField(default=0)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    params = models.JSONField(default=dict, blank=True)
    result_file = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["account", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.status} @ {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class Direction(models.TextChoices):
    TO_HS = "to_hs", _("Salesforce → HubSpot")
    TO_SF = "to_sf", _("HubSpot → Salesforce")


class SyncError(models.Model):
    """A current error: one per record and error kind; deleted when the record next syncs."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="sync_errors")
    link = models.ForeignKey(RecordLink, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="errors")
    object = models.CharField(max_length=100)
    kind = models.CharField(max_length=24, choices=[(k.value, KINDS[k].label) for k in Kind])
    direction = models.CharField(max_length=6, choices=Direction.choices)
    record_label = models.CharField(max_length=255, blank=True)
    hs_id = models.CharField(max_length=32, blank=True)
    sf_id = models.CharField(max_length=18, blank=True)
    code = models.CharField(max_length=80, blank=True)
    message = models.TextField(blank=True)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField(auto_now=True)
    occurrences = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "link", "kind"],
                                    name="one_error_per_record_and_kind"),
        ]
        indexes = [models.Index(fields=["account", "kind"]),
                   models.Index(fields=["account", "object", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.record_label}"


class AssociationLink(models.Model):
    """One synced association between two linked records (FEATURES E2, H8).

    `to_link` is empty while the associated record is not synced yet: the remote id waits in
    `pending_sf_id`/`pending_hs_id` and a later run resolves it, instead of an error storm.
    `sf_id` is the junction row (OpportunityContactRole) for multi-valued associations.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="associations")
    kind = models.CharField(max_length=40)  # AssociationSpec.key: "contact_company"
    from_link = models.ForeignKey(RecordLink, on_delete=models.CASCADE,
                                  related_name="associations_from")
    to_link = models.ForeignKey(RecordLink, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="associations_to")
    pending_sf_id = models.CharField(max_length=18, blank=True)
    pending_hs_id = models.CharField(max_length=32, blank=True)
    sf_id = models.CharField(max_length=18, blank=True)
    synced_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "from_link", "to_link"],
                                    condition=Q(to_link__isnull=False),
                                    name="one_association_per_pair"),
        ]
        indexes = [models.Index(fields=["account", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind}: {self.from_link_id} → {self.to_link_id or 'pending'}"
