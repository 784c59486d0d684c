"""Companies, deals and tickets both ways (FEATURES E1, H1, H4, F4) through the real clients.

Main flows run as Celery jobs through Redis and a real worker process (`via_worker`); quick
variants call `run_account` in-process. Data is arranged with the emulators' control API,
edits go through the real clients, and results are read back through the real clients and
the product's own tables.
"""

from __future__ import annotations

import pytest

from syncadmin.sync.models import LinkStatus, RecordLink
from syncadmin.sync.service import run_account
from tests.sync.helpers import past_read_lag
from tests.sync.objects_helpers import (
    api,
    enable,
    hs_all,
    hs_get,
    hs_one,
    link,
    sf_all,
    two_way,
)

pytestmark = pytest.mark.django_db(transaction=True)

ALL = ("companies", "deals", "tickets")


# ---- 1. each object both ways, then edits on either side after a poll

def test_salesforce_accounts_opportunities_and_cases_reach_hubspot_and_edits_follow(
        connected, sf, sf_client, hs_client, via_worker):
    enable(connected, *ALL)
    two_way(connected, "companies", "name")  # default rules prefer Salesforce (F2)
    [acc] = sf.control.insert("Account", [{"Name": "Acme", "Website": "https://www.Acme.com/about",
                                           "Phone": "+1 555"}])
    [opp] = sf.control.insert("Opportunity", [{
        "Name": "Big deal", "StageName": "Needs Analysis", "CloseDate": "2026-12-01",
        "Amount": 1200.5}])
    [case] = sf.control.insert("Case", [{"Subject": "Broken", "Description": "It is broken",
                                         "Status": "Working", "Priority": "High"}])
    run = via_worker(connected, "full")
    assert run.status == "succeeded", run.message

    company = hs_one(hs_client, "companies")
    assert (company["name"], company["domain"], company["phone"]) == ("Acme", "acme.com",
                                                                      "+1 555")
    assert company["salesforce_id"] == acc
    deal = hs_one(hs_client, "deals")
    assert (deal["dealname"], float(deal["amount"]), deal["dealstage"], deal["pipeline"]) == (
        "Big deal", 1200.5, "qualifiedtobuy", "default")
    assert deal["closedate"].startswith("2026-12-01")
    ticket = hs_one(hs_client, "tickets")
    assert (ticket["subject"], ticket["content"], ticket["hs_pipeline_stage"],
            ticket["hs_ticket_priority"]) == ("Broken", "It is broken", "2", "HIGH")
    # The HubSpot ids are stamped back on the Salesforce records.
    assert sf_all(sf_client, "Opportunity", "HubSpot_Id__c") == [{"HubSpot_Id__c": deal["id"]}]
    assert link(connected, "tickets").status == LinkStatus.IN_SYNC

    # An edit on either side arrives with the next poll.
    sf_client.Opportunity.update(opp, {"Amount": 999, "StageName": "Closed Won"})
    sf_client.Case.update(case, {"Status": "Closed"})
    api(hs_client, "companies").update(company["id"], {"properties": {"name": "Acme Corp"}})
    past_read_lag()
    run = via_worker(connected, "poll")
    assert run.status == "succeeded", run.message
    deal = hs_get(hs_client, "deals", deal["id"])
    assert (float(deal["amount"]), deal["dealstage"]) == (999, "closedwon")
    assert hs_get(hs_client, "tickets", ticket["id"])["hs_pipeline_stage"] == "4"
    assert sf_client.Account.get(acc)["Name"] == "Acme Corp"


