from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format

from syncadmin.health import badges, links
from syncadmin.health.dashboard import EXCLUDED_REASONS

register = template.Library()


@register.filter
def link_badge(status: str) -> str:
    """The badge class of a RecordLink status."""
    return badges.link_badge(status)


@register.filter
def run_badge(status: str) -> str:
    """The badge class of a SyncRun status."""
    return badges.run_badge(status)


@register.filter
def hs_record_url(record: object, portal: str) -> str:
    """The record (a RecordLink, a SyncError) in HubSpot, by its object's type id."""
    return links.hs_url(portal, getattr(record, "object", ""), getattr(record, "hs_id", ""))


@register.filter
def sf_record_url(record: object, instance_url: str) -> str:
    """The record in Salesforce Lightning, by its Salesforce object."""
    return links.sf_url(instance_url, getattr(record, "object", ""),
                        getattr(record, "sf_id", ""), getattr(record, "sf_object", "") or "")


@register.filter
def object_label(key: str) -> Any:
    """An object key's plural label from the registry ("deals" → "Deals")."""
    return links.object_label(key)


@register.filter
def object_label_singular(key: str) -> Any:
    return links.object_label(key, singular=True)


@register.filter
def num(value: object) -> str:
    """A whole number with thousands separators (humanize is not installed)."""
    if value is None or value == "":
        return ""
    try:
        return number_format(int(value), force_grouping=True)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return str(value)


@register.filter
def excluded_text(reason: str) -> str:
    return str(EXCLUDED_REASONS.get(reason, reason))


@register.filter
def run_counts(run: Any) -> str:
    """A run's changes summed by kind, in the page's language: "created 3 · updated 12"."""
    from syncadmin.health.runs import CHANGE_KEYS, change_totals

    return " · ".join(f"{CHANGE_KEYS[k]} {number_format(v, force_grouping=True)}"
                      for k, v in change_totals(run.counts).items() if v) or "—"


@register.filter
def run_duration(run: Any) -> str:
    if not run.finished_at:
        return "—"
    seconds = max(0, int((run.finished_at - run.started_at).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"
