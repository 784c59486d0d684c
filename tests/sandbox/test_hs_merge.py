"""Merging records in the HubSpot emulator through hubspot-api-client (hs_merge docstring):
the primary survives with its values and fills its blanks from the merged record; the merged
id resolves to the survivor; search, unique values and associations follow."""

from __future__ import annotations

from hubspot.crm.contacts import PublicMergeInput, PublicObjectSearchRequest

from tests.fixtures.hs import api_error


def merge(client, primary: str, other: str):
    return client.crm.contacts.basic_api.merge(
        PublicMergeInput(primary_object_id=primary, object_id_to_merge=other))


def test_merging_two_contacts_keeps_the_primary_and_resolves_the_merged_id(hs, hs_client):
    hs.control.property("contacts", name="salesforce_id", label="SF", unique=True)
    a, b = hs.control.load({"contacts": [
        {"email": "ann@example.com", "firstname": "Ann", "salesforce_id": "003A"},
        {"email": "ann.b@example.com", "firstname": "Annie", "phone": "+1 555",
         "salesforce_id": "003B"}]})["contacts"]

    out = merge(hs_client, a, b)

    assert out.id == a
    props = ["email", "firstname", "phone", "salesforce_id", "hs_merged_object_ids",
             "hs_additional_emails"]
    got = hs_client.crm.contacts.basic_api.get_by_id(b, properties=props)  # the merged id
    assert got.id == a
    assert got.properties["firstname"] == "Ann" and got.properties["phone"] == "+1 555"
    assert got.properties["email"] == "ann@example.com"
    assert got.properties["hs_additional_emails"] == "ann.b@example.com"
    assert got.properties["salesforce_id"] == "003A"
    assert got.properties["hs_merged_object_ids"] == b

    ids = [r.id for r in hs_client.crm.contacts.basic_api.get_page(limit=100).results]
    assert ids == [a]
    req = PublicObjectSearchRequest(filter_groups=[{"filters": [
        {"propertyName": "salesforce_id", "operator": "EQ", "value": "003B"}]}])
    assert hs_client.crm.contacts.search_api.do_search(req).results == []
    # The merged record's unique values are free again.
    hs_client.crm.contacts.basic_api.create({"properties": {"email": "ann.b@example.com"}})


def test_the_merged_records_associations_move_to_the_survivor(hs, hs_client):
    ids = hs.control.load({
        "contacts": [{"email": "a@x.com"}, {"email": "b@x.com"}],
        "companies": [{"name": "Acme"}],
        "associations": {"contact_company": [[1, 0]]}})
    a, b = ids["contacts"]
    [co] = ids["companies"]
    merge(hs_client, a, b)
    page = hs_client.crm.associations.v4.basic_api.get_page("contacts", a, "companies")
    assert [str(r.to_object_id) for r in page.results] == [co]


def test_a_merge_needs_two_live_distinct_records(hs, hs_client):
    a, b = hs.control.load({"contacts": [{"email": "a@x.com"}, {"email": "b@x.com"}]})[
        "contacts"]
    status, body, _ = api_error(merge, hs_client, a, a)
    assert status == 400 and body["category"] == "VALIDATION_ERROR"
    status, body, _ = api_error(merge, hs_client, a, "999999")
    assert status == 404 and body["category"] == "OBJECT_NOT_FOUND"
    merge(hs_client, a, b)
    status, _, _ = api_error(merge, hs_client, a, b)  # b is a now
    assert status == 400


def test_companies_merge_too(hs, hs_client):
    from hubspot.crm.companies import PublicMergeInput as CompanyMerge

    a, b = hs.control.load({"companies": [{"name": "Acme", "domain": "acme.com"},
                                          {"name": "Acme Inc", "phone": "1"}]})["companies"]
    out = hs_client.crm.companies.basic_api.merge(
        CompanyMerge(primary_object_id=a, object_id_to_merge=b))
    assert out.id == a
    got = hs_client.crm.companies.basic_api.get_by_id(b, properties=["name", "phone"])
    assert got.id == a and got.properties["name"] == "Acme" and got.properties["phone"] == "1"
