"""The OAuth connect flows against the Salesforce and HubSpot emulators (no mocks)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.db import connection
from django.urls import reverse


def _session(ca_file):
    s = requests.Session()
    s.verify = ca_file
    s.trust_env = False
    return s


def _local(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.mark.django_db
def test_salesforce_sandbox_connect_end_to_end(admin_client, account, sf, settings):
    settings.SALESFORCE_CLIENT_ID = sf.client_id
    settings.SALESFORCE_CLIENT_SECRET = sf.client_secret
    settings.SALESFORCE_LOGIN_URL, settings.SALESFORCE_SANDBOX_LOGIN_URL = (
        sf.login_url, sf.sandbox_login_url)
    account.tls_ca_file = sf.ca_file
    account.save()
    start = admin_client.get(reverse("accounts:connect_salesforce",
                                     kwargs={"account_id": account.pk}) + "?sandbox=1")
    assert start.status_code == 302
    authorize = start["Location"]
    assert authorize.startswith(sf.sandbox_login_url + "/services/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["response_type"] == ["code"] and query["client_id"] == [sf.client_id]
    # The emulator's login form, as a browser would submit it.
    login = _session(sf.ca_file).post(authorize, data={
        "username": sf.username, "password": sf.password, "action": "allow"},
        allow_redirects=False)
    assert login.status_code == 302
    back = login.headers["Location"]
    assert back.startswith("http://testserver/a/")
    done = admin_client.get(_local(back))
    assert done.status_code == 302, done.content[:400]
    account.refresh_from_db()
    assert account.sf_is_sandbox and account.sf_org_id.startswith("00D")
    assert account.sf_username == sf.username and account.sf_instance_url
    assert account.sf_login_url == sf.sandbox_login_url
    token = account.credentials.sf_access_token
    assert token and account.credentials.sf_refresh_token
    with connection.cursor() as cur:
        cur.execute("SELECT sf_access_token FROM accounts_credentials WHERE account_id = %s",
                    [account.pk])
        raw = cur.fetchone()[0]
    assert raw != token and token not in raw  # encrypted at rest
    # The stored token works against the org.
    me = _session(sf.ca_file).get(f"{sf.sandbox_login_url}/services/oauth2/userinfo",
                                  headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    # The header shows the integration user.
    page = admin_client.get(reverse("integration:contacts", kwargs={"account_id": account.pk}))
    assert sf.username.encode() in page.content and b"Sandbox" in page.content


@pytest.mark.django_db
def test_salesforce_callback_with_a_wrong_state_is_refused(admin_client, account, sf, settings):
    settings.SALESFORCE_CLIENT_ID = sf.client_id
    settings.SALESFORCE_CLIENT_SECRET = sf.client_secret
    settings.SALESFORCE_LOGIN_URL = sf.login_url
    account.tls_ca_file = sf.ca_file
    account.save()
    start = admin_client.get(reverse("accounts:connect_salesforce",
                                     kwargs={"account_id": account.pk}))
    assert start["Location"].startswith(sf.login_url + "/services/oauth2/authorize?")
    login = _session(sf.ca_file).post(start["Location"], data={
        "username": sf.username, "password": sf.password, "action": "allow"},
        allow_redirects=False)
    back = login.headers["Location"].replace("state=", "state=forged")
    refused = admin_client.get(_local(back))
    assert refused.status_code == 400
    assert b"state does not match" in refused.content
    account.refresh_from_db()
    assert not account.sf_org_id and not account.credentials.sf_access_token


@pytest.mark.django_db
def test_viewer_cannot_start_a_connection(viewer_client, account):
    url = reverse("accounts:connect_salesforce", kwargs={"account_id": account.pk})
    assert viewer_client.get(url).status_code == 403


@pytest.mark.django_db
def test_hubspot_oauth_connect_end_to_end(admin_client, account, hs, settings):
    settings.HUBSPOT_CLIENT_ID, settings.HUBSPOT_CLIENT_SECRET = hs.client_id, hs.client_secret
    settings.HUBSPOT_AUTH_URL = hs.url + "/oauth/authorize"
    settings.HUBSPOT_API_HOST = hs.url
    account.tls_ca_file = hs.ca_file
    account.save()
    start = admin_client.get(reverse("accounts:connect_hubspot",
                                     kwargs={"account_id": account.pk}))
    assert start["Location"].startswith(hs.url + "/oauth/authorize?")
    query = {k: v[0] for k, v in parse_qs(urlsplit(start["Location"]).query).items()}
    http = _session(hs.ca_file)
    assert http.get(start["Location"]).status_code == 200  # the consent page
    grant = http.post(hs.url + "/oauth/authorize", data=query, allow_redirects=False)
    assert grant.status_code == 302
    done = admin_client.get(_local(grant.headers["Location"]))
    assert done.status_code == 302, done.content[:400]
    account.refresh_from_db()
    assert account.hubspot_portal_id == str(hs.portal_id)
    assert account.credentials.hs_access_token and account.credentials.hs_refresh_token
    assert account.credentials.hs_token_expires_at is not None


@pytest.mark.django_db
def test_hubspot_private_app_token(admin_client, account, hs, settings):
    settings.HUBSPOT_API_HOST = hs.url
    account.tls_ca_file = hs.ca_file
    account.save()
    url = reverse("accounts:hs_token", kwargs={"account_id": account.pk})
    bad = admin_client.post(url, {"token": "not-a-token"})
    assert bad.status_code == 400 and b"did not recognise" in bad.content
    ok = admin_client.post(url, {"token": hs.token})
    assert ok.status_code == 302
    account.refresh_from_db()
    assert account.hubspot_portal_id == str(hs.portal_id)
    assert account.credentials.hs_access_token == hs.token
