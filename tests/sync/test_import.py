"""Import (FEATURES E4) in-process through the real clients: every record of one Salesforce
object into HubSpot, deduplicated like the initial sync, linked with its lookups as
associations, counted against the Salesforce allocation (and paused by it), the command
line's JSON and exit codes, and the REST and bulk reads. The Celery flows (cancel, kill -9,
job history) are in test_import_jobs.py. Data is arranged with the emulators' control APIs
and read back through hubspot-api-client and simple-salesforce.
"""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from syncadmin.integration.models import ObjectSync
from syncadmin.sync import imports
from syncadmin.sync.models import LinkStatus, RecordLink, RunStatus, SyncRun
from syncadmin.sync.service import account_lock
from tests.sync.helpers import by_email, hs_contacts, past_read_lag, people, sf_rows
from tests.sync.import_helpers import hs_emails, run_import, sf_calls, sf_endpoints
from tests.sync.objects_helpers import hs_all, hs_assoc

pytestmark = pytest.mark.django_db(transaction=True)


# ---- contacts and leads: matched by email, linked, one way

def test_contacts_import_merges_with_hubspot_by_email_and_links_for_later_syncs(
        connected, sf, hs, sf_client, hs_client):
    hs.control.load({"contacts": [
        {"email": "Alice@Example.com", "firstname": "Alicia", "lastname": "FromHubSpot"},
        {"email": "carol@example.com", "lastname": "OnlyInHubSpot"}]})
    alice, bob, _nomail = sf.control.insert("Contact", [
        {"FirstName": "Alice", "LastName": "Smith", "Email": "alice@example.com"},
        {"FirstName": "Bob", "LastName": "Jones", "Email": "bob@example.com"},
        {"LastName": "NoEmail"}])
    before = sf_calls(sf)

    run = run_import(connected, "Contact")

    assert run.status == RunStatus.SUCCEEDED, run.message
    assert run.kind == SyncRun.Kind.IMPORT
    # One COUNT() and one query page, nothing else; the run's figure is the emulator's.
    assert sf_calls(sf) - before == run.sf_calls == 2
    # Alice merged with the HubSpot contact of her email, Bob created, no duplicate.
    assert hs_emails(hs_client) == ["alice@example.com", "bob@example.com",
                                    "carol@example.com"]
    got = by_email(hs_contacts(hs_client))
    assert (got["alice@example.com"]["lastname"], got["alice@example.com"]["salesforce_id"]) == (
        "Smith", alice)
    assert got["bob@example.com"]["salesforce_id"] == bob
    figures = imports.summary(run)
    assert (figures["created"], figures["updated"], figures["failed"]) == (1, 1, 0)
    assert figures["excluded"] == 1  # no email: contacts need one (H5)
    assert (run.progress_done, run.progress_total) == (3, 3)
    for sf_id, hs_contact in ((alice, got["alice@example.com"]), (bob, got["bob@example.com"])):
        link = RecordLink.objects.get(account=connected, object="contacts", sf_id=sf_id)
        assert (link.hs_id, link.sf_object, link.status) == (hs_contact["id"], "Contact",
                                                            LinkStatus.IN_SYNC)
    # Salesforce → HubSpot only: nothing was written to Salesforce, not even the id field.
    assert "HubSpot_Id__c" not in {f["name"] for f in sf_client.Contact.describe()["fields"]}
    assert [r["LastName"] for r in sf_rows(sf_client, "Contact", "LastName",
                                           "Email = 'alice@example.com'")] == ["Smith"]

    # The links are the sync's: an SF edit arrives with the next run, and no duplicate.
    from syncadmin.sync.service import run_account

    sf_client.Contact.update(bob, {"Title": "CTO"})
    past_read_lag()
    assert run_account(connected, kind="full").status == RunStatus.SUCCEEDED
    assert by_email(hs_contacts(hs_client))["bob@example.com"]["jobtitle"] == "CTO"
    assert len(hs_emails(hs_client)) == 3


