"""The activity pipeline (FEATURES G1–G5): read → plan (pure, `plan`) → write → commit, then
watermarks, for HubSpot timeline events → Salesforce tasks and Salesforce Tasks/Events →
HubSpot engagements. `AccountSync.run` calls `ActivitySync.run` after the objects and their
associations, so contacts, companies and deals are linked by then.

One task per event: Tasks are upserted by the event id in `HubSpot_Event_Id__c` (1,000 a
call: composite collections), so a run killed anywhere and run again updates the tasks it
already made instead of making new ones. Engagements are upserted by the Salesforce id in
HubSpot's unique `salesforce_id`, for the same reason. Watermarks move only after a stream
is fully applied.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db.models import Q
from django.utils import timezone

from syncadmin.integration.models import (
    ActivityMapping,
    ObjectSync,
    SfActivitySetting,
    TimelineEventSetting,
)
from syncadmin.sync.models import Direction, LinkStatus, RecordLink, SyncError, Watermark
from syncadmin.sync.objects import HS_SF_ID
from syncadmin.sync.objects import activities as spec
from syncadmin.sync.pipeline.activities import plan, read
from syncadmin.sync.pipeline.commit import record_error
from syncadmin.sync.pipeline.types import ObjectResult

EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
WHAT_OBJECTS = {"Account": ("companies", "001"), "Opportunity": ("deals", "006")}
WHO_PREFIXES = ("003", "00Q")


def ensure_mappings(account: Any, kind: str) -> list[ActivityMapping]:
    """The kind's default mappings, made the first time they are needed."""
    rows = list(ActivityMapping.objects.filter(account=account, kind=kind))
    if not rows:
        ActivityMapping.objects.bulk_create(
            [ActivityMapping(account=account, kind=kind, hs_property=m.hs_property,
                             sf_field=m.sf_field) for m in spec.sf_kind(kind).mappings],
            ignore_conflicts=True)
        rows = list(ActivityMapping.objects.filter(account=account, kind=kind))
    return rows


