"""What activities to write where, decided without I/O (FEATURES G1–G5, DESIGN.md decision 5).

HubSpot → Salesforce: each `HsEvent` becomes at most one Task on one synced Lead or Contact,
keyed by the event id (upserts through the Task's external id make it one task per event
across retries and crashes). Salesforce → HubSpot: each changed Task or Event row becomes a
create, an update, an archive or nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from syncadmin.sync.objects import activities as spec
from syncadmin.sync.objects.activities import TASK_EVENT_ID

SUBJECT_MAX = 255  # Task.Subject
DESCRIPTION_MAX = 32_000  # Task.Description
WINDOWS = {spec.DAYS_30: dt.timedelta(days=30), spec.ONE_YEAR: dt.timedelta(days=365)}


# ---- HubSpot → Salesforce ------------------------------------------------------------------

@dataclass(frozen=True)
class HsEvent:
    id: str  # stable across reads: the Task's external id
    event: str  # TimelineEvent value
    occurred_at: dt.datetime
    subject: str = ""
    description: str = ""
    contact_ids: tuple[str, ...] = ()  # HubSpot contacts it is associated with
    email: str = ""  # marketing email recipient / form submitter


@dataclass(frozen=True)
class Contact:
    """A HubSpot contact that syncs: linked to a Salesforce Lead or Contact."""

    hs_id: str
    sf_id: str
    began: dt.datetime  # when its sync began (its record link's creation)
    created: dt.datetime | None = None  # HubSpot createdate (G4)


@dataclass
class TaskPlan:
    tasks: list[dict[str, Any]] = field(default_factory=list)
    excluded: int = 0  # no syncing contact, or outside the window


def in_window(window: str, occurred: dt.datetime, began: dt.datetime) -> bool:
    """G2. Sales activities only after the contact's sync began; marketing email events
    within 30 days before it (and after), form submissions within a year."""
    if window == spec.AFTER_SYNC:
        return occurred >= began
    if window in WINDOWS:
        return occurred >= began - WINDOWS[window]
    return True


def choose_contact(candidates: Iterable[Contact]) -> Contact | None:
    """G4: the most recently created contact that syncs; created the same day (UTC), the
    highest object id."""
    def key(c: Contact) -> tuple[dt.date, int]:
        day = (c.created or c.began).astimezone(dt.UTC).date()
        return day, int(c.hs_id) if c.hs_id.isdigit() else 0

    return max(candidates, key=key, default=None)


def task_record(ev: HsEvent, who: str, task_type: str) -> dict[str, Any]:
    src = spec.timeline(ev.event)
    subject = f"{src.subject}: {ev.subject}" if ev.subject else src.subject
    rec: dict[str, Any] = {
        TASK_EVENT_ID: ev.id,
        "WhoId": who,
        "Subject": subject[:SUBJECT_MAX],
        "Description": ev.description[:DESCRIPTION_MAX] or None,
        "ActivityDate": ev.occurred_at.astimezone(dt.UTC).date().isoformat(),
        "Status": "Completed",
    }
    if task_type:  # "-- No task type --": a task without a type
        rec["Type"] = task_type
    return rec


def plan_tasks(events: Iterable[HsEvent], by_hs_id: Mapping[str, Contact],
               by_email: Mapping[str, Contact], task_types: Mapping[str, str]) -> TaskPlan:
    """One task per event whose contact syncs and whose time is inside its window. Opens and
    clicks are not deduplicated (G3): each event is its own task. A forwarded open carries
    the original recipient, so it lands on the original contact."""
    out = TaskPlan()
    for ev in events:
        src = spec.timeline(ev.event)
        if ev.contact_ids:
            contact = choose_contact(by_hs_id[i] for i in ev.contact_ids if i in by_hs_id)
        else:
            contact = by_email.get(ev.email.strip().lower())
        if contact is None or not in_window(src.window, ev.occurred_at, contact.began):
            out.excluded += 1
            continue
        out.tasks.append(task_record(ev, contact.sf_id, task_types.get(ev.event, "")))
    return out


# ---- Salesforce → HubSpot ------------------------------------------------------------------

@dataclass(frozen=True)
class KindPolicy:
    """One SfActivitySetting as the planner sees it."""

    enabled_at: dt.datetime | None  # None: the kind is off
    deletion: str = "nothing"  # "delete" | "nothing"
    conflict_app: str = "salesforce"
    mappings: tuple[tuple[str, str], ...] = ()  # (hs_property, sf_field), enabled ones


@dataclass(frozen=True)
class LinkState:
    hs_id: str
    snapshot: Mapping[str, Any]  # the properties last written to HubSpot


@dataclass
class EngagementPlan:
    # (kind, sf row, HubSpot properties) to create or update (upserted by Salesforce id)
    upserts: list[tuple[str, dict[str, Any], dict[str, Any]]] = field(default_factory=list)
    archives: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, sf id, hs id)
    forget: list[str] = field(default_factory=list)  # sf ids deleted with "Do nothing"
    skipped: int = 0


def parse_sf(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00").replace("+0000", "+00:00"))


def hs_value(hs_property: str, value: Any, kind: spec.SfKindSpec) -> Any:
    """A Salesforce value as HubSpot stores it: picklists through the kind's value map,
    dates and datetimes as ISO strings (HubSpot accepts both ISO and epoch ms)."""
    if value is None:
        return ""
    values = kind.value_map(hs_property)
    if values:
        return values.get(str(value), "")
    return str(value) if not isinstance(value, bool) else str(value).lower()


def engagement_props(row: Mapping[str, Any], kind: spec.SfKindSpec,
                     mappings: Iterable[tuple[str, str]]) -> dict[str, Any]:
    props = {hs: hs_value(hs, row.get(sf), kind) for hs, sf in mappings
             if hs.lower() not in spec.OWNER_FIELDS and sf.lower() not in spec.OWNER_FIELDS}
    when = parse_sf(row.get(kind.date_field)) if row.get(kind.date_field) else None
    if when is None and row.get(kind.date_field):  # a date-only ActivityDate
        when = dt.datetime.fromisoformat(f"{row[kind.date_field]}T00:00:00+00:00")
    when = when or parse_sf(row.get("CreatedDate")) or dt.datetime.now(dt.UTC)
    props["hs_timestamp"] = when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    return props


def resolve_conflicts(props: dict[str, Any], current: Mapping[str, Any] | None,
                      snapshot: Mapping[str, Any], conflict_app: str) -> dict[str, Any]:
    """When HubSpot changed a property since the last sync and HubSpot is the preferred app,
    HubSpot's value stays; otherwise Salesforce's value is written."""
    if conflict_app != "hubspot" or current is None:
        return props
    return {k: v for k, v in props.items()
            if k not in snapshot or (current.get(k) or "") == (snapshot.get(k) or "")}


def plan_engagements(rows: Iterable[tuple[str, Mapping[str, Any]]],
                     policies: Mapping[str, KindPolicy], links: Mapping[str, LinkState],
                     hs_current: Mapping[str, Mapping[str, Any]]) -> EngagementPlan:
    """rows: (Salesforce object, row) read by queryAll since the watermark."""
    out = EngagementPlan()
    for sobject, row in rows:
        kind_key = spec.kind_of_row(sobject, row.get("TaskSubtype"))
        policy = policies.get(kind_key or "")
        if (kind_key is None or policy is None or policy.enabled_at is None
                or row.get(TASK_EVENT_ID)):  # a task this sync made from a HubSpot event
            out.skipped += 1
            continue
        stamp = parse_sf(row.get("SystemModstamp"))
        if stamp is not None and stamp <= policy.enabled_at:  # no backfill (G5)
            out.skipped += 1
            continue
        link = links.get(row["Id"])
        if row.get("IsDeleted"):
            if link is None:
                out.skipped += 1
            elif policy.deletion == "delete":
                out.archives.append((kind_key, row["Id"], link.hs_id))
            else:
                out.forget.append(row["Id"])
            continue
        if row.get("IsArchived"):  # Salesforce archiving an old activity is not a change
            out.skipped += 1
            continue
        kind = spec.sf_kind(kind_key)
        props = engagement_props(row, kind, policy.mappings)
        if link is not None:
            props = resolve_conflicts(props, hs_current.get(link.hs_id), link.snapshot,
                                      policy.conflict_app)
        out.upserts.append((kind_key, dict(row), props))
    return out
