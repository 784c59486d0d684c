"""Deletions the org's deletion log no longer holds still reach HubSpot (issue 15, point 8;
DESIGN.md decision 4): once the recycle bin is emptied, queryAll stops returning the deleted
rows and getDeleted answers INVALID_REPLICATION_DATE; the run then compares ids instead."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from connectors.salesforce_changes import DELETE_LOG_REACH
from syncadmin.integration.models import ContactSettings
from syncadmin.sync.models import LinkStatus, RecordLink, Watermark
from syncadmin.sync.service import run_account
from tests.sync.helpers import hs_contacts, past_read_lag
from tests.sync.objects_helpers import enable, hs_all, link

pytestmark = pytest.mark.django_db(transaction=True)


def _empty_recycle_bin(sf) -> None:
    cut = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)
    sf.control.purge_deleted(cut.strftime("%Y-%m-%dT%H:%M:%SZ"))
    time.sleep(1.1)  # later writes come after the cut-off


@pytest.mark.parametrize(("rule", "left"), [("delete", 0), ("nothing", 1)])
def test_deal_deleted_and_purged_is_still_a_deletion(
        connected, sf, sf_client, hs_client, rule, left):
    enable(connected, "deals", sf_deletion=rule)
    gone, kept = sf.control.insert("Opportunity", [
        {"Name": n, "StageName": "Prospecting", "CloseDate": "2026-01-01"}
        for n in ("Gone", "Kept")])
    run_account(connected, kind="full")
    assert len(hs_all(hs_client, "deals")) == 2
    sf_client.Opportunity.delete(gone)
    _empty_recycle_bin(sf)
    assert sf_client.query_all("SELECT Id FROM Opportunity WHERE IsDeleted = true")[
        "records"] == []  # queryAll alone would never tell
    run = run_account(connected, kind="poll")
    assert run.status == "succeeded", run.message
    assert sorted(d["dealname"] for d in hs_all(hs_client, "deals")) == \
        (["Kept"] if left == 0 else ["Gone", "Kept"])
    assert link(connected, "deals", sf_id=gone).status == LinkStatus.DELETED_SF
    assert link(connected, "deals", sf_id=kept).status == LinkStatus.IN_SYNC
    assert run.counts["deals"]["to_hs"]["deleted"] == 1 - left
    past_read_lag()  # the next poll's window is covered again: nothing more happens
    again = run_account(connected, kind="poll")
    assert again.counts["deals"]["to_hs"]["deleted"] == 0


def test_contact_deleted_past_the_log_reach_is_still_a_deletion(
        connected, sf, sf_client, hs_client):
    ContactSettings.objects.filter(account=connected).update(sf_deletion="delete")
    gone, kept = sf.control.insert("Contact", [
        {"LastName": "Gone", "Email": "gone@example.com"},
        {"LastName": "Kept", "Email": "kept@example.com"}])
    run_account(connected, kind="full")
    assert len(hs_contacts(hs_client)) == 2
    # The integration was off for longer than the log keeps deletions.
    sf.control.delete("Contact", [gone], at=(dt.datetime.now(dt.UTC) - dt.timedelta(days=20))
                      .strftime("%Y-%m-%dT%H:%M:%SZ"))
    sf.control.purge_deleted(retention_days=15)
    Watermark.objects.filter(account=connected, side="salesforce").update(
        value=dt.datetime.now(dt.UTC) - DELETE_LOG_REACH - dt.timedelta(days=6))
    run = run_account(connected, kind="poll")
    assert run.status == "succeeded", run.message
    assert [c["email"] for c in hs_contacts(hs_client)] == ["kept@example.com"]
    assert RecordLink.objects.get(account=connected, sf_id=gone).status == \
        LinkStatus.DELETED_SF


def test_a_full_sync_finds_purged_deletions_in_what_it_read(
        connected, sf, sf_client, hs_client):
    enable(connected, "deals", sf_deletion="delete")
    gone, _kept = sf.control.insert("Opportunity", [
        {"Name": n, "StageName": "Prospecting", "CloseDate": "2026-01-01"}
        for n in ("Gone", "Kept")])
    run_account(connected, kind="full")
    sf_client.Opportunity.delete(gone)
    _empty_recycle_bin(sf)
    run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message
    assert [d["dealname"] for d in hs_all(hs_client, "deals")] == ["Kept"]
    assert link(connected, "deals", sf_id=gone).status == LinkStatus.DELETED_SF
