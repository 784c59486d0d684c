"""Sync Health figures: pure chart/forecast functions and the few GROUP BY queries behind them.

Every page of the Sync Health tab runs a fixed number of aggregate queries whatever the data
size (tests pin the counts); nothing here loops over ledger or error rows in Python.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from connectors.errors import KINDS, Kind
from syncadmin.accounts.models import Account
from syncadmin.sync import objects
from syncadmin.sync.models import LinkStatus, RecordLink, SyncError
from syncadmin.usage.models import ApiUsageHour

HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(hours=24)
PACE_HOURS = 3  # the "current pace" is the rate over the last three hours (partial one included)

FAILED_STATUSES = (LinkStatus.FAILED, LinkStatus.DELETED_HS, LinkStatus.DELETED_SF)

EXCLUDED_REASONS: dict[str, Any] = {
    "no_email": _("No email address: contacts need a unique email to sync."),
    "invalid_email": _("The email address is not valid."),
    "duplicate_email": _("Another record has the same email address."),
    "filtered": _("Left out by the sync settings' filters (inclusion list or property filter)."),
    "no_name_or_domain": _("No name and no domain: companies need a name or a domain to sync."),
    "direction": _("Left out by the sync direction: the other app's records are not created "
                   "in this one."),
    "sf_to_hs_off": _("Salesforce records do not create HubSpot contacts (Contacts tab: "
                      "\"Do nothing\" when a Salesforce lead or contact is created)."),
    "merged_in_hubspot": _("Merged in HubSpot into a record that has a Salesforce record of "
                           "its own: this Salesforce record is kept, no longer synced. Merge "
                           "the two in Salesforce too."),
    "merged_in_salesforce": _("Merged in Salesforce into another record: its HubSpot record "
                              "was merged into that one's too."),
}


# --- pure functions ---------------------------------------------------------------------------

def floor_hour(at: dt.datetime) -> dt.datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def hourly_series(rows: Iterable[tuple[dt.datetime, int]], now: dt.datetime,
                  hours: int) -> list[tuple[dt.datetime, int]]:
    """`hours` consecutive hourly buckets ending with the current (partial) hour; gaps are 0."""
    by_hour: dict[dt.datetime, int] = {}
    for hour, calls in rows:
        key = floor_hour(hour)
        by_hour[key] = by_hour.get(key, 0) + int(calls)
    last = floor_hour(now)
    return [(h, by_hour.get(h, 0)) for h in (last - HOUR * i for i in range(hours - 1, -1, -1))]


@dataclass(frozen=True)
class Forecast:
    used_today: int
    projected: int  # today's total at the current pace
    per_hour: float  # the current pace
    allocation: int | None
    crosses: bool  # the projection goes over the allocation
    hours_left: float | None  # until the rolling 24 h use reaches the allocation, at this pace


def forecast_today(series: Sequence[tuple[dt.datetime, int]], now: dt.datetime,
                   allocation: int | None, used_24h: int) -> Forecast:
    """Projects today's total (UTC day of `now`) from the pace of the last PACE_HOURS hours."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    used_today = sum(c for h, c in series if h >= midnight)
    pace_start = floor_hour(now) - HOUR * (PACE_HOURS - 1)
    recent = sum(c for h, c in series if h >= pace_start)
    elapsed = max((now - pace_start).total_seconds(), 60.0)
    per_second = recent / elapsed
    seconds_left = (midnight + DAY - now).total_seconds()
    projected = used_today + round(per_second * seconds_left)
    crosses = allocation is not None and projected > allocation
    hours_left: float | None = None
    if allocation is not None and per_second > 0:
        hours_left = max(0.0, (allocation - used_24h) / (per_second * 3600))
    return Forecast(used_today, projected, per_second * 3600, allocation, crosses, hours_left)


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 × 10^k not below value (at least 1): a readable axis maximum."""
    if value <= 1:
        return 1
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * exp >= value:
            return int(step * exp)
    return int(10 * exp)  # pragma: no cover


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    hour: dt.datetime
    calls: int
    label: str = ""  # an axis label under some bars
    title: str = ""


@dataclass
class Chart:
    width: int
    height: int
    top: int
    bars: list[Bar]
    ticks: list[tuple[float, str]]  # (y, text)
    limit_y: float | None = None  # the even-pace line: allocation / 24 per hour
    limit_label: str = ""
    total: int = 0
    max_calls: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def bar_chart(series: Sequence[tuple[dt.datetime, int]], *, width: int = 760,
              height: int = 180, per_hour_limit: float | None = None) -> Chart:
    """Geometry of an SVG bar chart of hourly calls (drawn by templates/health/_chart.html)."""
    left, bottom, top = 48, 22, 8
    plot_w, plot_h = width - left - 4, height - bottom - top
    peak = max([c for _, c in series] + [0])
    scale_max = nice_ceiling(max(peak, per_hour_limit or 0))
    n = max(len(series), 1)
    slot = plot_w / n
    gap = 1.0 if slot > 4 else 0.0
    bars = []
    for i, (hour, calls) in enumerate(series):
        h = plot_h * calls / scale_max
        if n <= 24:
            label = f"{hour:%H}:00" if hour.hour % 3 == 0 else ""
        else:
            label = f"{hour:%a %d}" if hour.hour == 0 else ""
        # Localised dates (it/pl/da) and a translated, pluralised count: the tooltip is text.
        title = ngettext("%(when)s: %(count)s call", "%(when)s: %(count)s calls", calls) % {
            "when": date_format(hour, "D j M H:i"),
            "count": number_format(calls, force_grouping=True)}
        bars.append(Bar(
            x=round(left + i * slot + gap / 2, 2), y=round(top + plot_h - h, 2),
            width=round(max(slot - gap, 0.5), 2), height=round(h, 2), hour=hour, calls=calls,
            label=label, title=title,
        ))
    ticks = [(round(top + plot_h - plot_h * f, 2), number_format(round(scale_max * f),
                                                                  force_grouping=True))
             for f in (0, 0.5, 1)]
    limit_y = None
    if per_hour_limit:
        limit_y = round(top + plot_h - plot_h * per_hour_limit / scale_max, 2)
    return Chart(width=width, height=height, top=top, bars=bars, ticks=ticks, limit_y=limit_y,
                 total=sum(c for _, c in series), max_calls=peak)


# --- queries ----------------------------------------------------------------------------------

@dataclass
class Usage:
    used_24h: int
    series_7d: list[tuple[dt.datetime, int]]

    @property
    def series_24h(self) -> list[tuple[dt.datetime, int]]:
        return self.series_7d[-24:]


def usage(account: Account, now: dt.datetime, remote: str = "salesforce") -> Usage:
    """Hourly totals for 7 days (≤ 168 rollup rows) and the rolling 24 h sum (two small
    queries: see ledger.rolling_sum). Nothing here scans the per-minute ledger at large."""
    from syncadmin.usage.ledger import rolling_sum

    first_hour = floor_hour(now) - HOUR * (7 * 24 - 1)
    rows = ApiUsageHour.objects.filter(account=account, remote=remote, hour__gte=first_hour
                                       ).values_list("hour", "calls")
    series = hourly_series(rows, now, 7 * 24)
    return Usage(used_24h=rolling_sum(account, remote, now - DAY), series_7d=series)


@dataclass
class ErrorCard:
    kind: str
    label: Any
    help: Any
    fix: Any
    errors: int
    records: int


def kind_info(kind: str) -> Any:
    try:
        return KINDS[Kind(kind)]
    except ValueError:
        return KINDS[Kind.GENERIC]


def error_cards(account: Account) -> list[ErrorCard]:
    """Current errors per kind, and distinct affected records (one query)."""
    rows = (
        SyncError.objects.filter(account=account).values("kind")
        # One error per (account, link, kind) is a unique constraint, so within a kind the
        # non-null link ids are already distinct: COUNT(link_id) = COUNT(DISTINCT link_id).
        .annotate(errors=Count("id"), records=Count("link")).order_by()
    )
    cards = []
    for row in rows:
        info = kind_info(row["kind"])
        cards.append(ErrorCard(row["kind"], info.label, info.help, info.fix, row["errors"],
                               row["records"]))
    cards.sort(key=lambda c: (-c.errors, str(c.label)))
    return cards


def has_error() -> Q:
    """Links with at least one current error (used by the object view and record filters)."""
    from django.db.models import Exists, OuterRef

    return Q(Exists(SyncError.objects.filter(link=OuterRef("pk"))))


def failed_q() -> Q:
    """Failed in the object view's sense: failed or deleted on one side, or a current error."""
    return Q(status__in=FAILED_STATUSES) | has_error()


