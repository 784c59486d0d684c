"""Salesforce API calls are the scarce resource: the counts of a whole-org initial sync and of
an idle poll are machine-independent and pinned exactly (issue "Every object syncs")."""

from __future__ import annotations

import pytest

from syncadmin.integration.models import ObjectSync
from syncadmin.sync.models import AssociationLink, LinkStatus, RecordLink
from syncadmin.sync.service import run_account

pytestmark = pytest.mark.django_db(transaction=True)

STAGES = ["Prospecting", "Qualification", "Closed Won", "Closed Lost"]


def arrange_org(sf, *, accounts: int, contacts_per_account: int, opps_per_account: int,
                roles_per_opp: int, cases: int) -> None:
    acc = sf.control.insert("Account", [{"Name": f"Org {i}", "Website": f"https://www.org{i}.com/"}
                                        for i in range(accounts)])
    people = sf.control.insert("Contact", [
        {"LastName": f"P{a}-{j}", "Email": f"p{a}-{j}@org{a}.com", "AccountId": acc[a]}
        for a in range(accounts) for j in range(contacts_per_account)])
    opps = sf.control.insert("Opportunity", [
        {"Name": f"Deal {a}-{j}", "StageName": STAGES[(a + j) % 4], "CloseDate": "2026-12-31",
         "Amount": 1000 + j, "AccountId": acc[a]}
        for a in range(accounts) for j in range(opps_per_account)])
    sf.control.insert("OpportunityContactRole", [
        {"OpportunityId": o, "ContactId": people[(n * roles_per_opp + k) % len(people)]}
        for n, o in enumerate(opps) for k in range(roles_per_opp)])
    sf.control.insert("Case", [
        {"Subject": f"Case {i}", "Status": "New", "Priority": "Medium",
         "ContactId": people[i], "AccountId": acc[i % accounts]} for i in range(cases)])


def test_initial_sync_of_a_whole_org_costs_at_most_60_calls_and_an_idle_poll_one(
        connected, sf, hs):
    ObjectSync.objects.filter(account=connected).update(enabled=True)
    arrange_org(sf, accounts=1000, contacts_per_account=5, opps_per_account=2, roles_per_opp=2,
                cases=500)
    hs.control.load({
        "companies": [{"name": f"HS Co {i}", "domain": f"hsco{i}.com"} for i in range(50)],
        "deals": [{"dealname": f"HS deal {i}", "pipeline": "default",
                   "dealstage": "qualifiedtobuy", "closedate": "2026-12-24T00:00:00Z"}
                  for i in range(50)],
        "tickets": [{"subject": f"HS ticket {i}", "hs_pipeline": "0", "hs_pipeline_stage": "1"}
                    for i in range(20)]})
    run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message
    counts = run.counts
    assert counts["companies"]["to_hs"]["created"] == 1000
    assert counts["companies"]["to_sf"]["created"] == 50
    assert counts["deals"]["to_hs"]["created"] == 2000
    assert counts["tickets"]["to_hs"]["created"] == 500
    assert counts["contacts"]["to_hs"]["created"] == 5000
    assert not RecordLink.objects.filter(account=connected, status=LinkStatus.FAILED).exists()
    assert AssociationLink.objects.filter(account=connected, kind="deal_contact",
                                          to_link__isnull=False).count() == 4000
    # Target: at most 60. Six of these grant the integration user access to the five
    # HubSpot Id fields the sync creates, which a real org hides until then (issue 15,
    # point 1): a permission set lookup and one composite call, then one call per field.
    assert run.sf_calls == 30

    # The polls right after a large initial sync re-read the sync's own writes (the
    # records it stamped with the other side's id), which converge to nothing to do.
    for _ in range(2):
        assert run_account(connected).status == "succeeded"
    idle = run_account(connected)
    assert idle.status == "succeeded", idle.message
    assert idle.sf_calls == 1
