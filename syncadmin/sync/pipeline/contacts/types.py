"""What the contact stages hand each other: a person seen in this run, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.errors import RemoteError
from syncadmin.sync.models import RecordLink


@dataclass(slots=True)  # one per record: slots keep a 100k-record sync smaller
class Pair:
    """One person as seen in this run on either side."""

    link: RecordLink | None = None
    sf: dict[str, Any] | None = None  # raw Salesforce row
    sf_object: str = ""
    hs: dict[str, Any] | None = None  # HubSpot properties
    hs_id: str | None = None
    sf_deleted: bool = False
    hs_deleted: bool = False
    failed: bool = False
    duplicate: bool = False
    errors: list[tuple[RemoteError | None, str]] = field(default_factory=list)