STATUS_FILTERS: dict[str, Any] = {
    "in_sync": lambda: Q(status=LinkStatus.IN_SYNC) & ~has_error(),
    "failed": failed_q,
    "excluded": lambda: Q(status=LinkStatus.EXCLUDED) & ~has_error(),
    "deleted_hs": lambda: Q(status=LinkStatus.DELETED_HS),
    "deleted_sf": lambda: Q(status=LinkStatus.DELETED_SF),
}


@dataclass
class ObjectRow:
    object: str
    label: Any
    excluded_tip: Any = ""
    identifier: Any = ""  # what a record needs to sync (spec.identifier)
    in_sync: int = 0
    failed: int = 0
    excluded: int = 0
    deleted_hs: int = 0
    deleted_sf: int = 0
    kinds: list[tuple[str, Any, Any, int]] = field(default_factory=list)  # kind, label, fix, n
    excluded_reasons: list[tuple[str, int]] = field(default_factory=list)


def _overview_counts(account: Account) -> dict[str, list[tuple[str, str, int]]]:
    """The raw GROUP BY results behind the object view (four queries, no joins over errors)."""
    from django.db.models import Exists, OuterRef

    links = RecordLink.objects.filter(account=account)
    return {
        # Index-only on (account, object, status).
        "status": list(links.values_list("object", "status").annotate(n=Count("*"))
                       .order_by()),
        # Excluded links with a current error count as failed (below), not here.
        "excluded": list(links.filter(status=LinkStatus.EXCLUDED)
                         .exclude(Exists(SyncError.objects.filter(link=OuterRef("pk"))))
                         .values_list("object", "excluded_reason").annotate(n=Count("*"))
                         .order_by()),
        # Links not failed by status but with a current error: a semi-join, no DISTINCT.
        "moved": list(links.filter(status__in=[LinkStatus.IN_SYNC, LinkStatus.EXCLUDED])
                      .filter(Exists(SyncError.objects.filter(link=OuterRef("pk"))))
                      .values_list("object", "status").annotate(n=Count("*")).order_by()),
        "kinds": list(SyncError.objects.filter(account=account)
                      .values_list("object", "kind").annotate(n=Count("*")).order_by()),
    }


