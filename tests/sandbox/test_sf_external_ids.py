"""Unique and external-id fields as a real org enforces them (issue 15, point 2):
DUPLICATE_VALUE on a unique field, 300 with the candidates when a non-unique external id
matches several records, NOT_FOUND for an upsert by a Salesforce Id that matches nothing."""

from __future__ import annotations

from typing import Any

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMoreThanOneRecord

from tests.sandbox.sf_helpers import (
    contact,
    create_hubspot_id_field,
    grant_field_access,
    sf_error,
)


def _custom_field(sf_client: Salesforce, name: str, *, unique: bool) -> None:
    sf_client.restful("tooling/sobjects/CustomField/", method="POST", json={
        "FullName": f"Contact.{name}",
        "Metadata": {"type": "Text", "length": 40, "externalId": True, "unique": unique,
                     "label": name[:-3]}})
    grant_field_access(sf_client, "Contact", name)


def _collection_upsert(sf_client: Salesforce, field: str, records: list[dict]) -> Any:
    return sf_client.restful(f"composite/sobjects/Contact/{field}", method="PATCH", json={
        "allOrNone": False,
        "records": [{"attributes": {"type": "Contact"}, **r} for r in records]})


def test_unique_field_refuses_a_value_another_record_holds(sf_client: Salesforce) -> None:
    create_hubspot_id_field(sf_client)
    first = sf_client.Contact.create(contact(1, HubSpot_Id__c="hs-1"))["id"]
    second = sf_client.Contact.create(contact(2))["id"]
    status, code, err = sf_error(sf_client.Contact.create, contact(3, HubSpot_Id__c="HS-1"))
    assert (status, code) == (400, "DUPLICATE_VALUE")  # case-insensitive unique by default
    assert err["message"].endswith(f"duplicates value on record with id: {first}")
    status, code, _ = sf_error(sf_client.Contact.update, second, {"HubSpot_Id__c": "hs-1"})
    assert (status, code) == (400, "DUPLICATE_VALUE")
    assert sf_client.Contact.update(first, {"HubSpot_Id__c": "hs-1", "Title": "CEO"}) == 204
    res = sf_client.restful("composite/sobjects", method="PATCH", json={
        "allOrNone": False,
        "records": [{"attributes": {"type": "Contact"}, "Id": second, "HubSpot_Id__c": "HS-1"}]})
    assert res[0]["errors"][0]["statusCode"] == "DUPLICATE_VALUE"
    sf_client.Contact.delete(first)  # a deleted record no longer holds its value
    assert sf_client.Contact.update(second, {"HubSpot_Id__c": "hs-1"}) == 204


def test_several_matches_answer_300_with_the_candidates(sf_client: Salesforce) -> None:
    _custom_field(sf_client, "Legacy_Key__c", unique=False)
    ids = [sf_client.Contact.create(contact(i, Legacy_Key__c="k1"))["id"] for i in range(2)]
    urls = [f"/services/data/v59.0/sobjects/Contact/{i}" for i in ids]
    for call in (lambda: sf_client.Contact.get_by_custom_id("Legacy_Key__c", "k1"),
                 lambda: sf_client.Contact.upsert("Legacy_Key__c/k1", {"Title": "CFO"})):
        with pytest.raises(SalesforceMoreThanOneRecord) as info:
            call()
        assert info.value.status == 300 and sorted(info.value.content) == sorted(urls)
    assert {sf_client.Contact.get(i)["Title"] for i in ids} == {None}  # nothing changed
    res = _collection_upsert(sf_client, "Legacy_Key__c", [
        {"Legacy_Key__c": "k1", "LastName": "x"}, {"Legacy_Key__c": "k2", "LastName": "y"}])
    assert res[0]["success"] is False
    assert res[0]["errors"][0]["statusCode"] == "DUPLICATE_EXTERNAL_ID"
    assert res[1]["success"] and res[1]["created"]
    one = sf_client.Contact.get_by_custom_id("Legacy_Key__c", "k2")
    assert one["Id"] == res[1]["id"]


def test_upsert_by_an_unknown_salesforce_id_is_not_a_create(sf_client: Salesforce) -> None:
    known = sf_client.Contact.create(contact(1))["id"]
    missing = known[:3] + "000000000000ZZZ"
    status, code, _ = sf_error(sf_client.Contact.upsert, f"Id/{missing}", {"Title": "x"})
    assert (status, code) == (404, "NOT_FOUND")
    assert sf_client.Contact.upsert(f"Id/{known}", {"Title": "CFO"}) == 200  # updated
    res = _collection_upsert(sf_client, "Id", [
        {"Id": missing, "LastName": "a"}, {"Id": known, "Title": "CEO"}, {"LastName": "new"}])
    assert res[0]["errors"][0]["statusCode"] == "NOT_FOUND" and not res[0]["success"]
    assert (res[1]["success"], res[1]["created"]) == (True, False)
    assert (res[2]["success"], res[2]["created"]) == (True, True)
    assert sf_client.query("SELECT COUNT() FROM Contact")["totalSize"] == 2
