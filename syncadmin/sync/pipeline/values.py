"""Values between the two representations, per object (pure; FEATURES E1, H2).

The pipeline compares and plans in HubSpot's representation (the canonical one, keyed by
HubSpot property): a Salesforce row is converted on the way in, a planned write on the way
out. The conversions that are an object's own: a company's Website URL ⇄ its bare domain,
picklists mapped by ValueMapping rows (deal stage per pipeline, ticket status, priority).
A value with no mapping raises Unmapped, which the pipeline records as a classified error.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from syncadmin.sync.objects.companies import normalize_domain
from syncadmin.sync.rules import Mapping

# HubSpot properties whose options are mapped value by value, and the property that holds
# the record's pipeline ("" = not per pipeline).
VALUE_MAPPED = {
    ("deals", "dealstage"): "pipeline",
    ("tickets", "hs_pipeline_stage"): "hs_pipeline",
    ("tickets", "hs_ticket_priority"): "",
}
DEFAULT_PIPELINE = {"deals": "default", "tickets": "0"}


class Unmapped(ValueError):
    def __init__(self, hs_property: str, sf_field: str, value: Any, *, to: str) -> None:
        self.hs_property, self.sf_field, self.value, self.to = hs_property, sf_field, value, to
        where = "HubSpot" if to == "hubspot" else "Salesforce"
        super().__init__(f"{sf_field} value {value!r} has no {where} value mapped "
                         f"for {hs_property}; map it on the object's tab.")


@dataclass(frozen=True)
class ValueRow:
    hs_property: str
    pipeline: str
    hs_value: str
    sf_value: str


@dataclass
class ValueMaps:
    """ValueMapping rows of one object, indexed both ways (first row wins, by id order)."""

    to_sf: dict[tuple[str, str, str], str] = field(default_factory=dict)
    to_hs: dict[tuple[str, str, str], str] = field(default_factory=dict)

    @classmethod
    def of(cls, rows: Iterable[ValueRow]) -> ValueMaps:
        maps = cls()
        for r in rows:
            if not r.sf_value:
                continue
            maps.to_sf.setdefault((r.hs_property, r.pipeline, r.hs_value), r.sf_value)
            maps.to_hs.setdefault((r.hs_property, r.pipeline, r.sf_value.casefold()), r.hs_value)
        return maps


@dataclass
class Converter:
    """Converts one object's values between the two sides (pure)."""

    object_key: str
    mappings: Sequence[Mapping]
    maps: ValueMaps = field(default_factory=ValueMaps)

    def pipeline_of(self, hs_props: dict[str, Any] | None, hs_property: str) -> str:
        pipe_prop = VALUE_MAPPED.get((self.object_key, hs_property))
        if not pipe_prop:
            return ""
        return str((hs_props or {}).get(pipe_prop) or DEFAULT_PIPELINE.get(self.object_key, ""))

    def from_sf(self, sf_object: str, row: dict[str, Any],
                hs_props: dict[str, Any] | None = None) -> dict[str, Any]:
        """A Salesforce row in HubSpot's terms (raises Unmapped)."""
        out: dict[str, Any] = {}
        for m in self.mappings:
            name = m.sf_name(sf_object)
            if not name:
                continue
            value = row.get(name)
            if (self.object_key, m.hs_property) in VALUE_MAPPED and value not in (None, ""):
                pipeline = self.pipeline_of(hs_props, m.hs_property)
                key = (m.hs_property, pipeline, str(value).casefold())
                if key not in self.maps.to_hs:
                    raise Unmapped(m.hs_property, name, value, to="hubspot")
                value = self.maps.to_hs[key]
            elif self.object_key == "companies" and m.hs_property == "domain":
                value = normalize_domain(value) or None
            out[m.hs_property] = value
        return out

    def to_sf(self, sf_object: str, values: dict[str, Any],
              hs_props: dict[str, Any] | None = None) -> dict[str, Any]:
        """Planned HubSpot-side values as Salesforce fields (raises Unmapped)."""
        out: dict[str, Any] = {}
        for m in self.mappings:
            name = m.sf_name(sf_object)
            if not name or m.hs_property not in values:
                continue
            value = values[m.hs_property]
            if (self.object_key, m.hs_property) in VALUE_MAPPED and value not in (None, ""):
                pipeline = self.pipeline_of(hs_props or values, m.hs_property)
                key = (m.hs_property, pipeline, str(value))
                if key not in self.maps.to_sf:
                    raise Unmapped(m.hs_property, name, value, to="salesforce")
                value = self.maps.to_sf[key]
            if m.field_type == "date" and isinstance(value, str) and "T" in value:
                value = value.split("T", 1)[0]  # HubSpot sends midnight UTC datetimes
            out[name] = None if value == "" else value
        return out
