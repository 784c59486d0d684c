"""HubSpot reads an activity sync needs beyond CRM objects: marketing email events, forms and
their submissions, and events v3 (FEATURES G1). A mixin of `HubSpotAdapter`: every request
goes through the adapter's counting pool, retries and error mapping.

The email events and form submission APIs are legacy v1 APIs the SDK has no class for; they
are sent through a CRM ApiClient of the SDK (`call_api`), which uses the same counted pool.
Events v3 has an SDK class (`client.events.events_api`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

EMAIL_EVENTS_PAGE = 1000  # the email events API's largest page
FORM_PAGE = 50  # the form submissions API's largest page
EVENTS_PAGE = 1000


class ActivityReads:
    """Mixed into HubSpotAdapter, which provides `_call`, `_objects` and `client`."""

    _call: Callable[[Callable[[], Any]], Any]
    _objects: Any
    client: Any

    def _raw_get(self, path: str, query: dict[str, Any]) -> Any:
        api_client = self._objects.basic_api.api_client
        params = [(k, str(v)) for k, v in query.items() if v is not None]
        return self._call(lambda: api_client.call_api(
            path, "GET", query_params=params, header_params={"Accept": "application/json"},
            response_types_map={200: "object"}, auth_settings=["oauth2"],
            _return_http_data_only=True))

    def email_events(self, event_type: str, since: datetime,
                     until: datetime) -> Iterator[list[dict[str, Any]]]:
        """Marketing email events of one type with since < created <= until, in pages. The log
        is not deduplicated (every open and click is one event)."""
        offset: str | None = None
        while True:
            res = self._raw_get("/email/public/v1/events", {
                "eventType": event_type, "startTimestamp": _ms(since) + 1,
                "endTimestamp": _ms(until), "limit": EMAIL_EVENTS_PAGE, "offset": offset})
            if res.get("events"):
                yield list(res["events"])
            if not res.get("hasMore"):
                return
            offset = res.get("offset")

    def forms(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        after: str | None = None
        while True:
            res = self._raw_get("/marketing/v3/forms/", {"limit": 100, "after": after})
            out += res.get("results") or []
            after = ((res.get("paging") or {}).get("next") or {}).get("after")
            if not after:
                return out

    def form_submissions(self, form_guid: str, since: datetime) -> list[dict[str, Any]]:
        """Submissions newer than `since` (the API answers newest first, so reading stops at
        the first older page)."""
        out: list[dict[str, Any]] = []
        after: str | None = None
        floor = _ms(since)
        while True:
            res = self._raw_get(f"/form-integrations/v1/submissions/forms/{form_guid}",
                                {"limit": FORM_PAGE, "after": after})
            rows = res.get("results") or []
            out += [r for r in rows if int(r.get("submittedAt") or 0) > floor]
            after = ((res.get("paging") or {}).get("next") or {}).get("after")
            if not after or any(int(r.get("submittedAt") or 0) <= floor for r in rows):
                return out

    def timeline_events(self, event_type: str | None, since: datetime,
                        until: datetime) -> Iterator[list[dict[str, Any]]]:
        """Contact events v3 of one type (None: every type) that occurred in (since, until)."""
        after: str | None = None
        api = self.client.events.events_api
        while True:
            def page_at(a: str | None = after) -> Any:
                return api.get_page(object_type="contact", event_type=event_type,
                                    occurred_after=since, occurred_before=until, after=a,
                                    limit=EVENTS_PAGE)

            res = self._call(page_at)
            page = [r.to_dict() for r in res.results or []]
            if page:
                yield page
            if not (res.paging and res.paging.next):
                return
            after = res.paging.next.after


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)
