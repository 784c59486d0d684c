"""Events and owners of the HubSpot emulator: GET /events/v3/events/ (filtered by object,
event type and time), its event types, and the read-only GET /crm/v3/owners/."""

from __future__ import annotations

import uuid
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox.hs_assoc import EVENT_TYPES, OWNERS, owner_api
from connectors.sandbox.hs_base import HubSpotBase, err
from connectors.sandbox.hs_store import iso, now_ms, parse_ms


class EventsMixin(HubSpotBase):
    def owners(self, req: Request) -> Response:
        email = req.args.get("email")
        rows = [owner_api(o, self.owners_at) for o in OWNERS
                if not email or o["email"] == email.lower()]
        return self.json({"results": rows})

    def events_list(self, req: Request) -> Response:
        otype = req.args.get("objectType")
        if not otype:
            raise err(400, "VALIDATION_ERROR", "objectType is required")
        st = self._store(otype)
        oid = req.args.get("objectId")
        etypes = set(req.args.getlist("eventType"))
        after_ms = parse_ms(req.args.get("occurredAfter"))
        before_ms = parse_ms(req.args.get("occurredBefore"))
        limit = min(int(req.args.get("limit", 100)), 1000)
        after = int(req.args.get("after", 0) or 0)
        with self.lock:
            rows = [e for e in self.events
                    if e["objectType"] in (st.singular, st.plural, st.type_id)
                    and (oid is None or str(e["objectId"]) == str(oid))
                    and (not etypes or e["eventType"] in etypes)
                    and (after_ms is None or e["occurredAt"] > after_ms)
                    and (before_ms is None or e["occurredAt"] < before_ms)]
        rows.sort(key=lambda e: (e["occurredAt"], e["id"]))
        page = rows[after:after + limit]
        body: dict[str, Any] = {"results": [
            {"objectType": st.singular.upper(), "objectId": str(e["objectId"]),
             "eventType": e["eventType"], "occurredAt": iso(e["occurredAt"]), "id": e["id"],
             "properties": e.get("properties") or {}} for e in page]}
        if after + limit < len(rows):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return self.json(body)

    def event_types(self, req: Request) -> Response:
        return self.json({"eventTypes": EVENT_TYPES})

    def add_events(self, events: list[dict[str, Any]]) -> None:
        for e in events:
            self.events.append({
                "id": e.get("id") or str(uuid.uuid4()),
                "eventType": e["eventType"],
                "objectType": e.get("objectType", "contact"),
                "objectId": str(e["objectId"]),
                "occurredAt": parse_ms(e.get("occurredAt")) or now_ms(),
                "properties": {k: str(v) for k, v in (e.get("properties") or {}).items()},
            })


RULES = [
    Rule("/crm/v3/owners/", methods=["GET"], endpoint="owners"),
    Rule("/events/v3/events/", methods=["GET"], endpoint="events_list"),
    Rule("/events/v3/events/event-types", methods=["GET"], endpoint="event_types"),
]
