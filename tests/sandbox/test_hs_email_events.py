"""Marketing email events, forms and form submissions in the HubSpot emulator, read through
hubspot-api-client (its ApiClient carries the legacy v1 paths the SDK has no class for)."""

from __future__ import annotations

from typing import Any

import pytest
from hubspot.crm.objects.exceptions import ApiException

T0 = 1_780_000_000_000  # ms


def get(hs_client: Any, path: str, **query: Any) -> Any:
    api_client = hs_client.crm.objects.basic_api.api_client
    return api_client.call_api(
        path, "GET", query_params=[(k, str(v)) for k, v in query.items()],
        header_params={"Accept": "application/json"}, response_types_map={200: "object"},
        auth_settings=["oauth2"], _return_http_data_only=True)


def test_email_events_are_not_deduplicated_and_page_by_offset(hs, hs_client):
    hs.control.email_events(
        [{"type": "OPEN", "recipient": "Ann@X.com", "created": T0 + i, "emailCampaignId": 7}
         for i in range(5)]
        + [{"type": "CLICK", "recipient": "ann@x.com", "created": T0 + 10, "url": "https://a/"}])
    first = get(hs_client, "/email/public/v1/events", eventType="OPEN", limit=3)
    assert first["hasMore"] is True and len(first["events"]) == 3
    rest = get(hs_client, "/email/public/v1/events", eventType="OPEN", limit=3,
               offset=first["offset"])
    opens = first["events"] + rest["events"]
    assert rest["hasMore"] is False
    assert len(opens) == len({e["id"] for e in opens}) == 5
    assert [e["created"] for e in opens] == sorted((e["created"] for e in opens), reverse=True)
    e = opens[0]
    assert (e["recipient"], e["emailCampaignId"], e["portalId"]) == ("ann@x.com", 7,
                                                                     hs.portal_id)
    assert {"appId", "appName", "sentBy"} <= set(e)
    [click] = get(hs_client, "/email/public/v1/events", eventType="CLICK")["events"]
    assert click["url"] == "https://a/"


def test_email_events_filter_by_time_inclusively(hs, hs_client):
    hs.control.email_events([{"type": "SENT", "recipient": "b@x.com", "created": T0 + i}
                             for i in range(4)])
    got = get(hs_client, "/email/public/v1/events", startTimestamp=T0 + 1, endTimestamp=T0 + 2)
    assert sorted(e["created"] for e in got["events"]) == [T0 + 1, T0 + 2]


def test_email_events_refuse_a_page_over_1000(hs, hs_client):
    with pytest.raises(ApiException) as caught:
        get(hs_client, "/email/public/v1/events", limit=1001)
    assert caught.value.status == 400


def test_form_submissions_newest_first_in_pages_of_at_most_50(hs, hs_client):
    [guid] = hs.control.forms([{"name": "Contact us"}])
    hs.control.form_submissions(guid, [
        {"submittedAt": T0 + i, "values": {"email": f"p{i}@x.com"}, "pageUrl": "https://w/"}
        for i in range(3)])
    forms = get(hs_client, "/marketing/v3/forms/")["results"]
    assert [(f["id"], f["name"]) for f in forms] == [(guid, "Contact us")]
    page = get(hs_client, f"/form-integrations/v1/submissions/forms/{guid}", limit=2)
    assert [s["submittedAt"] for s in page["results"]] == [T0 + 2, T0 + 1]
    assert page["results"][0]["values"] == [{"name": "email", "value": "p2@x.com"}]
    assert {"conversionId", "pageUrl"} <= set(page["results"][0])
    nxt = get(hs_client, f"/form-integrations/v1/submissions/forms/{guid}", limit=2,
              after=page["paging"]["next"]["after"])
    assert [s["submittedAt"] for s in nxt["results"]] == [T0] and "paging" not in nxt
    with pytest.raises(ApiException) as caught:
        get(hs_client, f"/form-integrations/v1/submissions/forms/{guid}", limit=51)
    assert caught.value.status == 400
    with pytest.raises(ApiException) as missing:
        get(hs_client, "/form-integrations/v1/submissions/forms/nope")
    assert missing.value.status == 404


def test_reset_clears_marketing_events(hs, hs_client):
    hs.control.email_events([{"type": "OPEN", "recipient": "c@x.com"}])
    hs.control.reset()
    assert get(hs_client, "/email/public/v1/events")["events"] == []


def test_sales_email_opens_are_events_v3_written_by_the_control_api(hs, hs_client):
    [cid] = hs.control.load({"contacts": [{"email": "d@x.com"}]})["contacts"]
    hs.control.events([{"eventType": "e_sales_email_open", "objectType": "contact",
                        "objectId": cid, "occurredAt": T0}])
    page = hs_client.events.events_api.get_page(object_type="contact",
                                                event_type="e_sales_email_open")
    [ev] = page.results
    assert (ev.object_id, ev.event_type) == (cid, "e_sales_email_open")
