"""One object's pass through the pipeline: link → plan → write → commit (DESIGN.md 11).

The read stage is shared (run.py reads every object's Salesforce changes in one composite
request); this module takes that object's rows, reads its HubSpot changes page by page, and
hands each pair to the pure plan stage. Writes are upserts keyed by the other side's id
(HubSpot_Id__c, salesforce_id), so a run killed anywhere and redone duplicates nothing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable
from typing import Any

from connectors.errors import Kind, RemoteError
from connectors.salesforce import changes_soql
from syncadmin.sync.models import Direction, LinkStatus, RecordLink
from syncadmin.sync.objects import HS_SF_ID, SF_EXT_ID, ObjectSpec
from syncadmin.sync.pipeline import commit, merges
from syncadmin.sync.pipeline.link import Linker
from syncadmin.sync.pipeline.plan import Decision, plan_pair
from syncadmin.sync.pipeline.types import ObjectResult, Pair, Policy
from syncadmin.sync.pipeline.values import DEFAULT_PIPELINE, Converter, Unmapped
from syncadmin.sync.pipeline.write import Writer

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FAR_FUTURE = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
PIPELINE_PROPERTY = {"deals": "pipeline", "tickets": "hs_pipeline"}


class ObjectPipeline:
    def __init__(self, account: Any, spec: ObjectSpec, policy: Policy, converter: Converter,
                 sf: Any, hs: Any, *, tick: Callable[[], None] = lambda: None) -> None:
        self.account, self.spec, self.policy = account, spec, policy
        self.converter, self.sf, self.hs, self.tick = converter, sf, hs, tick
        self.mappings = [m for m in converter.mappings if m.enabled and m.rule != "none"]
        self.result = ObjectResult()
        # What the association stage needs of this run's records, and no more: a large
        # initial sync must not keep every row of every object alive until the end.
        self.seen_sf: list[dict[str, Any]] = []  # Id and association lookups
        self.seen_hs: list[str] = []  # HubSpot ids read in this run

    # ---- read ----------------------------------------------------------------------------

    def sf_fields(self) -> list[str]:
        names = {"Id", "SystemModstamp", "IsDeleted", self.spec.sf_label_field,
                 *self.spec.sf_extra_fields}
        if not self.spec.one_way:  # a one-way object's org has no id field (E3)
            names.add(SF_EXT_ID)
        names |= {m.sf_field for m in self.mappings if m.sf_field}
        names |= {a.sf_field for a in self.spec.associations if a.sf_field}
        if self.policy.sf_filter.get("field"):  # H3: the filter's field, mapped or not
            names.add(self.policy.sf_filter["field"])
        return sorted(names)

    def hs_properties(self) -> list[str]:
        props = {m.hs_property for m in self.mappings}
        props |= {HS_SF_ID, self.spec.hs_label_property, *self.spec.hs_extra_properties}
        if self.policy.hs_filter.get("field"):  # H3: the filter's property, mapped or not
            props.add(self.policy.hs_filter["field"])
        return sorted(props)

    def sf_query(self, since: dt.datetime) -> str:
        return changes_soql(self.spec.sf_object, self.sf_fields(), since)

    def hubspot_pages(self, since: dt.datetime) -> Iterable[list[dict[str, Any]]]:
        if self.spec.one_way:  # HubSpot's changes never go back (E3): not read at all
            return []
        pages = self.hs.changed(self.spec.hs_type, self.hs_properties(), since, FAR_FUTURE)
        if since == EPOCH:
            return pages
        return itertools.chain(pages, [self.newly_archived()])

    def newly_archived(self) -> list[dict[str, Any]]:
        """Synced HubSpot records archived since last seen (search never returns them)."""
        out: list[dict[str, Any]] = []
        for page in self.hs.list_all(self.spec.hs_type, [self.spec.hs_label_property],
                                     archived=True):
            by_id = {r["id"]: r for r in page}
            # A record archived because it was deleted in Salesforce keeps the side where
            # the deletion started (Restore must offer that side).
            fresh = RecordLink.objects.filter(
                account=self.account, object=self.spec.key, hs_id__in=list(by_id)
            ).exclude(status__in=(LinkStatus.DELETED_HS, LinkStatus.DELETED_SF)
                      ).values_list("hs_id", flat=True)
            out.extend(by_id[i] for i in fresh if i)
            self.tick()
        return out

    # ---- the pass ------------------------------------------------------------------------

    def run(self, sf_rows: list[dict[str, Any]], hs_since: dt.datetime) -> ObjectResult:
        sf_rows = merges.follow_sf_merges(self.account, self.spec.key, self.spec.hs_type,
                                          sf_rows, self.hs)
        linker = Linker(self.account, self.spec)
        linker.add_sf(sf_rows)
        for page in self.hubspot_pages(hs_since):
            self.tick()
            linker.add_hs(page)
        self.apply(linker.result())
        return self.result

    def apply(self, pairs: list[Pair]) -> None:
        writer = Writer(self.spec, self.converter, self.sf, self.hs, self.result, self.fail)
        for index, pair in enumerate(pairs):
            if index % 500 == 0:
                self.tick()
            pair.link = pair.link or self.new_link(pair)
            decision = self.decide(pair)
            if decision is not None:
                self.act(pair, decision, writer)
        writer.flush()
        commit.save_pairs(self.account, pairs)
        lookups = [a.sf_field for a in self.spec.associations if a.sf_field]
        for p in pairs:
            if p.sf and not p.sf_deleted and len(p.sf) > 1:  # a row read, not just created
                self.seen_sf.append({"Id": p.sf["Id"], **{f: p.sf.get(f) for f in lookups}})
            if p.hs is not None and p.hs_id:
                self.seen_hs.append(p.hs_id)

    def decide(self, pair: Pair) -> Decision | None:
        link = pair.link
        assert link is not None
        snapshot = link.snapshot or None
        has_sf = pair.sf is not None or bool(pair.sf_id)
        has_hs = pair.hs is not None or bool(pair.any_hs_id)
        try:
            sf_values = (self.converter.from_sf(self.spec.sf_object, pair.sf, pair.hs or snapshot)
                         if pair.sf is not None and not pair.sf_deleted else None)
        except Unmapped as exc:
            self.fail(pair, unmapped_error(exc), Direction.TO_HS)
            return None
        hs_values = ({m.hs_property: pair.hs.get(m.hs_property) for m in self.mappings}
                     if pair.hs is not None else None)
        # The side that did not change in this window still holds the snapshot values.
        if sf_values is None and has_sf:
            sf_values = dict(snapshot or {})
        if hs_values is None and has_hs:
            hs_values = dict(snapshot or {})
        link.label = self.label(pair, sf_values, hs_values) or link.label
        return plan_pair(
            self.spec, self.policy, self.mappings, sf_values=sf_values, hs_values=hs_values,
            sf_raw=pair.sf, hs_raw=pair.hs, snapshot=snapshot, has_sf=has_sf, has_hs=has_hs,
            sf_deleted=pair.sf_deleted, hs_deleted=pair.hs_deleted,
            known=bool(link.pk and link.sf_id and link.hs_id))

    def act(self, pair: Pair, d: Decision, writer: Writer) -> None:
        link = pair.link
        assert link is not None
        if d.action in ("deleted_sf", "archive_hs", "deleted_hs"):
            if link.pk is None:
                pair.link = None  # never synced: nothing to remember
                return
            link.status = LinkStatus.DELETED_HS if d.action == "deleted_hs" else \
                LinkStatus.DELETED_SF
            if d.action == "archive_hs":
                writer.hs_archives.append(pair)
            return
        if d.action == "exclude":
            link.status, link.excluded_reason = LinkStatus.EXCLUDED, d.reason
            side = self.result.to_hs if pair.sf is not None else self.result.to_sf
            side.excluded += 1
            return
        pair.snapshot = d.snapshot
        if d.hs_create is not None:
            props = dict(d.hs_create)
            props[HS_SF_ID] = pair.sf_id
            pipe = PIPELINE_PROPERTY.get(self.spec.key)
            if pipe and not props.get(pipe):
                props[pipe] = DEFAULT_PIPELINE[self.spec.key]
            writer.hs_creates.append((pair, props))
        elif d.hs_update or (pair.hs is not None and pair.sf_id
                             and pair.hs.get(HS_SF_ID) != pair.sf_id):
            props = dict(d.hs_update or {})
            if pair.hs is not None and pair.hs.get(HS_SF_ID) != pair.sf_id:
                props[HS_SF_ID] = pair.sf_id
            writer.hs_updates.append((pair, props))
        if self.spec.one_way:
            return
        if d.sf_create is not None:
            writer.sf_creates.append((pair, dict(d.sf_create)))
        elif d.sf_update or d.hs_create is not None or (
                pair.sf is not None and pair.any_hs_id
                and pair.sf.get(SF_EXT_ID) != pair.any_hs_id):
            # A record created in HubSpot now has an id to stamp on its Salesforce record.
            writer.sf_updates.append((pair, dict(d.sf_update or {})))

    # ---- helpers -------------------------------------------------------------------------

    def new_link(self, pair: Pair) -> RecordLink:
        return RecordLink(account=self.account, object=self.spec.key,
                          sf_object=self.spec.sf_object if pair.sf_id else "",
                          sf_id=pair.sf_id, hs_id=pair.hs_id)

    def label(self, pair: Pair, sf_values: dict[str, Any] | None,
              hs_values: dict[str, Any] | None) -> str:
        for value in ((pair.sf or {}).get(self.spec.sf_label_field),
                      (pair.hs or {}).get(self.spec.hs_label_property),
                      (sf_values or {}).get(self.spec.hs_label_property),
                      (hs_values or {}).get(self.spec.hs_label_property)):
            if value:
                return str(value)[:255]
        return ""

    def fail(self, pair: Pair, error: RemoteError | None, direction: str) -> None:
        pair.failed = True
        pair.errors.append((error, direction))
        side = self.result.to_hs if direction == Direction.TO_HS else self.result.to_sf
        side.failed += 1


def unmapped_error(exc: Unmapped) -> RemoteError:
    return RemoteError(Kind.PICKLIST_VALUE, str(exc), code="VALUE_NOT_MAPPED",
                       remote="hubspot" if exc.to == "hubspot" else "salesforce",
                       fields=(exc.sf_field,))
