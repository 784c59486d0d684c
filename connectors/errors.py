"""One error type for both remotes, with a stable kind (DESIGN.md decision 7).

Each kind carries a label, a help text and a how-to-fix text for the Sync Health cards, and
says whether retrying can help (transient) or not (permanent). Adapters map every remote
error code to a kind here; unknown codes become GENERIC and keep the raw text.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

try:  # Translatable when Django is around; connectors/ must not require it.
    from django.utils.translation import gettext_lazy as _
except ImportError:  # pragma: no cover

    def _(s: str) -> str:  # type: ignore[misc]
        return s


class Kind(StrEnum):
    INVALID_EMAIL = "invalid_email"
    VALUE_TOO_LONG = "value_too_long"
    PICKLIST_VALUE = "picklist_value"
    REQUIRED_FIELD = "required_field"
    VALIDATION_RULE = "validation_rule"
    DUPLICATE_RULE = "duplicate_rule"
    DUPLICATE_VALUE = "duplicate_value"
    AMBIGUOUS_MATCH = "ambiguous_match"
    INSUFFICIENT_ACCESS = "insufficient_access"
    RECORD_DELETED = "record_deleted"
    RECORD_LOCKED = "record_locked"
    FIELD_MISSING = "field_missing"
    TYPE_MISMATCH = "type_mismatch"
    ASSOCIATION_FAILED = "association_failed"
    ALLOCATION_REACHED = "allocation_reached"
    SF_DAILY_LIMIT = "sf_daily_limit"
    RATE_LIMITED = "rate_limited"
    AUTH_EXPIRED = "auth_expired"
    PERMISSIONS = "permissions"
    UNAVAILABLE = "unavailable"
    GENERIC = "generic"


@dataclass(frozen=True)
class KindInfo:
    label: Any  # str, or a lazy translation under Django
    help: Any
    fix: Any
    permanent: bool


KINDS: dict[Kind, KindInfo] = {
    Kind.INVALID_EMAIL: KindInfo(
        _("Invalid email"),
        _("The other system refused the email address as malformed."),
        _("Correct the email address on the record; it syncs again on its next change."),
        True,
    ),
    Kind.VALUE_TOO_LONG: KindInfo(
        _("Value too long"),
        _("A value is longer than the destination field allows."),
        _("Shorten the value, or lengthen the field in Salesforce."),
        True,
    ),
    Kind.PICKLIST_VALUE: KindInfo(
        _("Picklist value not allowed"),
        _("A value is not one of the options of a restricted picklist or enumeration."),
        _("Add the value to the picklist, change it on the record, or turn on "
          "state/country matching in the Contacts tab."),
        True,
    ),
    Kind.REQUIRED_FIELD: KindInfo(
        _("Required field missing"),
        _("The destination requires a field that is blank on the record."),
        _("Fill in the field on the record, or map a property that always has a value."),
        True,
    ),
    Kind.VALIDATION_RULE: KindInfo(
        _("Validation rule"),
        _("A custom validation rule in Salesforce rejected the record."),
        _("Read the rule's message, fix the record or relax the rule for the integration user."),
        True,
    ),
    Kind.DUPLICATE_RULE: KindInfo(
        _("Duplicate rule"),
        _("A duplicate rule blocked creating the record."),
        _("Merge the duplicates, or allow the integration user to bypass the rule."),
        True,
    ),
    Kind.DUPLICATE_VALUE: KindInfo(
        _("Duplicate unique value"),
        _("Another Salesforce record already holds this value in a field marked unique, "
          "such as the HubSpot id field."),
        _("Open the record the message names: merge the two records, or clear the value on "
          "the one that should not have it; the record syncs again on its next change."),
        True,
    ),
    Kind.AMBIGUOUS_MATCH: KindInfo(
        _("Several records match"),
        _("The external id matches more than one Salesforce record, so Salesforce updated "
          "none of them."),
        _("Merge the matching records or clear the id on all but one, and make the field "
          "unique in Salesforce so it cannot happen again."),
        True,
    ),
    Kind.INSUFFICIENT_ACCESS: KindInfo(
        _("Field not writable"),
        _("The integration user cannot read or update this record or field."),
        _("Give the integration user edit access to the field, or set the mapping's "
          "rule so it does not write to Salesforce."),
        True,
    ),
    Kind.RECORD_DELETED: KindInfo(
        _("Record deleted"),
        _("The record was deleted in the destination."),
        _("Restore it in the destination, or use Resync deleted records."),
        True,
    ),
    Kind.RECORD_LOCKED: KindInfo(
        _("Record locked"),
        _("Another process held a lock on the record."),
        _("Nothing: the record is retried automatically."),
        False,
    ),
    Kind.FIELD_MISSING: KindInfo(
        _("Property or field missing"),
        _("A mapped property or field does not exist in the destination."),
        _("Create the field, or remove the mapping."),
        True,
    ),
    Kind.TYPE_MISMATCH: KindInfo(
        _("Type mismatch"),
        _("A value does not have the type the destination field expects."),
        _("Correct the value, or map a field of a compatible type."),
        True,
    ),
    Kind.ASSOCIATION_FAILED: KindInfo(
        _("Association failed"),
        _("A related record could not be associated."),
        _("Make sure the related record syncs, then retry."),
        True,
    ),
    Kind.ALLOCATION_REACHED: KindInfo(
        _("API allocation reached"),
        _("The integration used all the Salesforce API calls allocated to it in the "
          "last 24 hours and paused."),
        _("Wait for the 24-hour window to free calls, or raise the allocation on Sync Health."),
        False,
    ),
    Kind.SF_DAILY_LIMIT: KindInfo(
        _("Salesforce daily limit"),
        _("The Salesforce org reached its own daily API request limit."),
        _("Wait for Salesforce to reset the limit, or buy more API calls."),
        False,
    ),
    Kind.RATE_LIMITED: KindInfo(
        _("Rate limited"),
        _("The remote system asked us to slow down."),
        _("Nothing: requests are retried after the delay the remote asked for."),
        False,
    ),
    Kind.AUTH_EXPIRED: KindInfo(
        _("Authentication expired or revoked"),
        _("The stored credentials were refused."),
        _("Reconnect the account from the integration settings."),
        True,
    ),
    Kind.PERMISSIONS: KindInfo(
        _("Permissions"),
        _("The Salesforce integration user lacks a permission the sync needs: it could not "
          "grant itself access to the HubSpot Id field it created, which Salesforce hides "
          "from everyone until field permissions allow it."),
        _("In Salesforce Setup, give the integration user the \"Manage Profiles and "
          "Permission Sets\" permission, or have an admin grant it Read and Edit on the "
          "HubSpot Id field (HubSpot_Id__c) of each synced object in a permission set. The "
          "next sync run continues."),
        True,
    ),
    Kind.UNAVAILABLE: KindInfo(
        _("Remote unavailable"),
        _("The remote system did not answer or answered with a server error."),
        _("Nothing: the request is retried with backoff."),
        False,
    ),
    Kind.GENERIC: KindInfo(
        _("Other error"),
        _("The remote system refused the request for a reason we do not classify."),
        _("Read the remote message; fix the record or the settings it names."),
        True,
    ),
}


class RemoteError(Exception):
    """A failure of one remote request or of one record within a batch."""

    def __init__(
        self,
        kind: Kind,
        message: str,
        *,
        code: str = "",
        remote: str = "",
        record: str | None = None,
        fields: tuple[str, ...] = (),
        status: int | None = None,
        retry_after: float | None = None,
        permanent: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.code = code
        self.remote = remote  # "salesforce" | "hubspot"
        self.record = record
        self.fields = fields
        self.status = status
        self.retry_after = retry_after
        self.permanent = KINDS[kind].permanent if permanent is None else permanent

    def __repr__(self) -> str:
        return f"RemoteError({self.kind}, {self.code!r}, {self.message!r})"


class BudgetExhausted(RemoteError):
    """The account's 24-hour Salesforce allocation is used up; nothing was sent."""

    def __init__(self, used: int, allocated: int) -> None:
        super().__init__(
            Kind.ALLOCATION_REACHED,
            f"Salesforce API allocation reached: {used} of {allocated} calls in 24 h",
            remote="salesforce",
        )
        self.used = used
        self.allocated = allocated


@dataclass
class Outcome:
    """What became of one record of a batch write; the good ones of a partly failed batch
    are not sent again."""

    ok: bool
    id: str | None = None
    created: bool = False
    error: RemoteError | None = None
    key: str | None = None  # the external id / idProperty value, or the input index
