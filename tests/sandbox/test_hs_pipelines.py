"""Pipelines API and the pipeline/stage rules of deals and tickets, through hubspot-api-client."""

from __future__ import annotations

import pytest
from hubspot.crm.deals import BatchInputSimplePublicObjectBatchInputForCreate as DealBatch
from hubspot.crm.deals import SimplePublicObjectInput as DealPatch
from hubspot.crm.deals import SimplePublicObjectInputForCreate as DealIn
from hubspot.crm.tickets import SimplePublicObjectInput as TicketPatch
from hubspot.crm.tickets import SimplePublicObjectInputForCreate as TicketIn

from tests.fixtures.hs import api_error

DEAL_STAGES = [
    ("appointmentscheduled", "Appointment Scheduled", "0.2", "false"),
    ("qualifiedtobuy", "Qualified To Buy", "0.4", "false"),
    ("presentationscheduled", "Presentation Scheduled", "0.6", "false"),
    ("decisionmakerboughtin", "Decision Maker Bought-In", "0.8", "false"),
    ("contractsent", "Contract Sent", "0.9", "false"),
    ("closedwon", "Closed Won", "1.0", "true"),
    ("closedlost", "Closed Lost", "0.0", "true"),
]


def renewals(hs):
    return hs.control.add_pipeline("deals", id="renewals", label="Renewals", displayOrder=1,
                                   stages=[{"id": "renewal_open", "label": "Open",
                                            "metadata": {"probability": 0.5, "isClosed": False}},
                                           {"id": "renewal_done", "label": "Renewed",
                                            "metadata": {"probability": 1.0, "isClosed": True}}])


def test_default_deal_pipeline(hs_client):
    res = hs_client.crm.pipelines.pipelines_api.get_all("deals").results
    assert [(p.id, p.label, p.display_order) for p in res] == [("default", "Sales Pipeline", 0)]
    got = [(s.id, s.label, s.metadata["probability"], s.metadata["isClosed"])
           for s in res[0].stages]
    assert got == DEAL_STAGES
    assert [s.display_order for s in res[0].stages] == list(range(7))
    assert res[0].created_at and res[0].archived is False


def test_default_ticket_pipeline_by_id_and_stages(hs_client):
    api = hs_client.crm.pipelines
    p = api.pipelines_api.get_by_id("tickets", "0")
    assert (p.id, p.label) == ("0", "Support Pipeline")
    stages = api.pipeline_stages_api.get_all("tickets", "0").results
    assert [(s.id, s.label, s.metadata["ticketState"]) for s in stages] == [
        ("1", "New", "OPEN"), ("2", "Waiting on contact", "OPEN"), ("3", "Waiting on us", "OPEN"),
        ("4", "Closed", "CLOSED")]
    assert api.pipelines_api.get_all("0-5").results[0].id == "0"


def test_unknown_pipeline_is_404_and_contacts_have_none(hs_client):
    status, body, _ = api_error(hs_client.crm.pipelines.pipelines_api.get_by_id, "deals", "nope")
    assert status == 404 and body["category"] == "OBJECT_NOT_FOUND"
    status, _, _ = api_error(hs_client.crm.pipelines.pipelines_api.get_all, "contacts")
    assert status == 400


def test_added_pipeline_is_listed_and_its_stages_become_options(hs, hs_client):
    renewals(hs)
    res = hs_client.crm.pipelines.pipelines_api.get_all("deals").results
    assert [p.id for p in res] == ["default", "renewals"]
    assert res[1].stages[1].metadata == {"probability": "1.0", "isClosed": "true"}
    props = hs_client.crm.properties.core_api
    assert [o.value for o in props.get_by_name("deals", "pipeline").options] == [
        "default", "renewals"]
    assert "renewal_open" in [o.value for o in props.get_by_name("deals", "dealstage").options]


