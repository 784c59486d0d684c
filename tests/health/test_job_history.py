"""Job history (issue 17, defect 6): idle polls fold into one line; filters and paging;
counts in the page's language; pinned queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from syncadmin.health.runs import PER_PAGE, fold, is_idle
from syncadmin.sync.models import RunStatus, SyncRun

pytestmark = pytest.mark.django_db

IDLE = {"contacts": {"to_hs": {"created": 0, "updated": 0, "failed": 0},
                     "to_sf": {"created": 0, "updated": 0, "failed": 0}, "associations": 0},
        "sf_api_calls": 1, "hs_api_calls": 2, "seconds": 0.2, "paused": False}
BUSY = {"contacts": {"to_hs": {"created": 3, "updated": 0, "failed": 0},
                     "to_sf": {"created": 0, "updated": 2, "failed": 1}, "associations": 0},
        "sf_api_calls": 4}


def _runs(account, specs):
    """specs: newest last; each (kind, status, counts)."""
    start = timezone.now() - dt.timedelta(hours=1)
    for i, (kind, status, counts) in enumerate(specs):
        run = SyncRun.objects.create(account=account, kind=kind, status=status, counts=counts,
                                     sf_calls=1, hs_calls=2,
                                     finished_at=start + dt.timedelta(seconds=2 * i + 1))
        SyncRun.objects.filter(pk=run.pk).update(started_at=start + dt.timedelta(seconds=2 * i))


def _page(admin_client, account, query=""):
    url = reverse("health:runs", kwargs={"account_id": account.pk})
    return admin_client.get(url + query)


def test_streaks_of_idle_polls_fold_into_one_line(admin_client, account):
    _runs(account, [("full", RunStatus.SUCCEEDED, BUSY)]
          + [("poll", RunStatus.SUCCEEDED, IDLE)] * 30
          + [("poll", RunStatus.SUCCEEDED, BUSY)]
          + [("poll", RunStatus.SUCCEEDED, IDLE)] * 5
          + [("poll", RunStatus.FAILED, IDLE)])
    html = _page(admin_client, account).content.decode()
    assert html.count('data-testid="idle-polls"') == 2
    assert "30 incremental syncs found nothing to do" in html
    assert "5 incremental syncs found nothing to do" in html
    assert "created 3 · updated 2 · failed 1" in html  # changes only, not call counts
    assert html.count('<tr id="run-') == 3  # the full sync, the busy poll, the failed one


def test_one_idle_poll_alone_is_an_ordinary_line_and_fold_keeps_the_order(account):
    _runs(account, [("poll", RunStatus.SUCCEEDED, IDLE), ("poll", RunStatus.SUCCEEDED, BUSY)])
    runs = list(SyncRun.objects.order_by("-started_at"))
    assert [is_idle(r) for r in runs] == [False, True]
    assert fold(runs) == runs


def test_filters_and_paging(admin_client, account):
    _runs(account, [("poll", RunStatus.SUCCEEDED, BUSY)] * (PER_PAGE + 5)
          + [("export", RunStatus.FAILED, {})])
    first = _page(admin_client, account).content.decode()
    assert "Page 1 of 2" in first and "page=2" in first
    second = _page(admin_client, account, "?page=2").content.decode()
    assert second.count('<tr id="run-') == 6
    exports = _page(admin_client, account, "?kind=export").content.decode()
    assert exports.count('<tr id="run-') == 1 and "Export" in exports
    failed = _page(admin_client, account, "?status=failed&kind=poll").content.decode()
    assert "No jobs match these filters." in failed
    bogus = _page(admin_client, account, "?kind=<script>&status=nope").content.decode()
    assert bogus.count('<tr id="run-') == PER_PAGE and "<script>" not in bogus


def test_counts_are_in_the_pages_language(admin_client, account):
    _runs(account, [("poll", RunStatus.SUCCEEDED, BUSY)])
    admin_client.cookies["django_language"] = "it"
    html = _page(admin_client, account).content.decode()
    assert "created 3" not in html


def test_query_count_is_pinned_whatever_the_number_of_runs(admin_client, account,
                                                           django_assert_num_queries):
    for n in (3, 120):
        SyncRun.objects.all().delete()
        _runs(account, [("poll", RunStatus.SUCCEEDED, IDLE)] * n)
        # session, user, membership; count and one page of runs; the account switcher.
        with django_assert_num_queries(3 + 2 + 1):
            assert _page(admin_client, account).status_code == 200
