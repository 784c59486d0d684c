"""The contacts' write stage: a chunk's planned writes in bulk on each side.

Creates are upserts keyed by the other side's id — email or salesforce_id in HubSpot,
HubSpot_Id__c in Salesforce — so a run killed anywhere and redone duplicates nothing
(DESIGN.md 3); each new id goes back on the other side's record.
"""

from __future__ import annotations

from typing import Any

from connectors.errors import Kind, RemoteError
from syncadmin.sync import geo
from syncadmin.sync.models import Direction
from syncadmin.sync.pipeline.contacts.fields import (
    HS_SF_ID,
    LEAD_COMPANY_PLACEHOLDER,
    SF_EXT_ID,
    ContactFields,
)
from syncadmin.sync.pipeline.contacts.types import Pair
from syncadmin.sync.pipeline.types import ObjectResult


class ContactWriter:
    def __init__(self, sf: Any, hs: Any, fields: ContactFields, result: ObjectResult) -> None:
        self.sf, self.hs, self.fields, self.result = sf, hs, fields, result

    def write_hubspot(self, creates: list[tuple[Pair, dict[str, Any]]],
                      updates: list[tuple[Pair, dict[str, Any]]], archives: list[Pair]) -> None:
        counts = self.result.to_hs
        with_email = [(p, props) for p, props in creates if props.get("email")]
        without = [(p, props) for p, props in creates if not props.get("email")]
        # Upsert by email dedupes against contacts HubSpot already has (D1, H2).
        for group, id_prop in ((with_email, "email"), (without, HS_SF_ID)):
            if not group:
                continue
            records = [props for _, props in group]
            for (pair, _), outcome in zip(group, self.hs.upsert_many("contacts", id_prop,
                                                                      records), strict=True):
                if outcome.ok:
                    pair.hs_id = outcome.id
                    counts.created += 1 if outcome.created else 0
                    counts.updated += 0 if outcome.created else 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_HS)
        if updates:
            records = [{"id": p.hs_id or p.link.hs_id, "properties": props}  # type: ignore[union-attr]
                       for p, props in updates]
            for (pair, _), outcome in zip(updates, self.hs.update_many("contacts", records),
                                          strict=True):
                if outcome.ok:
                    counts.updated += 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_HS)
        if archives:
            ids = [p.link.hs_id for p in archives]  # type: ignore[union-attr]
            for pair, outcome in zip(archives, self.hs.archive_many("contacts", ids),
                                     strict=True):
                if outcome.ok:
                    counts.deleted += 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_HS)

    def write_salesforce(self, creates: list[tuple[Pair, str, dict[str, Any]]],
                         updates: list[tuple[Pair, dict[str, Any]]]) -> None:
        self._create_in_salesforce(creates)
        self._update_in_salesforce(updates)

    def _create_in_salesforce(self, creates: list[tuple[Pair, str, dict[str, Any]]]) -> None:
        counts = self.result.to_sf
        by_object: dict[str, list[tuple[Pair, dict[str, Any]]]] = {}
        for pair, target, values in creates:
            if pair.failed:
                continue
            hs_id = pair.hs_id or (pair.link.hs_id if pair.link else None)
            fields = self.sf_payload(pair, target, values)
            if fields is None or not hs_id:
                continue
            fields[SF_EXT_ID] = hs_id
            if target == "Lead" and not fields.get("Company"):
                fields["Company"] = LEAD_COMPANY_PLACEHOLDER
            pair.sf_object = target
            by_object.setdefault(target, []).append((pair, fields))
        for target, group in by_object.items():
            outcomes = self.sf.upsert_many(target, SF_EXT_ID, [f for _, f in group])
            stamps = []
            for (pair, _), outcome in zip(group, outcomes, strict=True):
                if outcome.ok:
                    pair.sf = {"Id": outcome.id}
                    counts.created += 1 if outcome.created else 0
                    counts.updated += 0 if outcome.created else 1
                    stamps.append((pair, {"id": pair.hs_id or pair.link.hs_id,  # type: ignore[union-attr]
                                          "properties": {HS_SF_ID: outcome.id}}))
                else:
                    self.fail(pair, outcome.error, Direction.TO_SF)
            # The new Salesforce id goes back on the HubSpot contact (DESIGN.md 3).
            if stamps:
                results = self.hs.update_many("contacts", [record for _, record in stamps])
                for (pair, _), outcome in zip(stamps, results, strict=True):
                    if not outcome.ok:
                        self.fail(pair, outcome.error, Direction.TO_HS)

    def _update_in_salesforce(self, updates: list[tuple[Pair, dict[str, Any]]]) -> None:
        counts = self.result.to_sf
        upd_by_object: dict[str, list[tuple[Pair, dict[str, Any]]]] = {}
        for pair, values in updates:
            if pair.failed:
                continue
            link = pair.link
            assert link is not None
            sf_object = pair.sf_object or link.sf_object
            fields = self.sf_payload(pair, sf_object, values)
            if fields is None:
                continue
            hs_id = pair.hs_id or link.hs_id
            if hs_id:
                fields[SF_EXT_ID] = hs_id
            fields["Id"] = (pair.sf or {}).get("Id") or link.sf_id
            upd_by_object.setdefault(sf_object, []).append((pair, fields))
        for sf_object, group in upd_by_object.items():
            outcomes = self.sf.update_many(sf_object, [f for _, f in group])
            for (pair, fields), outcome in zip(group, outcomes, strict=True):
                if outcome.ok:
                    if set(fields) - {"Id", SF_EXT_ID}:
                        counts.updated += 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_SF)

    def sf_payload(self, pair: Pair, sf_object: str, values: dict[str, Any]
                   ) -> dict[str, Any] | None:
        try:
            return self.fields.to_sf_fields(sf_object, values)
        except geo.PicklistError as exc:
            self.fail(pair, RemoteError(Kind.PICKLIST_VALUE, str(exc), code="PICKLIST_MATCH",
                                        remote="salesforce", fields=(exc.field,)),
                      Direction.TO_SF)
            return None

    def fail(self, pair: Pair, error: RemoteError | None, direction: str) -> None:
        pair.failed = True
        pair.errors.append((error, direction))
        side = self.result.to_hs if direction == Direction.TO_HS else self.result.to_sf
        side.failed += 1
