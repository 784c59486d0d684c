"""Marketing email events and form submissions in the HubSpot emulator: the two legacy read
APIs an activity sync reads, and control endpoints that write what no public API can.

Shapes, as HubSpot documents them:

- ``GET /email/public/v1/events`` (Email Analytics API v1, https://developers.hubspot.com/
  docs/api-reference/legacy/email-analytics-v1/guide): query ``startTimestamp``/
  ``endTimestamp`` (ms, inclusive), ``eventType`` (SENT, DELIVERED, OPEN, CLICK, FORWARD …),
  ``recipient``, ``campaignId``, ``offset``, ``limit`` (at most 1,000); answers ``{"events":
  [...], "hasMore", "offset"}``. Each event has ``id``, ``created``, ``type``, ``recipient``,
  ``portalId``, ``appId``, ``appName``, ``emailCampaignId``, ``sentBy`` {``id``,
  ``created``}; CLICK adds ``url``. The log is not deduplicated: every open and click is its
  own event, and opens and clicks of a forwarded message carry the original recipient (the
  tracking links are the recipient's).
- ``GET /form-integrations/v1/submissions/forms/{formGuid}`` (Forms API v1, https://
  developers.hubspot.com/docs/api-reference/legacy/marketing/forms/v1/
  get-form-integrations-v1-submissions-forms-form_guid): ``limit`` 1..50 (default 20),
  ``after``; answers ``{"results": [{"conversionId", "submittedAt", "values": [{"name",
  "value"}], "pageUrl"}], "paging": {"next": {"after", "link"}}}`` newest first.
- ``GET /marketing/v3/forms/`` lists the forms (``id``, ``name``, ``formType``,
  ``createdAt``, ``updatedAt``, ``archived``), paged by ``after``.

Control (not counted, no auth):
    POST /__sandbox/email-events   {"events": [{"type", "recipient", "created" (ISO or ms),
                                   "emailCampaignId"?, "subject"?, "url"?, "id"?}]} -> ids
    POST /__sandbox/forms          {"forms": [{"id"?, "name"}]} -> ids
    POST /__sandbox/form-submissions  {"formGuid", "submissions": [{"submittedAt", "values":
                                   {name: value}, "pageUrl"?, "conversionId"?}]} -> ids
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox.hs_base import HubSpotBase, err
from connectors.sandbox.hs_defaults import iso, now_ms, parse_ms

EMAIL_EVENT_TYPES = {"SENT", "DROPPED", "PROCESSED", "DELIVERED", "DEFERRED", "BOUNCE", "OPEN",
                     "CLICK", "STATUSCHANGE", "SPAMREPORT", "FORWARD", "PRINT"}
EMAIL_APP_ID, EMAIL_APP_NAME = 113, "BatchEmail"


@dataclass
class MarketingLog:
    """Marketing email events and form submissions of one portal."""

    email_events: list[dict[str, Any]] = field(default_factory=list)
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    submissions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


class MarketingEventsMixin(HubSpotBase):
    marketing: MarketingLog

    def _marketing(self) -> MarketingLog:
        log = getattr(self, "marketing", None)
        if log is None:
            log = self.marketing = MarketingLog()
        return log

    # ---- public API ----------------------------------------------------------------------
    def email_events(self, req: Request) -> Response:
        a = req.args
        limit = _int(a.get("limit"), 1000)
        if not 1 <= limit <= 1000:
            raise err(400, "VALIDATION_ERROR", "limit must be between 1 and 1000")
        start, end = parse_ms(a.get("startTimestamp")), parse_ms(a.get("endTimestamp"))
        etype, recipient = a.get("eventType"), (a.get("recipient") or "").lower()
        campaign = a.get("campaignId")
        offset = _int(a.get("offset"), 0)
        with self.lock:
            rows = [e for e in self._marketing().email_events
                    if (start is None or e["created"] >= start)
                    and (end is None or e["created"] <= end)
                    and (not etype or e["type"] == etype)
                    and (not recipient or e["recipient"] == recipient)
                    and (not campaign or str(e["emailCampaignId"]) == campaign)]
        rows.sort(key=lambda e: (-e["created"], e["id"]))  # the log answers newest first
        page = rows[offset:offset + limit]
        more = offset + limit < len(rows)
        return self.json({"events": [{**e, "portalId": self.portal.hub_id} for e in page],
                          "hasMore": more, "offset": str(offset + len(page))})

    def forms_list(self, req: Request) -> Response:
        limit = _int(req.args.get("limit"), 20)
        after = _int(req.args.get("after"), 0)
        with self.lock:
            forms = sorted(self._marketing().forms.values(), key=lambda f: f["createdAt"])
        body: dict[str, Any] = {"results": forms[after:after + limit]}
        if after + limit < len(forms):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return self.json(body)

    def form_submissions(self, req: Request, form_guid: str) -> Response:
        limit = _int(req.args.get("limit"), 20)
        if not 1 <= limit <= 50:
            raise err(400, "VALIDATION_ERROR", "limit must be between 1 and 50")
        after = _int(req.args.get("after"), 0)
        with self.lock:
            log = self._marketing()
            if form_guid not in log.forms:
                raise err(404, "OBJECT_NOT_FOUND", f"Form {form_guid} does not exist")
            rows = sorted(log.submissions.get(form_guid, []),
                          key=lambda s: (-s["submittedAt"], s["conversionId"]))
        body: dict[str, Any] = {"results": rows[after:after + limit]}
        if after + limit < len(rows):
            nxt = str(after + limit)
            body["paging"] = {"next": {"after": nxt, "link": f"{req.base_url}?after={nxt}"}}
        return self.json(body)

    # ---- control -------------------------------------------------------------------------
    def ctl_email_events(self, req: Request) -> Response:
        ids = []
        with self.lock:
            log = self._marketing()
            for e in self._body(req).get("events") or []:
                if e.get("type") not in EMAIL_EVENT_TYPES:
                    raise err(400, "VALIDATION_ERROR", f"unknown email event type {e.get('type')}")
                created = parse_ms(e.get("created")) or now_ms()
                row = {"id": e.get("id") or str(uuid.uuid4()), "created": created,
                       "type": e["type"], "recipient": str(e["recipient"]).lower(),
                       "appId": EMAIL_APP_ID, "appName": EMAIL_APP_NAME,
                       "emailCampaignId": int(e.get("emailCampaignId") or 1),
                       "sentBy": {"id": e.get("sentById") or str(uuid.uuid4()),
                                  "created": created}}
                if e.get("subject"):
                    row["subject"] = str(e["subject"])
                if e["type"] == "CLICK":
                    row["url"] = str(e.get("url") or "https://example.com/")
                log.email_events.append(row)
                ids.append(row["id"])
        return self.json({"ids": ids})

    def ctl_forms(self, req: Request) -> Response:
        ids = []
        with self.lock:
            log = self._marketing()
            for f in self._body(req).get("forms") or []:
                fid = str(f.get("id") or uuid.uuid4())
                at = iso(now_ms())
                log.forms[fid] = {"id": fid, "name": str(f.get("name") or fid),
                                  "formType": "hubspot", "createdAt": at, "updatedAt": at,
                                  "archived": False}
                ids.append(fid)
        return self.json({"ids": ids})

    def ctl_form_submissions(self, req: Request) -> Response:
        body = self._body(req)
        guid = str(body.get("formGuid") or "")
        ids = []
        with self.lock:
            log = self._marketing()
            if guid not in log.forms:
                raise err(404, "OBJECT_NOT_FOUND", f"Form {guid} does not exist")
            rows = log.submissions.setdefault(guid, [])
            for s in body.get("submissions") or []:
                values = s.get("values") or {}
                if isinstance(values, dict):
                    values = [{"name": k, "value": str(v)} for k, v in values.items()]
                row = {"conversionId": str(s.get("conversionId") or uuid.uuid4()),
                       "submittedAt": parse_ms(s.get("submittedAt")) or now_ms(),
                       "values": values, "pageUrl": str(s.get("pageUrl") or "")}
                rows.append(row)
                ids.append(row["conversionId"])
        return self.json({"ids": ids})


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        raise err(400, "VALIDATION_ERROR", f"not a number: {value}") from None


RULES = [
    Rule("/email/public/v1/events", methods=["GET"], endpoint="email_events"),
    Rule("/marketing/v3/forms/", methods=["GET"], endpoint="forms_list"),
    Rule("/form-integrations/v1/submissions/forms/<form_guid>", methods=["GET"],
         endpoint="form_submissions"),
    Rule("/__sandbox/email-events", methods=["POST"], endpoint="ctl_email_events"),
    Rule("/__sandbox/forms", methods=["POST"], endpoint="ctl_forms"),
    Rule("/__sandbox/form-submissions", methods=["POST"], endpoint="ctl_form_submissions"),
]
