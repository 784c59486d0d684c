"""Every Contacts-tab option (FEATURES D1–D8) changes what the emulators end up holding.

Syncs run as Celery jobs through Redis and a real worker process; data is arranged with
the emulators' control API and read back through the real clients.
"""

from __future__ import annotations

import pytest

from syncadmin.integration.models import ContactSettings
from syncadmin.sync.models import LinkStatus, RecordLink, SyncError
from tests.sync.helpers import by_email, hs_contacts, past_read_lag, sf_rows

pytestmark = pytest.mark.django_db(transaction=True)


def set_contacts(account, **values):
    ContactSettings.objects.filter(account=account).update(**values)


# ---- D1 creation and updates, Salesforce → HubSpot

@pytest.mark.parametrize(("rule", "expected"), [("create_update", 1), ("nothing", 0)])
def test_d1_salesforce_records_create_hubspot_contacts_only_when_set(
        connected, sf, hs_client, via_worker, rule, expected):
    set_contacts(connected, sf_to_hs_create=rule)
    sf.control.insert("Contact", [{"LastName": "Neri", "Email": "neri@example.com"}])
    run = via_worker(connected, "full")
    assert run.status == "succeeded", run.message
    assert len(hs_contacts(hs_client)) == expected


def test_d1_two_salesforce_records_with_one_email_create_one_contact(
        connected, sf, hs_client, via_worker):
    sf.control.insert("Lead", [{"LastName": "A", "Company": "X", "Email": "dup@example.com"}])
    sf.control.insert("Contact", [{"LastName": "B", "Email": "DUP@example.com"}])
    via_worker(connected, "full")
    assert len(hs_contacts(hs_client)) == 1
    excluded = RecordLink.objects.get(account=connected, status=LinkStatus.EXCLUDED)
    assert excluded.excluded_reason == "duplicate_email"


# ---- D2 creation ignores the inclusion list; later updates respect it

def test_d2_creation_ignores_the_inclusion_list_but_updates_respect_it(
        connected, sf, hs, sf_client, hs_client, via_worker):
    member_ids = hs.control.load({"contacts": [{"email": "in@example.com", "lastname": "In"}]})
    inclusion = hs.control.create_list(name="Sync me", objectTypeId="0-1",
                                       processingType="MANUAL",
                                       members=member_ids["contacts"])
    set_contacts(connected, inclusion_list_id=str(inclusion["listId"]))
    [sf_id] = sf.control.insert("Contact", [{"LastName": "Out", "Email": "out@example.com"}])

    via_worker(connected, "full")
    contacts = by_email(hs_contacts(hs_client))
    assert "out@example.com" in contacts  # created although outside the list

    sf_client.Contact.update(sf_id, {"Title": "Director"})
    past_read_lag()
    via_worker(connected, "poll")
    assert not by_email(hs_contacts(hs_client))["out@example.com"].get("jobtitle")


# ---- D3 HubSpot → Salesforce as contact or lead

@pytest.mark.parametrize(("target", "obj"), [("contact", "Contact"), ("lead", "Lead")])
def test_d3_hubspot_contacts_become_salesforce_contacts_or_leads(
        connected, hs, sf_client, via_worker, target, obj):
    set_contacts(connected, hs_to_sf_object=target)
    hs.control.load({"contacts": [{"email": "ada@example.com", "lastname": "Lovelace",
                                   "company": "Engines"}]})
    via_worker(connected, "full")
    rows = sf_rows(sf_client, obj, "Id, Email, HubSpot_Id__c")
    assert [r["Email"] for r in rows] == ["ada@example.com"]
    assert rows[0]["HubSpot_Id__c"]
    other = "Lead" if obj == "Contact" else "Contact"
    assert sf_rows(sf_client, other) == []


def test_d3_a_new_hubspot_contact_updates_the_existing_salesforce_lead(
        connected, sf, hs, sf_client, via_worker):
    via_worker(connected, "full")  # initial sync of empty orgs: later runs are incremental
    [lead_id] = sf.control.insert("Lead", [{"LastName": "Known", "Company": "Co",
                                            "Email": "known@example.com"}])
    hs.control.load({"contacts": [{"email": "Known@Example.com", "lastname": "Known",
                                   "phone": "+45 1234"}]})
    past_read_lag()
    run = via_worker(connected, "poll")
    assert run.status == "succeeded", run.message
    leads = sf_rows(sf_client, "Lead", "Id, Phone")
    assert leads == [{"attributes": leads[0]["attributes"], "Id": lead_id, "Phone": "+45 1234"}]
    assert sf_rows(sf_client, "Contact") == []


