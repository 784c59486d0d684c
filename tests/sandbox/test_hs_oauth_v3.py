"""The HubSpot emulator's v3 OAuth endpoints and account details (hs_oauth docstring),
driven with requests as an OAuth client would (hubspot-api-client 12 has no v3 methods)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
import requests

from connectors.hubspot import make_client

REDIRECT = "https://app.local/callback"


@pytest.fixture
def http(hs):
    s = requests.Session()
    s.trust_env, s.verify = False, hs.ca_file
    return s


def code_of(hs, http) -> str:
    r = http.post(f"{hs.url}/oauth/authorize", data={"client_id": hs.client_id,
                                                     "redirect_uri": REDIRECT},
                  allow_redirects=False)
    return parse_qs(urlparse(r.headers["Location"]).query)["code"][0]


def token(hs, http, **form):
    return http.post(f"{hs.url}/oauth/v3/token", data={
        "client_id": hs.client_id, "client_secret": hs.client_secret, **form})


def introspect(hs, http, tok, **over):
    return http.post(f"{hs.url}/oauth/v3/token/introspect", data={
        "client_id": hs.client_id, "client_secret": hs.client_secret, "token": tok, **over})


def test_code_and_refresh_grants_answer_tokens_with_the_portal(hs, http):
    r = token(hs, http, grant_type="authorization_code", code=code_of(hs, http),
              redirect_uri=REDIRECT)
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 1800
    assert body["hub_id"] == hs.portal_id and "oauth" in body["scopes"]
    client = make_client(hs.url, body["access_token"], hs.ca_file)
    assert client.crm.contacts.basic_api.get_page().results == []

    again = token(hs, http, grant_type="refresh_token", refresh_token=body["refresh_token"])
    assert again.status_code == 200 and again.json()["access_token"] != body["access_token"]


@pytest.mark.parametrize(("form", "reason"), [
    ({"grant_type": "refresh_token", "refresh_token": "nope"}, "BAD_REFRESH_TOKEN"),
    ({"grant_type": "authorization_code", "code": "nope", "redirect_uri": REDIRECT},
     "BAD_AUTH_CODE"),
    ({"grant_type": "password"}, "BAD_GRANT_TYPE"),
    ({"grant_type": "refresh_token", "client_secret": "wrong"}, "BAD_CLIENT_SECRET"),
])
def test_refusals_are_hubspots_standard_error_body(hs, http, form, reason):
    r = token(hs, http, **form)
    assert r.status_code == 400
    body = r.json()
    assert body["category"] == "VALIDATION_ERROR" and body["subCategory"] == reason
    assert body["correlationId"] and body["message"]


def test_credentials_in_the_query_string_are_refused(hs, http):
    r = http.post(f"{hs.url}/oauth/v3/token", params={"client_secret": hs.client_secret},
                  data={"grant_type": "refresh_token", "client_id": hs.client_id,
                        "client_secret": hs.client_secret, "refresh_token": "x"})
    assert r.status_code == 400 and r.json()["subCategory"] == "BAD_REQUEST"


def test_introspection_of_access_refresh_expired_and_foreign_tokens(hs, http):
    pair = hs.control.issue_oauth()
    access = introspect(hs, http, pair["access_token"], token_type_hint="access_token").json()
    assert access["active"] is True and access["token_use"] == "access_token"
    assert access["hub_id"] == hs.portal_id and access["client_id"] == hs.client_id
    assert 0 < access["expires_in"] <= 1800 and "oauth" in access["scopes"]
    refresh = introspect(hs, http, pair["refresh_token"]).json()
    assert refresh["active"] is True and refresh["token_use"] == "refresh_token"

    hs.control.expire(pair["access_token"])
    assert introspect(hs, http, pair["access_token"]).json() == {"active": False}
    assert introspect(hs, http, hs.token).json() == {"active": False}  # a private app's
    bad = introspect(hs, http, pair["refresh_token"], client_secret="wrong")
    assert bad.status_code == 400 and bad.json()["subCategory"] == "BAD_CLIENT_SECRET"


def test_account_details_name_the_portal_of_any_token(hs, http):
    pair = hs.control.issue_oauth()
    for tok in (hs.token, pair["access_token"]):
        r = http.get(f"{hs.url}/account-info/v3/details",
                     headers={"Authorization": f"Bearer {tok}"})
        assert r.status_code == 200 and r.json()["portalId"] == hs.portal_id
    r = http.get(f"{hs.url}/account-info/v3/details")
    assert r.status_code == 401 and r.json()["category"] == "INVALID_AUTHENTICATION"
