"""The contacts' plan stage: what to do with one person (pure: no I/O, no database).

`plan_contact` takes what the link stage found about one pair — both sides' values already
in HubSpot's terms, the ids each side and the link carry, the snapshot — and the account's
contact policy, and returns a ContactDecision. The field rules are `rules.plan_fields`
(shared with every object); what is the contacts' own is around them: deletions (H6, H7),
exclusion by email (D1, D8, H5), the inclusion list and creation settings (D1, D2, D6, H1),
leads vs contacts as the target (D3), country and state sent together (D7), and the ids
each side carries for the other (DESIGN.md 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from syncadmin.sync import rules
from syncadmin.sync.pipeline.contacts.fields import ADDRESS, HS_SF_ID, SF_EXT_ID, label

# Actions: sync | exclude | deleted_sf | archive_hs | deleted_hs | nothing
SYNC, EXCLUDE = "sync", "exclude"
DELETED_SF, ARCHIVE_HS, DELETED_HS, NOTHING = "deleted_sf", "archive_hs", "deleted_hs", "nothing"


@dataclass(frozen=True, slots=True)
class ContactInputs:
    """One pair as the plan sees it. `sf_row`/`hs_props`: the raw rows read in this run
    (None when that side did not change); `sf_values`/`hs_values`: the same in canonical
    terms; `link_*`: what the record link knew before this run."""

    sf_row: dict[str, Any] | None = None
    hs_props: dict[str, Any] | None = None
    sf_values: dict[str, Any] | None = None
    hs_values: dict[str, Any] | None = None
    sf_object: str = ""  # the row's object, else the link's
    hs_id: str | None = None  # the HubSpot id found in this run
    link_sf_id: str | None = None
    link_hs_id: str | None = None
    snapshot: dict[str, Any] | None = None
    duplicate: bool = False  # a second Salesforce record with the same email (D1)
    sf_deleted: bool = False
    hs_deleted: bool = False
    saved: bool = True  # the link existed before this run


@dataclass
class ContactDecision:
    action: str = SYNC
    reason: str = ""  # why excluded
    label: str | None = None  # the link's label and email, once the person may sync
    email: str | None = None
    hs_create: dict[str, Any] | None = None
    hs_update: dict[str, Any] | None = None
    sf_target: str = ""  # Contact or Lead, for sf_create
    sf_create: dict[str, Any] | None = None
    sf_update: dict[str, Any] | None = None  # {} still writes the ids (HubSpot_Id__c)
    snapshot: dict[str, Any] | None = None  # set when the pair syncs

    @property
    def writes(self) -> bool:
        return any(x is not None for x in (self.hs_create, self.hs_update, self.sf_create,
                                            self.sf_update))


def plan_contact(c: ContactInputs, policy: rules.ContactPolicy,
                 mappings: Sequence[rules.Mapping], *, in_list: bool = True
                 ) -> ContactDecision:
    """`in_list`: the contact is in the HubSpot inclusion list, or there is none."""
    return screen(c, policy) or plan_sync(c, policy, mappings, in_list=in_list)


def screen(c: ContactInputs, policy: rules.ContactPolicy) -> ContactDecision | None:
    """Deletions and exclusions by email: decided before the inclusion list is needed
    (it is read from HubSpot the first time a person gets past this)."""
    if c.sf_deleted:
        if not c.saved:
            return ContactDecision(NOTHING)  # never synced: nothing to do in HubSpot
        if rules.on_sf_deleted(policy) == "archive_hs" and c.link_hs_id:
            return ContactDecision(ARCHIVE_HS)
        return ContactDecision(DELETED_SF)
    if c.hs_deleted:
        return ContactDecision(DELETED_HS)
    sf_values, hs_values = _values(c)
    email = (sf_values or {}).get("email") or (hs_values or {}).get("email")
    reason = rules.exclusion_reason(policy, email, duplicate_email=c.duplicate)
    if reason and not (c.link_sf_id and c.link_hs_id):
        return ContactDecision(EXCLUDE, reason)
    return None


def _has_sf(c: ContactInputs) -> bool:
    return c.sf_row is not None or bool(c.link_sf_id)


def _has_hs(c: ContactInputs) -> bool:
    return c.hs_props is not None or bool(c.link_hs_id or c.hs_id)


def _values(c: ContactInputs) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The side that did not change in this window still holds the snapshot values."""
    sf_values, hs_values = c.sf_values, c.hs_values
    if sf_values is None and _has_sf(c):
        sf_values = dict(c.snapshot or {})
    if hs_values is None and _has_hs(c):
        hs_values = dict(c.snapshot or {})
    return sf_values, hs_values


def plan_sync(c: ContactInputs, policy: rules.ContactPolicy,
              mappings: Sequence[rules.Mapping], *, in_list: bool) -> ContactDecision:
    """A person past `screen`: the field plan and the writes it allows."""
    has_sf, has_hs = _has_sf(c), _has_hs(c)
    sf_values, hs_values = _values(c)
    email = (sf_values or {}).get("email") or (hs_values or {}).get("email")
    target = c.sf_object or rules.hs_to_sf_target(policy, existing_sf_object=None)
    plan = rules.plan_fields(mappings, hs_values if has_hs else None,
                             sf_values if has_sf else None, c.snapshot,
                             sf_object=target, direction=policy.direction)
    # State only makes sense with its country: send them together (D7).
    if any(k in plan.to_sf for k in ADDRESS) and hs_values is not None:
        for key in ADDRESS:
            if key not in plan.to_sf and hs_values.get(key):
                plan.to_sf[key] = hs_values[key]
    to_hs_ok = rules.sf_to_hs_allowed(policy, linked=has_hs, in_inclusion_list=in_list)
    to_sf_ok = rules.hs_to_sf_allowed(policy, in_inclusion_list=in_list)
    d = ContactDecision(SYNC, label=label(sf_values, hs_values),
                        email=rules.normalize_email(email))
    if not has_hs:
        if not to_hs_ok:
            d.action, d.reason = EXCLUDE, "sf_to_hs_off"
            return d
        props = {k: v for k, v in plan.to_hs.items() if v not in (None, "")}
        props[HS_SF_ID] = c.sf_row["Id"] if c.sf_row else c.link_sf_id
        d.hs_create = props
    else:
        props = dict(plan.to_hs) if to_hs_ok else {}
        sf_id = (c.sf_row or {}).get("Id") or c.link_sf_id
        if sf_id and (c.hs_props or {}).get(HS_SF_ID) != sf_id and c.hs_props is not None:
            props[HS_SF_ID] = sf_id
        if props:
            d.hs_update = props
    if not has_sf:
        if not to_sf_ok:
            # Outside the inclusion list, or HubSpot → Salesforce is off (D6, H1).
            d.action, d.reason = EXCLUDE, "filtered"
            return d
        d.sf_target = rules.hs_to_sf_target(policy, existing_sf_object=None)
        d.sf_create = dict(plan.to_sf)
    else:
        fields = dict(plan.to_sf) if to_sf_ok else {}
        hs_id = c.hs_id or c.link_hs_id
        if fields or (hs_id and c.sf_row is not None and c.sf_row.get(SF_EXT_ID) != hs_id):
            d.sf_update = fields
    d.snapshot = plan.snapshot
    return d

