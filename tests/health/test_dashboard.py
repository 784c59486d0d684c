"""Sync Health figures: the pure chart/forecast functions and the GROUP BY aggregations."""

import datetime as dt

import pytest

from syncadmin.health import dashboard as agg
from syncadmin.sync.models import RecordLink, SyncError
from syncadmin.usage.ledger import DbLedger, rolling_sum
from syncadmin.usage.models import ApiUsage, ApiUsageHour

UTC = dt.UTC
NOW = dt.datetime(2026, 3, 10, 15, 30, tzinfo=UTC)


def h(day, hour):
    return dt.datetime(2026, 3, day, hour, tzinfo=UTC)


# --- pure functions -----------------------------------------------------------------------

def test_hourly_series_fills_gaps_and_ends_with_the_current_hour():
    series = agg.hourly_series([(h(10, 14), 5), (h(10, 12), 3), (h(10, 12), 2)], NOW, 4)
    assert series == [(h(10, 12), 5), (h(10, 13), 0), (h(10, 14), 5), (h(10, 15), 0)]


def test_hourly_series_ignores_nothing_inside_and_drops_hours_outside():
    series = agg.hourly_series([(h(9, 1), 100), (h(10, 15), 7)], NOW, 2)
    assert series == [(h(10, 14), 0), (h(10, 15), 7)]


def test_forecast_projects_today_at_the_pace_of_the_last_three_hours():
    # 13:00–15:30 is 2.5 h with 250 calls → 100 calls/h; 8.5 h left today → +850.
    series = agg.hourly_series([(h(10, 9), 1000), (h(10, 13), 100), (h(10, 14), 100),
                                (h(10, 15), 50), (h(9, 23), 999)], NOW, 48)
    f = agg.forecast_today(series, NOW, allocation=5000, used_24h=2249)
    assert f.used_today == 1250
    assert f.per_hour == pytest.approx(100)
    assert f.projected == 1250 + 850
    assert f.crosses is False
    assert f.hours_left == pytest.approx((5000 - 2249) / 100)


def test_forecast_warns_when_the_pace_crosses_the_allocation():
    series = agg.hourly_series([(h(10, 15), 1000)], NOW, 24)
    f = agg.forecast_today(series, NOW, allocation=2000, used_24h=1000)
    assert f.crosses is True
    assert f.projected > 2000


def test_forecast_with_no_calls_and_no_allocation():
    f = agg.forecast_today(agg.hourly_series([], NOW, 24), NOW, None, 0)
    assert (f.projected, f.crosses, f.hours_left) == (0, False, None)


@pytest.mark.parametrize(("value", "expected"), [(0, 1), (1, 1), (7, 10), (120, 200),
                                                 (200, 200), (4001, 5000), (50_000, 50_000)])
def test_nice_ceiling(value, expected):
    assert agg.nice_ceiling(value) == expected


def test_bar_chart_geometry():
    series = agg.hourly_series([(h(10, 14), 50), (h(10, 15), 100)], NOW, 24)
    chart = agg.bar_chart(series, width=760, height=180, per_hour_limit=50)
    assert len(chart.bars) == 24
    tallest = chart.bars[-1]
    plot_h = 180 - 22 - 8
    assert tallest.height == pytest.approx(plot_h)  # 100 is the axis maximum
    assert chart.bars[-2].height == pytest.approx(plot_h / 2)
    assert chart.bars[0].height == 0
    assert chart.limit_y == pytest.approx(8 + plot_h / 2)
    assert chart.total == 150 and chart.max_calls == 100
    assert [t for _, t in chart.ticks] == ["0", "50", "100"]
    assert all(b.x < b2.x for b, b2 in zip(chart.bars, chart.bars[1:], strict=False))
    assert "100" in tallest.title


def test_bar_chart_of_seven_days_labels_midnights():
    series = agg.hourly_series([], NOW, 168)
    chart = agg.bar_chart(series)
    assert len(chart.bars) == 168
    assert [b.label for b in chart.bars if b.label][0].startswith(("Wed", "Thu", "Tue"))
    assert sum(1 for b in chart.bars if b.label) == 7


# --- aggregations -------------------------------------------------------------------------

def link(account, n, obj="contacts", status="in_sync", **kw):
    return RecordLink.objects.create(account=account, object=obj, hs_id=f"{obj}{n}",
                                     sf_id=f"003{n:015d}", label=f"Record {n}", status=status,
                                     **kw)