def test_d3_a_converted_lead_is_followed_to_its_contact(
        connected, sf, hs, sf_client, hs_client, via_worker):
    hs.control.load({"contacts": [{"email": "conv@example.com", "lastname": "Conv"}]})
    via_worker(connected, "full")
    [lead] = sf_rows(sf_client, "Lead")
    converted = sf.control.convert_lead(lead["Id"])
    contact_id = converted["contact_id"]
    past_read_lag()
    via_worker(connected, "poll")
    link = RecordLink.objects.get(account=connected)
    assert (link.sf_object, link.sf_id) == ("Contact", contact_id)

    [contact] = hs_contacts(hs_client)
    hs_client.crm.contacts.basic_api.update(contact["id"], {"properties": {"phone": "555"}})
    past_read_lag()
    via_worker(connected, "poll")
    assert sf_client.Contact.get(contact_id)["Phone"] == "555"
    assert len(sf_rows(sf_client, "Contact")) == 1


# ---- D4 deletion

@pytest.mark.parametrize(("rule", "remaining"), [("delete", 0), ("nothing", 1)])
def test_d4_deleting_in_salesforce_deletes_in_hubspot_only_when_set(
        connected, sf, sf_client, hs_client, via_worker, rule, remaining):
    set_contacts(connected, sf_deletion=rule)
    [sf_id] = sf.control.insert("Contact", [{"LastName": "Gone", "Email": "gone@example.com"}])
    via_worker(connected, "full")
    sf_client.Contact.delete(sf_id)
    past_read_lag()
    via_worker(connected, "poll")
    assert len(hs_contacts(hs_client)) == remaining
    assert RecordLink.objects.get(account=connected).status == LinkStatus.DELETED_SF
    # The next poll sees the archived HubSpot contact: the deletion still started in
    # Salesforce, so Restore offers Salesforce as the destination.
    past_read_lag()
    via_worker(connected, "poll")
    assert RecordLink.objects.get(account=connected).status == LinkStatus.DELETED_SF


def test_d4_deleting_in_hubspot_never_deletes_in_salesforce(
        connected, sf, sf_client, hs_client, via_worker):
    set_contacts(connected, sf_deletion="delete")
    sf.control.insert("Contact", [{"LastName": "Stays", "Email": "stays@example.com"}])
    via_worker(connected, "full")
    [contact] = hs_contacts(hs_client)
    hs_client.crm.contacts.basic_api.archive(contact["id"])
    past_read_lag()
    via_worker(connected, "poll")
    assert len(sf_rows(sf_client, "Contact")) == 1
    assert RecordLink.objects.get(account=connected).status == LinkStatus.DELETED_HS


# ---- D5 lifecycle stage

def test_d5_opportunities_move_the_lifecycle_stage_forward_only(
        connected, sf, sf_client, hs_client, via_worker):
    [contact_id] = sf.control.insert("Contact", [{"LastName": "Buyer",
                                                  "Email": "buyer@example.com"}])
    via_worker(connected, "full")
    opp = sf_client.Opportunity.create({"Name": "Deal", "StageName": "Prospecting",
                                        "CloseDate": "2026-12-31"})
    sf_client.OpportunityContactRole.create({"OpportunityId": opp["id"],
                                             "ContactId": contact_id})
    past_read_lag()
    via_worker(connected, "poll")
    assert hs_contacts(hs_client)[0]["lifecyclestage"] == "opportunity"

    sf_client.Opportunity.update(opp["id"], {"StageName": "Closed Won"})
    past_read_lag()
    via_worker(connected, "poll")
    assert hs_contacts(hs_client)[0]["lifecyclestage"] == "customer"

    second = sf_client.Opportunity.create({"Name": "Upsell", "StageName": "Prospecting",
                                           "CloseDate": "2027-01-31"})
    sf_client.OpportunityContactRole.create({"OpportunityId": second["id"],
                                             "ContactId": contact_id})
    past_read_lag()
    via_worker(connected, "poll")
    assert hs_contacts(hs_client)[0]["lifecyclestage"] == "customer"  # never backward


def test_d5_do_nothing_leaves_the_lifecycle_stage(connected, sf, sf_client, hs_client,
                                                  via_worker):
    set_contacts(connected, lifecycle="nothing")
    [contact_id] = sf.control.insert("Contact", [{"LastName": "B", "Email": "b@example.com"}])
    via_worker(connected, "full")
    opp = sf_client.Opportunity.create({"Name": "Deal", "StageName": "Closed Won",
                                        "CloseDate": "2026-12-31"})
    sf_client.OpportunityContactRole.create({"OpportunityId": opp["id"],
                                             "ContactId": contact_id})
    past_read_lag()
    via_worker(connected, "poll")
    assert hs_contacts(hs_client)[0].get("lifecyclestage") in (None, "", "lead", "subscriber")


