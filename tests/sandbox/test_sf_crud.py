"""Record CRUD, upsert by external id, describe, validation errors, via simple-salesforce."""

from __future__ import annotations

import re

from simple_salesforce import Salesforce

from connectors.sandbox.salesforce import SalesforceHandle
from tests.sandbox.sf_helpers import contact, create_hubspot_id_field, sf_error


def test_ids_are_18_chars_with_real_key_prefixes(sf_client: Salesforce) -> None:
    acc = sf_client.Account.create({"Name": "Acme"})["id"]
    con = sf_client.Contact.create(contact(1, AccountId=acc))["id"]
    lead = sf_client.Lead.create({"LastName": "L", "Company": "C"})["id"]
    opp = sf_client.Opportunity.create(
        {"Name": "O", "StageName": "Prospecting", "CloseDate": "2026-12-01", "AccountId": acc}
    )["id"]
    ocr = sf_client.OpportunityContactRole.create({"OpportunityId": opp, "ContactId": con})["id"]
    case = sf_client.Case.create({"Subject": "S", "ContactId": con})["id"]
    task = sf_client.Task.create({"Subject": "Call", "WhoId": con})["id"]
    proj = sf_client.Project__c.create({"Name": "P"})["id"]
    got = [acc, con, lead, opp, ocr, case, task, proj]
    assert [i[:3] for i in got] == ["001", "003", "00Q", "006", "00K", "500", "00T", "a00"]
    assert all(len(i) == 18 and re.fullmatch(r"[A-Za-z0-9]{18}", i) for i in got)
    # 15-char ids are accepted too.
    assert sf_client.Contact.get(con[:15])["Id"] == con


def test_create_get_update_delete_and_system_fields(sf_client: Salesforce) -> None:
    rid = sf_client.Contact.create(contact(1))["id"]
    rec = sf_client.Contact.get(rid)
    assert rec["attributes"]["type"] == "Contact"
    assert rec["LastName"] == "Lee1" and rec["Name"] == "Ann Lee1" and rec["IsDeleted"] is False
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000", rec["SystemModstamp"])
    assert sf_client.Contact.update(rid, {"Title": "CEO"}) == 204
    rec2 = sf_client.Contact.get(rid)
    assert rec2["Title"] == "CEO" and rec2["SystemModstamp"] >= rec["SystemModstamp"]
    assert sf_client.Contact.get(rid, params={"fields": "Id,Title"}).keys() == {
        "attributes",
        "Id",
        "Title",
    }
    assert sf_client.Contact.delete(rid) == 204
    status, code, _ = sf_error(sf_client.Contact.get, rid)
    assert (status, code) == (404, "ENTITY_IS_DELETED")
    status, code, _ = sf_error(sf_client.Contact.update, rid, {"Title": "x"})
    assert (status, code) == (404, "ENTITY_IS_DELETED")
    status, code, _ = sf_error(sf_client.Contact.get, "003000000000000AAA")
    assert (status, code) == (404, "NOT_FOUND")


def test_required_fields(sf_client: Salesforce) -> None:
    cases = [
        (sf_client.Lead, {"FirstName": "x"}, ["LastName", "Company"]),
        (sf_client.Contact, {"FirstName": "x"}, ["LastName"]),
        (sf_client.Account, {"Website": "x.com"}, ["Name"]),
        (sf_client.Opportunity, {"Amount": 3}, ["Name", "StageName", "CloseDate"]),
    ]
    for sobj, data, fields in cases:
        status, code, err = sf_error(sobj.create, data)
        assert (status, code) == (400, "REQUIRED_FIELD_MISSING")
        assert err["fields"] == fields
    rid = sf_client.Contact.create(contact(1))["id"]
    _, code, err = sf_error(sf_client.Contact.update, rid, {"LastName": ""})
    assert code == "REQUIRED_FIELD_MISSING" and err["fields"] == ["LastName"]


def test_lengths_email_and_types(sf_client: Salesforce) -> None:
    for field, n in [("LastName", 80), ("FirstName", 40), ("Title", 128)]:
        sf_client.Contact.create({"LastName": "ok", field: "x" * n})
        _, code, err = sf_error(sf_client.Contact.create, {"LastName": "ok", field: "x" * (n + 1)})
        assert code == "STRING_TOO_LONG" and err["fields"] == [field]
        assert f"(max length={n})" in err["message"]
    _, code, _ = sf_error(sf_client.Lead.create, {"LastName": "a", "Company": "c" * 256})
    assert code == "STRING_TOO_LONG"
    for bad in ("john@", "a b@x.com", "x@y", "@x.com"):
        _, code, err = sf_error(sf_client.Contact.create, {"LastName": "a", "Email": bad})
        assert code == "INVALID_EMAIL_ADDRESS" and err["fields"] == ["Email"]
    _, code, _ = sf_error(sf_client.Contact.create, {"LastName": "a", "Email": "e" * 75 + "@x.com"})
    assert code == "STRING_TOO_LONG"
    _, code, _ = sf_error(sf_client.Contact.create, {"LastName": "a", "Foo__c": 1})
    assert code == "INVALID_FIELD"
    _, code, _ = sf_error(
        sf_client.Lead.create, {"LastName": "a", "Company": "c", "IsConverted": True}
    )
    assert code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    _, code, err = sf_error(
        sf_client.Opportunity.create,
        {"Name": "o", "StageName": "Prospecting", "CloseDate": "2026-01-01", "Amount": "lots"},
    )
    assert code == "INVALID_TYPE_ON_FIELD_IN_RECORD" and err["fields"] == ["Amount"]
    _, code, _ = sf_error(sf_client.Contact.create, {"LastName": "a", "AccountId": "nope"})
    assert code == "MALFORMED_ID"
    status, code, _ = sf_error(
        sf_client.Contact.create, {"LastName": "a", "AccountId": "001000000000000AAA"}
    )
    assert code == "INVALID_CROSS_REFERENCE_KEY"


