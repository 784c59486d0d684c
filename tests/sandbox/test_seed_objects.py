"""Seeded accounts, opportunities, contact roles, cases, companies, deals and tickets: the
generator's relations and matching mix, and what the real clients read from both emulators."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest
from simple_salesforce import Salesforce

from connectors.hubspot import make_client
from connectors.sandbox.seed import generate
from connectors.sandbox.sf_schema import STAGES
from syncadmin.sync.sandbox import start_sandbox
from tests.fixtures.sf import sf_session

OBJECTS = {"accounts": 30, "opportunities": 60, "contact_roles_per_opportunity": 2,
           "cases": 20, "companies": 20, "deals": 30, "tickets": 15}


def _host(url: str) -> str:
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.")


def test_defaults_leave_the_people_data_unchanged():
    assert generate(3, 300) == generate(3, 300, accounts=0, opportunities=0, cases=0,
                                        companies=0, deals=0, tickets=0)
    plain, more = generate(3, 300), generate(3, 300, **OBJECTS)
    for obj, rows in plain.sf.items():
        assert more.sf[obj][:len(rows)] == rows
    for typ, rows in plain.hs.items():
        assert more.hs[typ][:len(rows)] == rows
    for key, links in plain.hs_associations.items():
        assert more.hs_associations[key][:len(links)] == links
    assert generate(3, 300, **OBJECTS) == more


def test_salesforce_relations():
    d = generate(5, 0, accounts=40, opportunities=120, contact_roles_per_opportunity=2, cases=50)
    assert len(d.sf["Account"]) == 40 and len(d.sf["Opportunity"]) == 120
    assert len(d.sf["Case"]) == 50
    accounts = {a["_ref"] for a in d.sf["Account"]}
    people = {c["_ref"]: c["_account_ref"] for c in d.sf["Contact"]}
    assert set(people.values()) == accounts  # every Account has Contacts
    opps = {o["_ref"]: o for o in d.sf["Opportunity"]}
    assert all(o["_account_ref"] in accounts for o in opps.values())
    assert {o["StageName"] for o in opps.values()} <= set(STAGES)
    assert all(o["Amount"] > 0 and o["CloseDate"] for o in opps.values())
    closed = [o for o in opps.values() if o["StageName"].startswith("Closed")]
    assert closed and all(o["CloseDate"] < "2026" for o in closed)
    roles = d.sf["OpportunityContactRole"]
    assert len(roles) == 2 * 120
    for r in roles:  # roles name Contacts of the Opportunity's Account
        assert people[r["_contact_ref"]] == opps[r["_opportunity_ref"]]["_account_ref"]
    assert sum(r["IsPrimary"] for r in roles) == 120
    for c in d.sf["Case"]:
        assert people[c["_contact_ref"]] == c["_account_ref"]
        assert c["Status"] in ("New", "Working", "Escalated", "Closed")
        assert c["Priority"] in ("High", "Medium", "Low")
    assert all(a["Website"].startswith(("https://www.", "http://")) for a in d.sf["Account"])


def test_hubspot_relations_and_matching_mix():
    d = generate(5, 0, accounts=30, companies=24, deals=50, tickets=20)
    comps, a = d.hs["companies"], d.hs_associations
    assert len(comps) == 24 and len(d.hs["deals"]) == 50 and len(d.hs["tickets"]) == 20
    assert {c for _, c in a["contact_company"]} == set(range(24))  # each has contacts
    assert sorted(i for i, _ in a["deal_company"]) == list(range(50))
    assert a["deal_company_primary"] == a["deal_company"]
    assert a["ticket_company_primary"] == a["ticket_company"]
    member = {(p, c) for p, c in a["contact_company"]}
    company_of_deal = dict(a["deal_company"])
    assert all((p, company_of_deal[dl]) in member for dl, p in a["deal_contact"])
    company_of_ticket = dict(a["ticket_company"])
    assert all((p, company_of_ticket[t]) in member for t, p in a["ticket_contact"])
    assert {t["hs_pipeline"] for t in d.hs["tickets"]} == {"0"}
    assert {t["hs_pipeline_stage"] for t in d.hs["tickets"]} <= {"1", "2", "3", "4"}
    assert {x["pipeline"] for x in d.hs["deals"]} == {"default"}

    by_name = {x["Name"] for x in d.sf["Account"]}
    by_domain = {_host(x["Website"]) for x in d.sf["Account"]}
    both = sum(1 for c in comps if c["name"] in by_name and c["domain"] in by_domain)
    name_only = sum(1 for c in comps if c["name"] in by_name and c["domain"] not in by_domain)
    domain_only = sum(1 for c in comps if c["domain"] in by_domain and c["name"] not in by_name)
    assert (both, name_only, domain_only) == (4, 4, 4)  # half of min(30, 24), in thirds
    assert sum(1 for c in comps if c["name"] not in by_name
               and c["domain"] not in by_domain) == 12
    # shared companies share their people's emails too
    sf_emails = {c["Email"] for c in d.sf["Contact"]}
    assert sum(1 for c in d.hs["contacts"] if c["email"] in sf_emails) >= 12


def test_new_objects_attach_to_the_people_data_when_no_accounts_or_companies_asked():
    d = generate(2, 600, opportunities=10, contact_roles_per_opportunity=1, cases=5, deals=7,
                 tickets=4)
    plain = generate(2, 600)
    accounts = {x["_ref"] for x in plain.sf["Account"]}
    new = d.sf["Opportunity"][len(plain.sf["Opportunity"]):]
    assert len(new) == 10 and all(o["_account_ref"] in accounts for o in new)
    assert len(d.hs["deals"]) == len(plain.hs["deals"]) + 7
    assert len(d.hs["companies"]) == len(plain.hs["companies"])


def test_large_object_seed_generates_fast():
    t = time.perf_counter()
    d = generate(1, 0, accounts=20_000, opportunities=40_000, contact_roles_per_opportunity=1,
                 cases=5_000, companies=20_000, deals=40_000, tickets=5_000)
    took = time.perf_counter() - t
    assert len(d.sf["Opportunity"]) == len(d.hs["deals"]) == 40_000
    assert took < 8, took  # ~1 s alone; generous for a shared CI machine


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory):
    box = start_sandbox(tmp_path_factory.mktemp("sandbox"), sf_port=0, hs_port=0, seed=4,
                        contacts=60, **OBJECTS)
    yield box
    box.stop()


def test_salesforce_side_through_simple_salesforce(sandbox):
    sf = Salesforce(instance_url=sandbox.sf.url, session_id=sandbox.sf.session_id,
                    session=sf_session(sandbox.sf))
    opps = sf.query_all("SELECT Id, AccountId, StageName, Amount, CloseDate FROM Opportunity")
    assert opps["totalSize"] >= 60
    assert all(r["AccountId"] and r["CloseDate"] for r in opps["records"])
    assert {r["StageName"] for r in opps["records"]} <= set(STAGES)
    roles = sf.query_all("SELECT OpportunityId, ContactId, IsPrimary FROM "
                         "OpportunityContactRole")["records"]
    assert len(roles) >= 120 and all(r["ContactId"] for r in roles)
    cases = sf.query_all("SELECT AccountId, ContactId, Status, Priority FROM Case")["records"]
    assert len(cases) >= 20 and all(c["AccountId"] and c["ContactId"] for c in cases)
    accounts = sf.query_all("SELECT Name, Website FROM Account")["records"]
    assert sum(1 for a in accounts if (a["Website"] or "").startswith("https://www.")) >= 20


def test_hubspot_side_through_hubspot_api_client(sandbox):
    client = make_client(sandbox.hs.url, sandbox.hs.token, sandbox.hs.ca_file)
    deals = client.crm.deals.basic_api.get_page(
        limit=100, properties=["dealname", "amount", "closedate", "pipeline", "dealstage"])
    assert len(deals.results) >= 30
    stages = {s.id for s in client.crm.pipelines.pipelines_api.get_by_id(
        "deals", "default").stages}
    assert all(r.properties["dealstage"] in stages and r.properties["amount"]
               for r in deals.results)
    ids = [r.id for r in deals.results]
    read = client.crm.associations.v4.batch_api.get_page(
        "deals", "companies", {"inputs": [{"id": i} for i in ids]})
    types = {t.type_id for r in read.results for to in r.to for t in to.association_types}
    assert {341, 5} <= types
    tickets = client.crm.tickets.basic_api.get_page(
        limit=100, properties=["subject", "hs_pipeline", "hs_pipeline_stage",
                               "hs_ticket_priority"], associations=["contacts", "companies"])
    mine = [t for t in tickets.results if t.associations and "companies" in t.associations]
    assert len(mine) >= 15
    assert all(t.associations["contacts"].results for t in mine)
    found = client.crm.companies.search_api.do_search({"filterGroups": [{"filters": [
        {"propertyName": "domain", "operator": "HAS_PROPERTY"}]}], "limit": 100})
    assert found.total >= 20


def test_seeded_shipments_are_a_custom_object_with_lookups(sf, sf_client):
    """`sandbox --shipments N` (the demo's custom object, E3): records read back through
    simple-salesforce with their Contact and Account lookups."""
    loaded = sf.control.seed(5, 60, accounts=10, shipments=12)
    assert loaded["loaded"]["Shipment__c"] == 12
    rows = sf_client.query_all("SELECT Id, Name, Status__c, Contact__c, Account__c, "
                               "Contact__r.Email FROM Shipment__c")["records"]
    assert len(rows) == 12 and all(r["Id"].startswith("a01") for r in rows)
    assert all(r["Contact__c"] and r["Contact__r"] for r in rows)  # the lookup resolves
    assert any(r["Account__c"] for r in rows)
    assert {r["Status__c"] for r in rows} <= {"Booked", "In transit", "Delivered", "Returned"}
    described = {f["name"]: f for f in sf_client.Shipment__c.describe()["fields"]}
    assert described["Contact__c"]["referenceTo"] == ["Contact"]
    assert "Shipment__c" in {o["name"] for o in sf_client.describe()["sobjects"] if o["custom"]}
