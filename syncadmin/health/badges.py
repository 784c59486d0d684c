"""Status colours, in one place (netbox style): each status → a badge class of app.css.

Templates use them through the `link_badge` / `run_badge` filters (templatetags.health_tags).
"""

from __future__ import annotations

from syncadmin.sync.models import LinkStatus, RunStatus

LINK_STATUS_BADGE: dict[str, str] = {
    LinkStatus.IN_SYNC: "ok",
    LinkStatus.FAILED: "err",
    LinkStatus.EXCLUDED: "off",
    LinkStatus.DELETED_HS: "warn",
    LinkStatus.DELETED_SF: "warn",
}

RUN_STATUS_BADGE: dict[str, str] = {
    RunStatus.QUEUED: "off",
    RunStatus.RUNNING: "info",
    RunStatus.SUCCEEDED: "ok",
    RunStatus.FAILED: "err",
    RunStatus.PAUSED: "warn",
    RunStatus.SKIPPED: "off",
    RunStatus.CANCELLED: "off",
}

ACTIVE_RUN_STATUSES = (RunStatus.QUEUED, RunStatus.RUNNING)


def link_badge(status: str) -> str:
    return LINK_STATUS_BADGE.get(status, "off")


def run_badge(status: str) -> str:
    return RUN_STATUS_BADGE.get(status, "off")
