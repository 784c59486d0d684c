"""What the contact stages hand each other: a person seen in this run, and the counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.errors import RemoteError
from syncadmin.sync.models import RecordLink
from syncadmin.sync.pipeline.types import Counts


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


@dataclass
class Result:
    to_hs: Counts = field(default_factory=Counts)
    to_sf: Counts = field(default_factory=Counts)
    sf_calls: int = 0
    hs_calls: int = 0
    seconds: float = 0.0
    paused: bool = False
    message: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "contacts": {"to_hs": self.to_hs.as_dict(), "to_sf": self.to_sf.as_dict()},
            "sf_api_calls": self.sf_calls,
            "hs_api_calls": self.hs_calls,
            "seconds": round(self.seconds, 3),
            "paused": self.paused,
        }