def error(account, lnk, kind, **kw):
    return SyncError.objects.create(account=account, link=lnk, object=lnk.object, kind=kind,
                                    direction="to_sf", record_label=lnk.label,
                                    sf_id=lnk.sf_id or "", hs_id=lnk.hs_id or "", **kw)


@pytest.mark.django_db
def test_usage_sums_the_rolling_24_hours_and_buckets_by_hour(account, other_account):
    now = dt.datetime.now(UTC)
    rows = [
        ("salesforce", "query", now - dt.timedelta(minutes=5), 10),
        ("salesforce", "composite", now - dt.timedelta(minutes=5), 4),
        ("salesforce", "query", now - dt.timedelta(hours=23, minutes=50), 7),
        ("salesforce", "query", now - dt.timedelta(hours=24, minutes=10), 100),  # outside 24 h
        ("salesforce", "query", now - dt.timedelta(days=8), 1000),  # outside 7 days
        ("hubspot", "batch", now - dt.timedelta(minutes=5), 50),  # other remote
    ]
    for remote, endpoint, minute, calls in rows:
        DbLedger(account).record(remote, endpoint, minute.timestamp(), n=calls)
    DbLedger(other_account).record("salesforce", "query", now.timestamp(), n=500)
    use = agg.usage(account, now)
    assert use.used_24h == 21
    assert len(use.series_7d) == 168 and len(use.series_24h) == 24
    assert sum(c for _, c in use.series_7d) == 121
    assert use.series_7d[-1][1] >= 14


@pytest.mark.django_db
def test_error_cards_count_errors_per_kind_and_records_distinct(account, other_account):
    a, b, c = link(account, 1), link(account, 2), link(account, 3)
    # a has two kinds: counted once under each; b has two errors of one kind? impossible
    # (one per record+kind), so b and c add one each.
    error(account, a, "invalid_email")
    error(account, a, "picklist_value")
    error(account, b, "invalid_email")
    error(account, c, "picklist_value")
    error(account, link(account, 4, obj="companies"), "picklist_value")
    error(other_account, link(other_account, 9), "invalid_email")
    cards = {card.kind: card for card in agg.error_cards(account)}
    assert set(cards) == {"invalid_email", "picklist_value"}
    assert (cards["invalid_email"].errors, cards["invalid_email"].records) == (2, 2)
    assert (cards["picklist_value"].errors, cards["picklist_value"].records) == (3, 3)
    assert str(cards["invalid_email"].label) == "Invalid email"
    assert "email" in str(cards["invalid_email"].fix)


@pytest.mark.django_db
def test_fixed_records_drop_out_of_the_cards(account):
    a, b = link(account, 1), link(account, 2)
    error(account, a, "invalid_email")
    fixed = error(account, b, "invalid_email")
    fixed.delete()  # the engine deletes an error when the record next syncs
    (card,) = agg.error_cards(account)
    assert (card.errors, card.records) == (1, 1)
    SyncError.objects.filter(link=a).delete()
    assert agg.error_cards(account) == []


def enable(account, *keys, on=True):
    """Turns an object tab's sync on (or off) as its settings page would."""
    from syncadmin.integration.models import ObjectSync
    from syncadmin.sync import objects

    for key in keys:
        ObjectSync.objects.update_or_create(
            account=account, object=key, sf_object=objects.get(key).sf_object,
            defaults={"enabled": on})


@pytest.mark.django_db
def test_object_overview_lists_contacts_and_the_enabled_objects(account):
    assert [r.object for r in agg.object_overview(account)] == ["contacts"]
    enable(account, "tickets", "deals")
    enable(account, "companies", on=False)
    rows = agg.object_overview(account)
    assert [r.object for r in rows] == ["contacts", "deals", "tickets"]
    assert [str(r.label) for r in rows] == ["Contacts", "Deals", "Tickets"]
    tips = {r.object: r.excluded_tip for r in rows}
    assert "needs an email address" in tips["contacts"]
    assert "Every deal syncs" in tips["deals"] and "Every ticket syncs" in tips["tickets"]
    enable(account, "companies")
    companies = {r.object: r for r in agg.object_overview(account)}["companies"]
    assert "A company needs a name or a domain to sync" in companies.excluded_tip


@pytest.mark.django_db
def test_companies_without_name_and_domain_are_an_excluded_reason(account):
    enable(account, "companies")
    link(account, 1, obj="companies", status="excluded", excluded_reason="no_name_or_domain")
    companies = {r.object: r for r in agg.object_overview(account)}["companies"]
    assert companies.excluded == 1
    (reason, n), = companies.excluded_reasons
    assert "companies need a name or a domain" in str(reason) and n == 1


