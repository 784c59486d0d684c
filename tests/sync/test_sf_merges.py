"""Records merged in Salesforce are merges, not deletions (issue 15, point 3; merges.py): the
HubSpot record of the merged-away one is merged into the master's, or relinked to the master
when the master has none; it is never archived because of the merge. Merged through the
emulator's control API (merge() is SOAP only), read back through hubspot-api-client."""

from __future__ import annotations

import pytest

from syncadmin.sync.models import LinkStatus, RecordLink
from syncadmin.sync.pipeline.merges import MERGED_SF
from syncadmin.sync.service import run_account
from tests.sync.helpers import hs_contacts, past_read_lag
from tests.sync.objects_helpers import enable, hs_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_contacts_merged_in_salesforce_merge_their_hubspot_contacts(connected, sf, hs_client):
    keep, gone = sf.control.insert("Contact", [
        {"LastName": "Rossi", "FirstName": "Anna", "Email": "anna@example.it"},
        {"LastName": "Rossi", "FirstName": "Annie", "Email": "annie@example.it",
         "Title": "CFO"}])
    assert run_account(connected, kind="full").status == "succeeded"
    hs_keep = RecordLink.objects.get(account=connected, sf_id=keep).hs_id
    hs_gone = RecordLink.objects.get(account=connected, sf_id=gone).hs_id

    sf.control.merge("Contact", keep, [gone])
    past_read_lag()
    run = run_account(connected, kind="poll")

    assert run.status == "succeeded", run.message
    assert [c["id"] for c in hs_contacts(hs_client)] == [hs_keep]
    api = hs_client.crm.contacts.basic_api
    assert api.get_page(archived=True).results == []  # nothing archived by the merge
    assert api.get_by_id(hs_gone).id == hs_keep  # HubSpot merged the two as well
    merged = RecordLink.objects.get(account=connected, sf_id=gone)
    assert merged.status == LinkStatus.EXCLUDED and merged.excluded_reason == MERGED_SF
    survivor = RecordLink.objects.get(account=connected, sf_id=keep)
    assert survivor.hs_id == hs_keep and survivor.status == LinkStatus.IN_SYNC
    got = api.get_by_id(hs_keep, properties=["jobtitle", "firstname"]).properties
    assert got["firstname"] == "Anna" and got["jobtitle"] == "CFO"  # the master filled in


def test_an_account_merged_into_a_new_one_relinks_its_company(connected, sf, sf_client,
                                                              hs_client):
    enable(connected, "companies")
    [acc] = sf.control.insert("Account", [{"Name": "Acme", "Website": "https://acme.com"}])
    assert run_account(connected, kind="full").status == "succeeded"
    [company] = hs_all(hs_client, "companies")
    # A new account, never synced, is kept: the synced one is merged into it.
    [master] = sf.control.insert("Account", [{"Name": "Acme Corporation"}])
    sf.control.merge("Account", master, [acc])
    past_read_lag()
    run = run_account(connected, kind="poll")

    assert run.status == "succeeded", run.message
    link = RecordLink.objects.get(account=connected, object="companies")
    assert link.sf_id == master and link.hs_id == company["id"]
    companies = hs_all(hs_client, "companies")
    assert [c["id"] for c in companies] == [company["id"]]  # not archived, none created
    assert companies[0]["name"] == "Acme Corporation"
