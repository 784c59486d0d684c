"""Associations (FEATURES E2, H8): contact ⇄ company (Contact.AccountId), deal ⇄ company
(Opportunity.AccountId), deal ⇄ contacts (OpportunityContactRole), ticket ⇄ contact and
ticket ⇄ company (Case.ContactId/AccountId), both ways, read back through the HubSpot v4
associations API and SOQL."""

from __future__ import annotations

import datetime as dt

import pytest

from syncadmin.sync.models import AssociationLink
from syncadmin.sync.service import run_account
from tests.sync.helpers import past_read_lag
from tests.sync.objects_helpers import (
    api,
    contacts_as,
    enable,
    hs_all,
    hs_assoc,
    hs_associate,
    link,
    sf_all,
)

pytestmark = pytest.mark.django_db(transaction=True)

ALL = ("companies", "deals", "tickets")


def arrange_salesforce(sf):
    acc1, acc2 = sf.control.insert("Account", [{"Name": "Acme"}, {"Name": "Globex"}])
    c1, c2 = sf.control.insert("Contact", [
        {"LastName": "Rossi", "Email": "rossi@acme.com", "AccountId": acc1},
        {"LastName": "Bianchi", "Email": "bianchi@acme.com", "AccountId": acc1}])
    [opp] = sf.control.insert("Opportunity", [{"Name": "Big", "StageName": "Prospecting",
                                               "CloseDate": "2026-12-01", "AccountId": acc1}])
    r1, r2 = sf.control.insert("OpportunityContactRole", [
        {"OpportunityId": opp, "ContactId": c1}, {"OpportunityId": opp, "ContactId": c2}])
    [case] = sf.control.insert("Case", [{"Subject": "Broken", "Status": "New",
                                         "ContactId": c1, "AccountId": acc1}])
    return {"acc1": acc1, "acc2": acc2, "c1": c1, "c2": c2, "opp": opp, "r1": r1, "r2": r2,
            "case": case}


OBJECT_OF = {"acc1": "companies", "acc2": "companies", "c1": "contacts", "c2": "contacts",
             "opp": "deals", "case": "tickets"}


def hs_ids(account, sf):
    """Salesforce id → HubSpot id, from the product's links."""
    return {k: link(account, obj, sf_id=sf[k]).hs_id for k, obj in OBJECT_OF.items()}


# ---- 8. Salesforce → HubSpot, every kind, then changes

def test_salesforce_relations_become_hubspot_associations_and_changes_follow(
        connected, sf, sf_client, hs_client, via_worker):
    enable(connected, *ALL)
    ids = arrange_salesforce(sf)
    run = via_worker(connected, "full")
    assert run.status == "succeeded", run.message
    h = hs_ids(connected, ids)
    assert hs_assoc(hs_client, "contacts", h["c1"], "companies") == [h["acc1"]]
    assert hs_assoc(hs_client, "deals", h["opp"], "companies") == [h["acc1"]]
    assert hs_assoc(hs_client, "deals", h["opp"], "contacts") == sorted([h["c1"], h["c2"]])
    assert hs_assoc(hs_client, "tickets", h["case"], "contacts") == [h["c1"]]
    assert hs_assoc(hs_client, "tickets", h["case"], "companies") == [h["acc1"]]
    assert run.counts["deals"]["associations"] == 3
    assert {a.kind for a in AssociationLink.objects.filter(account=connected)} == {
        "contact_company", "deal_company", "deal_contact", "ticket_contact", "ticket_company"}

    # The contact moves to another account; one contact role is deleted; the other
    # contact is deleted in Salesforce, which takes its contact role with it.
    sf_client.Contact.update(ids["c1"], {"AccountId": ids["acc2"]})
    sf_client.OpportunityContactRole.delete(ids["r1"])
    past_read_lag()
    run = via_worker(connected, "poll")
    assert run.status == "succeeded", run.message
    assert hs_assoc(hs_client, "contacts", h["c1"], "companies") == [h["acc2"]]
    assert hs_assoc(hs_client, "deals", h["opp"], "contacts") == [h["c2"]]

    sf_client.Contact.delete(ids["c2"])  # cascades to its OpportunityContactRole
    past_read_lag()
    run_account(connected, kind="poll")
    assert hs_assoc(hs_client, "deals", h["opp"], "contacts") == []
    assert hs_assoc(hs_client, "deals", h["opp"], "companies") == [h["acc1"]]
    assert not AssociationLink.objects.filter(account=connected, kind="deal_contact").exists()


# ---- 8. HubSpot → Salesforce

