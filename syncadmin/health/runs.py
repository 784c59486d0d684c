"""The job history (FEATURES B, issue 17 defect 6): filtered, paged, idle polls folded.

A poll every few seconds that found nothing to do is not news: consecutive idle polls on a
page fold into one line that says how many there were and over what time. Everything else
(a poll that synced anything, failed, paused or was skipped, and every other job) is a line
of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from syncadmin.sync.models import RunStatus, SyncRun

PER_PAGE = 50
# Run counts' leaves that are changes; calls and seconds have their own columns.
CHANGE_KEYS = {"created": _("created"), "updated": _("updated"), "deleted": _("deleted"),
               "failed": _("failed"), "excluded": _("excluded"),
               "associations": _("associations"), "rows": _("rows")}


@dataclass
class IdlePolls:
    """Consecutive polls that changed nothing, newest first as the table is."""

    runs: list[SyncRun] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.runs)

    @property
    def newest(self) -> dt.datetime:
        return self.runs[0].started_at

    @property
    def oldest(self) -> dt.datetime:
        return self.runs[-1].started_at

    @property
    def sf_calls(self) -> int:
        return sum(r.sf_calls for r in self.runs)

    @property
    def hs_calls(self) -> int:
        return sum(r.hs_calls for r in self.runs)


def change_totals(counts: Any) -> dict[str, int]:
    """A run's nested counts summed per kind of change: {"created": 3, "updated": 12}."""
    out: dict[str, int] = {}

    def walk(value: Any) -> None:
        if not isinstance(value, dict):
            return
        for key, sub in value.items():
            if key in CHANGE_KEYS and isinstance(sub, int) and not isinstance(sub, bool):
                out[key] = out.get(key, 0) + sub
            else:
                walk(sub)

    walk(counts or {})
    return {k: out[k] for k in CHANGE_KEYS if k in out}  # a fixed order (jsonb reorders)


def is_idle(run: SyncRun) -> bool:
    return (run.kind == SyncRun.Kind.POLL and run.status == RunStatus.SUCCEEDED
            and not any(change_totals(run.counts).values()) and not run.message)


def fold(runs: list[SyncRun]) -> list[SyncRun | IdlePolls]:
    """Runs in order, with each streak of two or more idle polls as one IdlePolls."""
    out: list[SyncRun | IdlePolls] = []
    streak: list[SyncRun] = []

    def close() -> None:
        if len(streak) >= 2:
            out.append(IdlePolls(list(streak)))
        else:
            out.extend(streak)
        streak.clear()

    for run in runs:
        if is_idle(run):
            streak.append(run)
            continue
        close()
        out.append(run)
    close()
    return out


def filtered(account: Any, params: Any) -> tuple[QuerySet[SyncRun], dict[str, str]]:
    qs = SyncRun.objects.filter(account=account)
    chosen = {"kind": "", "status": ""}
    if params.get("kind") in SyncRun.Kind.values:
        qs = qs.filter(kind=params["kind"])
        chosen["kind"] = params["kind"]
    if params.get("status") in RunStatus.values:
        qs = qs.filter(status=params["status"])
        chosen["status"] = params["status"]
    return qs.order_by("-started_at", "-id"), chosen


def page_of(account: Any, params: Any) -> tuple[Page, list[SyncRun | IdlePolls], dict[str, str]]:
    qs, chosen = filtered(account, params)
    page = Paginator(qs, PER_PAGE).get_page(params.get("page"))
    return page, fold(list(page.object_list)), chosen
