"""Search is eventually consistent and rate-limited, as HubSpot's (hubspot.py docstring):
a write becomes searchable only after the search delay, and each token may search five times
a second. Through hubspot-api-client; the delay is set through the control API."""

from __future__ import annotations

import time

import pytest
from hubspot.crm.contacts import PublicObjectSearchRequest

from connectors.hubspot import make_client
from tests.fixtures.hs import api_error

DELAY_MS = 700  # long enough that a loaded machine still searches before it passes


def by_name(client, name: str) -> list:
    req = PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "firstname", "operator": "EQ",
                                     "value": name}]}], properties=["firstname"])
    return client.crm.contacts.search_api.do_search(req).results


def changed_since(client, ms: int) -> list:
    req = PublicObjectSearchRequest(
        filter_groups=[{"filters": [{"propertyName": "lastmodifieddate", "operator": "GT",
                                     "value": str(ms)}]}],
        sorts=[{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}],
        properties=["firstname"])
    return client.crm.contacts.search_api.do_search(req).results


def test_the_default_delay_is_a_few_seconds_and_the_limits_answer_it(hs):
    assert hs.control.limits()["search_delay_ms"] == 0  # the test fixture's
    hs.control.reset()
    assert hs.control.limits()["search_per_second"] == 5
    from connectors.sandbox.hubspot import DEFAULT_SEARCH_DELAY_MS, HubSpotEmulator

    assert HubSpotEmulator().portal.search_delay_ms == DEFAULT_SEARCH_DELAY_MS == 3_000


@pytest.mark.xfail(strict=False, reason="race in the emulator's search index: after an update "
                   "the indexed old version sometimes leaves search at once (about 1 run in 3; "
                   "open defect, in the issue 15 note)")
def test_writes_are_searchable_only_after_the_delay_but_readable_by_id_at_once(hs, hs_client):
    hs.control.limits(search_delay_ms=DELAY_MS, search_per_second=None)  # not about the pace
    api = hs_client.crm.contacts.basic_api
    started = int(time.time() * 1000) - 1
    made = api.create({"properties": {"firstname": "Ann", "email": "ann@example.com"}})
    assert api.get_by_id(made.id, properties=["firstname"]).properties["firstname"] == "Ann"
    assert by_name(hs_client, "Ann") == [] and changed_since(hs_client, started) == []

    time.sleep(DELAY_MS / 1000 + 0.05)
    assert [r.id for r in by_name(hs_client, "Ann")] == [made.id]

    # An update: search keeps answering with the version it indexed, old values included.
    before = int(time.time() * 1000)
    api.update(made.id, {"properties": {"firstname": "Anna"}})
    assert by_name(hs_client, "Anna") == []
    [old] = by_name(hs_client, "Ann")
    assert old.properties["firstname"] == "Ann"
    assert changed_since(hs_client, before) == []
    time.sleep(DELAY_MS / 1000 + 0.05)
    assert by_name(hs_client, "Ann") == []
    [new] = changed_since(hs_client, before)
    assert new.id == made.id and new.properties["firstname"] == "Anna"

    # An archive leaves search after the same delay.
    api.archive(made.id)
    assert [r.id for r in by_name(hs_client, "Anna")] == [made.id]
    time.sleep(DELAY_MS / 1000 + 0.05)
    assert by_name(hs_client, "Anna") == []


def test_a_unique_value_changed_is_found_by_its_old_value_until_indexed(hs, hs_client):
    hs.control.limits(search_delay_ms=DELAY_MS)
    [cid] = hs.control.load({"contacts": [{"email": "old@example.com", "firstname": "Bo"}]})[
        "contacts"]  # seed data: searchable at once
    hs_client.crm.contacts.basic_api.update(cid, {"properties": {"email": "new@example.com"}})

    def by_email(email: str) -> list[str]:
        req = PublicObjectSearchRequest(filter_groups=[{"filters": [
            {"propertyName": "email", "operator": "EQ", "value": email}]}])
        return [r.id for r in hs_client.crm.contacts.search_api.do_search(req).results]

    assert by_email("old@example.com") == [cid] and by_email("new@example.com") == []
    time.sleep(DELAY_MS / 1000 + 0.05)
    assert by_email("old@example.com") == [] and by_email("new@example.com") == [cid]


def test_a_backdated_touch_is_searchable_at_its_date_plus_the_delay(hs, hs_client):
    stamp = int(time.time() * 1000) - 20_000
    seed = {"firstname": "Cy", "lastmodifieddate": stamp - 60_000}
    [cid] = hs.control.load({"contacts": [seed]})["contacts"]
    hs.control.limits(search_delay_ms=20_000 + DELAY_MS)
    hs.control.touch("contacts", [cid], stamp, {"firstname": "Cyd"})
    assert by_name(hs_client, "Cyd") == []
    assert changed_since(hs_client, stamp - 1) == []
    time.sleep(DELAY_MS / 1000 + 0.05)
    [rec] = changed_since(hs_client, stamp - 1)
    assert rec.properties["firstname"] == "Cyd"


def test_five_searches_a_second_per_token(hs, hs_client):
    for _ in range(5):
        by_name(hs_client, "x")
    status, body, headers = api_error(by_name, hs_client, "x")
    assert status == 429
    assert body["policyName"] == "SECONDLY" and body["errorType"] == "RATE_LIMIT"
    # Another token has its own five; other endpoints are not limited by it.
    other = make_client(hs.url, hs.control.issue_oauth()["access_token"], hs.ca_file)
    assert by_name(other, "x") == []
    hs_client.crm.contacts.basic_api.get_page(limit=1)
    time.sleep(1.0)
    assert by_name(hs_client, "x") == []
