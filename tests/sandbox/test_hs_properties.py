"""Properties API and unique/read-only properties."""

from __future__ import annotations

from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInputUpsert,
    SimplePublicObjectInputForCreate,
)
from hubspot.crm.properties import PropertyCreate, PropertyUpdate

from tests.fixtures.hs import api_error


def test_default_contact_properties(hs_client):
    props = {p.name: p for p in hs_client.crm.properties.core_api.get_all("contacts").results}
    for name in ("email", "firstname", "lastname", "phone", "jobtitle", "company", "city",
                 "state", "country", "zip", "lifecyclestage", "hs_lead_status"):
        assert name in props
    ls = props["lifecyclestage"]
    assert ls.type == "enumeration" and ls.field_type == "radio"
    assert [o.value for o in ls.options][:3] == ["subscriber", "lead", "marketingqualifiedlead"]
    assert props["hs_object_id"].modification_metadata.read_only_value is True
    assert props["email"].has_unique_value is True
    deals = {p.name for p in hs_client.crm.properties.core_api.get_all("deals").results}
    assert {"dealname", "amount", "closedate", "dealstage", "pipeline"} <= deals
    tickets = {p.name for p in hs_client.crm.properties.core_api.get_all("tickets").results}
    assert {"subject", "content", "hs_pipeline", "hs_pipeline_stage"} <= tickets


def test_create_get_update_unique_property(hs_client):
    core = hs_client.crm.properties.core_api
    created = core.create("contacts", PropertyCreate(
        name="salesforce_id", label="Salesforce ID", type="string", field_type="text",
        group_name="salesforceinformation", has_unique_value=True))
    assert created.has_unique_value is True and created.hubspot_defined is False
    assert core.get_by_name("contacts", "salesforce_id").label == "Salesforce ID"
    status, body, _ = api_error(core.create, "contacts", PropertyCreate(
        name="salesforce_id", label="again", type="string", field_type="text",
        group_name="salesforceinformation"))
    assert status == 409 and body["category"] == "OBJECT_ALREADY_EXISTS"
    core.update("contacts", "salesforce_id", PropertyUpdate(label="SF Id"))
    assert core.get_by_name("contacts", "salesforce_id").label == "SF Id"

    api = hs_client.crm.contacts
    a = api.basic_api.create(SimplePublicObjectInputForCreate(
        properties={"salesforce_id": "003A"}))
    status, body, _ = api_error(api.basic_api.create, SimplePublicObjectInputForCreate(
        properties={"salesforce_id": "003A"}))
    assert status == 409 and body["category"] == "CONFLICT" and a.id in body["message"]
    up = api.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
        {"idProperty": "salesforce_id", "id": "003A", "properties": {"firstname": "X"}}]))
    assert up.results[0].id == a.id and up.results[0].new is False


def test_unknown_property_404(hs_client):
    status, body, _ = api_error(hs_client.crm.properties.core_api.get_by_name, "contacts",
                                "nope")
    assert status == 404 and body["category"] == "OBJECT_NOT_FOUND"


def test_read_only_property_arranged_by_control(hs, hs_client):
    hs.control.property("contacts", name="jobtitle", read_only=True)
    p = hs_client.crm.properties.core_api.get_by_name("contacts", "jobtitle")
    assert p.modification_metadata.read_only_value is True
    status, body, _ = api_error(hs_client.crm.contacts.basic_api.create,
                                SimplePublicObjectInputForCreate(properties={"jobtitle": "CEO"}))
    assert status == 400 and body["errors"][0]["code"] == "READ_ONLY_VALUE"


def test_unique_property_added_by_control(hs, hs_client):
    hs.control.property("companies", name="sf_account_id", label="SF Account", unique=True)
    props = {p.name: p for p in hs_client.crm.properties.core_api.get_all("companies").results}
    assert props["sf_account_id"].has_unique_value is True