def test_hubspot_associations_become_salesforce_lookups_and_contact_roles(
        connected, hs, sf_client, hs_client, via_worker):
    enable(connected, *ALL)
    contacts_as(connected, "contact")  # leads have no AccountId (D3)
    hs.control.load({
        "companies": [{"name": "Initech", "domain": "initech.com"}],
        "contacts": [{"email": "peter@initech.com", "lastname": "Gibbons"},
                     {"email": "bill@initech.com", "lastname": "Lumbergh"}],
        "deals": [{"dealname": "TPS", "pipeline": "default", "dealstage": "closedwon",
                   "closedate": "2026-03-01T00:00:00Z"}],
        "tickets": [{"subject": "Stapler", "hs_pipeline": "0", "hs_pipeline_stage": "1"}],
        "associations": {"contact_company_primary": [[0, 0]], "deal_company_primary": [[0, 0]],
                         "deal_contact": [[0, 0]], "ticket_contact": [[0, 1]],
                         "ticket_company_primary": [[0, 0]]}})
    run = via_worker(connected, "full")
    assert run.status == "succeeded", run.message
    [acc] = sf_all(sf_client, "Account", "Id")
    contacts = {r["Email"]: r for r in sf_all(sf_client, "Contact", "Id, Email, AccountId")}
    assert contacts["peter@initech.com"]["AccountId"] == acc["Id"]
    [opp] = sf_all(sf_client, "Opportunity", "Id, AccountId")
    assert opp["AccountId"] == acc["Id"]
    peter, bill = contacts["peter@initech.com"]["Id"], contacts["bill@initech.com"]["Id"]
    assert sf_all(sf_client, "OpportunityContactRole", "OpportunityId, ContactId") == [
        {"OpportunityId": opp["Id"], "ContactId": peter}]
    [case] = sf_all(sf_client, "Case", "ContactId, AccountId")
    assert case == {"ContactId": bill, "AccountId": acc["Id"]}

    # A new association on the linked deal (with an edit of the deal) adds a contact role.
    deal_id = link(connected, "deals", sf_id=opp["Id"]).hs_id
    bill_hs = link(connected, "contacts", sf_id=bill).hs_id
    hs_associate(hs_client, "deals", deal_id, "contacts", bill_hs)
    api(hs_client, "deals").update(deal_id, {"properties": {"dealname": "TPS reports"}})
    past_read_lag()
    run = via_worker(connected, "poll")
    assert run.status == "succeeded", run.message
    roles = sf_all(sf_client, "OpportunityContactRole", "ContactId")
    assert sorted(r["ContactId"] for r in roles) == sorted([peter, bill])


def test_an_association_added_in_hubspot_alone_reaches_salesforce(
        connected, hs, sf_client, hs_client, monkeypatch):
    """Neither record's modified date moves (a non-primary association): the rolling
    association sweep re-reads synced records' associations and finds it."""
    from syncadmin.sync.pipeline import associations as stage

    monkeypatch.setattr(stage, "SWEEP_EVERY", dt.timedelta(0))
    enable(connected, "companies")
    contacts_as(connected, "contact")
    hs.control.load({"companies": [{"name": "Initech", "domain": "initech.com"}],
                     "contacts": [{"email": "milton@initech.com", "lastname": "Waddams"}]})
    run_account(connected, kind="full")
    hs_associate(hs_client, "contacts", link(connected, "contacts").hs_id, "companies",
                 link(connected, "companies").hs_id)
    past_read_lag()
    run_account(connected, kind="poll")
    [acc] = sf_all(sf_client, "Account", "Id")
    assert sf_all(sf_client, "Contact", "AccountId") == [{"AccountId": acc["Id"]}]


# ---- 8. only when both objects sync

def test_associations_sync_only_when_both_objects_are_on(connected, sf, hs_client):
    enable(connected, "tickets")  # companies and deals off; contacts always on
    arrange_salesforce(sf)
    run_account(connected, kind="full")
    assert hs_all(hs_client, "companies") == [] and hs_all(hs_client, "deals") == []
    [ticket] = hs_all(hs_client, "tickets")
    [peter] = [c for c in hs_all(hs_client, "contacts") if c["email"] == "rossi@acme.com"]
    assert hs_assoc(hs_client, "tickets", ticket["id"], "contacts") == [peter["id"]]
    assert hs_assoc(hs_client, "tickets", ticket["id"], "companies") == []
    assert {a.kind for a in AssociationLink.objects.filter(account=connected)} == {
        "ticket_contact"}

    enable(connected, "companies")  # contacts + companies on, deals and tickets off
    run_account(connected, kind="full")
    assert hs_all(hs_client, "deals") == []
    assert hs_assoc(hs_client, "contacts", peter["id"], "companies") != []
    assert not AssociationLink.objects.filter(account=connected, kind__startswith="deal_"
                                              ).exists()


# ---- 8. a target not synced yet is pending, then resolved

def test_an_association_to_an_excluded_company_waits_and_resolves_later(
        connected, sf, sf_client, hs_client):
    enable(connected, "companies", sf_filter={"field": "Type", "operator": "eq",
                                              "value": "Customer"})
    [acc] = sf.control.insert("Account", [{"Name": "Prospect Inc", "Type": "Prospect"}])
    sf.control.insert("Contact", [{"LastName": "Wait", "Email": "wait@prospect.com",
                                   "AccountId": acc}])
    run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message
    assert link(connected, "companies").excluded_reason == "filtered"
    [pending] = AssociationLink.objects.filter(account=connected, kind="contact_company")
    assert (pending.to_link, pending.pending_sf_id) == (None, acc)
    contact_hs = link(connected, "contacts").hs_id
    assert hs_assoc(hs_client, "contacts", contact_hs, "companies") == []

    sf_client.Account.update(acc, {"Type": "Customer"})  # now it matches the filter
    past_read_lag()
    run_account(connected, kind="poll")
    company = link(connected, "companies")
    assert company.hs_id and company.status == "in_sync"
    assert hs_assoc(hs_client, "contacts", contact_hs, "companies") == [company.hs_id]
    pending.refresh_from_db()
    assert (pending.to_link_id, pending.pending_sf_id) == (company.pk, "")