def test_leads_import_skips_converted_leads_and_keeps_contacts_emails(connected, sf,
                                                                      hs_client):
    [contact] = sf.control.insert("Contact", [{"LastName": "Known",
                                               "Email": "known@example.com"}])
    assert run_import(connected, "Contact").status == RunStatus.SUCCEEDED
    sf.control.insert("Lead", [
        {"LastName": "Fresh", "Company": "Acme", "Email": "fresh@example.com"},
        # A lead with the email of a contact already linked: the same person (D1).
        {"LastName": "Again", "Company": "Acme", "Email": "known@example.com"}])
    run = run_import(connected, "Lead")
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert hs_emails(hs_client) == ["fresh@example.com", "known@example.com"]
    assert by_email(hs_contacts(hs_client))["known@example.com"]["salesforce_id"] == contact
    assert imports.summary(run)["created"] == 1
    assert RecordLink.objects.filter(account=connected, object="contacts",
                                     sf_object="Lead", status=LinkStatus.IN_SYNC).count() == 1


# ---- other objects: companies by name or domain, deals and tickets by their link

def test_accounts_merge_by_name_or_domain_and_opportunities_arrive_once(
        connected, sf, hs, hs_client):
    hs.control.load({"companies": [{"name": "Acme Inc", "domain": "acme.com"},
                                   {"name": "Initech", "domain": "initech.io"}]})
    acme, globex = sf.control.insert("Account", [
        {"Name": "Acme", "Website": "https://www.acme.com"},
        {"Name": "Globex", "Website": "globex.com"}])
    sf.control.insert("Opportunity", [
        {"Name": "Big deal", "StageName": "Needs Analysis", "CloseDate": "2026-12-01",
         "Amount": 1200.5, "AccountId": acme},
        {"Name": "Small deal", "StageName": "Closed Won", "CloseDate": "2026-10-01"}])

    run = run_import(connected, "Account")
    assert run.status == RunStatus.SUCCEEDED, run.message
    companies = {c["name"]: c for c in hs_all(hs_client, "companies")}
    # Acme matched the HubSpot company of its domain (the name differs), Globex is new.
    assert set(companies) == {"Acme", "Globex", "Initech"}
    assert (companies["Acme"]["salesforce_id"], companies["Acme"]["domain"]) == (acme,
                                                                                "acme.com")
    assert companies["Globex"]["salesforce_id"] == globex
    assert companies["Initech"]["salesforce_id"] is None
    assert (imports.summary(run)["created"], imports.summary(run)["updated"]) == (1, 1)

    # Deals sync is off: the import still maps the stages (the object's value mappings).
    run = run_import(connected, "Opportunity")
    assert run.status == RunStatus.SUCCEEDED, run.message
    deals = {d["dealname"]: d for d in hs_all(hs_client, "deals")}
    assert (deals["Big deal"]["dealstage"], float(deals["Big deal"]["amount"])) == (
        "qualifiedtobuy", 1200.5)
    assert deals["Small deal"]["dealstage"] == "closedwon"
    assert RecordLink.objects.filter(account=connected, object="deals",
                                     status=LinkStatus.IN_SYNC).count() == 2

    # Lookups to imported records became associations (the deal's account).
    assert hs_assoc(hs_client, "deals", deals["Big deal"]["id"], "companies") == [
        companies["Acme"]["id"]]
    assert hs_assoc(hs_client, "deals", deals["Small deal"]["id"], "companies") == []
    assert run.counts["deals"]["associations"] == 1

    # Imported again: the links match, nothing is created twice, nothing changed.
    again = run_import(connected, "Opportunity")
    assert len(hs_all(hs_client, "deals")) == 2
    assert imports.summary(again)["created"] == imports.summary(again)["updated"] == 0
    assert again.counts["deals"]["associations"] == 0

    # A contact of Globex, imported after the accounts, is associated with its company.
    sf.control.insert("Contact", [{"LastName": "Gray", "Email": "gray@globex.com",
                                   "AccountId": globex}])
    run = run_import(connected, "Contact")
    [gray] = hs_contacts(hs_client, props=("email",))
    assert hs_assoc(hs_client, "contacts", gray["id"], "companies") == [
        companies["Globex"]["id"]]


