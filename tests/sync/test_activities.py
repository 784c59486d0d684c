"""HubSpot sales activities → Salesforce tasks (FEATURES G1, G2, G4) end to end: engagements
seeded in the HubSpot emulator, tasks read back from the Salesforce emulator through
simple-salesforce."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from syncadmin.sync.pipeline.contacts import LAG
from syncadmin.sync.service import run_account
from tests.sync.activities_helpers import (
    DAY,
    began,
    contacts_loaded,
    ms,
    sf_id_of,
    tasks,
    turn_on,
)
from tests.sync.objects_helpers import hs_associate

pytestmark = pytest.mark.django_db(transaction=True)


def synced(account):
    run = run_account(account, kind="full")
    assert run.status == "succeeded", run.message
    return run


def note(hs, hs_client, body, at, contact_ids):
    """A note engagement whose last change is in the past (outside the read lag)."""
    [nid] = hs.control.load({"notes": [{"hs_note_body": body, "hs_timestamp": ms(at)}]})["notes"]
    for cid in contact_ids:
        hs_associate(hs_client, "notes", nid, "contacts", cid)
    hs.control.touch("notes", [nid], ms(dt.datetime.now(dt.UTC) - 10 * dt.timedelta(seconds=1)))
    return nid


def test_a_note_on_several_contacts_goes_to_the_most_recently_created_then_highest_id(
        connected, hs, hs_client, sf_client):
    today = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    hours = dt.timedelta(hours=11)
    old, late_low, early_high = contacts_loaded(hs, [
        {"email": "old@x.com", "lastname": "Old", "createdate": ms(today - 3 * DAY)},
        {"email": "late@x.com", "lastname": "Late", "createdate": ms(today + hours)},
        {"email": "early@x.com", "lastname": "Early", "createdate": ms(today - hours)},
    ])
    assert int(early_high) > int(late_low)
    synced(connected)
    turn_on(connected, "note", task_type="Other")
    now = dt.datetime.now(dt.UTC)
    n1 = note(hs, hs_client, "older day vs today", now, [old, late_low])
    n2 = note(hs, hs_client, "same day", now, [late_low, early_high])
    n3 = note(hs, hs_client, "three", now, [old, late_low, early_high])
    run = synced(connected)

    got = {t["HubSpot_Event_Id__c"]: t for t in tasks(sf_client)}
    assert got[f"notes-{n1}"]["WhoId"] == sf_id_of(connected, late_low)
    assert got[f"notes-{n2}"]["WhoId"] == sf_id_of(connected, early_high)  # highest id
    assert got[f"notes-{n3}"]["WhoId"] == sf_id_of(connected, early_high)
    t = got[f"notes-{n1}"]
    assert (t["Subject"], t["Type"], t["Status"]) == ("Note", "Other", "Completed")
    assert t["Description"] == "older day vs today"
    assert run.counts["activities"]["to_sf"]["created"] == 3


def test_sales_activities_before_the_contacts_sync_began_are_not_backfilled(
        connected, hs, hs_client, sf_client):
    [cid] = contacts_loaded(hs, [{"email": "ann@x.com", "lastname": "Ann"}])
    synced(connected)
    turn_on(connected, "note", "meeting_booked", "call_made")
    start = began(connected, cid)
    before = note(hs, hs_client, "before", start - dt.timedelta(minutes=5), [cid])
    after = note(hs, hs_client, "after", start + dt.timedelta(seconds=1), [cid])
    [call] = hs.control.load({"calls": [{"hs_call_title": "Old call",
                                         "hs_timestamp": ms(start - 400 * DAY)}]})["calls"]
    hs_associate(hs_client, "calls", call, "contacts", cid)
    hs.control.touch("calls", [call], ms(dt.datetime.now(dt.UTC) - dt.timedelta(seconds=10)))
    run = synced(connected)
    ids = {t["HubSpot_Event_Id__c"] for t in tasks(sf_client)}
    # Calls have no window (G2 names sales emails, tasks, meetings, notes and content views).
    assert ids == {f"notes-{after}", f"calls-{call}"}
    assert f"notes-{before}" not in ids
    assert run.counts["activities"]["to_sf"]["excluded"] == 1


def test_one_task_per_event_across_runs_and_an_edit_updates_it(
        connected, hs, hs_client, sf_client):
    [cid] = contacts_loaded(hs, [{"email": "bo@x.com", "lastname": "Bo"}])
    synced(connected)
    turn_on(connected, "note")
    nid = note(hs, hs_client, "first text", dt.datetime.now(dt.UTC), [cid])
    synced(connected)
    synced(connected)  # a full run reads everything again: upserts, no new task
    assert len(tasks(sf_client)) == 1
    hs_client.crm.objects.notes.basic_api.update(nid, {"properties": {"hs_note_body": "edited"}})
    time.sleep(LAG.total_seconds() + 1.1)  # a poll reads up to the whole second LAG ago
    run = run_account(connected)
    assert run.status == "succeeded", (run.status, run.message, run.counts)
    [t] = tasks(sf_client)
    assert t["Description"] == "edited", run.counts
    assert run.counts["activities"]["to_sf"]["updated"] == 1


def test_events_that_are_off_do_not_sync(connected, hs, hs_client, sf_client):
    [cid] = contacts_loaded(hs, [{"email": "cy@x.com", "lastname": "Cy"}])
    synced(connected)
    turn_on(connected, "meeting_booked")
    note(hs, hs_client, "not wanted", dt.datetime.now(dt.UTC), [cid])
    run = synced(connected)
    assert tasks(sf_client) == []
    assert run.counts["activities"]["to_sf"]["created"] == 0


def test_sales_email_opens_content_views_and_integration_events_become_tasks(
        connected, hs, sf_client):
    [cid] = contacts_loaded(hs, [{"email": "di@x.com", "lastname": "Di"}])
    synced(connected)
    turn_on(connected, "sales_email_opened", "content_viewed", "integration_event")
    start = began(connected, cid)
    at = ms(start + dt.timedelta(milliseconds=100))
    hs.control.events([
        {"eventType": "e_sales_email_open", "objectId": cid, "occurredAt": at,
         "properties": {"hs_email_subject": "Proposal"}},
        {"eventType": "e_sales_email_open", "objectId": cid, "occurredAt": at + 1000},
        {"eventType": "e_document_viewed", "objectId": cid, "occurredAt": at,
         "properties": {"hs_name": "Price list"}},
        {"eventType": "e_document_viewed", "objectId": cid,  # before the sync began
         "occurredAt": ms(start - dt.timedelta(minutes=1))},
        {"eventType": "pe4815162_webinar_attended", "objectId": cid, "occurredAt": at},
        {"eventType": "e_sales_email_click", "objectId": cid, "occurredAt": at},  # off
    ])
    # A poll reads up to LAG before its start, in whole seconds.
    time.sleep(max(0.0, (start + dt.timedelta(seconds=2) + LAG
                         - dt.datetime.now(dt.UTC)).total_seconds() + 1.1))
    synced(connected)
    subjects = sorted(t["Subject"] for t in tasks(sf_client))
    assert subjects == ["Integration event: pe4815162_webinar_attended",
                        "Sales content viewed: Price list",
                        "Sales email opened: Proposal",
                        "Sales email opened: e_sales_email_open"]
    assert {t["WhoId"] for t in tasks(sf_client)} == {sf_id_of(connected, cid)}
