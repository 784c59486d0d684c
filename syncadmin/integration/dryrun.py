"""Dry runs of risky settings changes (contact→lead, deletion, Always use Salesforce).

Pure: the functions take the RecordLink rows as plain dicts (label, sf_object, sf_id,
status, snapshot) and return what would change; the view only loads the rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SAMPLE_SIZE = 5


@dataclass
class DryRun:
    count: int
    total: int
    sample: list[dict[str, Any]] = field(default_factory=list)
    # What the records are, so the page names them rightly (issue 17, defect 9): "to_leads"
    # (HubSpot contacts with no Salesforce record, failed ones included), "deletion"
    # (records deleted in Salesforce), "synced" (records in sync).
    kind: str = "synced"

    @property
    def affects_any(self) -> bool:
        return self.count > 0


def _result(matches: Iterable[dict[str, Any]], total: int, kind: str = "synced") -> DryRun:
    matched = list(matches)
    return DryRun(count=len(matched), total=total, sample=matched[:SAMPLE_SIZE], kind=kind)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def contacts_to_leads(links: list[dict[str, Any]]) -> DryRun:
    """HubSpot contacts with no Salesforce record yet: they would be created as Leads.

    Linked records are updated where they are (a synced Contact stays a Contact).
    """
    rows = [
        {"label": row.get("label") or row.get("snapshot", {}).get("email", ""),
         "now": row.get("sf_object") or "—", "after": "Lead",
         "failed": row.get("status") == "failed"}
        for row in links if not row.get("sf_id") and row.get("status") != "excluded"
    ]
    return _result(rows, len(links), "to_leads")


def enable_deletion(links: list[dict[str, Any]]) -> DryRun:
    """Records already deleted in Salesforce whose HubSpot contact would now be deleted."""
    rows = [
        {"label": row.get("label") or row.get("snapshot", {}).get("email", ""),
         "now": row.get("sf_object") or "—", "after": "deleted"}
        for row in links if row.get("status") == "deleted_sf"
    ]
    return _result(rows, len(links), "deletion")


def always_use_salesforce(links: list[dict[str, Any]], hs_property: str) -> DryRun:
    """Synced records whose last Salesforce value of the field is blank.

    With Prefer Salesforce a blank Salesforce value leaves HubSpot alone; with Always use
    Salesforce it clears the HubSpot property on the next sync.
    """
    rows = [
        {"label": row.get("label") or row.get("snapshot", {}).get("email", ""),
         "now": "", "after": ""}
        for row in links
        if row.get("status") == "in_sync" and _blank(row.get("snapshot", {}).get(hs_property))
    ]
    return _result(rows, len(links))
