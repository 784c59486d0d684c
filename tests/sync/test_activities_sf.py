"""Salesforce Tasks, Emails, Calls and Meetings → HubSpot engagements (FEATURES G5) end to end:
activities made through simple-salesforce, engagements read back through hubspot-api-client."""

from __future__ import annotations

import time

import pytest

from syncadmin.integration.models import ActivityMapping
from syncadmin.sync.pipeline.contacts import LAG
from syncadmin.sync.service import run_account
from tests.sync.activities_helpers import (
    contacts_loaded,
    engagements,
    sf_id_of,
    sf_kind,
    turn_on,
)
from tests.sync.objects_helpers import enable, hs_assoc

pytestmark = pytest.mark.django_db(transaction=True)
TASK_PROPS = ["hs_task_subject", "hs_task_body", "hs_task_status", "hs_task_priority",
              "salesforce_id", "hs_timestamp"]


def synced(account, kind="poll"):
    run = run_account(account, kind=kind)
    assert run.status == "succeeded", run.message
    return run


def past_lag() -> None:
    time.sleep(LAG.total_seconds() + 1.1)


@pytest.fixture
def ann(connected, hs):
    [cid] = contacts_loaded(hs, [{"email": "ann@x.com", "lastname": "Ann"}])
    synced(connected, "full")
    return cid


def test_a_task_made_after_turning_on_reaches_hubspot_with_its_contact(
        connected, sf_client, hs_client, ann):
    before = sf_client.Task.create({"Subject": "Before", "WhoId": sf_id_of(connected, ann)})
    time.sleep(0.01)
    sf_kind(connected, "tasks")
    time.sleep(0.01)
    task = sf_client.Task.create({"Subject": "Call Ann back", "Description": "About pricing",
                                  "Status": "In Progress", "Priority": "High",
                                  "ActivityDate": "2026-07-01",
                                  "WhoId": sf_id_of(connected, ann)})["id"]
    run = synced(connected)
    [hs_task] = engagements(hs_client, "tasks", TASK_PROPS)
    assert (hs_task["hs_task_subject"], hs_task["hs_task_body"], hs_task["hs_task_status"],
            hs_task["hs_task_priority"]) == ("Call Ann back", "About pricing", "IN_PROGRESS",
                                             "HIGH")
    assert hs_task["salesforce_id"] == task
    assert hs_task["hs_timestamp"].startswith("2026-07-01")
    assert hs_assoc(hs_client, "tasks", hs_task["id"], "contacts") == [ann]
    assert run.counts["activities"]["to_hs"]["created"] == 1
    assert before["id"] != task  # made before the kind was on: no backfill …
    sf_client.Task.update(before["id"], {"Subject": "Before, edited"})
    synced(connected)  # … until it changes
    assert sorted(t["hs_task_subject"] for t in engagements(hs_client, "tasks", TASK_PROPS)) \
        == ["Before, edited", "Call Ann back"]


def test_subtypes_and_events_go_to_emails_calls_and_meetings_with_company_and_deal(
        connected, sf, sf_client, hs_client, ann):
    enable(connected, "companies", "deals")
    [acc] = sf.control.insert("Account", [{"Name": "Acme"}])
    [opp] = sf.control.insert("Opportunity", [{"Name": "Big", "StageName": "Prospecting",
                                               "CloseDate": "2026-12-01"}])
    synced(connected, "full")
    for kind in ("emails", "calls", "meetings"):
        sf_kind(connected, kind)
    time.sleep(0.01)
    who = sf_id_of(connected, ann)
    sf_client.Task.create({"Subject": "Hello", "TaskSubtype": "Email", "WhoId": who})
    sf_client.Task.create({"Subject": "Rang", "TaskSubtype": "Call", "WhatId": acc})
    sf_client.Task.create({"Subject": "To do", "WhoId": who})  # tasks are off
    sf_client.Event.create({"Subject": "Demo", "StartDateTime": "2026-07-02T10:00:00Z",
                            "EndDateTime": "2026-07-02T11:00:00Z", "WhoId": who,
                            "WhatId": opp})
    synced(connected)
    [email] = engagements(hs_client, "emails", ["hs_email_subject"])
    [call] = engagements(hs_client, "calls", ["hs_call_title"])
    [meeting] = engagements(hs_client, "meetings", ["hs_meeting_title", "hs_meeting_start_time"])
    assert engagements(hs_client, "tasks", TASK_PROPS) == []
    assert (email["hs_email_subject"], call["hs_call_title"], meeting["hs_meeting_title"]) == (
        "Hello", "Rang", "Demo")
    assert meeting["hs_meeting_start_time"].startswith("2026-07-02T10:00")
    company = hs_assoc(hs_client, "calls", call["id"], "companies")
    deal = hs_assoc(hs_client, "meetings", meeting["id"], "deals")
    assert len(company) == 1 and len(deal) == 1
    assert hs_assoc(hs_client, "meetings", meeting["id"], "contacts") == [ann]


