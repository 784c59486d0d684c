"""The write stage: batched by side, operation and object (HubSpot batch of 100, Salesforce
composite collections of 200), in the order that keeps ids flowing both ways:

1. HubSpot creates (upsert by `salesforce_id`), updates and archives;
2. Salesforce creates (upsert by `HubSpot_Id__c`) and updates, each carrying the HubSpot id;
3. the new Salesforce ids stamped on their HubSpot records.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.errors import RemoteError
from syncadmin.sync.models import Direction
from syncadmin.sync.objects import HS_SF_ID, SF_EXT_ID, ObjectSpec
from syncadmin.sync.pipeline.types import ObjectResult, Pair
from syncadmin.sync.pipeline.values import Converter, Unmapped

Fail = Callable[[Pair, RemoteError | None, str], None]


class Writer:
    def __init__(self, spec: ObjectSpec, converter: Converter, sf: Any, hs: Any,
                 result: ObjectResult, fail: Fail) -> None:
        self.spec, self.converter, self.sf, self.hs = spec, converter, sf, hs
        self.result, self.fail = result, fail
        self.hs_creates: list[tuple[Pair, dict[str, Any]]] = []
        self.hs_updates: list[tuple[Pair, dict[str, Any]]] = []
        self.hs_archives: list[Pair] = []
        self.sf_creates: list[tuple[Pair, dict[str, Any]]] = []
        self.sf_updates: list[tuple[Pair, dict[str, Any]]] = []

    def flush(self) -> None:
        self.write_hubspot()
        self.write_salesforce()

    # ---- HubSpot ---------------------------------------------------------------------------

    def write_hubspot(self) -> None:
        counts, hs_type = self.result.to_hs, self.spec.hs_type
        if self.hs_creates:
            records = [props for _, props in self.hs_creates]
            for (pair, _), outcome in zip(self.hs_creates,
                                          self.hs.upsert_many(hs_type, HS_SF_ID, records),
                                          strict=True):
                if outcome.ok:
                    pair.hs_id = outcome.id
                    counts.created += 1 if outcome.created else 0
                    counts.updated += 0 if outcome.created else 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_HS)
        if self.hs_updates:
            records = [{"id": p.any_hs_id, "properties": props} for p, props in self.hs_updates]
            for (pair, props), outcome in zip(self.hs_updates,
                                              self.hs.update_many(hs_type, records), strict=True):
                if not outcome.ok:
                    self.fail(pair, outcome.error, Direction.TO_HS)
                elif set(props) - {HS_SF_ID}:
                    counts.updated += 1
        if self.hs_archives:
            ids = [p.any_hs_id for p in self.hs_archives]
            for pair, outcome in zip(self.hs_archives, self.hs.archive_many(hs_type, ids),
                                     strict=True):
                if outcome.ok:
                    counts.deleted += 1
                else:
                    self.fail(pair, outcome.error, Direction.TO_HS)

    # ---- Salesforce ------------------------------------------------------------------------

    def sf_fields(self, pair: Pair, values: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return self.converter.to_sf(self.spec.sf_object, values, pair.hs)
        except Unmapped as exc:
            from syncadmin.sync.pipeline.object_sync import unmapped_error

            self.fail(pair, unmapped_error(exc), Direction.TO_SF)
            return None

    def write_salesforce(self) -> None:
        counts, sobject = self.result.to_sf, self.spec.sf_object
        creates: list[tuple[Pair, dict[str, Any]]] = []
        for pair, values in self.sf_creates:
            fields = None if pair.failed or not pair.any_hs_id else self.sf_fields(pair, values)
            if fields is None:
                continue
            fields = {k: v for k, v in fields.items() if v is not None}
            for name, default in self.spec.sf_create_defaults.items():
                fields.setdefault(name, default)
            fields[SF_EXT_ID] = pair.any_hs_id
            creates.append((pair, fields))
        stamps: list[tuple[Pair, dict[str, Any]]] = []
        if creates:
            outcomes = self.sf.upsert_many(sobject, SF_EXT_ID, [f for _, f in creates])
            for (pair, _), outcome in zip(creates, outcomes, strict=True):
                if outcome.ok:
                    pair.sf = {"Id": outcome.id}
                    counts.created += 1 if outcome.created else 0
                    counts.updated += 0 if outcome.created else 1
                    stamps.append((pair, {"id": pair.any_hs_id,
                                          "properties": {HS_SF_ID: outcome.id}}))
                else:
                    self.fail(pair, outcome.error, Direction.TO_SF)
        updates: list[tuple[Pair, dict[str, Any]]] = []
        for pair, values in self.sf_updates:
            fields = None if pair.failed else self.sf_fields(pair, values)
            if fields is None:
                continue
            if pair.any_hs_id:
                fields[SF_EXT_ID] = pair.any_hs_id
            fields["Id"] = pair.sf_id
            updates.append((pair, fields))
        if updates:
            outcomes = self.sf.update_many(sobject, [f for _, f in updates])
            for (pair, fields), outcome in zip(updates, outcomes, strict=True):
                if not outcome.ok:
                    self.fail(pair, outcome.error, Direction.TO_SF)
                elif set(fields) - {"Id", SF_EXT_ID}:
                    counts.updated += 1
        # The new Salesforce id goes back on the HubSpot record (DESIGN.md 3).
        if stamps:
            results = self.hs.update_many(self.spec.hs_type, [r for _, r in stamps])
            for (pair, _), outcome in zip(stamps, results, strict=True):
                if not outcome.ok:
                    self.fail(pair, outcome.error, Direction.TO_HS)
