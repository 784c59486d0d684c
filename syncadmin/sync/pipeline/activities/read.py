"""Read stage of the activity pipeline: HubSpot timeline events as `HsEvent`s, and the
Salesforce Task/Event rows changed since a watermark. Every call goes through the adapters."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from connectors.salesforce import changes_soql
from syncadmin.sync.objects import HS_SF_ID
from syncadmin.sync.objects import activities as spec
from syncadmin.sync.pipeline.activities.plan import HsEvent

SF_FIELDS = {
    "Task": ("Subject", "Description", "Status", "Priority", "ActivityDate", "TaskSubtype",
             "WhoId", "WhatId", "Who.Type", "What.Type", "IsDeleted", "IsArchived",
             "CreatedDate", "SystemModstamp", spec.TASK_EVENT_ID),
    "Event": ("Subject", "Description", "StartDateTime", "EndDateTime", "ActivityDate",
              "WhoId", "WhatId", "Who.Type", "What.Type", "IsDeleted", "IsArchived",
              "CreatedDate", "SystemModstamp"),
}


def from_ms(value: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(value) / 1000, tz=dt.UTC)


def parse_hs_time(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    text = str(value)
    if text.isdigit():
        return from_ms(text)
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_timeline(hs: Any, src: spec.TimelineSource, since: dt.datetime,
                  until: dt.datetime) -> list[HsEvent]:
    if src.source == "email_events":
        return [_email_event(src, e) for page in hs.email_events(src.hs_kind, since, until)
                for e in page]
    if src.source == "forms":
        return _form_submissions(hs, src, since, until)
    if src.source == "engagements":
        return _engagements(hs, src, since, until)
    wanted = None if src.event == "integration_event" else src.hs_kind
    return [_timeline_event(src, e) for page in hs.timeline_events(wanted, since, until)
            for e in page if wanted or str(e.get("event_type", "")).startswith(src.hs_kind)]


def _email_event(src: spec.TimelineSource, e: dict[str, Any]) -> HsEvent:
    # An email event is identified by its id and creation time together (Email Analytics
    # API: "uniquely identified by its EventId, which is comprised of id and created").
    subject = e.get("subject") or f"campaign {e.get('emailCampaignId', '')}"
    return HsEvent(id=f"email-{e['created']}-{e['id']}", event=src.event,
                   occurred_at=from_ms(e["created"]), subject=str(subject),
                   description=str(e.get("url") or ""), email=str(e.get("recipient") or ""))


def _form_submissions(hs: Any, src: spec.TimelineSource, since: dt.datetime,
                      until: dt.datetime) -> list[HsEvent]:
    out = []
    for form in hs.forms():
        for s in hs.form_submissions(form["id"], since):
            at = from_ms(s["submittedAt"])
            if at > until:
                continue  # the next run's window
            values = {v.get("name"): v.get("value") for v in s.get("values") or []}
            lines = [f"{k}: {v}" for k, v in values.items()]
            if s.get("pageUrl"):
                lines.append(f"Page: {s['pageUrl']}")
            out.append(HsEvent(id=f"form-{s['conversionId']}", event=src.event, occurred_at=at,
                               subject=str(form.get("name") or ""),
                               description="\n".join(lines),
                               email=str(values.get("email") or "")))
    return out


def _engagements(hs: Any, src: spec.TimelineSource, since: dt.datetime,
                 until: dt.datetime) -> list[HsEvent]:
    subject_prop, body_prop = spec.ENGAGEMENT_TEXT[src.hs_kind]
    props = [p for p in (subject_prop, body_prop, "hs_timestamp", HS_SF_ID,
                         "hs_email_direction") if p]
    rows = [r for page in hs.changed(src.hs_kind, props, since, until) for r in page
            # Engagements this sync made from Salesforce activities are not HubSpot events;
            # a sales email "sent" is an outgoing one.
            if not r["properties"].get(HS_SF_ID)
            and (src.hs_kind != "emails"
                 or r["properties"].get("hs_email_direction") in (None, "", "EMAIL"))]
    if not rows:
        return []
    contacts = hs.associations(src.hs_kind, [r["id"] for r in rows], "contacts")
    out = []
    for r in rows:
        p = r["properties"]
        when = parse_hs_time(p.get("hs_timestamp")) or parse_hs_time(r.get("createdAt"))
        out.append(HsEvent(id=f"{src.hs_kind}-{r['id']}", event=src.event,
                           occurred_at=when or until,
                           subject=str(p.get(subject_prop) or "") if subject_prop else "",
                           description=str(p.get(body_prop) or ""),
                           contact_ids=tuple(contacts.get(r["id"], ()))))
    return out


def _timeline_event(src: spec.TimelineSource, e: dict[str, Any]) -> HsEvent:
    props = e.get("properties") or {}
    at = e.get("occurred_at")
    when = at if isinstance(at, dt.datetime) else parse_hs_time(at)
    return HsEvent(id=f"event-{e['id']}", event=src.event,
                   occurred_at=(when or dt.datetime.now(dt.UTC)).astimezone(dt.UTC),
                   subject=str(props.get("hs_email_subject") or props.get("hs_name")
                               or e.get("event_type") or ""),
                   description="\n".join(f"{k}: {v}" for k, v in sorted(props.items())),
                   contact_ids=(str(e.get("object_id")),))


def sf_queries(sobjects: Iterable[str], since: dt.datetime) -> dict[str, str]:
    """One queryAll per activity object: deleted and archived rows come back too."""
    return {o: changes_soql(o, SF_FIELDS[o], since) for o in sobjects}
