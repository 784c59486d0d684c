"""Auth, OAuth, rate limits, usage counting, fault injection, owners and events."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
import urllib3

from connectors.hubspot import make_client
from tests.fixtures.hs import api_error


def test_bad_token_is_401_invalid_authentication(hs):
    client = make_client(hs.url, "pat-na1-wrong", hs.ca_file)
    status, body, _ = api_error(client.crm.contacts.basic_api.get_page)
    assert status == 401 and body["category"] == "INVALID_AUTHENTICATION"


def test_oauth_code_flow_refresh_and_expiry(hs):
    s = requests.Session()
    s.trust_env, s.verify = False, hs.ca_file
    redirect = "https://app.local/callback"
    page = s.get(f"{hs.url}/oauth/authorize", params={
        "client_id": hs.client_id, "redirect_uri": redirect, "scope": "oauth", "state": "xyz"})
    assert page.status_code == 200 and 'id="grant"' in page.text
    r = s.post(f"{hs.url}/oauth/authorize", data={"client_id": hs.client_id,
                                                   "redirect_uri": redirect, "state": "xyz"},
               allow_redirects=False)
    q = parse_qs(urlparse(r.headers["Location"]).query)
    assert q["state"] == ["xyz"]

    tokens_api = make_client(hs.url, "", hs.ca_file).oauth.tokens_api
    tok = tokens_api.create(grant_type="authorization_code", code=q["code"][0],
                            redirect_uri=redirect, client_id=hs.client_id,
                            client_secret=hs.client_secret)
    assert tok.expires_in == 1800 and tok.token_type == "bearer"
    client = make_client(hs.url, tok.access_token, hs.ca_file)
    info = client.oauth.access_tokens_api.get(tok.access_token)
    assert info.hub_id == hs.portal_id and "oauth" in info.scopes
    assert client.crm.contacts.basic_api.get_page().results == []

    hs.control.expire(tok.access_token)
    status, body, _ = api_error(client.crm.contacts.basic_api.get_page)
    assert status == 401 and body["category"] == "EXPIRED_AUTHENTICATION"
    assert "expired" in body["message"]

    fresh = tokens_api.create(grant_type="refresh_token", refresh_token=tok.refresh_token,
                              client_id=hs.client_id, client_secret=hs.client_secret)
    assert make_client(hs.url, fresh.access_token, hs.ca_file).crm.contacts.basic_api.get_page()
    status, body, _ = api_error(tokens_api.create, grant_type="refresh_token",
                                refresh_token="nope", client_id=hs.client_id,
                                client_secret=hs.client_secret)
    assert status == 400 and body["status"] == "BAD_REFRESH_TOKEN"


def test_ten_secondly_limit_429_with_headers(hs, hs_client):
    hs.control.limits(ten_secondly=3, interval_ms=400)
    api = hs_client.crm.contacts.basic_api
    _, _, headers = api.get_page_with_http_info()
    assert headers["X-HubSpot-RateLimit-Max"] == "3"
    assert headers["X-HubSpot-RateLimit-Remaining"] == "2"
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "400"
    assert "X-HubSpot-RateLimit-Daily-Remaining" in headers
    api.get_page()
    api.get_page()
    status, body, headers = api_error(api.get_page)
    assert status == 429
    assert body["message"] == "You have reached your ten_secondly_rolling limit."
    assert body["errorType"] == "RATE_LIMIT" and body["policyName"] == "TEN_SECONDLY_ROLLING"
    assert headers["X-HubSpot-RateLimit-Remaining"] == "0"
    time.sleep(0.45)
    assert api.get_page().results == []


def test_daily_limit(hs, hs_client):
    hs.control.limits(daily=1)
    hs_client.crm.contacts.basic_api.get_page()
    status, body, headers = api_error(hs_client.crm.contacts.basic_api.get_page)
    assert status == 429 and body["policyName"] == "DAILY"
    assert headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


def test_usage_counts_every_api_request_but_not_control(hs, hs_client):
    hs.control.load({"contacts": [{"email": "u@x.com"}]})
    hs_client.crm.contacts.basic_api.get_page()
    api_error(hs_client.crm.contacts.basic_api.get_by_id, "1")
    hs_client.crm.owners.owners_api.get_page()
    assert hs.control.usage()["total"] == 3


@pytest.mark.parametrize(("kind", "status"), [("p500", 500), ("p503", 503), ("p429", 429),
                                              ("pexpired", 401)])
def test_fault_injection(hs, hs_client, kind, status):
    hs.control.faults([{"path": "/crm/v3/objects/*", kind: 1.0, "times": 1}], seed=7)
    got, body, _ = api_error(hs_client.crm.contacts.basic_api.get_page)
    assert got == status
    assert hs_client.crm.contacts.basic_api.get_page().results == []  # only once
    assert hs_client.crm.owners.owners_api.get_page().results  # other paths untouched


def test_fault_timeout(hs):
    hs.control.faults([{"path": "*", "ptimeout": 1.0, "timeout": 0.6}])
    client = make_client(hs.url, hs.token, hs.ca_file, retry=False)
    with pytest.raises(urllib3.exceptions.ReadTimeoutError):
        client.crm.contacts.basic_api.get_page(_request_timeout=0.2)
    hs.control.clear_faults()
    assert client.crm.contacts.basic_api.get_page().results == []


def test_fault_probabilities_are_seeded(hs, hs_client):
    def run():
        hs.control.faults([{"path": "*", "p500": 0.5}], seed=42)
        out = []
        for _ in range(12):
            try:
                hs_client.crm.owners.owners_api.get_page()
                out.append(True)
            except Exception:
                out.append(False)
        return out

    a, b = run(), run()
    assert a == b and 0 < a.count(False) < 12


def test_owners_and_events(hs, hs_client):
    owners = hs_client.crm.owners.owners_api.get_page().results
    assert {o.email for o in owners} >= {"ada.owner@example.com"}
    cid = hs.control.load({"contacts": [{"email": "e@x.com"}]})["contacts"][0]
    hs.control.events([{"eventType": "e_marketing_email_open", "objectType": "contact",
                        "objectId": cid, "occurredAt": "2026-01-02T00:00:00Z"},
                       {"eventType": "e_form_submission", "objectType": "contact",
                        "objectId": cid, "occurredAt": "2026-01-03T00:00:00Z"}])
    page = hs_client.events.events_api.get_page(object_type="contact", object_id=int(cid))
    assert [e.event_type for e in page.results] == ["e_marketing_email_open",
                                                    "e_form_submission"]
    only = hs_client.events.events_api.get_page(object_type="contact", object_id=int(cid),
                                                event_type="e_form_submission")
    assert len(only.results) == 1