def overview_objects(account: Account) -> list[objects.ObjectSpec]:
    """The registry's objects the object view lists: contacts always, every other one while
    its object tab has sync on (one query)."""
    from syncadmin.integration.models import ObjectSync

    # Objects without an object tab (contacts: the Contacts tab) always sync.
    listed = set(objects.keys()) - set(objects.standard_keys())
    customs: list[objects.ObjectSpec] = []
    for key, sf_object in (ObjectSync.objects.filter(account=account, enabled=True)
                           .order_by("sf_object").values_list("object", "sf_object")):
        if key == "custom" and sf_object:  # custom objects (E3) after the registry's
            customs.append(objects.get(objects.custom.key_for(sf_object)))
        listed.add(key)
    return [s for s in objects.all_specs() if s.key in listed] + customs


def excluded_tip(spec: objects.ObjectSpec) -> str:
    """The "Excluded" hover tip: what a record of this object needs to sync (H5)."""
    if spec.match == "none":
        return gettext("Every %(object)s syncs: %(object_plural)s are excluded only when the "
                       "sync settings' filters or sync direction leave them out.") % {
            "object": str(spec.label_singular).lower(), "object_plural": str(spec.label).lower()}
    return gettext("A %(object)s needs %(identifier)s to sync. Excluded %(object_plural)s "
                   "lack it or are left out by the sync settings' filters or sync "
                   "direction.") % {
        "object": str(spec.label_singular).lower(), "identifier": spec.identifier,
        "object_plural": str(spec.label).lower()}


def object_overview(account: Account) -> list[ObjectRow]:
    """In sync / Failed / Excluded per enabled object, in the registry's order.

    A link counts as failed when its status is failed or deleted on one side, or when it has
    a current error; such a link is then not counted under its own status.
    """
    specs = overview_objects(account)
    counts = _overview_counts(account)
    table = {s.key: ObjectRow(s.key, s.label, excluded_tip(s), s.identifier) for s in specs}
    for obj_name, status, n in counts["status"]:
        obj = table.get(obj_name)
        if obj is None:
            continue
        if status in FAILED_STATUSES:
            obj.failed += n
        if status in (LinkStatus.IN_SYNC, LinkStatus.EXCLUDED, LinkStatus.DELETED_HS,
                      LinkStatus.DELETED_SF):
            setattr(obj, status, getattr(obj, status) + n)
    for obj_name, reason, n in counts["excluded"]:
        if obj_name in table:
            text = EXCLUDED_REASONS.get(reason, reason or _("Excluded by the sync settings."))
            table[obj_name].excluded_reasons.append((text, n))
    for obj_name, status, n in counts["moved"]:
        obj = table.get(obj_name)
        if obj is None:
            continue
        if status == LinkStatus.EXCLUDED:
            obj.excluded -= n
        else:
            obj.in_sync -= n
        obj.failed += n
    for obj_name, kind, n in sorted(counts["kinds"], key=lambda r: (r[0], -r[2], r[1])):
        if obj_name in table:
            info = kind_info(kind)
            table[obj_name].kinds.append((kind, info.label, info.fix, n))
    return list(table.values())


PERIODS = {"24h": dt.timedelta(hours=24), "7d": dt.timedelta(days=7),
           "30d": dt.timedelta(days=30)}


def filtered_links(account: Account, params: Any) -> tuple[QuerySet[RecordLink], dict[str, str]]:
    """The record view's queryset for its GET filters (also used by the export task)."""
    qs = RecordLink.objects.filter(account=account)
    chosen = {"object": "", "status": "", "period": ""}
    obj = params.get("object", "")
    if obj in {s.key for s in objects.all_specs()} or objects.custom.is_custom(obj):
        qs = qs.filter(object=obj)
        chosen["object"] = obj
    status = params.get("status", "")
    if status in STATUS_FILTERS:
        qs = qs.filter(STATUS_FILTERS[status]())
        chosen["status"] = status
    period = params.get("period", "")
    if period in PERIODS:
        qs = qs.filter(updated_at__gte=timezone.now() - PERIODS[period])
        chosen["period"] = period
    return qs.order_by("-updated_at", "-id"), chosen
