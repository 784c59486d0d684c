"""connectors.oauth against the emulators: code exchange, identity, classified failures."""

import socket
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from connectors import oauth
from connectors.errors import Kind, RemoteError

REDIRECT = "http://testserver/callback/"


def _session(ca_file):
    s = requests.Session()
    s.verify, s.trust_env = str(ca_file), False
    return s


def _sf_code(sf):
    query = urlencode({"response_type": "code", "client_id": sf.client_id,
                       "redirect_uri": REDIRECT, "state": "s"})
    login = _session(sf.ca_file).post(
        f"{sf.login_url}/services/oauth2/authorize?{query}",
        data={"username": sf.username, "password": sf.password, "action": "allow"},
        allow_redirects=False)
    assert login.status_code == 302
    return parse_qs(urlsplit(login.headers["Location"]).query)["code"][0]


def _hs_code(hs):
    query = {"client_id": hs.client_id, "redirect_uri": REDIRECT, "scope": "oauth",
             "state": "s"}
    grant = _session(hs.ca_file).post(hs.url + "/oauth/authorize", data=query,
                                      allow_redirects=False)
    assert grant.status_code == 302
    return parse_qs(urlsplit(grant.headers["Location"]).query)["code"][0]


def _closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_salesforce_code_exchange_returns_tokens_and_the_user(sf):
    grant = oauth.exchange_salesforce_code(sf.login_url, sf.client_id, sf.client_secret,
                                           _sf_code(sf), REDIRECT, str(sf.ca_file))
    assert grant.access_token and grant.refresh_token and grant.instance_url
    assert grant.identity.organization_id.startswith("00D")
    assert grant.identity.preferred_username == sf.username
    again = oauth.salesforce_identity(grant.instance_url, grant.access_token, str(sf.ca_file))
    assert again == grant.identity


def test_salesforce_code_used_twice_is_refused_as_auth_error(sf):
    code = _sf_code(sf)
    oauth.exchange_salesforce_code(sf.login_url, sf.client_id, sf.client_secret, code,
                                   REDIRECT, str(sf.ca_file))
    with pytest.raises(RemoteError) as err:
        oauth.exchange_salesforce_code(sf.login_url, sf.client_id, sf.client_secret, code,
                                       REDIRECT, str(sf.ca_file))
    assert err.value.kind == Kind.AUTH_EXPIRED and err.value.permanent
    assert err.value.status == 400 and err.value.remote == "salesforce"


def test_salesforce_identity_with_a_bad_token_is_an_auth_error(sf):
    with pytest.raises(RemoteError) as err:
        oauth.salesforce_identity(sf.login_url, "not-a-token", str(sf.ca_file))
    assert err.value.kind == Kind.AUTH_EXPIRED


def test_unreachable_remote_is_transient_and_names_the_failure():
    with pytest.raises(RemoteError) as err:
        oauth.exchange_salesforce_code(f"https://127.0.0.1:{_closed_port()}", "id", "secret",
                                       "code", REDIRECT, timeout=2)
    assert err.value.kind == Kind.UNAVAILABLE and not err.value.permanent
    assert err.value.code == oauth.UNREACHABLE and err.value.message == "ConnectionError"
    assert isinstance(err.value.__cause__, requests.RequestException)


def test_hubspot_code_exchange_returns_tokens_and_the_portal(hs):
    grant = oauth.exchange_hubspot_code(hs.url, hs.client_id, hs.client_secret, _hs_code(hs),
                                        REDIRECT, str(hs.ca_file))
    assert grant.access_token and grant.refresh_token and grant.expires_in
    assert grant.hub_id == str(hs.portal_id)
    # The v3 token endpoint names the portal: one request, none to the retiring v1.
    assert hs.control.usage()["by_endpoint"] == {"POST oauth_token_v3": 1}


def test_a_refused_hubspot_code_is_classified_by_its_v3_reason(hs):
    with pytest.raises(RemoteError) as err:
        oauth.exchange_hubspot_code(hs.url, hs.client_id, hs.client_secret, "used-or-wrong",
                                    REDIRECT, str(hs.ca_file))
    assert err.value.kind == Kind.AUTH_EXPIRED and err.value.status == 400
    assert err.value.code == "BAD_AUTH_CODE"


def test_hubspot_hub_id_of_a_private_app_token_and_of_a_bad_one(hs):
    assert oauth.hubspot_hub_id(hs.url, hs.token, str(hs.ca_file)) == str(hs.portal_id)
    with pytest.raises(RemoteError) as err:
        oauth.hubspot_hub_id(hs.url, "not-a-token", str(hs.ca_file))
    assert err.value.remote == "hubspot" and err.value.status is not None
