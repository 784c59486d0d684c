"""Mapped HubSpot properties that do not exist yet are created before the first write (A5).

A mapping may name a HubSpot property the portal lacks (a custom Salesforce field mapped
to a new property): the property is created with the type matching the Salesforce field's,
in the object's standard information group, with the picklist's values as options. The
portal's property names are remembered for ten minutes, so a run costs no call when every
mapped property is known.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.cache import cache

from syncadmin.sync.rules import Mapping

CACHE_SECONDS = 600
# Our field types → HubSpot (type, fieldType).
HS_TYPES = {
    "text": ("string", "text"), "number": ("number", "number"), "date": ("date", "date"),
    "datetime": ("datetime", "date"), "bool": ("bool", "booleancheckbox"),
    "picklist": ("enumeration", "select"), "reference": ("string", "text"),
}
GROUPS = {"contacts": "contactinformation", "companies": "companyinformation",
          "deals": "dealinformation", "tickets": "ticketinformation"}


def ensure_properties(account: Any, hs_type: str, sf_object: str,
                      mappings: Sequence[Mapping], sf: Any, hs: Any) -> list[str]:
    """Creates the missing mapped properties; returns their names."""
    wanted = {m.hs_property: m for m in mappings
              if m.enabled and m.rule != "none" and m.sf_name(sf_object)}
    key = f"syncadmin:hs-properties:{account.pk}:{hs_type}"
    known: set[str] | None = cache.get(key)
    if known is not None and set(wanted) <= known:
        return []
    existing = set(hs.properties(hs_type))
    missing = [m for name, m in wanted.items() if name not in existing]
    fields = ({f["name"]: f for f in sf.describe(sf_object).get("fields", [])}
              if missing else {})
    created = []
    for m in missing:
        field = fields.get(m.sf_name(sf_object), {})
        typ, field_type = HS_TYPES.get(m.field_type, ("string", "text"))
        options = [(p["value"], p.get("label") or p["value"])
                   for p in field.get("picklistValues") or [] if p.get("active", True)]
        if typ == "enumeration" and not options:
            typ, field_type = "string", "text"  # nothing to offer: keep the text
        hs.ensure_property(hs_type, m.hs_property, field.get("label") or m.hs_property,
                           typ, field_type, group=GROUPS.get(hs_type, "contactinformation"),
                           options=options if typ == "enumeration" else None)
        created.append(m.hs_property)
    cache.set(key, existing | set(created), CACHE_SECONDS)
    return created
