"""The contact sync end to end: the real clients, the emulators, PostgreSQL.

Data is arranged with the emulators' control API; what the sync did is read back only
through simple-salesforce and hubspot-api-client, as a user of the real APIs could.
"""

from __future__ import annotations

import pytest

from syncadmin.sync.models import LinkStatus, RecordLink, SyncError
from syncadmin.sync.service import run_account
from tests.sync.helpers import hs_contacts, past_read_lag, people, sf_rows

pytestmark = pytest.mark.django_db(transaction=True)


def test_initial_sync_of_1000_people_merges_by_email_within_10_sf_calls(
        connected, sf, hs, sf_client, hs_client):
    # 500 only in Salesforce (250 leads, 250 contacts), 300 only in HubSpot, 200 on both.
    both = people("Both", 200)
    sf.control.insert("Lead", [p | {"Company": "Acme"} for p in people("Lead", 250)])
    sf.control.insert("Contact", people("Contact", 250) + both)
    hs.control.load({"contacts": [
        {"email": p["Email"].upper() if i % 2 else p["Email"], "firstname": p["FirstName"],
         "lastname": p["LastName"]}
        for i, p in enumerate(people("Hub", 300) + both)
    ]})
    sf_before = sf.control.usage()["used"]

    run = run_account(connected, kind="full")

    assert run.status == "succeeded", run.message
    sf_calls = sf.control.usage()["used"] - sf_before
    assert sf_calls == run.sf_calls
    assert sf_calls <= 10
    contacts = hs_contacts(hs_client)
    emails = [c["email"].lower() for c in contacts]
    assert len(emails) == len(set(emails)) == 1000
    leads, sf_contacts = sf_rows(sf_client, "Lead"), sf_rows(sf_client, "Contact")
    assert len(leads) == 250 + 300  # HubSpot-only people became leads (Recommended setup)
    assert len(sf_contacts) == 450
    assert all(c["salesforce_id"] for c in contacts)
    assert RecordLink.objects.filter(account=connected, status=LinkStatus.IN_SYNC).count() == 1000


def test_a_second_run_changes_nothing_and_an_idle_poll_costs_one_sf_call(
        connected, sf, hs, sf_client, hs_client):
    sf.control.insert("Contact", people("Sf", 5))
    hs.control.load({"contacts": [{"email": "hub@example.com", "lastname": "Hub"}]})
    first = run_account(connected, kind="full")
    assert first.counts["contacts"]["to_hs"]["created"] == 5
    assert first.counts["contacts"]["to_sf"]["created"] == 1

    second = run_account(connected, kind="poll")
    third = run_account(connected, kind="poll")

    for later in (second, third):
        assert later.counts["contacts"]["to_hs"]["created"] == 0
        assert later.counts["contacts"]["to_sf"]["created"] == 0
    assert third.sf_calls == 1
    assert len(hs_contacts(hs_client)) == 6
    assert len(sf_rows(sf_client, "Contact")) + len(sf_rows(sf_client, "Lead")) == 6


def test_changes_flow_both_ways_after_the_initial_sync(connected, sf, hs, sf_client,
                                                       hs_client):
    [sf_id] = sf.control.insert("Contact", [{"LastName": "Rossi", "Email": "mario@example.it"}])
    run_account(connected, kind="full")
    [contact] = hs_contacts(hs_client)

    # Salesforce → HubSpot: a new title.
    sf_client.Contact.update(sf_id, {"Title": "CTO"})
    # HubSpot → Salesforce: a phone Salesforce does not have (Prefer Salesforce unless blank).
    hs_client.crm.contacts.basic_api.update(contact["id"], {"properties": {"phone": "+39 06 1"}})
    past_read_lag()
    run = run_account(connected, kind="poll")

    assert run.status == "succeeded", run.message
    assert sf_client.Contact.get(sf_id)["Phone"] == "+39 06 1"
    got = hs_client.crm.contacts.basic_api.get_by_id(contact["id"], properties=["jobtitle"])
    assert got.properties["jobtitle"] == "CTO"


def test_invalid_email_is_excluded_with_its_reason(connected, sf, hs, hs_client):
    sf.control.insert("Contact", [{"LastName": "Bad", "Email": "john@"},
                                  {"LastName": "Good", "Email": "good@example.com"}])
    run = run_account(connected, kind="full")
    assert run.counts["contacts"]["to_hs"]["excluded"] == 1
    link = RecordLink.objects.get(account=connected, status=LinkStatus.EXCLUDED)
    assert link.excluded_reason == "invalid_email"
    assert [c["email"] for c in hs_contacts(hs_client)] == ["good@example.com"]


def test_a_refused_record_becomes_a_classified_error_and_clears_when_fixed(
        connected, sf, hs, sf_client):
    hs.control.load({"contacts": [{"email": "long@example.com", "lastname": "L" * 100}]})
    run = run_account(connected, kind="full")
    error = SyncError.objects.get(account=connected)
    assert error.kind == "value_too_long"
    assert error.direction == "to_sf"
    assert run.counts["contacts"]["to_sf"]["failed"] == 1

    hs_id = RecordLink.objects.get(account=connected).hs_id
    from connectors.hubspot import make_client

    client = make_client(hs.url, hs.token, hs.ca_file)
    client.crm.contacts.basic_api.update(hs_id, {"properties": {"lastname": "Short"}})
    past_read_lag()
    run_account(connected, kind="poll")
    assert not SyncError.objects.filter(account=connected).exists()
    assert [r["LastName"] for r in sf_rows(sf_client, "Lead")] == ["Short"]


def test_turning_sync_off_stops_a_running_sync_and_loses_nothing(connected, sf, hs,
                                                                  hs_client):
    from syncadmin.accounts.models import Account
    from syncadmin.sync.models import Watermark

    sf.control.insert("Contact", people("Sf", 600))
    seen = []

    def turn_off_midway(run):
        # Stands for the admin clicking "Turn off sync" while the job runs.
        seen.append(run.pk)
        Account.objects.filter(pk=connected.pk).update(sync_enabled=False)

    from django.db.models.signals import post_save

    from syncadmin.sync.models import SyncRun

    def on_save(sender, instance, **kwargs):
        if instance.status == "running" and not seen:
            turn_off_midway(instance)

    post_save.connect(on_save, sender=SyncRun)
    try:
        run = run_account(connected, kind="full")
    finally:
        post_save.disconnect(on_save, sender=SyncRun)
    assert run.status == "failed" and "turned off" in run.message
    assert not Watermark.objects.filter(account=connected).exists()
    assert hs_contacts(hs_client) == []  # stopped before writing

    Account.objects.filter(pk=connected.pk).update(sync_enabled=True)
    connected.refresh_from_db()
    assert run_account(connected, kind="full").status == "succeeded"
    assert len(hs_contacts(hs_client)) == 600
