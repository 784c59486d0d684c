"""Request size limits (issue 15, point 7): 414 above 16,384 bytes of URI, 431 when the URI
and the headers together are over, as a real org answers."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError

from connectors.sandbox.salesforce import SalesforceHandle
from tests.fixtures.sf import sf_session


def _ids_query(n: int) -> str:
    ids = ", ".join(f"'003{i:012d}AAA'" for i in range(n))
    return f"SELECT Id FROM Contact WHERE Id IN ({ids})"  # noqa: S608 - test literals


def test_uri_over_16384_bytes_is_414(sf_client: Salesforce) -> None:
    assert sf_client.query(_ids_query(300))["totalSize"] == 0  # ~9 KB encoded: fine
    with pytest.raises(SalesforceGeneralError) as info:
        sf_client.query(_ids_query(600))  # ~18 KB encoded
    assert info.value.status == 414


def test_uri_and_headers_over_16384_bytes_is_431(sf: SalesforceHandle) -> None:
    s = sf_session(sf)
    s.headers["X-Trace"] = "x" * 9_000
    client = Salesforce(instance_url=sf.url, session_id=sf.session_id, session=s)
    assert client.query(_ids_query(100))["totalSize"] == 0  # ~3 KB + 9 KB: fine
    with pytest.raises(SalesforceGeneralError) as info:
        client.query(_ids_query(250))  # ~8 KB + 9 KB
    assert info.value.status == 431
    r = s.post(sf.url + "/__sandbox/reset", json={})  # the control API is not Salesforce
    assert r.status_code == 200
