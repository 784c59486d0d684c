"""The contacts' pass through the pipeline (DESIGN.md 11): link → plan → write → commit.

run.py reads every object's Salesforce changes in one composite request and hands the
contacts' rows (leads, contacts, and the opportunity streams for lifecycle stages) to
`ContactSync.process`; the stages are the modules next to this one. Writes are upserts keyed
by the other side's id, so a run killed anywhere and run again creates no duplicate
(decision 3); run.py moves the watermarks only after everything read was applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from syncadmin.accounts.models import Account
from syncadmin.sync import rules
from syncadmin.sync.models import LinkStatus, RecordLink, Watermark
from syncadmin.sync.pipeline import merges
from syncadmin.sync.pipeline.contacts import lifecycle, plan, repair
from syncadmin.sync.pipeline.contacts.commit import finish
from syncadmin.sync.pipeline.contacts.fields import (
    APPLY_CHUNK,
    HS_SF_ID,
    LIFECYCLE_STREAMS,
    SF_EXT_ID,
    SF_OBJECTS,
    STREAM_KEYS,
    ContactFields,
    label,
    mappings_of,
    policy_of,
)
from syncadmin.sync.pipeline.contacts.link import ContactLinker
from syncadmin.sync.pipeline.contacts.types import Pair
from syncadmin.sync.pipeline.contacts.write import ContactWriter
from syncadmin.sync.pipeline.types import ObjectResult


class ContactSync:
    def __init__(self, account: Account, sf: Any, hs: Any, *,
                 progress: Callable[[int, int], None] | None = None) -> None:
        self.account = account
        self.sf = sf
        self.hs = hs
        self.policy = policy_of(account.contacts)
        self.mappings = [m for m in mappings_of(account) if m.enabled and m.rule != "none"]
        self.fields = ContactFields(self.policy, self.mappings, sf)
        self.result = ObjectResult()
        self._progress = progress or (lambda done, total: None)
        self._done = self._total = 0
        self._members: set[str] | None = None
        self.seen_contacts: list[dict[str, Any]] = []  # this run's Contact rows
        self.seen_hs_ids: list[str] = []  # this run's changed HubSpot contacts
        self.lifecycle_complete = False  # opportunity streams read from the beginning
        self.lifecycle_since: dt.datetime | None = None  # the opportunity stream's watermark
        self.writer = ContactWriter(sf, hs, self.fields, self.result)

    @property
    def extra_contact_fields(self) -> set[str]:
        """Contact fields read for other objects' sake: AccountId, when companies sync (E2)."""
        return self.fields.extra_contact_fields

    def sf_fields(self, sf_object: str) -> list[str]:
        return self.fields.sf_fields(sf_object)

    def progress(self, done: int, total: int) -> None:
        self._done, self._total = done, total
        self._progress(done, total)

    def tick(self) -> None:
        """Long reads report in too, so the run's lock is renewed while it is alive."""
        self._progress(self._done, self._total)

    def inclusion_members(self) -> set[str] | None:
        if not self.policy.inclusion_list_id:
            return None
        if self._members is None:
            self._members = self.hs.list_members(self.policy.inclusion_list_id)
        return self._members

    def ensure_id_fields(self) -> None:
        """The id-carrying fields must exist before the first write (decision 3)."""
        if Watermark.objects.filter(account=self.account, side="salesforce",
                                    stream=STREAM_KEYS["Contact"]).exists():
            return
        for obj in SF_OBJECTS:
            self.sf.ensure_external_id_field(obj, SF_EXT_ID, "HubSpot Id")
        self.hs.ensure_property("contacts", HS_SF_ID, "Salesforce Id", unique=True)

    # ---- the run ---------------------------------------------------------------------------

    def process(self, sf_rows: dict[str, list[dict[str, Any]]], hs_since: dt.datetime, *,
                full: bool) -> None:
        """Link, plan, write and commit the contacts read in this run."""
        opportunities = {k: sf_rows.pop(k, []) for k in LIFECYCLE_STREAMS}
        for obj in SF_OBJECTS:  # merged-away leads and contacts are no deletions
            sf_rows[obj] = merges.follow_sf_merges(self.account, "contacts", "contacts",
                                                   sf_rows.get(obj, []), self.hs)
        # Only what the association stage reads (Id, AccountId), not whole rows.
        self.seen_contacts = [{"Id": r["Id"], "AccountId": r.get("AccountId")}
                              for r in sf_rows.get("Contact", []) if not r.get("IsDeleted")]
        linker = ContactLinker(self.account, self.sf, self.hs, self.fields, tick=self.tick,
                               seen_hs_ids=self.seen_hs_ids)
        pairs = linker.collect(sf_rows, hs_since, full=full)
        del sf_rows
        self.apply_in_chunks(pairs)
        if self.policy.lifecycle == "update":
            lifecycle.apply_lifecycle(self, opportunities["Opportunity"],
                                      opportunities["OpportunityContactRole"])

    def apply_in_chunks(self, pairs: list[Pair]) -> None:
        """Applies and saves a few thousand pairs at a time, then lets them go: a large
        initial sync's memory stays bounded by a chunk's links, plans and payloads."""
        total = len(pairs)
        # Above the bulk threshold a chunk is twice the threshold: its Salesforce writes then
        # go out as one Bulk API 2.0 job (a few calls) rather than 1,000 records a call.
        threshold = getattr(getattr(self.sf, "config", None), "bulk_threshold", total)
        size = APPLY_CHUNK if total <= threshold else max(APPLY_CHUNK, 2 * threshold)
        while pairs:
            chunk = pairs[-size:]
            del pairs[-size:]
            self.apply(chunk, done=total - len(pairs) - len(chunk), overall=total)
            del chunk

    def apply(self, pairs: list[Pair], *, done: int = 0, overall: int | None = None) -> None:
        """Plans each pair (plan.py, pure), then writes the chunk and commits it."""
        hs_updates: list[tuple[Pair, dict[str, Any]]] = []
        hs_creates: list[tuple[Pair, dict[str, Any]]] = []
        sf_updates: list[tuple[Pair, dict[str, Any]]] = []
        sf_creates: list[tuple[Pair, str, dict[str, Any]]] = []
        hs_archives: list[Pair] = []
        snapshots: dict[int, dict[str, Any]] = {}
        total = overall or len(pairs)

        for index, pair in enumerate(pairs):
            if index % 500 == 0:
                self.progress(done + index, total)
            link = pair.link or self.new_link(pair)
            pair.link = link
            inputs = self.inputs(pair, link)
            d = plan.screen(inputs, self.policy)
            if d is None:
                members = self.inclusion_members()
                in_list = members is None or (pair.hs_id or link.hs_id or "") in members
                d = plan.plan_sync(inputs, self.policy, self.mappings, in_list=in_list)
            if d.action in (plan.DELETED_SF, plan.ARCHIVE_HS):
                if d.action == plan.ARCHIVE_HS:
                    hs_archives.append(pair)
                link.status = LinkStatus.DELETED_SF
                link.save(update_fields=["status", "updated_at"])
                continue
            if d.action == plan.DELETED_HS:
                link.status = LinkStatus.DELETED_HS
                link.save(update_fields=["status", "updated_at"])
                continue
            if d.action == plan.NOTHING:
                continue
            if d.label is not None:
                link.label, link.email = d.label, d.email or ""
            if d.hs_create is not None:
                hs_creates.append((pair, d.hs_create))
            if d.hs_update is not None:
                hs_updates.append((pair, d.hs_update))
            if d.action == plan.EXCLUDE:
                self.exclude(link, d.reason, pair)
                continue
            if d.sf_create is not None:
                sf_creates.append((pair, d.sf_target, d.sf_create))
            if d.sf_update is not None:
                sf_updates.append((pair, d.sf_update))
            snapshots[id(pair)] = d.snapshot or {}

        self.progress(done + len(pairs), total)
        self.writer.write_hubspot(hs_creates, hs_updates, hs_archives)
        self.writer.write_salesforce(sf_creates, sf_updates)
        finish(self.account, pairs, snapshots)

    def inputs(self, pair: Pair, link: RecordLink) -> plan.ContactInputs:
        """What the plan needs of one pair; values are canonical only for the living."""
        alive = not (pair.sf_deleted or pair.hs_deleted)
        sf_object = pair.sf_object or link.sf_object
        return plan.ContactInputs(
            sf_row=pair.sf, hs_props=pair.hs,
            sf_values=(self.fields.canonical_sf(sf_object, pair.sf)
                       if alive and pair.sf is not None else None),
            hs_values=self.fields.canonical_hs(pair.hs) if alive and pair.hs is not None else None,
            sf_object=sf_object, hs_id=pair.hs_id, link_sf_id=link.sf_id,
            link_hs_id=link.hs_id, snapshot=link.snapshot or None, duplicate=pair.duplicate,
            sf_deleted=pair.sf_deleted, hs_deleted=pair.hs_deleted, saved=link.pk is not None,
        )

    def new_link(self, pair: Pair) -> RecordLink:
        return RecordLink(
            account=self.account, object="contacts",
            sf_object=pair.sf_object if pair.sf is not None else "",
            sf_id=pair.sf["Id"] if pair.sf is not None else None,
            hs_id=pair.hs_id,
        )

    def exclude(self, link: RecordLink, reason: str, pair: Pair) -> None:
        link.status, link.excluded_reason = LinkStatus.EXCLUDED, reason
        if not link.label:
            link.label = label(
                self.fields.canonical_sf(pair.sf_object, pair.sf) if pair.sf else None,
                self.fields.canonical_hs(pair.hs) if pair.hs else None,
            )
            link.email = rules.normalize_email(
                (pair.sf or {}).get("Email") or (pair.hs or {}).get("email"))
        side = self.result.to_hs if pair.sf is not None else self.result.to_sf
        side.excluded += 1

    # ---- chosen records (B6, H6, H7) ----------------------------------------------------

    def run_links(self, links: list[RecordLink]) -> ObjectResult:
        return repair.run_links(self, links)

    def restore(self, destination: str, links: list[RecordLink]) -> ObjectResult:
        return repair.restore(self, destination, links)