class ActivitySync:
    def __init__(self, account: Any, sf: Any, hs: Any, *,
                 tick: Callable[[], None] | None = None) -> None:
        self.account, self.sf, self.hs = account, sf, hs
        self.tick = tick or (lambda: None)
        self.timeline = {s.event: s.sf_task_type for s in
                         TimelineEventSetting.objects.filter(account=account, enabled=True)}
        self.kinds = {s.kind: s for s in
                      SfActivitySetting.objects.filter(account=account, enabled=True)}
        self.result = ObjectResult()
        self.failed_unlinked: set[str] = set()  # directions with a failure not on a link
        self.retry_sf = False  # an engagement write failed for a reason a retry can cure

    @property
    def active(self) -> bool:
        return bool(self.timeline or self.kinds)

    # ---- watermarks --------------------------------------------------------------------
    def watermark(self, side: str, stream: str, default: dt.datetime = EPOCH) -> dt.datetime:
        row = Watermark.objects.filter(account=self.account, side=side, stream=stream).first()
        return row.value if row else default

    def set_watermark(self, side: str, stream: str, value: dt.datetime) -> None:
        Watermark.objects.update_or_create(account=self.account, side=side, stream=stream,
                                           defaults={"value": value})

    # ---- the run -------------------------------------------------------------------------
    def run(self, until: dt.datetime, *, full: bool = False) -> ObjectResult:
        if self.timeline or any(spec.sf_kind(k).sf_object == "Task" for k in self.kinds):
            self.ensure_event_id_field()
        if self.timeline:
            contacts = self.contacts()
            for src in spec.TIMELINE:  # in a fixed order: a resumed run skips done streams
                if src.event in self.timeline:
                    self.sync_timeline(src, contacts, until, full)
        if self.kinds:
            self.sync_sf_activities(until)
        self.clear_errors()
        return self.result

    def clear_errors(self) -> None:
        """Failures without a record link (a task write, an association) are one current
        error per kind and direction; a run that writes that direction without a failure
        clears them, as a record's error clears when it next syncs."""
        for direction in (Direction.TO_SF, Direction.TO_HS):
            if direction not in self.failed_unlinked:
                SyncError.objects.filter(account=self.account, link=None,
                                         object=spec.LINK_OBJECT, direction=direction).delete()

    def ensure_event_id_field(self) -> None:
        """Task's event-id field must exist before tasks are written or read (decision 3);
        checked until a stream has run once, so an idle poll costs no describe call."""
        ran = Watermark.objects.filter(account=self.account).filter(
            Q(side="salesforce", stream="activities:Task")
            | Q(side="hubspot", stream__startswith="activities:"))
        if not ran.exists():
            self.sf.ensure_external_id_field("Task", spec.TASK_EVENT_ID, spec.EVENT_ID_LABEL)

    def contacts(self) -> list[plan.Contact]:
        rows = (RecordLink.objects.filter(account=self.account, object="contacts",
                                          status=LinkStatus.IN_SYNC, hs_id__isnull=False,
                                          sf_id__isnull=False)
                .values_list("hs_id", "sf_id", "email", "created_at"))
        self._emails = {hs_id: email for hs_id, _sf, email, _c in rows}
        return [plan.Contact(hs_id=h or "", sf_id=s or "", began=c) for h, s, _e, c in rows]

    # ---- HubSpot → Salesforce ----------------------------------------------------------
    def sync_timeline(self, src: spec.TimelineSource, contacts: list[plan.Contact],
                      until: dt.datetime, full: bool) -> None:
        mark = EPOCH if full else self.watermark("hubspot", src.stream)
        since = mark
        window = plan.WINDOWS.get(src.window)
        new = {c.hs_id for c in contacts if c.began > mark}
        if window is not None and new and mark > EPOCH:
            # Contacts that began syncing since the last run bring their window's history.
            since = min(mark, min(c.began for c in contacts if c.hs_id in new) - window)
        events = read.read_timeline(self.hs, src, since, until)
        by_hs = {c.hs_id: c for c in contacts}
        by_email = {self._emails[c.hs_id]: c for c in contacts if self._emails.get(c.hs_id)}
        if since < mark:  # the extra history is only for the new contacts
            events = [e for e in events if e.occurred_at > mark
                      or (by_email.get(e.email.strip().lower()) or plan.Contact("", "", EPOCH))
                      .hs_id in new or any(i in new for i in e.contact_ids)]
        if src.sales and any(len(e.contact_ids) > 1 for e in events):
            by_hs = self.with_created_dates(by_hs, events)
        planned = plan.plan_tasks(events, by_hs, by_email, self.timeline)
        self.result.to_sf.excluded += planned.excluded
        if not self.write_tasks(planned.tasks):
            return  # read again next run
        if src.source == "engagements":  # read by search: not past what search has indexed
            until = min(until, self.hs.searchable_until(timezone.now()))
        self.set_watermark("hubspot", src.stream, max(until, mark))
        self.tick()

    def with_created_dates(self, by_hs: dict[str, plan.Contact],
                           events: list[plan.HsEvent]) -> dict[str, plan.Contact]:
        """G4 needs HubSpot's createdate of contacts that share an activity."""
        ids = {i for e in events if len(e.contact_ids) > 1 for i in e.contact_ids if i in by_hs}
        got = self.hs.get_many("contacts", sorted(ids), ["createdate"]) if ids else []
        out = dict(by_hs)
        for r in got:
            created = read.parse_hs_time(r["properties"].get("createdate") or r.get("createdAt"))
            c = out[r["id"]]
            out[r["id"]] = plan.Contact(c.hs_id, c.sf_id, c.began, created)
        return out

    def write_tasks(self, tasks: list[dict[str, Any]]) -> bool:
        """Upserts the tasks; False when one failed for a reason a retry can cure (a lock,
        a server error): the stream's watermark then stays, and the next run reads the
        same events again (upserts make that harmless)."""
        retry = False
        if not tasks:
            return retry
        for o in self.sf.upsert_many("Task", spec.TASK_EVENT_ID, tasks):
            if o.ok:
                if o.created:
                    self.result.to_sf.created += 1
                else:
                    self.result.to_sf.updated += 1
            else:
                self.result.to_sf.failed += 1
                self.failed_unlinked.add(Direction.TO_SF)
                record_error(self.account, None, o.error, Direction.TO_SF, spec.LINK_OBJECT)
                retry = retry or (o.error is not None and not o.error.permanent)
        return not retry

    # ---- Salesforce → HubSpot ----------------------------------------------------------
    def sync_sf_activities(self, until: dt.datetime) -> None:
        policies: dict[str, plan.KindPolicy] = {}
        for kind, s in self.kinds.items():
            maps = tuple((m.hs_property, m.sf_field) for m in ensure_mappings(self.account, kind)
                         if m.enabled)
            policies[kind] = plan.KindPolicy(enabled_at=s.enabled_at, deletion=s.deletion,
                                             conflict_app=s.conflict_app, mappings=maps)
            self.hs.ensure_property(spec.sf_kind(kind).hs_type, HS_SF_ID, "Salesforce Id",
                                    unique=True)
        sobjects = sorted({spec.sf_kind(k).sf_object for k in self.kinds})
        # Never before the earliest kind was turned on: no backfill, and no reading of it.
        start = min(s.enabled_at or until for s in self.kinds.values())
        since = {o: max(self.watermark("salesforce", f"activities:{o}", start), start)
                 for o in sobjects}
        queries = {o: q for o in sobjects
                   for q in read.sf_queries([o], min(since[o], until)).values()}
        rows = self.sf.poll(queries, include_deleted=True)
        pairs = [(o, r) for o in sobjects for r in rows.get(o, [])]
        ids = [r["Id"] for _o, r in pairs]
        links = {ln.sf_id or "": ln for ln in RecordLink.objects.filter(
            account=self.account, object=spec.LINK_OBJECT, sf_id__in=ids)}
        states = {sid: plan.LinkState(ln.hs_id or "", ln.snapshot or {})
                  for sid, ln in links.items() if ln.hs_id}
        current = self.current_engagements(links, policies)
        planned = plan.plan_engagements(pairs, policies, states, current)
        self.result.to_hs.excluded += planned.skipped
        self.apply_engagements(planned, links)
        if self.retry_sf:  # a retry can cure a failure: read the same rows next run
            return
        for o in sobjects:
            self.set_watermark("salesforce", f"activities:{o}", until)

    def current_engagements(self, links: dict[str, RecordLink],
                            policies: dict[str, plan.KindPolicy]) -> dict[str, dict[str, Any]]:
        """HubSpot's values, read only where HubSpot is the preferred app in a conflict."""
        out: dict[str, dict[str, Any]] = {}
        for kind, p in policies.items():
            if p.conflict_app != "hubspot":
                continue
            hs_type = spec.sf_kind(kind).hs_type
            ids = [ln.hs_id for ln in links.values()
                   if ln.hs_id and ln.snapshot.get("kind") == kind]
            if ids:
                props = [hs for hs, _sf in p.mappings]
                out.update({r["id"]: r["properties"]
                            for r in self.hs.get_many(hs_type, ids, props)})
        return out

    def apply_engagements(self, planned: plan.EngagementPlan,
                          links: dict[str, RecordLink]) -> None:
        by_kind: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {}
        for kind, row, props in planned.upserts:
            by_kind.setdefault(kind, []).append((row, props))
        for kind, items in by_kind.items():
            hs_type = spec.sf_kind(kind).hs_type
            records = [{HS_SF_ID: row["Id"], **props} for row, props in items]
            outcomes = self.hs.upsert_many(hs_type, HS_SF_ID, records)
            done = []
            for (row, props), o in zip(items, outcomes, strict=True):
                link = links.get(row["Id"])
                if not o.ok:
                    self.result.to_hs.failed += 1
                    record_error(self.account, link, o.error, Direction.TO_HS, spec.LINK_OBJECT)
                    self.retry_sf = self.retry_sf or bool(o.error and not o.error.permanent)
                    continue
                if link is None or link.status != LinkStatus.IN_SYNC:
                    self.result.to_hs.created += 1
                else:
                    self.result.to_hs.updated += 1
                snapshot = {**(link.snapshot if link else {}), **props, "kind": kind}
                link = self.save_link(link, row, str(o.id), snapshot)
                links[row["Id"]] = link
                done.append((row, link))
            self.associate(hs_type, done)
        for kind, sf_id, hs_id in planned.archives:
            self.hs.archive_many(spec.sf_kind(kind).hs_type, [hs_id])
            RecordLink.objects.filter(account=self.account, object=spec.LINK_OBJECT,
                                      sf_id=sf_id).update(status=LinkStatus.DELETED_SF)
            self.result.to_hs.deleted += 1
        if planned.forget:
            RecordLink.objects.filter(account=self.account, object=spec.LINK_OBJECT,
                                      sf_id__in=planned.forget).update(
                status=LinkStatus.DELETED_SF)
        self.tick()

    def save_link(self, link: RecordLink | None, row: dict[str, Any], hs_id: str,
                  snapshot: dict[str, Any]) -> RecordLink:
        sobject = "Event" if row["Id"].startswith("00U") else "Task"
        fields = {"hs_id": hs_id, "sf_object": sobject, "label": str(row.get("Subject") or "")
                  [:255], "status": LinkStatus.IN_SYNC, "snapshot": snapshot,
                  "synced_at": timezone.now()}
        link, _ = RecordLink.objects.update_or_create(
            account=self.account, object=spec.LINK_OBJECT, sf_object=sobject, sf_id=row["Id"],
            defaults=fields)
        SyncError.objects.filter(account=self.account, link=link).delete()
        return link

    def associate(self, hs_type: str, done: list[tuple[dict[str, Any], RecordLink]]) -> None:
        """Each activity goes with the HubSpot contact, company or deal of its WhoId and
        WhatId, where those records sync."""
        wanted: dict[str, set[str]] = {"contacts": set()}
        on = set(ObjectSync.objects.filter(account=self.account, enabled=True)
                 .values_list("object", flat=True))
        for key, _prefix in WHAT_OBJECTS.values():
            if key in on:
                wanted[key] = set()
        refs = []
        for row, link in done:
            who, what = row.get("WhoId") or "", row.get("WhatId") or ""
            what_type = (row.get("What") or {}).get("Type") if isinstance(row.get("What"),
                                                                           dict) else None
            if who[:3] in WHO_PREFIXES:
                refs.append(("contacts", who, link.hs_id))
            for obj, (key, prefix) in WHAT_OBJECTS.items():
                if key in wanted and what and (what_type == obj or what[:3] == prefix):
                    refs.append((key, what, link.hs_id))
        for key, sf_id, _hs in refs:
            wanted[key].add(sf_id)
        targets: dict[tuple[str, str], str] = {}
        for key, sf_ids in wanted.items():
            for sf_id, hs_id in (RecordLink.objects.filter(
                    account=self.account, object=key, sf_id__in=sf_ids, hs_id__isnull=False)
                    .values_list("sf_id", "hs_id")):
                targets[(key, sf_id or "")] = hs_id or ""
        by_target: dict[str, list[tuple[str, str]]] = {}
        for key, sf_id, hs_id in refs:
            if (key, sf_id) in targets and hs_id:
                by_target.setdefault(key, []).append((hs_id, targets[(key, sf_id)]))
        for key, pairs in by_target.items():
            for o in self.hs.associate_many(hs_type, key, pairs):
                if not o.ok:
                    self.failed_unlinked.add(Direction.TO_HS)
                    record_error(self.account, None, o.error, Direction.TO_HS,
                                 spec.LINK_OBJECT)
                else:
                    self.result.associations += 1