def test_hubspot_companies_deals_and_tickets_reach_salesforce_and_edits_follow(
        connected, hs, sf_client, hs_client, via_worker):
    enable(connected, *ALL)
    for key, prop in (("deals", "amount"), ("deals", "dealstage"), ("tickets", "subject")):
        two_way(connected, key, prop)  # HubSpot edits reach Salesforce on two-way mappings
    ids = hs.control.load({
        "companies": [{"name": "Globex", "domain": "globex.com", "phone": "+39 02"}],
        "deals": [{"dealname": "HS deal", "pipeline": "default", "dealstage": "contractsent",
                   "closedate": "2026-12-24T00:00:00Z", "amount": "50"}],
        "tickets": [{"subject": "HS ticket", "content": "Help", "hs_pipeline": "0",
                     "hs_pipeline_stage": "3", "hs_ticket_priority": "LOW"}]})
    run = via_worker(connected, "full")
    assert run.status == "succeeded", run.message

    [account] = sf_all(sf_client, "Account", "Id, Name, Website, Phone, HubSpot_Id__c")
    assert (account["Name"], account["Website"], account["Phone"]) == ("Globex", "globex.com",
                                                                       "+39 02")
    assert account["HubSpot_Id__c"] == ids["companies"][0]
    [opp] = sf_all(sf_client, "Opportunity", "Id, Name, StageName, CloseDate, Amount")
    assert (opp["Name"], opp["StageName"], opp["CloseDate"], opp["Amount"]) == (
        "HS deal", "Negotiation/Review", "2026-12-24", 50)
    [case] = sf_all(sf_client, "Case", "Id, Subject, Description, Status, Priority")
    assert (case["Subject"], case["Description"], case["Status"], case["Priority"]) == (
        "HS ticket", "Help", "Escalated", "Low")
    # The Salesforce ids are stamped back on the HubSpot records.
    assert hs_get(hs_client, "deals", ids["deals"][0])["salesforce_id"] == opp["Id"]

    api(hs_client, "deals").update(ids["deals"][0], {"properties": {
        "amount": "75", "dealstage": "closedlost"}})
    api(hs_client, "tickets").update(ids["tickets"][0], {"properties": {"subject": "Fixed?"}})
    sf_client.Account.update(account["Id"], {"Phone": "+39 06"})
    past_read_lag()
    run = via_worker(connected, "poll")
    assert run.status == "succeeded", run.message
    opp = sf_client.Opportunity.get(opp["Id"])
    assert (opp["Amount"], opp["StageName"]) == (75, "Closed Lost")
    assert sf_client.Case.get(case["Id"])["Subject"] == "Fixed?"
    assert hs_get(hs_client, "companies", ids["companies"][0])["phone"] == "+39 06"
    assert len(hs_all(hs_client, "companies")) == 1
    assert len(sf_all(sf_client, "Opportunity", "Id")) == 1


# ---- 2. direction

@pytest.mark.parametrize(("direction", "sf_deals", "hs_deals"), [
    ("two_way", {"SF deal", "HS deal"}, {"SF deal", "HS deal"}),
    ("to_hubspot", {"SF deal"}, {"SF deal", "HS deal"}),
    ("to_salesforce", {"SF deal", "HS deal"}, {"HS deal"}),
])
def test_direction_decides_which_side_records_are_created_on(
        connected, sf, hs, sf_client, hs_client, direction, sf_deals, hs_deals):
    enable(connected, "deals", direction=direction)
    sf.control.insert("Opportunity", [{"Name": "SF deal", "StageName": "Prospecting",
                                       "CloseDate": "2026-01-01"}])
    hs.control.load({"deals": [{"dealname": "HS deal", "pipeline": "default",
                                "dealstage": "closedwon", "closedate": "2026-02-01T00:00:00Z"}]})
    run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message
    assert {r["Name"] for r in sf_all(sf_client, "Opportunity", "Name")} == sf_deals
    assert {r["dealname"] for r in hs_all(hs_client, "deals")} == hs_deals
    excluded = RecordLink.objects.filter(account=connected, status=LinkStatus.EXCLUDED)
    expected = {"to_hubspot": ["HS deal"], "to_salesforce": ["SF deal"]}.get(direction, [])
    assert [lk.label for lk in excluded] == expected
    assert {lk.excluded_reason for lk in excluded} <= {"direction"}


# ---- 3. conflict default app

