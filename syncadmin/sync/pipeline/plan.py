"""The plan stage: what to write where for one record pair (pure: no I/O, no database).

`plan_pair` takes the two sides' values (already in HubSpot's terms), the snapshot and the
object's policy and returns a Decision. The field rules themselves are `rules.plan_fields`,
shared with contacts; what is added here is what every object has around them: deletion
rules, initial-sync filters (H3), the identifier an object needs (H5), and direction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from syncadmin.sync import rules
from syncadmin.sync.objects import ObjectSpec
from syncadmin.sync.objects.companies import normalize_domain, normalize_name
from syncadmin.sync.pipeline.types import Policy

TO_HUBSPOT, TO_SALESFORCE = "to_hubspot", "to_salesforce"


@dataclass
class Decision:
    action: str = "sync"  # sync | exclude | archive_hs | deleted_sf | deleted_hs | nothing
    reason: str = ""
    hs_create: dict[str, Any] | None = None
    hs_update: dict[str, Any] | None = None
    sf_create: dict[str, Any] | None = None
    sf_update: dict[str, Any] | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)


def filter_matches(flt: dict[str, Any] | None, values: dict[str, Any] | None) -> bool:
    """One property filter (H3): eq, neq, contains, known, unknown; no filter matches all."""
    if not flt or not flt.get("field"):
        return True
    value = (values or {}).get(flt["field"])
    blank = rules.is_blank(value)
    text, want = str(value or "").strip().casefold(), str(flt.get("value", "")).strip().casefold()
    op = flt.get("operator")
    if op == "known":
        return not blank
    if op == "unknown":
        return blank
    if op == "eq":
        return text == want
    if op == "neq":
        return text != want
    if op == "contains":
        return want in text
    return True


def exclusion(spec: ObjectSpec, values: dict[str, Any]) -> str:
    """What keeps a record out whatever the settings (H5: the object's identifier)."""
    if spec.match == "name_or_domain" and not (normalize_name(values.get("name"))
                                               or normalize_domain(values.get("domain"))):
        return "no_name_or_domain"
    return ""


def plan_pair(spec: ObjectSpec, policy: Policy, mappings: Sequence[rules.Mapping], *,
              sf_values: dict[str, Any] | None, hs_values: dict[str, Any] | None,
              sf_raw: dict[str, Any] | None, hs_raw: dict[str, Any] | None,
              snapshot: dict[str, Any] | None, has_sf: bool, has_hs: bool,
              sf_deleted: bool = False, hs_deleted: bool = False,
              known: bool = False) -> Decision:
    """`has_sf`/`has_hs`: the record exists on that side (read now or linked before);
    `sf_values`/`hs_values`: its values, or the snapshot for a side that did not change;
    `known`: a link with both ids existed before this run (filters no longer apply)."""
    if sf_deleted:
        if has_hs and policy.sf_deletion == "delete":
            return Decision("archive_hs")
        return Decision("deleted_sf")
    if hs_deleted:
        return Decision("deleted_hs")  # deleting in HubSpot never deletes in Salesforce
    values = {**(hs_values or {}), **{k: v for k, v in (sf_values or {}).items() if v}}
    reason = exclusion(spec, values)
    if reason and not known:
        return Decision("exclude", reason)
    filtered = (has_sf and not filter_matches(policy.sf_filter, sf_raw)) or (
        has_hs and not filter_matches(policy.hs_filter, hs_raw))
    if filtered and not known:  # after the initial sync, synced records keep syncing (H3)
        return Decision("exclude", "filtered")
    if not has_hs and policy.direction == TO_SALESFORCE:
        return Decision("exclude", "direction")
    if not has_sf and policy.direction == TO_HUBSPOT:
        return Decision("exclude", "direction")
    # Each mapping carries its conflict app; the tab's setting is their default and moves
    # them all when changed (integration.models._spread_conflict_app).
    plan = rules.plan_fields(mappings, hs_values if has_hs else None,
                             sf_values if has_sf else None, snapshot,
                             sf_object=spec.sf_object, direction=policy.direction)
    decision = Decision("sync", snapshot=plan.snapshot)
    if not has_hs:
        decision.hs_create = {k: v for k, v in plan.to_hs.items() if not rules.is_blank(v)}
    elif plan.to_hs:
        decision.hs_update = dict(plan.to_hs)
    if not has_sf:
        decision.sf_create = {k: v for k, v in plan.to_sf.items() if not rules.is_blank(v)}
    elif plan.to_sf:
        decision.sf_update = dict(plan.to_sf)
    return decision

