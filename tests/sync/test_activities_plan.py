"""The pure activity rules (FEATURES G2–G5): windows, the several-contacts tie-break, no
deduplication, and what a Salesforce activity row becomes in HubSpot."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncadmin.sync.objects import activities as spec
from syncadmin.sync.pipeline.activities import plan

BEGAN = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def contact(hs_id: str, sf_id: str = "003000000000001", created: dt.datetime | None = None,
            began: dt.datetime = BEGAN) -> plan.Contact:
    return plan.Contact(hs_id=hs_id, sf_id=sf_id, began=began, created=created)


@pytest.mark.parametrize(("days_before", "synced"), [(29, True), (30, True), (31, False)])
def test_marketing_email_events_sync_within_30_days_of_the_contacts_sync(days_before, synced):
    assert plan.in_window(spec.DAYS_30, BEGAN - days_before * DAY, BEGAN) is synced


@pytest.mark.parametrize(("days_before", "synced"), [(364, True), (365, True), (366, False)])
def test_form_submissions_sync_within_one_year(days_before, synced):
    assert plan.in_window(spec.ONE_YEAR, BEGAN - days_before * DAY, BEGAN) is synced


def test_sales_activities_sync_only_after_the_contacts_sync_began():
    assert plan.in_window(spec.AFTER_SYNC, BEGAN, BEGAN)
    assert not plan.in_window(spec.AFTER_SYNC, BEGAN - dt.timedelta(seconds=1), BEGAN)
    assert plan.in_window(spec.ANY_TIME, BEGAN - 3650 * DAY, BEGAN)


def test_several_contacts_go_to_the_most_recently_created_one():
    older = contact("900", created=BEGAN - 3 * DAY)
    newer = contact("12", created=BEGAN - DAY)
    assert plan.choose_contact([older, newer]) == newer


def test_several_contacts_created_the_same_day_go_to_the_highest_object_id():
    morning = contact("900", created=BEGAN.replace(hour=1))
    evening = contact("1000", created=BEGAN.replace(hour=23))
    late_low = contact("99", created=BEGAN.replace(hour=23, minute=59))
    assert plan.choose_contact([evening, morning, late_low]) == evening


@given(st.lists(st.tuples(st.integers(0, 5), st.integers(1, 10**9)), min_size=1, max_size=8,
                unique_by=lambda t: t[1]))
def test_the_chosen_contact_has_the_latest_day_then_the_highest_id(created):
    cands = [contact(str(i), created=BEGAN - d * DAY) for d, i in created]
    chosen = plan.choose_contact(cands)
    assert chosen is not None
    best_day = min(d for d, _ in created)
    assert int(chosen.hs_id) == max(i for d, i in created if d == best_day)


@given(st.integers(1, 40))
def test_opens_are_not_deduplicated(n):
    events = [plan.HsEvent(id=f"mkt-{k}", event="marketing_email_opened",
                           occurred_at=BEGAN + k * dt.timedelta(minutes=1), email="Ann@X.com")
              for k in range(n)]
    out = plan.plan_tasks(events, {}, {"ann@x.com": contact("1")}, {})
    assert [t[spec.TASK_EVENT_ID] for t in out.tasks] == [e.id for e in events]
    assert out.excluded == 0


def test_a_task_carries_the_chosen_type_or_none():
    ev = plan.HsEvent(id="form-1", event="form_submission", occurred_at=BEGAN,
                      subject="Contact us", email="a@x.com")
    c = {"a@x.com": contact("1", sf_id="00Q000000000009")}
    typed = plan.plan_tasks([ev], {}, c, {"form_submission": "Email"}).tasks[0]
    untyped = plan.plan_tasks([ev], {}, c, {"form_submission": ""}).tasks[0]
    assert typed["Type"] == "Email" and "Type" not in untyped
    assert typed["WhoId"] == "00Q000000000009"
    assert typed["Status"] == "Completed"
    assert typed["Subject"] == "Form submission: Contact us"
    assert typed["ActivityDate"] == "2026-06-01"


def test_an_event_whose_contacts_do_not_sync_is_excluded():
    ev = plan.HsEvent(id="note-1", event="note", occurred_at=BEGAN, contact_ids=("5", "6"))
    out = plan.plan_tasks([ev], {"7": contact("7")}, {}, {})
    assert out.tasks == [] and out.excluded == 1


# ---- Salesforce → HubSpot ------------------------------------------------------------------

ON = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def policy(**kw) -> plan.KindPolicy:
    base = {"enabled_at": ON, "mappings": (("hs_task_subject", "Subject"),
                                           ("hs_task_status", "Status"))}
    return plan.KindPolicy(**{**base, **kw})


def task_row(rid: str = "00T000000000001", **kw) -> dict:
    return {"Id": rid, "Subject": "Call back", "Status": "Completed", "TaskSubtype": "Task",
            "ActivityDate": "2026-06-02", "SystemModstamp": "2026-06-02T10:00:00.000+0000",
            "IsDeleted": False, "IsArchived": False, **kw}


def test_a_new_task_becomes_a_hubspot_task_with_mapped_values():
    out = plan.plan_engagements([("Task", task_row())], {"tasks": policy()}, {}, {})
    (kind, _row, props), = out.upserts
    assert kind == "tasks"
    assert props == {"hs_task_subject": "Call back", "hs_task_status": "COMPLETED",
                     "hs_timestamp": "2026-06-02T00:00:00Z"}


def test_rows_changed_before_the_kind_was_turned_on_are_not_backfilled():
    old = task_row(SystemModstamp="2026-05-31T23:59:59.000+0000")
    out = plan.plan_engagements([("Task", old)], {"tasks": policy()}, {}, {})
    assert out.upserts == [] and out.skipped == 1


def test_subtypes_pick_the_kind_and_a_kind_turned_off_syncs_nothing():
    rows = [("Task", task_row("00T1", TaskSubtype="Call")),
            ("Task", task_row("00T2", TaskSubtype="Email")),
            ("Event", task_row("00U1", TaskSubtype=None, StartDateTime="2026-06-03T09:00:00Z"))]
    on = {k: policy(mappings=()) for k in ("calls", "meetings")}
    out = plan.plan_engagements(rows, {**on, "emails": policy(enabled_at=None)}, {}, {})
    assert sorted(k for k, _r, _p in out.upserts) == ["calls", "meetings"]
    assert out.skipped == 1


def test_tasks_made_from_hubspot_events_do_not_come_back():
    row = task_row(**{spec.TASK_EVENT_ID: "mkt-1"})
    assert plan.plan_engagements([("Task", row)], {"tasks": policy()}, {}, {}).upserts == []


@pytest.mark.parametrize(("deletion", "archived", "forgotten"),
                         [("delete", 1, 0), ("nothing", 0, 1)])
def test_a_deleted_activity_follows_the_deletion_setting(deletion, archived, forgotten):
    links = {"00T000000000001": plan.LinkState("77", {})}
    out = plan.plan_engagements([("Task", task_row(IsDeleted=True))],
                                {"tasks": policy(deletion=deletion)}, links, {})
    assert len(out.archives) == archived and len(out.forget) == forgotten
    assert out.upserts == []


def test_an_archived_activity_is_not_a_deletion():
    links = {"00T000000000001": plan.LinkState("77", {})}
    out = plan.plan_engagements([("Task", task_row(IsArchived=True))],
                                {"tasks": policy(deletion="delete")}, links, {})
    assert out.archives == [] and out.upserts == []


@pytest.mark.parametrize(("app", "subject"), [("hubspot", None), ("salesforce", "Call back")])
def test_the_conflict_app_decides_a_property_both_sides_changed(app, subject):
    links = {"00T000000000001": plan.LinkState("77", {"hs_task_subject": "Old"})}
    current = {"77": {"hs_task_subject": "Edited in HubSpot"}}
    out = plan.plan_engagements([("Task", task_row())], {"tasks": policy(conflict_app=app)},
                                links, current)
    assert out.upserts[0][2].get("hs_task_subject") == subject


def test_owner_fields_are_never_mapped():
    p = policy(mappings=(("hubspot_owner_id", "OwnerId"),))
    out = plan.plan_engagements([("Task", task_row(OwnerId="005x"))], {"tasks": p}, {}, {})
    assert "hubspot_owner_id" not in out.upserts[0][2]
