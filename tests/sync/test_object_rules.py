"""Initial-sync filters (H3), company matching by name or domain (H2, H5) and value
mappings for deal stages (E1), in-process runs against the emulators and the real clients."""

from __future__ import annotations

import pytest

from syncadmin.integration.models import ValueMapping
from syncadmin.sync.models import LinkStatus, RecordLink, SyncError
from syncadmin.sync.service import retry_links, run_account
from tests.sync.helpers import past_read_lag
from tests.sync.objects_helpers import configure, enable, hs_all, hs_get, link, sf_all

pytestmark = pytest.mark.django_db(transaction=True)


# ---- 5. initial-sync filters

def test_filters_exclude_unmatched_unlinked_records_on_either_side(
        connected, sf, hs, sf_client, hs_client):
    """Filters name a field that is not mapped (Account.Type, the company's lifecyclestage):
    they still decide what syncs initially."""
    enable(connected, "companies",
           sf_filter={"field": "Type", "operator": "eq", "value": "Customer"},
           hs_filter={"field": "lifecyclestage", "operator": "eq", "value": "customer"})
    sf.control.insert("Account", [{"Name": "SF in", "Type": "Customer"},
                                  {"Name": "SF out", "Type": "Prospect"}])
    hs.control.load({"companies": [{"name": "HS in", "lifecyclestage": "customer"},
                                   {"name": "HS out", "lifecyclestage": "lead"}]})
    run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message
    assert {r["name"] for r in hs_all(hs_client, "companies")} == {"SF in", "HS in", "HS out"}
    assert {r["Name"] for r in sf_all(sf_client, "Account", "Name")} == {"SF in", "SF out",
                                                                       "HS in"}
    excluded = RecordLink.objects.filter(account=connected, status=LinkStatus.EXCLUDED)
    assert {(lk.label, lk.excluded_reason) for lk in excluded} == {("SF out", "filtered"),
                                                                  ("HS out", "filtered")}


def test_filters_apply_to_deals_by_a_mapped_field(connected, sf, hs, sf_client, hs_client):
    enable(connected, "deals", sf_filter={"field": "Amount", "operator": "known"},
           hs_filter={"field": "dealname", "operator": "contains", "value": "sync"})
    sf.control.insert("Opportunity", [
        {"Name": "Priced", "StageName": "Prospecting", "CloseDate": "2026-01-01", "Amount": 5},
        {"Name": "Unpriced", "StageName": "Prospecting", "CloseDate": "2026-01-01"}])
    hs.control.load({"deals": [
        {"dealname": "Please SYNC me", "pipeline": "default", "dealstage": "closedwon",
         "closedate": "2026-02-01T00:00:00Z"},
        {"dealname": "Private", "pipeline": "default", "dealstage": "closedwon",
         "closedate": "2026-02-01T00:00:00Z"}]})
    run_account(connected, kind="full")
    assert {r["dealname"] for r in hs_all(hs_client, "deals")} == {"Priced", "Please SYNC me",
                                                                   "Private"}
    assert {r["Name"] for r in sf_all(sf_client, "Opportunity", "Name")} == {
        "Priced", "Unpriced", "Please SYNC me"}
    assert set(RecordLink.objects.filter(account=connected, status=LinkStatus.EXCLUDED)
               .values_list("excluded_reason", flat=True)) == {"filtered"}


def test_synced_records_keep_syncing_after_the_filter_changes(connected, sf, sf_client,
                                                              hs_client):
    enable(connected, "tickets")
    [case] = sf.control.insert("Case", [{"Subject": "Synced", "Status": "New"}])
    run_account(connected, kind="full")
    configure(connected, "tickets", sf_filter={"field": "Subject", "operator": "eq",
                                               "value": "nothing matches this"})
    sf_client.Case.update(case, {"Subject": "Synced and edited"})
    [new] = sf.control.insert("Case", [{"Subject": "New after filter", "Status": "New"}])
    past_read_lag()
    run_account(connected, kind="poll")
    assert {r["subject"] for r in hs_all(hs_client, "tickets")} == {"Synced and edited"}
    assert link(connected, "tickets", sf_id=case).status == LinkStatus.IN_SYNC
    assert link(connected, "tickets", sf_id=new).excluded_reason == "filtered"


# ---- 6. companies: name or domain

