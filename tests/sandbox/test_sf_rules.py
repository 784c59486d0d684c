"""Org configuration: state/country picklists, duplicate and validation rules, read-only fields,
lead conversion, seeded data."""

from __future__ import annotations

from simple_salesforce import Salesforce

from connectors.sandbox.salesforce import SalesforceHandle
from tests.sandbox.sf_helpers import contact, sf_error


def _field(sf_client: Salesforce, name: str) -> dict | None:
    return next((f for f in sf_client.Contact.describe()["fields"] if f["name"] == name), None)


def test_picklists_enabled_by_default(sf_client: Salesforce) -> None:
    cc = _field(sf_client, "MailingCountryCode")
    sc = _field(sf_client, "MailingStateCode")
    assert cc and sc and cc["restrictedPicklist"] and sc["controllerName"] == "MailingCountryCode"
    codes = {p["value"]: p["label"] for p in cc["picklistValues"]}
    assert codes["IT"] == "Italy" and codes["US"] == "United States" and len(codes) > 240
    states = {(p["value"], p["label"]) for p in sc["picklistValues"]}
    assert ("CA", "California") in states and ("ON", "Ontario") in states
    assert ("MI", "Milano") in states and ("MI", "Michigan") in states
    assert all(p["validFor"] for p in sc["picklistValues"])
    rid = sf_client.Contact.create(contact(1, MailingCountryCode="IT", MailingStateCode="MI"))["id"]
    rec = sf_client.Contact.get(rid)
    assert (rec["MailingCountry"], rec["MailingState"]) == ("Italy", "Milano")
    rid = sf_client.Contact.create(
        contact(2, MailingCountry="United States", MailingState="Michigan")
    )["id"]
    rec = sf_client.Contact.get(rid)
    assert (rec["MailingCountryCode"], rec["MailingStateCode"]) == ("US", "MI")
    _, code, err = sf_error(sf_client.Contact.create, contact(3, MailingCountryCode="XX"))
    assert code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert err["fields"] == ["MailingCountryCode"]
    _, code, _ = sf_error(sf_client.Contact.create, contact(4, MailingCountry="Italia"))
    assert code == "FIELD_INTEGRITY_EXCEPTION"
    _, code, _ = sf_error(
        sf_client.Contact.create, contact(5, MailingCountryCode="DE", MailingStateCode="MI")
    )
    assert code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"


