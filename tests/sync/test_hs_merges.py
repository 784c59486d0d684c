"""Records merged in HubSpot are merges, not deletions (issue 15, point 3; merges.py): the
Salesforce record of the merged-away one is relinked to the survivor when the survivor has
none, and otherwise kept as it is, no longer synced; it is never deleted, and it never brings
the merged-away record back. Merged through hubspot-api-client, read back through the clients
and the product's links."""

from __future__ import annotations

import pytest
from hubspot.crm.companies import PublicMergeInput as CompanyMerge
from hubspot.crm.contacts import PublicMergeInput

from syncadmin.sync.models import LinkStatus, RecordLink
from syncadmin.sync.pipeline.merges import MERGED
from syncadmin.sync.service import run_account
from tests.sync.helpers import hs_contacts, past_read_lag
from tests.sync.objects_helpers import enable, hs_all, sf_all

pytestmark = pytest.mark.django_db(transaction=True)


def test_contacts_merged_in_hubspot_keep_both_salesforce_records(connected, sf, sf_client,
                                                                   hs_client):
    sf_a, sf_b = sf.control.insert("Contact", [
        {"LastName": "Rossi", "FirstName": "Anna", "Email": "anna@example.it"},
        {"LastName": "Rossi", "FirstName": "Annie", "Email": "annie@example.it"}])
    assert run_account(connected, kind="full").status == "succeeded"
    links = {x.sf_id: x for x in RecordLink.objects.filter(account=connected)}
    hs_a, hs_b = links[sf_a].hs_id, links[sf_b].hs_id

    hs_client.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=hs_a, object_id_to_merge=hs_b))
    past_read_lag()
    run = run_account(connected, kind="poll")

    assert run.status == "succeeded", run.message
    merged = RecordLink.objects.get(account=connected, sf_id=sf_b)
    assert merged.status == LinkStatus.EXCLUDED and merged.excluded_reason == MERGED
    assert merged.hs_id is None
    survivor = RecordLink.objects.get(account=connected, sf_id=sf_a)
    assert survivor.hs_id == hs_a and survivor.status == LinkStatus.IN_SYNC
    kept = sf_client.Contact.get(sf_b)  # not deleted because of the merge
    assert kept["FirstName"] == "Annie" and not kept["IsDeleted"]
    assert [c["id"] for c in hs_contacts(hs_client)] == [hs_a]

    # An edit of the kept Salesforce record neither re-creates the merged-away contact nor
    # lands on the survivor.
    sf_client.Contact.update(sf_b, {"Title": "CFO"})
    past_read_lag()
    assert run_account(connected, kind="poll").status == "succeeded"
    [only] = hs_contacts(hs_client)
    assert only["id"] == hs_a and not only.get("jobtitle")


def test_a_company_merged_into_an_unlinked_one_is_relinked_not_recreated(connected, sf,
                                                                          sf_client, hs,
                                                                          hs_client):
    enable(connected, "companies")
    [acc] = sf.control.insert("Account", [{"Name": "Acme", "Website": "https://acme.com"}])
    assert run_account(connected, kind="full").status == "succeeded"
    synced = RecordLink.objects.get(account=connected, object="companies", sf_id=acc).hs_id
    # A company made in HubSpot since, the one kept: the synced one is merged into it.
    fresh = hs_client.crm.companies.basic_api.create(
        {"properties": {"name": "Acme Corp", "phone": "+1 555"}}).id
    hs_client.crm.companies.basic_api.merge(
        CompanyMerge(primary_object_id=fresh, object_id_to_merge=synced))
    past_read_lag()
    run = run_account(connected, kind="poll")

    assert run.status == "succeeded", run.message
    link = RecordLink.objects.get(account=connected, object="companies", sf_id=acc)
    assert link.hs_id == fresh and link.status == LinkStatus.IN_SYNC
    accounts = sf_all(sf_client, "Account", "Id, Name, IsDeleted")
    assert [a["Id"] for a in accounts] == [acc] and not accounts[0]["IsDeleted"]
    assert [c["id"] for c in hs_all(hs_client, "companies")] == [fresh]
    assert RecordLink.objects.filter(account=connected, object="companies").count() == 1
