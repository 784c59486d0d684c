"""Marketing email events and form submissions → Salesforce tasks (FEATURES G1–G3) end to
end: events seeded in the HubSpot emulator through its control API, tasks read back through
simple-salesforce."""

from __future__ import annotations

import datetime as dt

import pytest

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

pytestmark = pytest.mark.django_db(transaction=True)
MINUTE = dt.timedelta(minutes=1)


def synced(account, kind="full"):
    run = run_account(account, kind=kind)
    assert run.status == "succeeded", run.message
    return run


@pytest.fixture
def ann(connected, hs):
    """A contact whose sync has begun."""
    [cid] = contacts_loaded(hs, [{"email": "ann@x.com", "lastname": "Ann"}])
    synced(connected)
    return cid


def at_days_before(start: dt.datetime, days: int) -> dt.datetime:
    """`days` whole days before the contact's sync began, a minute inside that day."""
    return start - days * DAY + MINUTE


def test_marketing_email_opens_sync_within_30_days_of_the_contacts_sync(
        connected, hs, sf_client, ann):
    start = began(connected, ann)
    ids = hs.control.email_events([
        {"type": "OPEN", "recipient": "ann@x.com", "created": ms(at_days_before(start, d)),
         "subject": f"day {d}"} for d in (29, 30, 31)])
    turn_on(connected, "marketing_email_opened", task_type="Email")
    run = synced(connected, "poll")
    got = sorted(t["Subject"] for t in tasks(sf_client))
    assert got == ["Marketing email opened: day 29", "Marketing email opened: day 30"]
    assert run.counts["activities"]["to_sf"] == {"created": 2, "updated": 0, "deleted": 0,
                                                 "failed": 0, "excluded": 1}
    assert all(t["Type"] == "Email" and t["WhoId"] == sf_id_of(connected, ann)
               for t in tasks(sf_client))
    assert len(ids) == 3


def test_form_submissions_sync_within_one_year(connected, hs, sf_client, ann):
    start = began(connected, ann)
    [guid] = hs.control.forms([{"name": "Demo request"}])
    hs.control.form_submissions(guid, [
        {"submittedAt": ms(at_days_before(start, d)), "values": {"email": "ANN@x.com",
                                                                  "message": f"day {d}"},
         "pageUrl": "https://example.com/demo"} for d in (364, 365, 366)])
    turn_on(connected, "form_submission")
    synced(connected, "poll")
    got = tasks(sf_client)
    assert sorted(t["Description"].splitlines()[1] for t in got) == ["message: day 364",
                                                                     "message: day 365"]
    assert {t["Subject"] for t in got} == {"Form submission: Demo request"}
    assert all(t["Type"] is None and t["Status"] == "Completed" for t in got)


def test_opens_and_clicks_are_not_deduplicated_and_forwarded_opens_count_for_the_original(
        connected, hs, sf_client, ann):
    now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    # Three opens of one campaign by Ann, then the copy she forwarded is opened twice: the
    # tracking pixel is hers, so the email events API reports her as the recipient.
    hs.control.email_events(
        [{"type": "OPEN", "recipient": "ann@x.com", "created": ms(now + i * MINUTE),
          "emailCampaignId": 4} for i in range(3)]
        + [{"type": "FORWARD", "recipient": "ann@x.com", "created": ms(now + 4 * MINUTE),
            "emailCampaignId": 4}]
        + [{"type": "OPEN", "recipient": "ann@x.com", "created": ms(now + (5 + i) * MINUTE),
            "emailCampaignId": 4} for i in range(2)]
        + [{"type": "CLICK", "recipient": "ann@x.com", "created": ms(now + 9 * MINUTE),
            "emailCampaignId": 4, "url": "https://example.com/a"}] * 2)
    turn_on(connected, "marketing_email_opened", "marketing_email_clicked")
    synced(connected, "poll")
    got = tasks(sf_client)
    opens = [t for t in got if t["Subject"].startswith("Marketing email opened")]
    clicks = [t for t in got if t["Subject"].startswith("Marketing email clicked")]
    assert len(opens) == 5 and len(clicks) == 2
    assert {t["WhoId"] for t in got} == {sf_id_of(connected, ann)}
    assert clicks[0]["Description"] == "https://example.com/a"
    synced(connected)  # a full run reads them all again: still one task per event
    assert len(tasks(sf_client)) == 7


def test_a_contact_that_starts_syncing_later_brings_its_30_days(connected, hs, sf_client,
                                                                ann):
    turn_on(connected, "marketing_email_opened")
    synced(connected, "poll")  # the stream's watermark is now past
    [bo] = contacts_loaded(hs, [{"email": "bo@x.com", "lastname": "Bo"}])
    old = dt.datetime.now(dt.UTC) - 10 * DAY
    hs.control.email_events([{"type": "OPEN", "recipient": "bo@x.com", "created": ms(old)},
                             {"type": "OPEN", "recipient": "bo@x.com",
                              "created": ms(old - 25 * DAY)}])
    synced(connected, "poll")
    # Bo's open from ten days before his sync began is read although the stream's watermark
    # is past it; the one from 35 days before is outside his window.
    [task] = tasks(sf_client)
    assert task["WhoId"] == sf_id_of(connected, bo)
    assert task["ActivityDate"] == old.date().isoformat()


def test_a_task_salesforce_refuses_is_a_current_error_until_a_clean_run(
        connected, hs, sf, sf_client, ann):
    from syncadmin.sync.models import SyncError

    sf.control.validation_rules([{"object": "Task", "field": "Subject", "operator": "matches",
                                  "value": "Marketing.*", "message": "No marketing tasks here"}])
    hs.control.email_events([{"type": "OPEN", "recipient": "ann@x.com",
                              "created": ms(dt.datetime.now(dt.UTC) - DAY)}])
    turn_on(connected, "marketing_email_opened")
    run = run_account(connected, kind="poll")
    assert run.counts["activities"]["to_sf"]["failed"] == 1
    err = SyncError.objects.get(account=connected, object="activities")
    assert err.direction == "to_sf" and "No marketing tasks here" in err.message
    assert tasks(sf_client) == []
    sf.control.validation_rules([])
    run_account(connected, kind="poll")  # nothing new to write, nothing failed
    assert not SyncError.objects.filter(account=connected, object="activities").exists()


def test_a_task_that_met_a_row_lock_is_written_by_the_next_run(connected, hs, sf, sf_client,
                                                               ann):
    hs.control.email_events([{"type": "OPEN", "recipient": "ann@x.com",
                              "created": ms(dt.datetime.now(dt.UTC) - DAY)}])
    turn_on(connected, "marketing_email_opened")
    sf.control.faults({"composite*": {"record_lock": 1.0}})  # every try meets a lock
    run = synced(connected, "poll")
    assert run.counts["activities"]["to_sf"]["failed"] == 1 and tasks(sf_client) == []
    sf.control.clear_faults()
    run = synced(connected, "poll")  # the stream stayed where it was: read again
    assert run.counts["activities"]["to_sf"]["created"] == 1
    assert len(tasks(sf_client)) == 1