def test_companies_merge_by_name_or_by_domain_and_need_one_of_them(
        connected, sf, hs, sf_client, hs_client):
    enable(connected, "companies")
    sf.control.insert("Account", [
        {"Name": "Umbrella", "Website": "https://umbrella.example"},  # same name
        {"Name": "X Holdings", "Website": "https://www.x.com/about"},  # same domain
        {"Name": "  ", "Phone": "1"},  # neither
        {"Name": "Only SF"}])
    hs.control.load({"companies": [
        {"name": "umbrella", "domain": "umbrella-corp.com"},
        {"name": "X", "domain": "x.com"},
        {"phone": "2"},  # neither
        {"name": "Only HS"}]})
    run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message
    hs_companies = hs_all(hs_client, "companies")
    sf_accounts = sf_all(sf_client, "Account", "Id, Name, Website, HubSpot_Id__c")
    assert sorted(r["name"] or "" for r in hs_companies) == ["", "Only HS", "Only SF",
                                                           "Umbrella", "X Holdings"]
    assert sorted(r["Name"].strip() for r in sf_accounts) == ["", "Only HS", "Only SF",
                                                            "Umbrella", "X Holdings"]
    # The merged pairs are linked both ways; Salesforce wins the names (prefer Salesforce).
    linked = {r["HubSpot_Id__c"]: r for r in sf_accounts if r["HubSpot_Id__c"]}
    by_id = {r["id"]: r for r in hs_companies}
    assert {(r["Name"], by_id[h]["domain"]) for h, r in linked.items()} == {
        ("Umbrella", "umbrella.example"), ("X Holdings", "x.com"), ("Only SF", None),
        ("Only HS", None)}
    excluded = RecordLink.objects.filter(account=connected, status=LinkStatus.EXCLUDED)
    assert sorted(lk.excluded_reason for lk in excluded) == ["no_name_or_domain"] * 2
    # A second full run changes nothing: no duplicates on either side.
    run_account(connected, kind="full")
    assert len(hs_all(hs_client, "companies")) == 5
    assert len(sf_all(sf_client, "Account", "Id")) == 5


# ---- 7. stage mapping

def stage_row(account, sf_value):
    return ValueMapping.objects.get(account=account, object="deals", hs_property="dealstage",
                                    sf_value=sf_value)


def test_an_edited_stage_mapping_applies_to_the_next_change(connected, sf, sf_client,
                                                            hs_client):
    enable(connected, "deals")
    [opp] = sf.control.insert("Opportunity", [{"Name": "Deal", "StageName": "Prospecting",
                                               "CloseDate": "2026-01-01"}])
    run_account(connected, kind="full")
    [deal] = hs_all(hs_client, "deals")
    assert deal["dealstage"] == "appointmentscheduled"
    row = stage_row(connected, "Negotiation/Review")
    assert row.hs_value == "contractsent"  # the default made at the first sync
    row.hs_value = "decisionmakerboughtin"
    row.save()
    sf_client.Opportunity.update(opp, {"StageName": "Negotiation/Review"})
    past_read_lag()
    run_account(connected, kind="poll")
    assert hs_get(hs_client, "deals", deal["id"])["dealstage"] == "decisionmakerboughtin"


def test_an_unmapped_stage_is_a_classified_error_until_mapped_and_retried(
        connected, sf, sf_client, hs_client):
    enable(connected, "deals")
    run_account(connected, kind="full")  # makes the default stage mappings
    stage_row(connected, "Value Proposition").delete()
    [opp] = sf.control.insert("Opportunity", [{"Name": "Odd", "StageName": "Value Proposition",
                                               "CloseDate": "2026-01-01"}])
    past_read_lag()
    run = run_account(connected, kind="poll")
    assert run.status == "succeeded", run.message
    assert run.counts["deals"]["to_hs"]["failed"] == 1
    [error] = SyncError.objects.filter(account=connected)
    assert (error.object, error.kind, error.code) == ("deals", "picklist_value",
                                                      "VALUE_NOT_MAPPED")
    assert "Value Proposition" in error.message
    failed = link(connected, "deals", sf_id=opp)
    assert failed.status == LinkStatus.FAILED
    assert hs_all(hs_client, "deals") == []

    ValueMapping.objects.create(account=connected, object="deals", hs_property="dealstage",
                                pipeline="default", hs_value="presentationscheduled",
                                sf_value="Value Proposition")
    retry = retry_links(connected, [failed.pk])
    assert retry.status == "succeeded", retry.message
    assert not SyncError.objects.filter(account=connected).exists()
    assert link(connected, "deals", sf_id=opp).status == LinkStatus.IN_SYNC
    [deal] = hs_all(hs_client, "deals")
    assert (deal["dealname"], deal["dealstage"]) == ("Odd", "presentationscheduled")