def test_opportunity_stage_picklist_and_closed_semantics(sf_client: Salesforce) -> None:
    base = {"Name": "o", "CloseDate": "2026-01-01"}
    # StageName is not a restricted picklist in a default org: an unknown stage saves, open.
    odd = sf_client.Opportunity.create({**base, "StageName": "Won-ish"})["id"]
    assert sf_client.Opportunity.get(odd)["IsClosed"] is False
    rid = sf_client.Opportunity.create({**base, "StageName": "Closed Won"})["id"]
    rec = sf_client.Opportunity.get(rid)
    assert rec["IsClosed"] is True and rec["IsWon"] is True
    sf_client.Opportunity.update(rid, {"StageName": "Closed Lost"})
    rec = sf_client.Opportunity.get(rid)
    assert rec["IsClosed"] is True and rec["IsWon"] is False


def test_describe_lists_objects_and_field_metadata(sf_client: Salesforce) -> None:
    names = {o["name"] for o in sf_client.describe()["sobjects"]}
    assert {
        "Lead",
        "Contact",
        "Account",
        "Opportunity",
        "OpportunityContactRole",
        "Case",
        "Task",
        "User",
        "Project__c",
    } <= names
    d = sf_client.Contact.describe()
    assert d["keyPrefix"] == "003"
    fields = {f["name"]: f for f in d["fields"]}
    assert fields["LastName"]["length"] == 80 and fields["LastName"]["nillable"] is False
    assert fields["Email"]["type"] == "email" and fields["Email"]["length"] == 80
    assert fields["AccountId"]["type"] == "reference"
    assert fields["AccountId"]["referenceTo"] == ["Account"]
    assert fields["SystemModstamp"]["type"] == "datetime"
    assert fields["SystemModstamp"]["updateable"] is False
    assert fields["MailingCountryCode"]["restrictedPicklist"] is True
    stages = sf_client.Opportunity.describe()["fields"]
    stage = next(f for f in stages if f["name"] == "StageName")
    assert [p["value"] for p in stage["picklistValues"]] == [
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Value Proposition",
        "Id. Decision Makers",
        "Perception Analysis",
        "Proposal/Price Quote",
        "Negotiation/Review",
        "Closed Won",
        "Closed Lost",
    ]
    assert set(stage["picklistValues"][0]) >= {"value", "label", "active", "defaultValue"}
    assert sf_client.Contact.metadata()["objectDescribe"]["name"] == "Contact"


def test_tooling_custom_field_then_upsert_by_it(
    sf_client: Salesforce, sf: SalesforceHandle
) -> None:
    status, code, _ = sf_error(sf_client.Contact.upsert, "HubSpot_Id__c/1", contact(1))
    assert (status, code) == (404, "NOT_FOUND")
    res = create_hubspot_id_field(sf_client)
    assert res["success"] is True and res["id"].startswith("00N")
    _, code, _ = sf_error(
        sf_client.restful,
        "tooling/sobjects/CustomField/",
        method="POST",
        json={"FullName": "Contact.HubSpot_Id__c", "Metadata": {"type": "Text", "length": 64}},
    )
    assert code == "DUPLICATE_DEVELOPER_NAME"
    f = next(f for f in sf_client.Contact.describe()["fields"] if f["name"] == "HubSpot_Id__c")
    assert f["externalId"] is True and f["unique"] is True and f["length"] == 64
    assert f["updateable"] is True and f["custom"] is True
    r = sf_client.Contact.upsert("HubSpot_Id__c/hs-1", contact(1), raw_response=True)
    assert r.status_code == 201 and r.json()["created"] is True
    rid = r.json()["id"]
    r = sf_client.Contact.upsert("HubSpot_Id__c/HS-1", {"Title": "CFO"}, raw_response=True)
    assert r.status_code == 200 and r.json() == {
        "id": rid,
        "success": True,
        "errors": [],
        "created": False,
    }
    got = sf_client.Contact.get_by_custom_id("HubSpot_Id__c", "hs-1")
    assert got["Id"] == rid and got["Title"] == "CFO"
    _, code, err = sf_error(sf_client.Contact.upsert, "HubSpot_Id__c/" + "x", {"LastName": ""})
    assert code == "REQUIRED_FIELD_MISSING"
    assert sf.control.usage()["used"] >= 7


def test_limit_header_on_every_response(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    sf_client.query("SELECT Id FROM Contact")
    assert sf_client.api_usage["api-usage"].used == 1
    sf_error(sf_client.Contact.create, {})
    r = sf_client.session.get(
        sf.url + "/services/data/v59.0/sobjects/Contact/describe/", headers=sf_client.headers
    )
    assert r.headers["Sforce-Limit-Info"] == "api-usage=3/100000"
