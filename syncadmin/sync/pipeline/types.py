"""The data the pipeline's stages hand each other: pairs, decisions, counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from connectors.errors import RemoteError
from syncadmin.sync.models import RecordLink


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    failed: int = 0
    excluded: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    def add(self, other: Counts) -> None:
        for k, v in other.__dict__.items():
            setattr(self, k, getattr(self, k) + v)


@dataclass
class ObjectResult:
    to_hs: Counts = field(default_factory=Counts)
    to_sf: Counts = field(default_factory=Counts)
    associations: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"to_hs": self.to_hs.as_dict(), "to_sf": self.to_sf.as_dict(),
                "associations": self.associations}


@dataclass(frozen=True)
class Policy:
    """An object's settings as the pure stages see them (FEATURES E1, H1, H3)."""

    direction: str = "two_way"
    conflict_app: str = "salesforce"
    sf_deletion: str = "nothing"
    hs_filter: dict[str, Any] = field(default_factory=dict)
    sf_filter: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Pair:
    """One record of one object as seen in this run on either side."""

    link: RecordLink | None = None
    sf: dict[str, Any] | None = None  # raw Salesforce row
    hs: dict[str, Any] | None = None  # HubSpot properties
    hs_id: str | None = None
    sf_ref: str | None = None  # a Salesforce id known without its row
    sf_deleted: bool = False
    hs_deleted: bool = False
    failed: bool = False
    errors: list[tuple[RemoteError | None, str]] = field(default_factory=list)
    snapshot: dict[str, Any] | None = None  # set when the plan succeeded

    @property
    def sf_id(self) -> str | None:
        return ((self.sf or {}).get("Id") or self.sf_ref
                or (self.link.sf_id if self.link else None))

    @property
    def any_hs_id(self) -> str | None:
        return self.hs_id or (self.link.hs_id if self.link else None)
