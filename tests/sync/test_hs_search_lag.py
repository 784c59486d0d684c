"""HubSpot search is eventually consistent and paced (issue 15, point 4): a HubSpot edit that
search indexes only after a poll has read past its modified date still reaches Salesforce on
a later poll, and the adapter keeps under five searches a second per token.

Arranged with the emulators' control API, read back through simple-salesforce."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from connectors.hubspot import HubSpotAdapter, HubSpotConfig
from connectors.usage import MemoryLedger
from syncadmin.sync.service import run_account
from tests.sync.helpers import hs_contacts

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_edit_indexed_after_a_poll_arrives_on_a_later_poll(connected, sf, hs, sf_client,
                                                               hs_client, settings):
    [sf_id] = sf.control.insert("Contact", [{"LastName": "Rossi", "Email": "mario@example.it"}])
    assert run_account(connected, kind="full").status == "succeeded"
    [contact] = hs_contacts(hs_client)

    # A portal whose search indexes writes 20 s late, and the product sized to it. Waiting
    # 20 s is too long for a test: the edit is stamped 20 s ago instead, so it becomes
    # searchable a moment after the first poll below, as if made just before it.
    settings.HUBSPOT_SEARCH_LAG_SECONDS = 30
    hs.control.limits(search_delay_ms=20_600)
    edited = int(time.time() * 1000) - 20_000
    hs.control.touch("contacts", [contact["id"]], edited, {"phone": "+39 06 1"})

    first = run_account(connected, kind="poll")
    assert first.status == "succeeded", first.message
    assert sf_client.Contact.get(sf_id)["Phone"] is None  # the poll's search did not see it

    time.sleep(0.7)
    second = run_account(connected, kind="poll")
    assert second.status == "succeeded", second.message
    assert sf_client.Contact.get(sf_id)["Phone"] == "+39 06 1"


def adapter(hs, **kw) -> HubSpotAdapter:
    return HubSpotAdapter(HubSpotConfig(host=hs.url, access_token=hs.token, ca_file=hs.ca_file,
                                        **kw), MemoryLedger())


def search_many(hsa: HubSpotAdapter, n: int) -> None:
    since, until = datetime(2020, 1, 1, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC)
    for _ in range(n):
        list(hsa.changed("contacts", ["email"], since, until))


def test_searches_are_spaced_under_hubspots_five_a_second(hs):
    started = time.monotonic()
    search_many(adapter(hs), 6)  # four a second: the fifth waits for the first to age out
    assert time.monotonic() - started >= 1.0
    assert hs.control.usage()["rejected"] == 0


def test_a_search_429_is_waited_out(hs):
    # Another client on the same token (here: one that does not pace) uses up the second.
    hsa = adapter(hs, search_per_second=0)
    search_many(hsa, 7)
    usage = hs.control.usage()
    assert usage["rejected"] >= 1  # refused, then sent again a second later
    assert usage["by_endpoint"]["POST search"] == 7 + usage["rejected"]