@pytest.mark.parametrize(("conflict_app", "winner"), [("salesforce", "+1 SF"),
                                                      ("hubspot", "+1 HS")])
def test_both_sides_edited_the_object_conflict_app_wins(
        connected, sf, sf_client, hs_client, conflict_app, winner):
    enable(connected, "companies", conflict_app=conflict_app)
    two_way(connected, "companies", "phone")
    [acc] = sf.control.insert("Account", [{"Name": "Initech", "Phone": "+1 000"}])
    run_account(connected, kind="full")
    company = hs_one(hs_client, "companies")
    sf_client.Account.update(acc, {"Phone": "+1 SF"})
    api(hs_client, "companies").update(company["id"], {"properties": {"phone": "+1 HS"}})
    past_read_lag()
    run_account(connected, kind="poll")
    assert sf_client.Account.get(acc)["Phone"] == winner
    assert hs_get(hs_client, "companies", company["id"])["phone"] == winner


# ---- 4. deletion

@pytest.mark.parametrize(("rule", "left"), [("delete", 0), ("nothing", 1)])
def test_salesforce_deletion_archives_in_hubspot_only_when_set(
        connected, sf, sf_client, hs_client, rule, left):
    enable(connected, "deals", sf_deletion=rule)
    [opp] = sf.control.insert("Opportunity", [{"Name": "Gone", "StageName": "Prospecting",
                                               "CloseDate": "2026-01-01"}])
    run_account(connected, kind="full")
    assert len(hs_all(hs_client, "deals")) == 1
    sf_client.Opportunity.delete(opp)
    past_read_lag()
    run = run_account(connected, kind="poll")
    assert len(hs_all(hs_client, "deals")) == left
    assert len(hs_all(hs_client, "deals", archived=True)) == 1 - left
    assert link(connected, "deals").status == LinkStatus.DELETED_SF
    assert run.counts["deals"]["to_hs"]["deleted"] == 1 - left
    # The next poll sees the archived HubSpot deal: the deletion still started in Salesforce.
    past_read_lag()
    run_account(connected, kind="poll")
    assert link(connected, "deals").status == LinkStatus.DELETED_SF


def test_hubspot_deletion_never_deletes_in_salesforce(connected, sf, sf_client, hs_client):
    enable(connected, "tickets", sf_deletion="delete")
    [case] = sf.control.insert("Case", [{"Subject": "Keep me", "Status": "New"}])
    run_account(connected, kind="full")
    api(hs_client, "tickets").archive(hs_one(hs_client, "tickets")["id"])
    past_read_lag()
    run_account(connected, kind="poll")
    assert sf_client.Case.get(case)["Subject"] == "Keep me"
    assert link(connected, "tickets").status == LinkStatus.DELETED_HS
    # Later Salesforce edits do not recreate the ticket either.
    sf_client.Case.update(case, {"Subject": "Still here"})
    past_read_lag()
    run_account(connected, kind="poll")
    assert hs_all(hs_client, "tickets") == []


# ---- 10. the run's counts

def test_run_counts_have_a_key_per_enabled_object(connected, sf, hs, via_worker):
    enable(connected, "companies", "deals")
    sf.control.insert("Account", [{"Name": "A1"}, {"Name": "A2"}])
    hs.control.load({"deals": [{"dealname": "D", "pipeline": "default",
                                "dealstage": "closedwon", "closedate": "2026-02-01T00:00:00Z"}]})
    run = via_worker(connected, "full")
    counts = run.counts
    assert {"contacts", "companies", "deals"} <= set(counts) and "tickets" not in counts
    for key in ("contacts", "companies", "deals"):
        assert set(counts[key]) == {"to_hs", "to_sf", "associations"}
        assert set(counts[key]["to_hs"]) == {"created", "updated", "deleted", "failed",
                                             "excluded"}
    assert counts["companies"]["to_hs"]["created"] == 2
    assert counts["deals"]["to_sf"]["created"] == 1
    assert counts["companies"]["associations"] == 0
