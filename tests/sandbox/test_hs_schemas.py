"""Custom object schemas (/crm-object-schemas/v3/schemas) through hubspot-api-client."""

from __future__ import annotations

from tests.fixtures.hs import api_error

SHIPMENT = {
    "name": "shipment",
    "labels": {"singular": "Shipment", "plural": "Shipments"},
    "primaryDisplayProperty": "name",
    "requiredProperties": ["name"],
    "properties": [{"name": "name", "label": "Name", "type": "string", "fieldType": "text"},
                   {"name": "weight", "label": "Weight", "type": "number",
                    "fieldType": "number"},
                   {"name": "salesforce_id", "label": "Salesforce Id", "type": "string",
                    "fieldType": "text", "hasUniqueValue": True}],
    "associatedObjects": ["CONTACT"],
}


def test_create_get_list_and_use_a_custom_object(hs, hs_client):
    schemas = hs_client.crm.schemas.core_api
    made = schemas.create(SHIPMENT)
    assert made.object_type_id.startswith("2-")
    assert made.fully_qualified_name == f"p{hs.portal_id}_shipment"
    assert {p.name for p in made.properties} == {"name", "weight", "salesforce_id"}
    [assoc] = made.associations
    assert (assoc.from_object_type_id, assoc.to_object_type_id) == (made.object_type_id, "0-1")
    assert [s.name for s in schemas.get_all().results] == ["shipment"]
    assert schemas.get_by_id(made.object_type_id).name == "shipment"
    assert schemas.get_by_id(made.fully_qualified_name).object_type_id == made.object_type_id

    # Records by objectTypeId or full name; the unique property is enforced.
    objects = hs_client.crm.objects.basic_api
    rec = objects.create(made.object_type_id, {"properties": {"name": "SHP-1", "weight": "2.5",
                                                              "salesforce_id": "a01X"}})
    got = objects.get_by_id(made.fully_qualified_name, rec.id, properties=["name", "weight"])
    assert (got.properties["name"], got.properties["weight"]) == ("SHP-1", "2.5")
    status, body, _ = api_error(objects.create, made.object_type_id,
                                {"properties": {"name": "SHP-2", "salesforce_id": "a01X"}})
    assert status == 409, body
    [contact] = hs.control.load({"contacts": [{"email": "a@example.com"}]})["contacts"]
    hs_client.crm.associations.v4.basic_api.create_default(made.object_type_id, rec.id,
                                                           "contacts", contact)
    page = hs_client.crm.associations.v4.basic_api.get_page(made.object_type_id, rec.id,
                                                            "contacts")
    assert [str(a.to_object_id) for a in page.results] == [contact]


def test_schema_rules_as_hubspot_answers_them(hs, hs_client):
    schemas = hs_client.crm.schemas.core_api
    status, body, _ = api_error(schemas.create, {**SHIPMENT, "name": "1shipment"})
    assert status == 400 and body["category"] == "VALIDATION_ERROR"
    status, body, _ = api_error(schemas.create, {**SHIPMENT, "primaryDisplayProperty": "nope"})
    assert status == 400 and "nope" in body["message"]
    schemas.create(SHIPMENT)
    status, body, _ = api_error(schemas.create, SHIPMENT)
    assert status == 409 and body["category"] == "OBJECT_ALREADY_EXISTS"
    status, body, _ = api_error(schemas.get_by_id, "2-999")
    assert status == 404
    for i in range(9):
        schemas.create({**SHIPMENT, "name": f"thing_{i}"})
    status, body, _ = api_error(schemas.create, {**SHIPMENT, "name": "one_too_many"})
    assert status == 400 and "limit of 10" in body["message"]
    # A reset portal has no custom objects left.
    hs.control.reset()
    assert schemas.get_all().results == []
