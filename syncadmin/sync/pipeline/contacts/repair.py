"""Chosen contacts: retry them (B6), or restore deleted ones from their last synced values
(H6, H7). Upserts keyed by the other side's id make a second click a no-op."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils import timezone

from connectors.errors import Kind, RemoteError
from syncadmin.sync import geo, rules
from syncadmin.sync.models import Direction, LinkStatus, RecordLink, SyncError
from syncadmin.sync.pipeline.commit import record_error
from syncadmin.sync.pipeline.contacts.fields import (
    HS_SF_ID,
    LEAD_COMPANY_PLACEHOLDER,
    SF_EXT_ID,
    SF_OBJECTS,
    query_in,
)
from syncadmin.sync.pipeline.contacts.types import Pair
from syncadmin.sync.pipeline.types import ObjectResult

if TYPE_CHECKING:
    from syncadmin.sync.pipeline.contacts.sync import ContactSync


def run_links(cs: ContactSync, links: list[RecordLink]) -> ObjectResult:
    """Syncs just these records again, reading their current state on both sides. The
    account's run (AccountSync) handles a reached allocation and times the job."""
    sf_rows: dict[str, dict[str, Any]] = {}
    for obj in SF_OBJECTS:
        ids = [lk.sf_id for lk in links if lk.sf_object == obj and lk.sf_id]
        if ids:
            for page in query_in(cs.sf, obj, ", ".join(cs.sf_fields(obj)), "Id", ids):
                sf_rows.update((r["Id"], r) for r in page)
    hs_ids = [lk.hs_id for lk in links if lk.hs_id]
    hs_rows = {r["id"]: r for r in cs.hs.get_many("contacts", hs_ids,
                                                  cs.fields.hs_properties())}
    pairs = []
    for link in links:
        row = sf_rows.get(link.sf_id or "")
        hs_row = hs_rows.get(link.hs_id or "")
        pairs.append(Pair(link=link, sf=row, sf_object=link.sf_object,
                          hs=hs_row["properties"] if hs_row else None, hs_id=link.hs_id))
    cs.apply(pairs)
    return cs.result


def restore(cs: ContactSync, destination: str, links: list[RecordLink]) -> ObjectResult:
    """Recreates deleted records in `destination` from their last synced values and
    relinks them."""
    if destination == "hubspot":
        _restore_in_hubspot(cs, links)
    else:
        _restore_in_salesforce(cs, links)
    return cs.result


def _restored(link: RecordLink) -> None:
    link.status, link.excluded_reason, link.synced_at = LinkStatus.IN_SYNC, "", timezone.now()
    link.save()
    SyncError.objects.filter(link=link).delete()


def _restore_in_hubspot(cs: ContactSync, links: list[RecordLink]) -> None:
    counts = cs.result.to_hs
    groups: dict[str, list[tuple[RecordLink, dict[str, Any]]]] = {"email": [], HS_SF_ID: []}
    stamps: dict[str, list[dict[str, Any]]] = {}
    for link in links:
        props = {k: v for k, v in link.snapshot.items() if not rules.is_blank(v)}
        if link.sf_id:
            props[HS_SF_ID] = link.sf_id
        groups["email" if props.get("email") else HS_SF_ID].append((link, props))
    for id_prop, group in groups.items():
        group = [(lk, p) for lk, p in group if p.get(id_prop)]
        if not group:
            continue
        outcomes = cs.hs.upsert_many("contacts", id_prop, [p for _, p in group])
        for (link, _), outcome in zip(group, outcomes, strict=True):
            if outcome.ok:
                link.hs_id = outcome.id
                counts.created += 1
                _restored(link)
                if link.sf_id:
                    stamps.setdefault(link.sf_object, []).append(
                        {"Id": link.sf_id, SF_EXT_ID: outcome.id})
            else:
                counts.failed += 1
                record_error(cs.account, link, outcome.error, Direction.TO_HS)
    # The Salesforce record must carry the new HubSpot id (DESIGN.md 3).
    for obj, records in stamps.items():
        cs.sf.update_many(obj, records)


def _restore_in_salesforce(cs: ContactSync, links: list[RecordLink]) -> None:
    counts = cs.result.to_sf
    by_object: dict[str, list[tuple[RecordLink, dict[str, Any]]]] = {}
    for link in links:
        if not link.hs_id:
            continue
        obj = link.sf_object or rules.hs_to_sf_target(cs.policy, existing_sf_object=None)
        try:
            fields = cs.fields.to_sf_fields(obj, link.snapshot)
        except geo.PicklistError as exc:
            record_error(cs.account, link, RemoteError(
                Kind.PICKLIST_VALUE, str(exc), remote="salesforce"), Direction.TO_SF)
            counts.failed += 1
            continue
        fields = {k: v for k, v in fields.items() if v is not None}
        fields[SF_EXT_ID] = link.hs_id
        if obj == "Lead" and not fields.get("Company"):
            fields["Company"] = LEAD_COMPANY_PLACEHOLDER
        link.sf_object = obj
        by_object.setdefault(obj, []).append((link, fields))
    stamps = []
    for obj, group in by_object.items():
        outcomes = cs.sf.upsert_many(obj, SF_EXT_ID, [f for _, f in group])
        for (link, _), outcome in zip(group, outcomes, strict=True):
            if outcome.ok:
                link.sf_id = outcome.id
                counts.created += 1
                _restored(link)
                stamps.append({"id": link.hs_id, "properties": {HS_SF_ID: outcome.id}})
            else:
                counts.failed += 1
                record_error(cs.account, link, outcome.error, Direction.TO_SF)
    if stamps:
        cs.hs.update_many("contacts", stamps)