def test_deal_stage_must_belong_to_its_pipeline(hs, hs_client):
    renewals(hs)
    api = hs_client.crm.deals.basic_api
    ok = api.create(DealIn(properties={"dealname": "R", "pipeline": "renewals",
                                       "dealstage": "renewal_open"}))
    status, body, _ = api_error(api.create, DealIn(properties={
        "dealname": "X", "pipeline": "renewals", "dealstage": "closedwon"}))
    assert status == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["errors"][0]["code"] == "INVALID_OPTION"
    assert body["errors"][0]["context"]["propertyName"] == ["dealstage"]
    # no pipeline given: the default one is assumed, and a renewals stage is not in it
    status, body, _ = api_error(api.create, DealIn(properties={"dealstage": "renewal_done"}))
    assert status == 400 and body["errors"][0]["code"] == "INVALID_OPTION"
    d = api.create(DealIn(properties={"dealname": "D", "dealstage": "qualifiedtobuy"}))
    assert api.get_by_id(d.id, properties=["pipeline"]).properties["pipeline"] == "default"
    # update: a stage is checked against the record's pipeline
    status, _, _ = api_error(api.update, ok.id, DealPatch(properties={"dealstage": "closedwon"}))
    assert status == 400
    api.update(ok.id, DealPatch(properties={"dealstage": "renewal_done"}))
    api.update(ok.id, DealPatch(properties={"amount": "10"}))
    moved = api.update(ok.id, DealPatch(properties={"pipeline": "default",
                                                    "dealstage": "closedwon"}))
    assert moved.properties["dealstage"] == "closedwon"


def test_batch_create_reports_bad_stage_per_input(hs_client):
    res = hs_client.crm.deals.batch_api.create(DealBatch(inputs=[
        {"properties": {"dealname": "A", "dealstage": "closedwon"}, "objectWriteTraceId": "0"},
        {"properties": {"dealname": "B", "dealstage": "4"}, "objectWriteTraceId": "1"}]))
    assert len(res.results) == 1 and res.errors[0].context["objectWriteTraceId"] == ["1"]


@pytest.mark.parametrize("props", [{}, {"hs_pipeline": "0"}, {"hs_pipeline_stage": "1"}])
def test_ticket_needs_pipeline_and_stage(hs_client, props):
    status, body, _ = api_error(hs_client.crm.tickets.basic_api.create,
                                TicketIn(properties={"subject": "S", **props}))
    assert status == 400 and body["category"] == "VALIDATION_ERROR"
    assert body["message"].startswith(
        "Cannot create object with type: TICKET. The following required properties were "
        "missing: [")
    missing = body["message"].split("[", 1)[1].rstrip("]").split(", ")
    assert missing == [n for n in ("hs_pipeline", "hs_pipeline_stage") if n not in props]


def test_ticket_stage_must_belong_to_its_pipeline(hs, hs_client):
    hs.control.add_pipeline("tickets", id="escalations", label="Escalations",
                            stages=[{"id": "esc1", "label": "Open",
                                     "metadata": {"ticketState": "OPEN"}}])
    api = hs_client.crm.tickets.basic_api
    t = api.create(TicketIn(properties={"subject": "S", "hs_pipeline": "0",
                                        "hs_pipeline_stage": "1"}))
    status, body, _ = api_error(api.update, t.id, TicketPatch(properties={
        "hs_pipeline_stage": "esc1"}))
    assert status == 400 and body["errors"][0]["code"] == "INVALID_OPTION"
    status, body, _ = api_error(api.update, t.id, TicketPatch(properties={
        "hs_pipeline": "escalations"}))
    assert status == 400 and body["errors"][0]["context"]["propertyName"] == [
        "hs_pipeline_stage"]
    api.update(t.id, TicketPatch(properties={"hs_pipeline": "escalations",
                                             "hs_pipeline_stage": "esc1"}))
    api.update(t.id, TicketPatch(properties={"subject": "renamed"}))
    status, _, _ = api_error(api.create, TicketIn(properties={
        "hs_pipeline": "0", "hs_pipeline_stage": "99"}))
    assert status == 400


def test_reset_restores_default_pipelines(hs, hs_client):
    renewals(hs)
    hs.control.reset()
    assert [p.id for p in hs_client.crm.pipelines.pipelines_api.get_all("deals").results] == [
        "default"]
