"""A write that failed for a transient reason is tried again by later runs until it succeeds
(issue 16): the watermark has passed the record, so without this no poll would read it."""

from __future__ import annotations

import datetime as dt

import pytest

from syncadmin.sync.models import LinkStatus, RecordLink, SyncError
from syncadmin.sync.service import run_account
from tests.sync.objects_helpers import enable, sf_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_records_locked_past_the_retries_sync_on_the_next_run(connected, sf, hs, sf_client):
    enable(connected, "companies")
    ids = hs.control.load({"companies": [{"name": f"Company {i}",
                                          "domain": f"c{i}.example.com"}
                                         for i in range(3)]})["companies"]
    # Last changed an hour ago: after the first run, no poll's window reaches them again.
    hs.control.touch("companies", ids, (dt.datetime.now(dt.UTC)
                                        - dt.timedelta(hours=1)).isoformat())
    # Every Salesforce write request finds a row locked, more often than the adapter resends.
    sf.control.faults({"composite/*": {"record_lock": 1.0}}, times=40)
    first = run_account(connected, kind="full")
    assert first.status == "succeeded", first.message
    failed = first.counts["companies"]["to_sf"]["failed"]
    assert failed > 0, first.counts
    assert SyncError.objects.filter(account=connected, kind="record_locked").count() == failed
    assert len(sf_all(sf_client, "Account", "Name")) == 3 - failed

    sf.control.clear_faults()
    second = run_account(connected, kind="poll")  # nothing changed on either side
    assert second.status == "succeeded", second.message
    assert second.counts["companies"]["to_sf"]["created"] == failed, second.counts
    assert not SyncError.objects.filter(account=connected).exists()
    assert RecordLink.objects.filter(account=connected, object="companies",
                                     status=LinkStatus.IN_SYNC).count() == 3
    assert len(sf_all(sf_client, "Account", "Name")) == 3


def test_contacts_that_failed_on_a_server_error_sync_on_a_later_poll(connected, sf, hs,
                                                                     sf_client):
    ids = hs.control.load({"contacts": [{"email": f"p{i}@example.com", "lastname": f"P{i}"}
                                        for i in range(4)]})["contacts"]
    hs.control.touch("contacts", ids, (dt.datetime.now(dt.UTC)
                                       - dt.timedelta(hours=1)).isoformat())
    sf.control.faults({"composite/*": {"record_lock": 1.0}}, times=40)
    first = run_account(connected, kind="full")
    failed = first.counts["contacts"]["to_sf"]["failed"]
    assert first.status == "succeeded" and failed > 0, first.counts
    sf.control.clear_faults()
    run_account(connected, kind="poll")
    emails = {r["Email"] for r in sf_all(sf_client, "Lead", "Email")}
    emails |= {r["Email"] for r in sf_all(sf_client, "Contact", "Email")}
    assert emails == {f"p{i}@example.com" for i in range(4)}
    assert not SyncError.objects.filter(account=connected).exists()