@pytest.mark.django_db
def test_object_overview_counts_in_sync_failed_excluded(account):
    ok = [link(account, i) for i in range(5)]
    link(account, 10, status="failed")
    link(account, 11, status="deleted_hs")
    link(account, 12, status="excluded", excluded_reason="no_email")
    link(account, 13, status="excluded", excluded_reason="no_email")
    link(account, 14, status="excluded", excluded_reason="filtered")
    error(account, link(account, 15, status="excluded", excluded_reason="filtered"),
          "invalid_email")  # counts as failed, not as an excluded reason
    # Two kinds on one in-sync link: it moves to failed once.
    error(account, ok[0], "invalid_email")
    error(account, ok[0], "picklist_value")
    link(account, 20, obj="deals")
    link(account, 21, obj="tickets")  # tickets' sync is off: not listed
    enable(account, "deals", "companies")
    rows = {r.object: r for r in agg.object_overview(account)}
    assert list(rows) == ["contacts", "companies", "deals"]  # the registry's order
    contacts = rows["contacts"]
    assert (contacts.in_sync, contacts.failed, contacts.excluded) == (4, 4, 3)
    assert contacts.deleted_hs == 1
    assert dict((k, n) for k, _l, _f, n in contacts.kinds) == {"invalid_email": 2,
                                                               "picklist_value": 1}
    reasons = {str(r): n for r, n in contacts.excluded_reasons}
    assert reasons == {str(agg.EXCLUDED_REASONS["no_email"]): 2,
                       str(agg.EXCLUDED_REASONS["filtered"]): 1}
    assert (rows["deals"].in_sync, rows["deals"].failed) == (1, 0)
    assert rows["companies"].in_sync == 0


@pytest.mark.django_db
def test_record_filters_agree_with_the_object_view(account):
    a = link(account, 1)
    link(account, 2)
    link(account, 3, status="failed")
    error(account, a, "invalid_email")
    failed, _ = agg.filtered_links(account, {"status": "failed", "object": "contacts"})
    in_sync, _ = agg.filtered_links(account, {"status": "in_sync"})
    assert sorted(failed.values_list("hs_id", flat=True)) == ["contacts1", "contacts3"]
    assert list(in_sync.values_list("hs_id", flat=True)) == ["contacts2"]
    everything, chosen = agg.filtered_links(account, {"status": "bogus", "period": "7d"})
    assert everything.count() == 3 and chosen["status"] == "" and chosen["period"] == "7d"


@pytest.mark.django_db
def test_ledger_buckets_and_rollup_agree_at_minute_precision(account):
    ledger = DbLedger(account)
    base = dt.datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
    for minute, n in [(0, 1), (0, 1), (14, 3), (59, 2), (60, 5), (75, 7), (130, 11)]:
        ledger.record("salesforce", "/query", (base + dt.timedelta(minutes=minute)).timestamp()
                      + 17, n=n)
    assert ApiUsage.objects.get(account=account, minute=base).calls == 2
    hours = dict(ApiUsageHour.objects.filter(account=account).values_list("hour", "calls"))
    assert hours == {base: 7, base + dt.timedelta(hours=1): 12,
                     base + dt.timedelta(hours=2): 11}
    for since_min in (0, 1, 14, 15, 59, 60, 61, 75, 76, 130, 131):
        since = base + dt.timedelta(minutes=since_min)
        expected = sum(u.calls for u in ApiUsage.objects.filter(account=account,
                                                                minute__gte=since))
        assert rolling_sum(account, "salesforce", since) == expected, since_min
    assert ledger.used_since("salesforce", (base + dt.timedelta(minutes=14)).timestamp()) == 28


@pytest.mark.django_db
def test_chart_coordinates_stay_numbers_in_languages_with_decimal_commas(admin_client,
                                                                         account):
    """it/pl/da write 83,5: SVG coordinates must not be localised, the tooltips must be."""
    import re

    from django.urls import reverse

    url = reverse("health:dashboard", kwargs={"account_id": account.pk})
    page = admin_client.get(url, HTTP_ACCEPT_LANGUAGE="it").content.decode()
    assert 'class="chart"' in page
    coords = re.findall(r'\b(?:x|y|width|height|y1|y2)="([^"]*)"', page.split('class="chart"')[1]
                        .split("</svg>")[0])
    assert coords and all("," not in c for c in coords)