@pytest.mark.parametrize(("deletion", "remains"), [("delete", 0), ("nothing", 1)])
def test_a_task_deleted_in_salesforce_follows_the_deletion_setting(
        connected, sf_client, hs_client, ann, deletion, remains):
    sf_kind(connected, "tasks", deletion=deletion)
    time.sleep(0.01)
    task = sf_client.Task.create({"Subject": "Gone soon", "WhoId": sf_id_of(connected, ann)})
    synced(connected)
    assert len(engagements(hs_client, "tasks", TASK_PROPS)) == 1
    past_lag()
    sf_client.Task.delete(task["id"])
    run = synced(connected)
    assert len(engagements(hs_client, "tasks", TASK_PROPS)) == remains
    assert run.counts["activities"]["to_hs"]["deleted"] == 1 - remains


@pytest.mark.parametrize(("app", "subject"), [("hubspot", "Edited in HubSpot"),
                                              ("salesforce", "Edited in Salesforce")])
def test_the_conflict_app_wins_when_both_sides_changed(connected, sf_client, hs_client, ann,
                                                       app, subject):
    sf_kind(connected, "tasks", conflict_app=app)
    time.sleep(0.01)
    task = sf_client.Task.create({"Subject": "Original", "WhoId": sf_id_of(connected, ann)})
    synced(connected)
    [hs_task] = engagements(hs_client, "tasks", TASK_PROPS)
    hs_client.crm.objects.tasks.basic_api.update(
        hs_task["id"], {"properties": {"hs_task_subject": "Edited in HubSpot"}})
    past_lag()
    sf_client.Task.update(task["id"], {"Subject": "Edited in Salesforce"})
    synced(connected)
    [hs_task] = engagements(hs_client, "tasks", TASK_PROPS)
    assert hs_task["hs_task_subject"] == subject


def test_an_added_mapping_syncs_and_a_turned_off_one_does_not(connected, sf_client,
                                                              hs_client, ann):
    sf_kind(connected, "calls")
    synced(connected)  # makes the default mappings
    ActivityMapping.objects.filter(account=connected, kind="calls",
                                   sf_field="Description").delete()
    ActivityMapping.objects.create(account=connected, kind="calls", hs_property="hs_call_body",
                                   sf_field="Subject")
    ActivityMapping.objects.filter(account=connected, kind="calls",
                                   hs_property="hs_call_title").update(enabled=False)
    sf_client.Task.create({"Subject": "Quick call", "Description": "ignored",
                           "TaskSubtype": "Call", "WhoId": sf_id_of(connected, ann)})
    synced(connected)
    [call] = engagements(hs_client, "calls", ["hs_call_title", "hs_call_body"])
    assert (call.get("hs_call_title") or "", call["hs_call_body"]) == ("", "Quick call")


def test_tasks_made_from_hubspot_events_do_not_come_back_as_engagements(
        connected, hs, sf_client, hs_client, ann):
    sf_kind(connected, "emails")
    sf_kind(connected, "tasks")
    turn_on(connected, "marketing_email_opened", task_type="Email")
    hs.control.email_events([{"type": "OPEN", "recipient": "ann@x.com"}])
    past_lag()
    synced(connected)
    synced(connected, "full")
    assert len(sf_client.query("SELECT Id FROM Task")["records"]) == 1
    assert engagements(hs_client, "emails", ["hs_email_subject"]) == []
    assert engagements(hs_client, "tasks", TASK_PROPS) == []


def test_meetings_first_then_tasks_still_get_the_event_id_field(connected, sf_client,
                                                                hs_client, ann):
    sf_kind(connected, "meetings")
    synced(connected)  # reads Event only: Task's event-id field is not needed yet
    sf_kind(connected, "tasks")
    time.sleep(0.01)
    sf_client.Task.create({"Subject": "Later", "WhoId": sf_id_of(connected, ann)})
    synced(connected)
    assert [t["hs_task_subject"] for t in engagements(hs_client, "tasks", TASK_PROPS)] == [
        "Later"]
