"""OAuth web-server flow, session expiry and refresh, daily limits, fault injection."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from connectors.sandbox.salesforce import SalesforceHandle
from tests.fixtures.sf import sf_session
from tests.sandbox.sf_helpers import contact, sf_error

REDIRECT = "https://app.example/oauth/salesforce/callback"


def _authorize(sf: SalesforceHandle, login_url: str, state: str = "st4te") -> str:
    s = sf_session(sf)
    params = {
        "response_type": "code",
        "client_id": sf.client_id,
        "redirect_uri": REDIRECT,
        "state": state,
    }
    page = s.get(login_url + "/services/oauth2/authorize", params=params, timeout=10)
    assert page.status_code == 200 and "<form" in page.text
    action = re.search(r'action="([^"]+)"', page.text).group(1)
    form = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    assert form["username"] == sf.username
    r = s.post(sf.url + action, data={**form, "action": "allow"}, allow_redirects=False, timeout=10)
    assert r.status_code == 302
    loc = urlsplit(r.headers["Location"])
    assert f"{loc.scheme}://{loc.netloc}{loc.path}" == REDIRECT
    q = parse_qs(loc.query)
    assert q["state"] == [state]
    return q["code"][0]


def _token(sf: SalesforceHandle, login_url: str, **data: str) -> requests.Response:
    return sf_session(sf).post(
        login_url + "/services/oauth2/token",
        data={"client_id": sf.client_id, "client_secret": sf.client_secret, **data},
        timeout=10,
    )


def test_oauth_code_flow_refresh_and_userinfo(sf: SalesforceHandle) -> None:
    code = _authorize(sf, sf.login_url)
    r = _token(sf, sf.login_url, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert r.status_code == 200
    tok = r.json()
    assert {
        "access_token",
        "refresh_token",
        "instance_url",
        "id",
        "issued_at",
        "signature",
        "token_type",
    } <= tok.keys()
    assert tok["instance_url"] == sf.url and tok["token_type"] == "Bearer"
    client = Salesforce(
        instance_url=tok["instance_url"], session_id=tok["access_token"], session=sf_session(sf)
    )
    assert client.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
    info = client.oauth2("userinfo")
    assert info["preferred_username"] == sf.username and info["user_id"].startswith("005")
    assert info["organization_id"].startswith("00D") and info["email"]
    # Codes are single use.
    r = _token(sf, sf.login_url, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = _token(sf, sf.login_url, grant_type="refresh_token", refresh_token=tok["refresh_token"])
    assert r.status_code == 200 and "refresh_token" not in r.json()
    assert r.json()["access_token"] != tok["access_token"]
    bad = _token(sf, sf.login_url, grant_type="refresh_token", refresh_token="nope")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid_grant"
    wrong = sf_session(sf).post(
        sf.login_url + "/services/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": tok["refresh_token"],
            "client_id": sf.client_id,
            "client_secret": "wrong",
        },
        timeout=10,
    )
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_client"


def test_sandbox_login_host_is_separate(sf: SalesforceHandle) -> None:
    assert sf.sandbox_login_url != sf.login_url
    page = sf_session(sf).get(
        sf.sandbox_login_url + "/services/oauth2/authorize",
        params={"response_type": "code", "client_id": sf.client_id, "redirect_uri": REDIRECT},
    )
    assert "Sandbox" in page.text
    code = _authorize(sf, sf.sandbox_login_url)
    # A sandbox code is refused by the production login host ...
    r = _token(sf, sf.login_url, grant_type="authorization_code", code=code, redirect_uri=REDIRECT)
    assert r.status_code == 400
    code = _authorize(sf, sf.sandbox_login_url)
    tok = _token(
        sf, sf.sandbox_login_url, grant_type="authorization_code", code=code, redirect_uri=REDIRECT
    ).json()
    assert "/test/id/" in tok["id"]
    # ... and so is its refresh token.
    r = _token(sf, sf.login_url, grant_type="refresh_token", refresh_token=tok["refresh_token"])
    assert r.status_code == 400
    r = _token(
        sf, sf.sandbox_login_url, grant_type="refresh_token", refresh_token=tok["refresh_token"]
    )
    assert r.status_code == 200


def test_bad_client_id_on_authorize_and_deny(sf: SalesforceHandle) -> None:
    s = sf_session(sf)
    r = s.get(
        sf.login_url + "/services/oauth2/authorize",
        params={"response_type": "code", "client_id": "nope", "redirect_uri": REDIRECT},
    )
    assert r.status_code == 400
    r = s.post(
        sf.login_url + "/services/oauth2/authorize",
        data={
            "response_type": "code",
            "client_id": sf.client_id,
            "redirect_uri": REDIRECT,
            "state": "s",
            "action": "deny",
        },
        allow_redirects=False,
    )
    assert "error=access_denied" in r.headers["Location"]


def test_session_expiry_then_refresh(sf: SalesforceHandle) -> None:
    sf.control.sessions(ttl_seconds=0.5)
    code = _authorize(sf, sf.login_url)
    tok = _token(
        sf, sf.login_url, grant_type="authorization_code", code=code, redirect_uri=REDIRECT
    ).json()
    client = Salesforce(instance_url=sf.url, session_id=tok["access_token"], session=sf_session(sf))
    client.query("SELECT Id FROM Contact")
    time.sleep(0.6)
    with pytest.raises(SalesforceExpiredSession) as info:
        client.query("SELECT Id FROM Contact")
    assert info.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
    assert info.value.content[0]["message"] == "Session expired or invalid"
    sf.control.sessions(ttl_seconds=None)
    new = _token(
        sf, sf.login_url, grant_type="refresh_token", refresh_token=tok["refresh_token"]
    ).json()
    client2 = Salesforce(
        instance_url=sf.url, session_id=new["access_token"], session=sf_session(sf)
    )
    assert client2.query("SELECT COUNT() FROM Contact")["totalSize"] == 0


def test_expire_all_sessions(sf: SalesforceHandle, sf_client: Salesforce) -> None:
    sf_client.query("SELECT Id FROM Contact")
    used = sf.control.usage()["used"]
    sf.control.sessions(expire_all=True)
    with pytest.raises(SalesforceExpiredSession):
        sf_client.query("SELECT Id FROM Contact")
    assert sf.control.usage()["used"] == used  # refused before counting


def test_limits_and_request_limit_exceeded(sf: SalesforceHandle, sf_client: Salesforce) -> None:
    sf.control.set_limits(daily_limit=5, used=2)
    lim = sf_client.limits()
    assert lim["DailyApiRequests"] == {"Max": 5, "Remaining": 2}  # this call counted too
    sf_client.Contact.create(contact(1))
    sf_client.Contact.create(contact(2))
    assert sf.control.usage()["used"] == 5
    status, code, err = sf_error(sf_client.Contact.create, contact(3))
    assert (status, code) == (403, "REQUEST_LIMIT_EXCEEDED")
    assert err["message"] == "TotalRequests Limit exceeded."
    assert sf.control.usage() == {"used": 5, "limit": 5}
    r = sf_client.session.get(sf.url + "/services/data/v59.0/limits/", headers=sf_client.headers)
    assert r.status_code == 403 and r.headers["Sforce-Limit-Info"] == "api-usage=5/5"


def test_fault_injection_is_seeded_and_bounded(sf: SalesforceHandle, sf_client: Salesforce) -> None:
    sf.control.faults({"query*": {"500": 1.0}}, times=2)
    for _ in range(2):
        status, code, _ = sf_error(sf_client.query, "SELECT Id FROM Contact")
        assert (status, code) == (500, "UNKNOWN_EXCEPTION")
    assert sf_client.query("SELECT Id FROM Contact")["totalSize"] == 0
    sf_client.Contact.create(contact(1))  # other endpoints untouched
    sf.control.faults({"*": {"503": 1.0}}, times=1)
    assert sf_error(sf_client.limits)[0] == 503
    sf.control.faults({"*": {"429": 1.0}}, times=1, retry_after=2)
    r = sf_client.session.get(sf.url + "/services/data/v59.0/limits/", headers=sf_client.headers)
    assert r.status_code == 429 and r.headers["Retry-After"] == "2"
    sf.control.faults({"*": {"lock": 1.0}}, times=1)
    assert sf_error(sf_client.Contact.create, contact(2))[1] == "UNABLE_TO_LOCK_ROW"

    def pattern(seed: int) -> list[int]:
        sf.control.faults({"*": {"500": 0.5}}, seed=seed)
        out = []
        for _ in range(12):
            r = sf_client.session.get(
                sf.url + "/services/data/v59.0/limits/", headers=sf_client.headers
            )
            out.append(r.status_code)
        return out

    a, b = pattern(7), pattern(7)
    assert a == b and set(a) == {200, 500}


def test_timeout_and_expired_session_faults(sf: SalesforceHandle, sf_client: Salesforce) -> None:
    sf.control.faults({"*": {"timeout": 1.0}}, times=1, timeout_seconds=1.0)
    with pytest.raises(requests.exceptions.ReadTimeout):
        sf_client.query("SELECT Id FROM Contact", timeout=0.3)
    sf.control.faults({"*": {"expired_session": 1.0}}, times=1)
    with pytest.raises(SalesforceExpiredSession):
        sf_client.query("SELECT Id FROM Contact")
    with pytest.raises(SalesforceExpiredSession):  # the session stays invalid
        sf_client.query("SELECT Id FROM Contact")


def test_record_lock_fault_inside_collections(sf: SalesforceHandle, sf_client: Salesforce) -> None:
    sf.control.faults({"composite/*": {"record_lock": 1.0}}, times=1)
    recs = [{"attributes": {"type": "Contact"}, **contact(i)} for i in range(3)]
    res = sf_client.restful("composite/sobjects", method="POST", json={"records": recs})
    assert [r["success"] for r in res] == [False, True, True]
    assert res[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
