"""Chosen records of one object: retry them (B6) or restore deleted ones (H6, H7)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from connectors.salesforce import select_in_soqls
from syncadmin.sync import rules
from syncadmin.sync.models import Direction, LinkStatus, RecordLink, SyncError
from syncadmin.sync.objects import HS_SF_ID, SF_EXT_ID
from syncadmin.sync.pipeline.commit import record_error
from syncadmin.sync.pipeline.object_sync import ObjectPipeline, unmapped_error
from syncadmin.sync.pipeline.types import Pair
from syncadmin.sync.pipeline.values import Unmapped


def retry(pipe: ObjectPipeline, links: list[RecordLink]) -> None:
    """Syncs these records again, reading their current state on both sides."""
    spec = pipe.spec
    sf_ids = [lk.sf_id for lk in links if lk.sf_id]
    sf_rows: dict[str, dict[str, Any]] = {}
    for soql in select_in_soqls(spec.sf_object, pipe.sf_fields(), "Id", sf_ids):
        for page in pipe.sf.query(soql):
            sf_rows.update((r["Id"], r) for r in page)
    hs_rows = {r["id"]: r for r in pipe.hs.get_many(
        spec.hs_type, [lk.hs_id for lk in links if lk.hs_id], pipe.hs_properties())}
    pairs = []
    for link in links:
        hs_row = hs_rows.get(link.hs_id or "")
        pairs.append(Pair(link=link, sf=sf_rows.get(link.sf_id or ""),
                          hs=(hs_row or {}).get("properties") if hs_row else None,
                          hs_id=link.hs_id))
    pipe.apply(pairs)


def _restored(link: RecordLink) -> None:
    link.status, link.excluded_reason, link.synced_at = LinkStatus.IN_SYNC, "", timezone.now()
    link.save()
    SyncError.objects.filter(link=link).delete()


def restore(pipe: ObjectPipeline, destination: str, links: list[RecordLink]) -> None:
    """Recreates deleted records in `destination` from their last synced values and relinks
    them. Upserts keyed by the other side's id make a second click a no-op."""
    spec, result = pipe.spec, pipe.result
    if destination == "hubspot":
        group = [(lk, {**{k: v for k, v in lk.snapshot.items() if not rules.is_blank(v)},
                       HS_SF_ID: lk.sf_id}) for lk in links if lk.sf_id]
        outcomes = pipe.hs.upsert_many(spec.hs_type, HS_SF_ID, [p for _, p in group]) \
            if group else []
        stamps = []
        for (link, _), outcome in zip(group, outcomes, strict=True):
            if outcome.ok:
                link.hs_id = outcome.id
                result.to_hs.created += 1
                _restored(link)
                stamps.append({"Id": link.sf_id, SF_EXT_ID: outcome.id})
            else:
                result.to_hs.failed += 1
                record_error(pipe.account, link, outcome.error, Direction.TO_HS)
        if stamps:
            pipe.sf.update_many(spec.sf_object, stamps)
        return
    sf_group = []
    for link in links:
        if not link.hs_id:
            continue
        try:
            fields = pipe.converter.to_sf(spec.sf_object, link.snapshot)
        except Unmapped as exc:
            record_error(pipe.account, link, unmapped_error(exc), Direction.TO_SF)
            result.to_sf.failed += 1
            continue
        fields = {k: v for k, v in fields.items() if v is not None}
        fields[SF_EXT_ID] = link.hs_id
        sf_group.append((link, fields))
    outcomes = pipe.sf.upsert_many(spec.sf_object, SF_EXT_ID, [f for _, f in sf_group]) \
        if sf_group else []
    hs_stamps = []
    for (link, _), outcome in zip(sf_group, outcomes, strict=True):
        if outcome.ok:
            link.sf_id, link.sf_object = outcome.id, spec.sf_object
            result.to_sf.created += 1
            _restored(link)
            hs_stamps.append({"id": link.hs_id, "properties": {HS_SF_ID: outcome.id}})
        else:
            result.to_sf.failed += 1
            record_error(pipe.account, link, outcome.error, Direction.TO_SF)
    if hs_stamps:
        pipe.hs.update_many(spec.hs_type, hs_stamps)