# ---- D6 inclusion list

def test_d6_only_inclusion_list_members_sync_to_salesforce(connected, hs, sf_client,
                                                           via_worker):
    ids = hs.control.load({"contacts": [{"email": "member@example.com", "lastname": "M"},
                                        {"email": "other@example.com", "lastname": "O"}]})
    inclusion = hs.control.create_list(name="Members", objectTypeId="0-1",
                                       processingType="MANUAL",
                                       members=[ids["contacts"][0]])
    set_contacts(connected, inclusion_list_id=str(inclusion["listId"]))
    run = via_worker(connected, "full")
    assert [r["Email"] for r in sf_rows(sf_client, "Lead")] == ["member@example.com"]
    assert run.counts["contacts"]["to_sf"]["excluded"] == 1
    assert RecordLink.objects.get(account=connected, status="excluded").excluded_reason == (
        "filtered")


# ---- D7 state and country

def test_d7_country_names_become_the_codes_salesforce_accepts(connected, sf, hs, sf_client,
                                                              via_worker):
    sf.control.picklists("enabled")
    set_contacts(connected, sf_picklist_mode="enabled", hs_state_country_mode="match")
    hs.control.load({"contacts": [
        {"email": "it@example.com", "lastname": "Verdi", "country": "Italia"},
        {"email": "us@example.com", "lastname": "Doe", "country": "U.S.A.",
         "state": "California"},
    ]})
    run = via_worker(connected, "full")
    assert run.status == "succeeded", run.message
    leads = {r["Email"]: r for r in sf_rows(sf_client, "Lead",
                                             "Email, CountryCode, StateCode")}
    assert leads["it@example.com"]["CountryCode"] == "IT"
    assert (leads["us@example.com"]["CountryCode"], leads["us@example.com"]["StateCode"]) == (
        "US", "CA")


def test_d7_an_unmatchable_country_is_a_picklist_error_not_a_crash(connected, sf, hs,
                                                                   sf_client, via_worker):
    sf.control.picklists("enabled")
    set_contacts(connected, sf_picklist_mode="enabled", hs_state_country_mode="match")
    hs.control.load({"contacts": [
        {"email": "x@example.com", "lastname": "X", "country": "Atlantis"},
        {"email": "y@example.com", "lastname": "Y", "country": "Denmark"},
    ]})
    run = via_worker(connected, "full")
    assert run.status == "succeeded"
    assert SyncError.objects.get(account=connected).kind == "picklist_value"
    assert [r["Email"] for r in sf_rows(sf_client, "Lead")] == ["y@example.com"]


# ---- D8 only contacts with an email

@pytest.mark.parametrize(("only_with_email", "expected"), [(True, 0), (False, 1)])
def test_d8_contacts_without_email_sync_only_when_allowed(
        connected, sf, hs_client, via_worker, only_with_email, expected):
    set_contacts(connected, only_with_email=only_with_email)
    sf.control.insert("Contact", [{"LastName": "NoMail"}])
    via_worker(connected, "full")
    assert len(hs_contacts(hs_client)) == expected


@pytest.mark.parametrize(("company_sync", "colleague_stage"), [(True, "customer"),
                                                              (False, None)])
def test_d5_company_lifecycle_sync_moves_the_colleagues_too(
        connected, sf, sf_client, hs_client, via_worker, company_sync, colleague_stage):
    set_contacts(connected, company_lifecycle_sync=company_sync)
    account = sf_client.Account.create({"Name": "Acme Corp"})
    buyer, colleague = sf.control.insert("Contact", [
        {"LastName": "Buyer", "Email": "buyer@acme.example", "AccountId": account["id"]},
        {"LastName": "Colleague", "Email": "colleague@acme.example",
         "AccountId": account["id"]},
    ])
    via_worker(connected, "full")
    opp = sf_client.Opportunity.create({"Name": "Big", "StageName": "Closed Won",
                                        "CloseDate": "2026-12-31",
                                        "AccountId": account["id"]})
    sf_client.OpportunityContactRole.create({"OpportunityId": opp["id"], "ContactId": buyer})
    via_worker(connected, "poll")
    stages = {c["email"]: c.get("lifecyclestage") for c in hs_contacts(hs_client)}
    assert stages["buyer@acme.example"] == "customer"
    assert (stages["colleague@acme.example"] or None) in (
        {colleague_stage} if colleague_stage else {None, "lead", "subscriber"})
