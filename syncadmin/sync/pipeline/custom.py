"""Custom objects' set-up stage (FEATURES E3): the HubSpot schema, default mappings, lookups.

At a custom object's first sync the app reads its Salesforce describe (one call), maps Name
and every custom field of a mappable type, and creates the matching HubSpot custom object
with a property per mapping, a unique `salesforce_id`, and associations to contacts and
companies for lookups to Contact and Account. The objectTypeId and the lookups are kept on
the ObjectSync row, so later runs make no set-up call at all.
"""

from __future__ import annotations

from typing import Any

from syncadmin.integration.models import FieldMapping, ObjectSync
from syncadmin.sync.objects import HS_SF_ID, ObjectSpec, custom

HS_OBJECT_NAMES = {"contacts": "CONTACT", "companies": "COMPANY"}


def rows(account: Any) -> list[ObjectSync]:
    return list(ObjectSync.objects.filter(account=account, object="custom", enabled=True)
                .exclude(sf_object="").order_by("sf_object"))


def spec_of(row: ObjectSync) -> ObjectSpec:
    return custom.spec(row.sf_object, row.hs_object,
                       tuple(sorted((row.lookups or {}).items())))


def ensure_schema(account: Any, row: ObjectSync, sf: Any, hs: Any) -> ObjectSpec:
    """The row's spec, after creating what a first sync needs (idempotent: a run killed
    half-way finds the schema by name and the mappings already there)."""
    if row.hs_object:
        return spec_of(row)
    describe = sf.describe(row.sf_object)
    types = {f["name"]: f.get("type", "string") for f in describe.get("fields", [])}
    key = custom.key_for(row.sf_object)
    FieldMapping.objects.bulk_create(
        [FieldMapping(account=account, object=key, hs_property=m.hs_property,
                      sf_field=m.sf_field, field_type=m.field_type, sync_rule=m.rule,
                      required=m.required)
         for m in custom.default_mappings(describe)], ignore_conflicts=True)
    lookups = custom.lookups_of(describe)
    mappings = FieldMapping.objects.filter(account=account, object=key, enabled=True)
    properties = [_property(m.hs_property, m.sf_field, types.get(m.sf_field, "string"),
                            describe) for m in mappings]
    properties.append({"name": HS_SF_ID, "label": "Salesforce Id", "type": "string",
                       "fieldType": "text", "hasUniqueValue": True})
    label = describe.get("label") or row.sf_object
    schema = hs.ensure_schema({
        "name": custom.schema_name(row.sf_object),
        "labels": {"singular": label, "plural": describe.get("labelPlural") or label},
        "primaryDisplayProperty": "name",
        "requiredProperties": [],
        "searchableProperties": ["name", HS_SF_ID],
        "properties": properties,
        "associatedObjects": sorted({HS_OBJECT_NAMES[t] for t in lookups.values()}),
        "metaType": "PORTAL_SPECIFIC",
    })
    row.hs_object = schema["objectTypeId"]
    row.lookups = lookups
    row.save(update_fields=["hs_object", "lookups"])
    return spec_of(row)


def _property(name: str, sf_field: str, sf_type: str, describe: dict[str, Any]
              ) -> dict[str, Any]:
    typ, field_type, _ = custom.FIELD_TYPES.get(sf_type, ("string", "text", "text"))
    out: dict[str, Any] = {"name": name, "label": _label(describe, sf_field), "type": typ,
                           "fieldType": field_type}
    if typ == "enumeration":
        values = next((f.get("picklistValues") or [] for f in describe.get("fields", [])
                       if f["name"] == sf_field), [])
        out["options"] = [{"value": v["value"], "label": v.get("label") or v["value"],
                           "displayOrder": i, "hidden": False}
                          for i, v in enumerate(values) if v.get("active", True)]
    return out


def _label(describe: dict[str, Any], sf_field: str) -> str:
    return next((f.get("label") or sf_field for f in describe.get("fields", [])
                 if f["name"] == sf_field), sf_field)
