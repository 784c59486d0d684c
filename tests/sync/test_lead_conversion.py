"""D3's hazard: HubSpot contacts are created in Salesforce as Leads by default, and leads
have no account. Converting such a lead in Salesforce creates an Account of its own."""

from __future__ import annotations

import pytest

from syncadmin.sync.models import AssociationLink, SyncError
from syncadmin.sync.service import run_account
from tests.sync.helpers import past_read_lag
from tests.sync.objects_helpers import enable, hs_all, hs_assoc, link, sf_all

pytestmark = pytest.mark.django_db(transaction=True)


def arrange(connected, hs):
    enable(connected, "companies")  # contacts go to Salesforce as leads (the default)
    hs.control.load({"companies": [{"name": "Initech", "domain": "initech.com"}],
                     "contacts": [{"email": "peter@initech.com", "lastname": "Gibbons",
                                   "company": "Initech"}],
                     "associations": {"contact_company_primary": [[0, 0]]}})
    return run_account(connected, kind="full")


def test_converting_the_lead_creates_a_duplicate_company(connected, sf, hs, sf_client,
                                                         hs_client):
    """The hazard the D3 warning describes, as the product behaves today.

    The HubSpot company syncs as an Account and the HubSpot contact as a Lead with no
    account (a Lead has no AccountId). Converting the lead in Salesforce (without choosing
    the existing account) creates a second Account named after the lead's Company. The
    next poll does not dedupe it against the existing company: name/domain matching (H2)
    joins only records never linked, and the HubSpot "Initech" is already linked to the
    first Account. So the new Account becomes a second "Initech" company in HubSpot (with
    no domain: the conversion copies no website), and the converted contact's association
    follows Contact.AccountId and moves to the duplicate. Both sides end with two companies.
    """
    run = arrange(connected, hs)
    assert run.status == "succeeded", run.message
    [lead] = sf_all(sf_client, "Lead", "Id, Company, Email")
    assert lead["Company"] == "Initech"
    [original] = sf_all(sf_client, "Account", "Id, Name, Website")
    assert (original["Name"], original["Website"]) == ("Initech", "initech.com")
    [company] = hs_all(hs_client, "companies")

    converted = sf.control.convert_lead(lead["Id"])
    assert converted["account_id"] != original["Id"]
    past_read_lag()
    run = run_account(connected, kind="poll")
    assert run.status == "succeeded", run.message
    assert run.counts["companies"]["to_hs"]["created"] == 1

    accounts = sf_all(sf_client, "Account", "Id, Name, Website")
    assert sorted((a["Name"], a["Website"] or "") for a in accounts) == [
        ("Initech", ""), ("Initech", "initech.com")]
    companies = hs_all(hs_client, "companies")
    assert sorted((c["name"], c["domain"] or "") for c in companies) == [
        ("Initech", ""), ("Initech", "initech.com")]
    duplicate = link(connected, "companies", sf_id=converted["account_id"])
    assert duplicate.hs_id != company["id"]
    # The lead is followed to its contact (D3), whose company is now the duplicate.
    contact = link(connected, "contacts")
    assert (contact.sf_object, contact.sf_id) == ("Contact", converted["contact_id"])
    assert sf_client.Contact.get(converted["contact_id"])["AccountId"] == duplicate.sf_id
    # HubSpot keeps the contact's own company and gains the duplicate: the lead never
    # carried the first association into Salesforce, so nothing there says to remove it.
    assert sorted(hs_assoc(hs_client, "contacts", contact.hs_id, "companies")) == sorted(
        [company["id"], duplicate.hs_id])
    assert not SyncError.objects.filter(account=connected).exists()


def test_a_lead_contact_company_association_is_not_reported_as_synced(connected, hs,
                                                                       sf_client):
    """A lead has no account: its HubSpot company association stays in HubSpot only."""
    run = arrange(connected, hs)
    assert sf_all(sf_client, "Account", "Id")
    assert run.counts["contacts"]["associations"] == 0
    assert not AssociationLink.objects.filter(account=connected, to_link__isnull=False).exists()
