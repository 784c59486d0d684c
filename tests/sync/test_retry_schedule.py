"""Automatic retries of failed records (issue 17): every 20 minutes, up to 10 times, then
nightly; transient failures at the next run; none while most of the allocation is used.
The schedule is pure and tested with a frozen clock; the stage through the real engine."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from syncadmin.sync.models import LinkStatus, RecordLink, SyncError
from syncadmin.sync.pipeline.retry_schedule import Schedule, budget_allows, next_retry
from syncadmin.sync.service import run_account
from syncadmin.usage.models import ApiUsage

NOW = dt.datetime(2026, 11, 25, 15, 7, 30, tzinfo=dt.UTC)


def test_every_20_minutes_ten_times_then_nightly_and_transient_at_once():
    assert next_retry(1, False, NOW) == NOW + dt.timedelta(minutes=20)
    assert next_retry(10, False, NOW) == NOW + dt.timedelta(minutes=20)
    assert next_retry(11, False, NOW) == dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)
    early = NOW.replace(hour=1)
    assert next_retry(11, False, early) == dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)
    assert next_retry(7, True, NOW) == NOW
    custom = Schedule(every=dt.timedelta(minutes=5), quick=2, nightly_hour=23)
    assert next_retry(2, False, NOW, custom) == NOW + dt.timedelta(minutes=5)
    assert next_retry(3, False, NOW, custom) == NOW.replace(hour=23, minute=0, second=0)


def test_budget_share_stops_retries():
    assert budget_allows(799, 1000) and not budget_allows(800, 1000)
    assert not budget_allows(0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_fixed_record_is_retried_when_due_and_not_before(connected, sf, hs, admin_client,
                                                           settings):
    # A Salesforce validation rule refuses the HubSpot contact: a permanent failure.
    sf.control.validation_rules([{"object": "Lead", "field": "Title", "operator": "blank",
                                  "message": "Title is required for leads"}])
    [hs_id] = hs.control.load({"contacts": [{"email": "vip@example.com",
                                             "lastname": "Vip"}]})["contacts"]
    hs.control.touch("contacts", [hs_id], (timezone.now() - dt.timedelta(hours=1)).isoformat())
    run_account(connected, kind="full")
    link = RecordLink.objects.get(account=connected, hs_id=hs_id)
    assert link.status == LinkStatus.FAILED and link.retries == 1
    assert link.retry_at is not None
    wait = link.retry_at - link.updated_at
    assert dt.timedelta(minutes=19) < wait <= dt.timedelta(minutes=20, seconds=1)
    page = admin_client.get(reverse("health:records", kwargs={"account_id": connected.pk})
                            + "?status=failed").content.decode()
    assert "Failed once · retried automatically at" in page

    sf.control.validation_rules([])  # the admin relaxes the rule in Salesforce
    run_account(connected)  # not due yet: nothing retried
    link.refresh_from_db()
    assert link.status == LinkStatus.FAILED and link.retries == 1

    RecordLink.objects.filter(pk=link.pk).update(retry_at=timezone.now()
                                                 - dt.timedelta(seconds=1))
    settings.SYNC_RETRY_BUDGET_SHARE = 0.0  # the allocation is "mostly used": no retry
    run_account(connected)
    link.refresh_from_db()
    assert link.status == LinkStatus.FAILED

    settings.SYNC_RETRY_BUDGET_SHARE = 0.8
    run_account(connected)  # due, and the budget allows it
    link.refresh_from_db()
    assert (link.status, link.retries, link.retry_at) == (LinkStatus.IN_SYNC, 0, None)
    assert not SyncError.objects.filter(account=connected).exists()
    assert ApiUsage.objects.filter(account=connected).exists()  # the retry was counted