def test_custom_object_import_creates_its_schema_and_records(connected, sf, hs_client):
    ObjectSync.objects.create(account=connected, object="custom", sf_object="Shipment__c",
                              direction="to_hubspot")
    [rossi] = sf.control.insert("Contact", [{"LastName": "Rossi",
                                             "Email": "rossi@example.com"}])
    assert run_import(connected, "Contact").status == RunStatus.SUCCEEDED
    one, two = sf.control.insert("Shipment__c", [
        {"Name": "SHP-1", "Status__c": "In transit", "Weight_Kg__c": 12.5,
         "Contact__c": rossi},
        {"Name": "SHP-2", "Status__c": "Booked"}])
    assert ("Shipment__c", "Shipment__c") in imports.importable(connected)

    run = run_import(connected, "Shipment__c")
    assert run.status == RunStatus.SUCCEEDED, run.message
    row = ObjectSync.objects.get(account=connected, object="custom")
    [schema] = [s for s in hs_client.crm.schemas.core_api.get_all().results
                if s.name == "shipment"]
    assert row.hs_object == schema.object_type_id
    page = hs_client.crm.objects.basic_api.get_page(
        schema.object_type_id, limit=100, properties=["name", "status", "salesforce_id"])
    got = {r.properties["salesforce_id"]: r.properties for r in page.results}
    assert set(got) == {one, two}
    assert (got[one]["name"], got[one]["status"]) == ("SHP-1", "In transit")
    assert RecordLink.objects.filter(account=connected, object="custom:Shipment__c",
                                     status=LinkStatus.IN_SYNC).count() == 2
    # Its lookup to the imported contact became an association.
    hs_rossi = RecordLink.objects.get(account=connected, object="contacts", sf_id=rossi).hs_id
    shipment_one = next(r.id for r in page.results if r.properties["salesforce_id"] == one)
    assert hs_assoc(hs_client, schema.object_type_id, shipment_one, "contacts") == [hs_rossi]


# ---- the command line, the allocation, the bulk read

def import_json(capsys, *args: str) -> dict:
    call_command("import", *args)
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_command_prints_one_json_line_and_exits_non_zero_when_it_cannot_run(
        connected, sf, capsys):
    sf.control.insert("Contact", people("Cli", 3))
    out = import_json(capsys, "--account", connected.name, "--object", "Contact")
    assert {k: out[k] for k in ("created", "updated", "failed", "sf_api_calls", "status")} == {
        "created": 3, "updated": 0, "failed": 0, "sf_api_calls": 2, "status": "succeeded"}
    assert out["hs_api_calls"] > 0 and out["seconds"] >= 0

    with pytest.raises(CommandError, match="'Widget__c' cannot be imported") as caught:
        call_command("import", "--account", connected.name, "--object", "Widget__c")
    assert caught.value.returncode == 1

    lock = account_lock(connected)
    assert lock.acquire(blocking=False)
    try:
        with pytest.raises(CommandError, match="Another job") as caught:
            call_command("import", "--account", connected.name, "--object", "Lead",
                         "--wait", "0.6")
        assert caught.value.returncode == 2
        assert json.loads(capsys.readouterr().out.strip())["status"] == "skipped"
    finally:
        lock.release()


