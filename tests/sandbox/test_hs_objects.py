"""Basic CRUD, listing and validation through hubspot-api-client's typed APIs."""

from __future__ import annotations

import pytest
from hubspot.crm.contacts import SimplePublicObjectInput, SimplePublicObjectInputForCreate
from hubspot.crm.objects import SimplePublicObjectInputForCreate as ObjInput

from tests.fixtures.hs import api_error


def create(client, **props):
    return client.crm.contacts.basic_api.create(SimplePublicObjectInputForCreate(properties=props))


def test_create_get_update_archive_contact(hs_client):
    api = hs_client.crm.contacts.basic_api
    c = create(hs_client, email="Ada@Example.com", firstname="Ada", lifecyclestage="lead")
    assert c.id.isdigit()
    assert c.properties["email"] == "ada@example.com"
    assert c.properties["hs_object_id"] == c.id
    assert c.created_at and c.updated_at and c.archived is False

    got = api.get_by_id(c.id, properties=["firstname", "lifecyclestage", "city"])
    assert got.properties["firstname"] == "Ada"
    assert got.properties["lifecyclestage"] == "lead"
    assert got.properties["city"] is None
    assert "lastmodifieddate" in got.properties

    by_email = api.get_by_id("ada@example.com", id_property="email")
    assert by_email.id == c.id

    upd = api.update(c.id, SimplePublicObjectInput(properties={"city": "Turin", "firstname": ""}))
    assert upd.properties["city"] == "Turin"
    assert upd.updated_at >= c.updated_at
    assert api.get_by_id(c.id, properties=["firstname"]).properties["firstname"] is None

    api.archive(c.id)
    status, body, _ = api_error(api.get_by_id, c.id)
    assert status == 404 and body["category"] == "OBJECT_NOT_FOUND"
    assert api.get_by_id(c.id, archived=True).archived is True


def test_list_pages_with_after_cursor(hs, hs_client):
    hs.control.load({"contacts": [{"email": f"p{i}@x.com"} for i in range(25)]})
    api = hs_client.crm.contacts.basic_api
    seen, after = [], None
    while True:
        page = api.get_page(limit=10, after=after, properties=["email"])
        seen += [r.properties["email"] for r in page.results]
        if not page.paging:
            break
        after = page.paging.next.after
    assert len(seen) == 25 and len(set(seen)) == 25
    assert api.get_page(limit=10, archived=True).results == []


@pytest.mark.parametrize(
    ("props", "code"),
    [
        ({"email": "not-an-email"}, "INVALID_EMAIL"),
        ({"nope_prop": "x"}, "PROPERTY_DOESNT_EXIST"),
        ({"lifecyclestage": "prospect"}, "INVALID_OPTION"),
        ({"numemployees": "many"}, "INVALID_INTEGER"),
        ({"date_of_birth": "yesterday"}, "INVALID_DATE"),
        ({"hs_email_optout": "maybe"}, "INVALID_BOOLEAN"),
        ({"lastmodifieddate": "2024-01-01T00:00:00Z"}, "READ_ONLY_VALUE"),
    ],
)
def test_validation_errors_have_hubspot_shape(hs_client, props, code):
    status, body, headers = api_error(create, hs_client, **props)
    assert status == 400
    assert body["status"] == "error" and body["category"] == "VALIDATION_ERROR"
    assert body["correlationId"]
    assert body["message"].startswith("Property values were not valid: ")
    assert body["errors"][0]["code"] == code
    assert "X-HubSpot-RateLimit-Remaining" in headers


def test_duplicate_email_conflicts_409(hs_client):
    first = create(hs_client, email="dup@x.com")
    status, body, _ = api_error(create, hs_client, email="DUP@x.com")
    assert status == 409
    assert body["category"] == "CONFLICT"
    assert body["message"] == f"Contact already exists. Existing ID: {first.id}"


def test_update_missing_contact_is_404(hs_client):
    status, body, _ = api_error(hs_client.crm.contacts.basic_api.update, "999999",
                                SimplePublicObjectInput(properties={"city": "x"}))
    assert status == 404 and body["category"] == "OBJECT_NOT_FOUND"


@pytest.mark.parametrize("otype", ["companies", "deals", "tickets", "tasks", "notes", "emails",
                                   "calls", "meetings", "p_projects", "2-1234", "0-1"])
def test_every_object_type_via_generic_objects_api(hs_client, otype):
    api = hs_client.crm.objects.basic_api
    # Tickets must name their pipeline and stage (test_hs_pipelines.py).
    props = {"hs_pipeline": "0", "hs_pipeline_stage": "1"} if otype == "tickets" else {}
    obj = api.create(otype, ObjInput(properties=props))
    got = api.get_by_id(otype, obj.id)
    assert got.id == obj.id
    assert got.properties["hs_object_id"] == obj.id
    assert "hs_lastmodifieddate" in got.properties or "lastmodifieddate" in got.properties


def test_unknown_object_type(hs_client):
    status, body, _ = api_error(hs_client.crm.objects.basic_api.get_page, "widgets")
    assert status == 400
    assert body["message"] == "Unable to infer object type from: widgets"


def test_deal_properties_and_datetime_normalisation(hs_client):
    api = hs_client.crm.deals.basic_api
    from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealIn

    d = api.create(DealIn(properties={"dealname": "Big", "amount": "1200.50",
                                      "closedate": "1767225600000", "dealstage": "closedwon",
                                      "pipeline": "default"}))
    assert d.properties["closedate"] == "2026-01-01T00:00:00.000Z"
    status, body, _ = api_error(api.create, DealIn(properties={"dealstage": "won"}))
    assert body["errors"][0]["code"] == "INVALID_OPTION"
