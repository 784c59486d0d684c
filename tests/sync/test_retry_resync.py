"""Retrying failed records after a fix (B6) and restoring deleted records (H6, H7), as the
Sync Health page queues them: Celery tasks through Redis and a real worker."""

from __future__ import annotations

import time

import pytest

from syncadmin.integration.models import ContactSettings
from syncadmin.sync.models import LinkStatus, RecordLink, SyncError, SyncRun
from syncadmin.sync.tasks import resync_deleted, retry_records
from tests.sync.helpers import hs_contacts, sf_rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_retry_after_fixing_the_cause_clears_the_error(connected, sf, hs, sf_client,
                                                       via_worker):
    sf.control.validation_rules([{"object": "Lead", "field": "Title", "operator": "blank",
                                  "message": "Title is required for leads"}])
    hs.control.load({"contacts": [{"email": "vip@example.com", "lastname": "Vip"}]})
    via_worker(connected, "full")
    error = SyncError.objects.get(account=connected)
    assert (error.kind, error.message) == ("validation_rule", "Title is required for leads")

    sf.control.validation_rules([])  # the admin relaxes the rule in Salesforce
    task_id = "retry-1"
    run = SyncRun.objects.create(account=connected, kind="retry",
                                 params={"task_id": task_id})
    retry_records.apply_async(args=(connected.pk, [error.link_id]), task_id=task_id)
    deadline = time.monotonic() + 60
    while not SyncRun.objects.get(pk=run.pk).finished_at:
        assert time.monotonic() < deadline
        time.sleep(0.1)

    run.refresh_from_db()
    assert run.status == "succeeded", run.message
    assert not SyncError.objects.filter(account=connected).exists()
    assert [r["Email"] for r in sf_rows(sf_client, "Lead")] == ["vip@example.com"]
    assert RecordLink.objects.get(account=connected).status == LinkStatus.IN_SYNC


def test_restore_records_deleted_in_salesforce_twice_restores_once(
        connected, sf, sf_client, hs_client, via_worker):
    sf.control.insert("Contact", [{"LastName": "Bianchi", "FirstName": "Anna",
                                   "Email": "anna@example.com", "Title": "CFO"}])
    via_worker(connected, "full")
    [row] = sf_rows(sf_client, "Contact")
    sf_client.Contact.delete(row["Id"])  # deletion rule is "Do nothing": HubSpot keeps it
    via_worker(connected, "poll")
    assert RecordLink.objects.get(account=connected).status == LinkStatus.DELETED_SF

    for attempt in (1, 2):
        task_id = f"resync-{attempt}"
        run = SyncRun.objects.create(account=connected, kind="resync",
                                     params={"task_id": task_id})
        resync_deleted.apply_async(args=(connected.pk, "salesforce", "contacts"),
                                   task_id=task_id)
        deadline = time.monotonic() + 60
        while not SyncRun.objects.get(pk=run.pk).finished_at:
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert SyncRun.objects.get(pk=run.pk).status == "succeeded"

    rows = sf_rows(sf_client, "Contact", "Id, Email, FirstName, Title, HubSpot_Id__c")
    assert len(rows) == 1
    restored = rows[0]
    assert (restored["Email"], restored["FirstName"], restored["Title"]) == (
        "anna@example.com", "Anna", "CFO")
    link = RecordLink.objects.get(account=connected)
    assert link.status == LinkStatus.IN_SYNC and link.sf_id == restored["Id"]
    assert restored["HubSpot_Id__c"] == link.hs_id
    [contact] = hs_contacts(hs_client)
    assert contact["salesforce_id"] == restored["Id"]


def test_restore_records_deleted_in_hubspot(connected, sf, sf_client, hs_client, via_worker):
    ContactSettings.objects.filter(account=connected).update(sf_deletion="delete")
    sf.control.insert("Contact", [{"LastName": "Rossi", "Email": "rossi@example.com"}])
    via_worker(connected, "full")
    [contact] = hs_contacts(hs_client)
    hs_client.crm.contacts.basic_api.archive(contact["id"])
    via_worker(connected, "poll")
    assert RecordLink.objects.get(account=connected).status == LinkStatus.DELETED_HS

    task_id = "resync-hs"
    run = SyncRun.objects.create(account=connected, kind="resync", params={"task_id": task_id})
    resync_deleted.apply_async(args=(connected.pk, "hubspot", "contacts"), task_id=task_id)
    deadline = time.monotonic() + 60
    while not SyncRun.objects.get(pk=run.pk).finished_at:
        assert time.monotonic() < deadline
        time.sleep(0.1)

    contacts = hs_contacts(hs_client)
    assert [c["email"] for c in contacts] == ["rossi@example.com"]
    link = RecordLink.objects.get(account=connected)
    assert link.status == LinkStatus.IN_SYNC and link.hs_id == contacts[0]["id"]
    [row] = sf_rows(sf_client, "Contact", "Id, HubSpot_Id__c")
    assert row["HubSpot_Id__c"] == link.hs_id
    # Nothing else changed on the next poll, and nothing was duplicated.
    via_worker(connected, "poll")
    assert len(hs_contacts(hs_client)) == 1 and len(sf_rows(sf_client, "Contact")) == 1