def test_command_exits_non_zero_when_records_failed(connected, sf, hs, capsys):
    hs.control.property("contacts", name="jobtitle", read_only=True)  # HubSpot refuses it
    sf.control.insert("Contact", [
        {"LastName": "Fine", "Email": "fine@example.com"},
        {"LastName": "Refused", "Email": "refused@example.com", "Title": "CEO"}])
    with pytest.raises(CommandError, match="1 records failed") as caught:
        call_command("import", "--account", connected.name, "--object", "Contact")
    assert caught.value.returncode == 1
    out = json.loads(capsys.readouterr().out.strip())
    assert (out["status"], out["created"], out["failed"]) == ("succeeded", 1, 1)
    # The failure is an error card of Sync Health like any sync's.
    error = connected.sync_errors.get(object="contacts")
    assert error.record_label.startswith("Refused") or "refused" in error.record_label


def test_allocation_reached_pauses_the_import_with_its_reason(connected, sf, capsys):
    sf.control.insert("Contact", people("Budget", 3))
    connected.api.allocation = 1  # the COUNT() is the last call the allocation allows
    connected.api.save()
    with pytest.raises(CommandError) as caught:
        call_command("import", "--account", connected.name, "--object", "Contact")
    assert caught.value.returncode == 1
    out = json.loads(capsys.readouterr().out.strip())
    assert (out["status"], out["created"], out["sf_api_calls"]) == ("paused", 0, 1)
    run = SyncRun.objects.get(kind=SyncRun.Kind.IMPORT)
    assert "allocation reached" in run.message
    assert connected.sync_errors.filter(kind="allocation_reached").exists()  # the card

    # More allocation: resumed, the same run goes on from its cursor, no second COUNT().
    connected.api.allocation = 1_000
    connected.api.save()
    assert imports.resume(run)
    run = imports.import_object(connected, run)
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert (imports.summary(run)["created"], run.sf_calls) == (3, 2)
    assert not connected.sync_errors.filter(kind="allocation_reached").exists()
    assert not imports.resume(run)  # succeeded: nothing to resume


def test_above_the_bulk_threshold_the_read_is_one_bulk_query_job(connected, sf, hs_client,
                                                                 settings):
    settings.SYNC_BULK_THRESHOLD = 50
    sf.control.insert("Contact", people("Bulk", 120))
    before = sf_calls(sf)
    run = run_import(connected, "Contact")
    assert run.status == RunStatus.SUCCEEDED, run.message
    assert len(hs_emails(hs_client)) == 120
    # COUNT(), then one query job: created, polled once, its one page of results (typed
    # from describe) — against 1 + 1 REST page below the threshold.
    assert sf_endpoints(connected) == {"query": 1, "jobs/query": 2, "jobs/query/results": 1,
                                       "sobjects/Contact/describe": 1}
    assert sf_calls(sf) - before == run.sf_calls == 5


def test_rest_pages_are_committed_one_by_one_behind_the_cursor(connected, sf, hs, hs_client):
    hs.control.limits(ten_secondly=100_000)
    ids = sf.control.insert("Contact", people("Page", 4_100))
    before = sf_calls(sf)
    run = run_import(connected, "Contact")
    assert run.status == RunStatus.SUCCEEDED, run.message
    # COUNT() and three query pages of 2,000: 4 calls for 4,100 records.
    assert sf_endpoints(connected) == {"query": 2, "query/more": 2}
    assert sf_calls(sf) - before == run.sf_calls == 4
    assert run.params["cursor"] == max(ids)
    assert (run.progress_done, run.progress_total) == (4_100, 4_100)
    assert len(hs_emails(hs_client)) == 4_100


def test_sync_turned_off_stops_the_import_before_any_call(connected, sf, hs_client):
    sf.control.insert("Contact", people("Off", 3))
    connected.sync_enabled = False
    connected.save()
    before = sf_calls(sf)
    run = run_import(connected, "Contact")
    assert (run.status, run.message) == (RunStatus.FAILED,
                                         "Sync was turned off; the job stopped.")
    assert sf_calls(sf) == before and hs_emails(hs_client) == []
    # On again: the same run resumes (a failed import can) and completes.
    connected.sync_enabled = True
    connected.save()
    assert imports.resume(run)
    assert imports.import_object(connected, run).status == RunStatus.SUCCEEDED
    assert len(hs_emails(hs_client)) == 3
