"""The contacts' record-level rules, as pure functions (FEATURES D1–D8, H5).

Which contacts may sync (email, duplicates), in which direction and into which Salesforce
object, what deletions and lead conversions do, and how opportunities move lifecycle stages
(D5). The field-level rules they sit on are in field_rules.py; `rules` re-exports both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping as MappingABC
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from syncadmin.integration.choices import (
    DeletionRule,
    Direction,
    HsToSfObject,
    LifecycleRule,
    SfToHsCreate,
)
from syncadmin.sync.field_rules import (
    _TRUE,
    SALESFORCE,
    TO_HUBSPOT,
    TO_SALESFORCE,
    Values,
    is_blank,
)

# ---------------------------------------------------------------- record-level policy


@dataclass(frozen=True)
class ContactPolicy:
    """The record-level contact settings (mirrors integration.models.ContactSettings)."""

    sf_to_hs_create: str = SfToHsCreate.CREATE_UPDATE.value
    hs_to_sf_object: str = HsToSfObject.LEAD.value
    sf_deletion: str = DeletionRule.NOTHING.value
    lifecycle: str = LifecycleRule.UPDATE.value
    company_lifecycle_sync: bool = False
    inclusion_list_id: str = ""
    sf_picklist_mode: str = "disabled"
    hs_state_country_mode: str = "match"
    only_with_email: bool = True
    direction: str = Direction.TWO_WAY.value
    conflict_app: str = SALESFORCE


_EMAIL_LOCAL = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
_EMAIL_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_EMAIL_TLD = r"(?:[^\W\d_]{2,63}|xn--[A-Za-z0-9-]{1,59})"
_EMAIL_RE = re.compile(rf"{_EMAIL_LOCAL}@(?:{_EMAIL_LABEL}\.)+{_EMAIL_TLD}")


def normalize_email(value: Any) -> str:
    """Stripped and lower-cased; "" for None."""
    if value is None:
        return ""
    return str(value).strip().lower()


def is_valid_email(value: str | None) -> bool:
    """A pragmatic RFC 5322-ish check (no quoted local parts, no IP literals, no I/O).

    The domain needs at least one dot and an alphabetic (or punycode) top-level domain;
    internationalised domain labels are accepted.
    """
    if value is None:
        return False
    s = str(value).strip()
    if not s or len(s) > 254 or "@" not in s or len(s.rsplit("@", 1)[0]) > 64:
        return False
    return _EMAIL_RE.fullmatch(s) is not None


NO_EMAIL = "no_email"
INVALID_EMAIL = "invalid_email"
DUPLICATE_EMAIL = "duplicate_email"


def exclusion_reason(
    policy: ContactPolicy, email: str | None, *, duplicate_email: bool = False
) -> str | None:
    """Why a contact may not sync (D1, D8, H5), or None when it may.

    With "only contacts with email" on: a missing, invalid or duplicate email excludes. With
    it off a missing email is fine, but a non-blank invalid one still excludes (the other
    side would refuse it).
    """
    e = normalize_email(email)
    if not e:
        return NO_EMAIL if policy.only_with_email else None
    if not is_valid_email(e):
        return INVALID_EMAIL
    if duplicate_email and policy.only_with_email:
        return DUPLICATE_EMAIL
    return None


def sf_to_hs_allowed(policy: ContactPolicy, *, linked: bool, in_inclusion_list: bool) -> bool:
    """May a SF lead/contact create or update its HubSpot contact (D1, D2, H1)?

    Creation (not linked yet) ignores the inclusion list; updates of a linked contact only
    sync while it is in the list (when there is one).
    """
    if policy.direction == TO_SALESFORCE:
        return False
    if policy.sf_to_hs_create == SfToHsCreate.NOTHING.value:
        return False
    if not linked:
        return True
    return not policy.inclusion_list_id or in_inclusion_list


def hs_to_sf_allowed(policy: ContactPolicy, *, in_inclusion_list: bool) -> bool:
    """May a HubSpot contact sync to Salesforce (D6, H1)? No list = every contact."""
    if policy.direction == TO_HUBSPOT:
        return False
    return not policy.inclusion_list_id or in_inclusion_list


def hs_to_sf_target(policy: ContactPolicy, *, existing_sf_object: str | None) -> str:
    """Which SF object a HubSpot contact writes to (D3): the existing one, else the setting."""
    if existing_sf_object:
        known = {"lead": "Lead", "contact": "Contact"}
        obj = known.get(existing_sf_object.strip().lower())
        if obj is None:
            raise ValueError(f"contacts sync with Lead or Contact, not {existing_sf_object!r}")
        return obj
    return "Contact" if policy.hs_to_sf_object == HsToSfObject.CONTACT.value else "Lead"


def on_sf_deleted(policy: ContactPolicy) -> str:
    """D4: what a deleted SF lead/contact does to its HubSpot contact."""
    return "archive_hs" if policy.sf_deletion == DeletionRule.DELETE.value else "keep"


def on_hs_deleted(policy: ContactPolicy) -> str:
    """D4: deleting a HubSpot contact never deletes anything in Salesforce."""
    return "keep_sf"


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in _TRUE
    return bool(value)


def follow_conversion(sf_object: str, record: Values) -> tuple[str, str] | None:
    """D3: a converted Lead is followed to its Contact: ("Contact", id), else None."""
    if sf_object != "Lead" or not _truthy(record.get("IsConverted")):
        return None
    contact_id = record.get("ConvertedContactId")
    if is_blank(contact_id):
        return None
    return ("Contact", str(contact_id).strip())


# ---------------------------------------------------------------- lifecycle (D5)

LIFECYCLE_ORDER = [
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
    "evangelist",
]


def _stage_index(stage: str | None) -> int:
    """Position in LIFECYCLE_ORDER; -1 for blank, "other" or unknown (anything may follow)."""
    if stage is None:
        return -1
    try:
        return LIFECYCLE_ORDER.index(stage.strip().lower())
    except ValueError:
        return -1


def is_later_stage(new: str, current: str | None) -> bool:
    """True when `new` is a known stage strictly after `current`."""
    new_idx = _stage_index(new)
    return new_idx >= 0 and new_idx > _stage_index(current)


def lifecycle_from_opportunities(
    policy: ContactPolicy,
    current: str | None,
    opportunities: Sequence[tuple[bool, bool]],
    *,
    sf_object: str,
) -> str | None:
    """The HubSpot lifecycle stage a SF contact's opportunities imply, or None.

    `opportunities` are (is_closed, is_won) of the opportunities linked to the SF Contact
    through contact roles. Closed Won -> "customer"; any open -> "opportunity"; a stage is
    only returned when it is strictly later than `current` (never backward). Leads have no
    contact roles and HubSpot's lifecycle never converts them: always None for "Lead".
    Also None when the setting is "Do nothing" or when nothing flows to HubSpot.
    """
    if policy.lifecycle != LifecycleRule.UPDATE.value or policy.direction == TO_SALESFORCE:
        return None
    if sf_object != "Contact":
        return None
    if any(closed and won for closed, won in opportunities):
        target = "customer"
    elif any(not closed for closed, _won in opportunities):
        target = "opportunity"
    else:
        return None
    return target if is_later_stage(target, current) else None


def company_lifecycle_propagation(
    policy: ContactPolicy,
    stages_of_company_contacts: MappingABC[str, str | None],
    new_stage: str,
) -> dict[str, str]:
    """D5: with company lifecycle sync on, the company's other contacts move forward too.

    Returns {contact id: new_stage} for the contacts whose stage is earlier than
    `new_stage` (never moves one backward); {} when the setting is off.
    """
    if not policy.company_lifecycle_sync or policy.lifecycle != LifecycleRule.UPDATE.value:
        return {}
    return {
        contact_id: new_stage
        for contact_id, stage in stages_of_company_contacts.items()
        if is_later_stage(new_stage, stage)
    }
