"""Large volumes through Bulk API 2.0 (issue 13), end to end with a small threshold.

The sync's Salesforce reads and writes above `SYNC_BULK_THRESHOLD` go through query and
ingest jobs; per-record failures of a job become classified error cards like any other.
Data is arranged with the emulators' control API and read back through the real clients.
"""

from __future__ import annotations

from collections import Counter

import pytest

from syncadmin.sync.models import LinkStatus, RecordLink, SyncError
from syncadmin.sync.service import run_account
from syncadmin.usage.models import ApiUsage
from tests.sync.helpers import hs_contacts, people, sf_rows
from tests.sync.objects_helpers import enable

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def small_threshold(settings):
    settings.SYNC_BULK_THRESHOLD = 50
    settings.SYNC_BULK_POLL_MS = 0


def sf_endpoints(account) -> Counter[str]:
    out: Counter[str] = Counter()
    for u in ApiUsage.objects.filter(account=account, remote="salesforce"):
        out[u.endpoint] += u.calls
    return out


def test_initial_sync_reads_and_writes_salesforce_through_bulk_jobs(
        connected, small_threshold, sf, hs, sf_client, hs_client):
    # 2,100 only in Salesforce (more than a REST page), 120 only in HubSpot, 60 on both with
    # a phone only HubSpot has (an update to Salesforce each).
    both = people("Both", 60)
    sf.control.insert("Contact", people("Contact", 2100) + both)
    hs.control.load({"contacts": [
        {"email": p["Email"], "firstname": p["FirstName"], "lastname": p["LastName"],
         **({"phone": f"+1 555 {i:04d}"} if p in both else {})}
        for i, p in enumerate(people("Hub", 120) + both)]})
    sf_before = sf.control.usage()["used"]

    run = run_account(connected, kind="full")

    assert run.status == "succeeded", run.message
    assert sf.control.usage()["used"] - sf_before == run.sf_calls
    calls = sf_endpoints(connected)
    # Contacts read by one query job (create, poll, one page of 2,160 rows); the 120 new
    # people written as leads by one upsert job and the 60 phones by one update job (create,
    # close, poll; upload; successful results each).
    assert calls["jobs/query"] == 2 and calls["jobs/query/results"] == 1
    assert calls["jobs/ingest"] == 6 and calls["jobs/ingest/batches"] == 2
    assert calls["jobs/ingest/successfulResults"] == 2
    assert "jobs/ingest/failedResults" not in calls
    assert "composite/sobjects" not in calls and "query/more" not in calls
    contacts = hs_contacts(hs_client)
    assert len(contacts) == 2100 + 120 + 60 and all(c["salesforce_id"] for c in contacts)
    leads = sf_rows(sf_client, "Lead", "Id, Email")
    assert len(leads) == 120
    phones = [r for r in sf_rows(sf_client, "Contact", "Email, Phone") if r["Phone"]]
    assert len(phones) == 60
    assert RecordLink.objects.filter(account=connected, status=LinkStatus.IN_SYNC).count() \
        == 2280

    run_account(connected, kind="poll")  # sees the sync's own writes come back once
    idle = run_account(connected, kind="poll")
    assert idle.status == "succeeded"
    assert idle.counts["contacts"]["to_hs"]["updated"] == 0
    assert idle.counts["contacts"]["to_sf"]["created"] == 0


def test_bulk_record_failures_become_classified_error_cards(
        connected, small_threshold, sf, hs, sf_client):
    good = [{"email": f"ok{i}@example.com", "lastname": f"Ok{i}"} for i in range(57)]
    bad = [{"email": f"long{i}@example.com", "lastname": "L" * 100} for i in range(3)]
    hs.control.load({"contacts": good + bad})

    run = run_account(connected, kind="full")

    assert run.counts["contacts"]["to_sf"]["created"] == 57
    assert run.counts["contacts"]["to_sf"]["failed"] == 3
    assert sf_endpoints(connected)["jobs/ingest/failedResults"] == 1
    errors = SyncError.objects.filter(account=connected)
    assert errors.count() == 3
    assert {(e.kind, e.direction) for e in errors} == {("value_too_long", "to_sf")}
    assert len(sf_rows(sf_client, "Lead")) == 57


def test_companies_written_to_salesforce_through_a_bulk_job(
        connected, small_threshold, sf, hs, sf_client):
    enable(connected, "companies")
    hs.control.load({"companies": [
        {"name": f"Company {i}", "domain": f"c{i}.example",
         "phone": "+1 555 0100" if i != 7 else "9" * 60}  # Account.Phone holds 40
        for i in range(70)]})

    run = run_account(connected, kind="full")

    assert run.status == "succeeded", run.message
    assert run.counts["companies"]["to_sf"]["created"] == 69
    calls = sf_endpoints(connected)
    assert calls["jobs/ingest/batches"] == 1 and calls["jobs/ingest/failedResults"] == 1
    assert "composite/sobjects" not in calls
    [error] = SyncError.objects.filter(account=connected)
    assert (error.object, error.kind, error.direction) == ("companies", "value_too_long",
                                                          "to_sf")
    accounts = sf_rows(sf_client, "Account", "Id, Name, HubSpot_Id__c")
    assert len(accounts) == 69 and all(a["HubSpot_Id__c"] for a in accounts)
