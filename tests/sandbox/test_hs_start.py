"""start_hubspot with seed data, and the client ignoring proxy/CA environment variables."""

from __future__ import annotations

from connectors.hubspot import make_client
from connectors.sandbox.hubspot import start_hubspot


def test_start_with_seed_loads_contacts_companies_and_associations(hs_ca, hs_ca_file):
    h = start_hubspot(hs_ca, seed=3, contacts=60, ca_file=hs_ca_file)
    try:
        client = make_client(h.url, h.token, h.ca_file)
        n = len(h.portal.stores["contacts"].records)
        assert 0 < n < 60
        page = client.crm.contacts.basic_api.get_page(limit=100, associations=["companies"])
        assert len(page.results) == n
        assert all(r.associations and r.associations["companies"].results
                   for r in page.results)
        events = client.events.events_api.get_page(object_type="contact", limit=1000)
        assert events.results
    finally:
        h.stop()


def test_client_ignores_proxy_and_ca_bundle_env(hs, monkeypatch):
    for var in ("HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
        monkeypatch.setenv(var, "http://127.0.0.1:9")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/nonexistent/ca.pem")
    monkeypatch.setenv("CURL_CA_BUNDLE", "/nonexistent/ca.pem")
    client = make_client(hs.url, hs.token, hs.ca_file)
    assert client.crm.contacts.basic_api.get_page().results == []
    hs.control.reset()  # the control client (requests, trust_env off) is unaffected too
