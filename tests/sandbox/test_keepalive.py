"""Both emulators keep HTTP/1.1 connections open: a client's session reuses one TLS connection.

The server (`connectors.sandbox.server`) counts here by the connections it accepts; every
response must then carry its length (or have no body) and every request body must be read
to its end, or the next request on the connection would hang or be misread.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from connectors.sandbox.hubspot import HubSpotHandle
from connectors.sandbox.salesforce import SalesforceHandle
from tests.fixtures.sf import sf_session

DATA = "/services/data/v59.0"


def count_connections(server: Any) -> list[int]:
    """Count the connections `server` (a RunningServer) accepts from now on."""
    accepted = [0]
    srv = server.server
    accept = srv.get_request

    def get_request() -> Any:
        accepted[0] += 1
        return accept()

    srv.get_request = get_request
    return accepted


@pytest.fixture
def sf_accepted(sf: SalesforceHandle) -> Iterator[list[int]]:
    yield count_connections(sf.server)


def test_salesforce_session_reuses_one_connection(
    sf: SalesforceHandle, sf_accepted: list[int]
) -> None:
    client = Salesforce(instance_url=sf.url, session_id=sf.session_id, session=sf_session(sf))
    ids = [client.Contact.create({"LastName": f"Keep {i}"})["id"] for i in range(10)]  # 201
    for rid in ids[:5]:
        assert client.Contact.update(rid, {"Title": "CTO"}) == 204
    assert client.Contact.delete(ids[0]) == 204
    assert client.query("SELECT Id, Title FROM Contact")["totalSize"] == 9
    assert client.Contact.get(ids[1])["Title"] == "CTO"
    for _ in range(3):
        assert client.Contact.describe()["name"] == "Contact"

    assert sf_accepted[0] == 1


def test_salesforce_heads_errors_and_unread_bodies_keep_the_connection(
    sf: SalesforceHandle, sf_accepted: list[int]
) -> None:
    s = sf_session(sf)
    auth = {"Authorization": f"Bearer {sf.session_id}"}
    url = f"{sf.url}{DATA}/sobjects/Contact/describe/"
    for _ in range(3):
        head = s.head(url, headers=auth, timeout=10)
        assert head.content == b""
        assert s.get(url, headers=auth, timeout=10).json()["name"] == "Contact"
        # Refused before the body is read (invalid session), a 404 and a JSON parse error.
        bad = s.post(f"{sf.url}{DATA}/sobjects/Contact/", data=b"{" * 50_000, timeout=10,
                     headers={"Authorization": "Bearer nope", "Content-Type": "application/json"})
        assert bad.status_code == 401
        assert s.get(f"{sf.url}{DATA}/nothing-here", headers=auth, timeout=10).status_code == 404
        parse = s.post(f"{sf.url}{DATA}/sobjects/Contact/", data=b"{", timeout=10,
                       headers={**auth, "Content-Type": "application/json"})
        assert parse.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
        # A chunked request body (no Content-Length).
        chunked = s.post(f"{sf.url}{DATA}/sobjects/Contact/",
                         data=iter([b'{"LastName": ', b'"Chunked"}']), timeout=10,
                         headers={**auth, "Content-Type": "application/json"})
        assert chunked.status_code == 201
        # The OAuth login page (HTML) and a redirect without a body.
        assert s.get(f"{sf.url}/login/services/oauth2/authorize", timeout=10, params={
            "client_id": sf.client_id, "redirect_uri": "http://127.0.0.1/cb"}).status_code == 200
        denied = s.post(f"{sf.url}/login/services/oauth2/authorize", allow_redirects=False,
                        timeout=10, data={"client_id": sf.client_id, "action": "deny",
                                          "redirect_uri": "http://127.0.0.1/cb"})
        assert denied.status_code == 302
    assert sf.control.usage()["used"] > 0

    assert sf_accepted[0] == 2  # this session's connection and the control client's


def test_hubspot_client_reuses_one_connection(hs: HubSpotHandle, hs_client: Any) -> None:
    accepted = count_connections(hs.server)
    # hubspot-api-client makes a new ApiClient (and urllib3 pool) at each `basic_api`; one
    # API object holds one pool.
    api = hs_client.crm.contacts.basic_api
    for i in range(10):
        api.create(
            simple_public_object_input_for_create={"properties": {"email": f"k{i}@example.com"}}
        )
    for _ in range(10):
        assert len(api.get_page(limit=100).results) == 10

    assert accepted[0] == 1


def test_stopping_ends_kept_alive_connections(sf_ca: Any) -> None:
    from connectors.sandbox.salesforce import start_salesforce

    ca, ca_file = sf_ca
    handle = start_salesforce(ca, 0, ca_file=ca_file)
    s = sf_session(handle)
    url = f"{handle.url}{DATA}/limits/"
    auth = {"Authorization": f"Bearer {handle.session_id}"}
    assert s.get(url, headers=auth, timeout=10).status_code == 200
    started = time.monotonic()
    handle.stop()
    assert time.monotonic() - started < 5

    with pytest.raises(requests.ConnectionError):  # not answered by a leftover thread
        s.get(url, headers=auth, timeout=5)