def test_picklists_disabled_and_customized(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    sf.control.picklists("disabled")
    assert _field(sf_client, "MailingCountryCode") is None
    rid = sf_client.Contact.create(contact(1, MailingCountry="Italia"))["id"]
    assert sf_client.Contact.get(rid)["MailingCountry"] == "Italia"
    assert sf_error(sf_client.Contact.create, contact(2, MailingCountryCode="IT"))[1] == (
        "INVALID_FIELD"
    )
    sf.control.picklists(
        "customized",
        countries={"rename": {"IT": "Italia"}, "add": [{"value": "XK", "label": "Kosovo"}]},
        states={"rename": {"IT/MI": "Milan"}},
    )
    codes = {
        p["value"]: p["label"] for p in _field(sf_client, "MailingCountryCode")["picklistValues"]
    }
    assert codes["IT"] == "Italia" and codes["XK"] == "Kosovo"
    rid = sf_client.Contact.create(contact(3, MailingCountry="Italia", MailingState="Milan"))["id"]
    rec = sf_client.Contact.get(rid)
    assert (rec["MailingCountryCode"], rec["MailingStateCode"]) == ("IT", "MI")
    assert sf_error(sf_client.Contact.create, contact(4, MailingCountry="Italy"))[1] == (
        "FIELD_INTEGRITY_EXCEPTION"
    )


def test_duplicate_rule_on_email(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    first = sf_client.Contact.create(contact(1))["id"]
    sf_client.Contact.create(contact(1))  # no rule yet
    sf.control.duplicate_rules([{"object": "Contact", "field": "Email"}])
    status, code, err = sf_error(sf_client.Contact.create, contact(1, Email="ANN1@example.com"))
    assert (status, code) == (400, "DUPLICATES_DETECTED")
    match = err["duplicateResult"]["matchResults"][0]["matchRecords"][0]["record"]["Id"]
    assert match == first or match
    sf_client.Lead.create({"LastName": "x", "Company": "c", "Email": "ann1@example.com"})
    other = sf_client.Contact.create(contact(2))["id"]
    assert sf_error(sf_client.Contact.update, other, {"Email": "ann1@example.com"})[1] == (
        "DUPLICATES_DETECTED"
    )
    sf_client.Contact.update(other, {"Title": "fine"})


def test_validation_rules(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    sf.control.validation_rules(
        [
            {
                "object": "Contact",
                "field": "Phone",
                "operator": "blank",
                "message": "Phone is required for contacts",
            },
            {
                "object": "Lead",
                "field": "Email",
                "operator": "matches",
                "value": r"@example\.org$",
                "message": "No example.org leads",
            },
        ]
    )
    status, code, err = sf_error(sf_client.Contact.create, contact(1))
    assert (status, code) == (400, "FIELD_CUSTOM_VALIDATION_EXCEPTION")
    assert err["message"] == "Phone is required for contacts" and err["fields"] == ["Phone"]
    sf_client.Contact.create(contact(1, Phone="+39 02 1234"))
    _, code, _ = sf_error(
        sf_client.Lead.create, {"LastName": "a", "Company": "c", "Email": "a@example.org"}
    )
    assert code == "FIELD_CUSTOM_VALIDATION_EXCEPTION"


def test_read_only_fields(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    rid = sf_client.Contact.create(contact(1, Title="CEO"))["id"]
    sf.control.readonly_fields(["Contact.Title"])
    status, code, err = sf_error(sf_client.Contact.update, rid, {"Title": "CTO"})
    assert (status, code) == (400, "INSUFFICIENT_ACCESS_OR_READONLY")
    assert err["fields"] == ["Title"]
    sf_client.Contact.update(rid, {"Phone": "1"})


def test_lead_conversion(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    lead = sf_client.Lead.create(
        {
            "FirstName": "Lia",
            "LastName": "Ro",
            "Company": "Acme",
            "Email": "lia@acme.it",
            "Country": "Italy",
        }
    )["id"]
    out = sf.control.convert_lead(lead, create_opportunity=True)
    rec = sf_client.Lead.get(lead)
    assert rec["IsConverted"] is True and rec["Status"] == "Closed - Converted"
    assert rec["ConvertedContactId"] == out["contact_id"]
    assert rec["ConvertedAccountId"] == out["account_id"]
    con = sf_client.Contact.get(out["contact_id"])
    assert con["Email"] == "lia@acme.it" and con["AccountId"] == out["account_id"]
    assert con["MailingCountryCode"] == "IT"
    assert sf_client.Account.get(out["account_id"])["Name"] == "Acme"
    _, code, _ = sf_error(sf_client.Lead.update, lead, {"Title": "x"})
    assert code == "CANNOT_UPDATE_CONVERTED_LEAD"
    got = sf_client.query(
        f"SELECT ConvertedContactId FROM Lead WHERE IsConverted = true AND Id IN ('{lead}')"
    )
    assert got["records"][0]["ConvertedContactId"] == out["contact_id"]


def test_seeded_org(sf: SalesforceHandle, sf_client: Salesforce) -> None:
    loaded = sf.control.seed(3, 300)["loaded"]
    assert loaded["Contact"] > 0 and loaded["Lead"] > 0
    n = sf_client.query("SELECT COUNT() FROM Contact")["totalSize"]
    assert n == loaded["Contact"]
    rows = sf_client.query("SELECT Id, AccountId FROM Contact WHERE AccountId != null")
    assert rows["totalSize"] == n
    ocr = sf_client.query("SELECT OpportunityId, ContactId FROM OpportunityContactRole LIMIT 1")
    assert ocr["records"][0]["ContactId"].startswith("003")
    sf.control.reset()
    assert sf_client.query("SELECT COUNT() FROM Contact")["totalSize"] == 0
