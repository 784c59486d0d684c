"""Arranging activity settings and records, and reading tasks and engagements back through the
real clients (simple-salesforce, hubspot-api-client)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from syncadmin.integration.models import SfActivitySetting, TimelineEventSetting
from syncadmin.sync.models import RecordLink
from syncadmin.sync.objects.activities import TASK_EVENT_ID

DAY = dt.timedelta(days=1)


def turn_on(account: Any, *events: str, task_type: str = "") -> None:
    for event in events:
        TimelineEventSetting.objects.update_or_create(
            account=account, event=event, defaults={"enabled": True, "sf_task_type": task_type})


def sf_kind(account: Any, kind: str, **fields: Any) -> SfActivitySetting:
    """Saved as the tab saves it: turning it on stamps `enabled_at` (no backfill)."""
    s, _ = SfActivitySetting.objects.get_or_create(account=account, kind=kind)
    s.enabled = True
    for k, v in fields.items():
        setattr(s, k, v)
    s.save()
    return s


def contacts_loaded(hs: Any, rows: list[dict[str, Any]]) -> list[str]:
    return hs.control.load({"contacts": rows})["contacts"]


def began(account: Any, hs_id: str) -> dt.datetime:
    """When the contact's sync began: its record link's creation."""
    return RecordLink.objects.get(account=account, object="contacts", hs_id=hs_id).created_at


def sf_id_of(account: Any, hs_id: str) -> str:
    return RecordLink.objects.get(account=account, object="contacts", hs_id=hs_id).sf_id or ""


def tasks(sf_client: Any, where: str = "") -> list[dict[str, Any]]:
    cond = f"{TASK_EVENT_ID} != null" + (f" AND {where}" if where else "")
    soql = (f"SELECT Id, Subject, WhoId, Type, Status, ActivityDate, Description, "  # noqa: S608
            f"{TASK_EVENT_ID} FROM Task WHERE {cond}")
    return [{k: v for k, v in r.items() if k != "attributes"}
            for r in sf_client.query_all(soql)["records"]]


def ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


def engagements(hs_client: Any, hs_type: str, props: list[str],
                archived: bool = False) -> list[dict[str, Any]]:
    out, after = [], None
    api = hs_client.crm.objects.basic_api
    while True:
        page = api.get_page(hs_type, limit=100, after=after, archived=archived,
                            properties=props)
        out += [r.properties | {"id": r.id} for r in page.results]
        if not page.paging or not page.paging.next:
            return out
        after = page.paging.next.after
