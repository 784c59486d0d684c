"""Salesforce custom objects → HubSpot custom objects (FEATURES E3): one way, SF → HS.

A custom object's spec is made from what the admin chose (its API name) and what the first
sync learned: the HubSpot object type the app created for it (its objectTypeId) and the
lookups to objects that sync (Account → companies, Contact → contacts), which become
HubSpot associations. Its key in links, mappings and settings is `custom:API_NAME`.

Nothing is ever written to Salesforce for a custom object: HubSpot's `salesforce_id`
property (unique) is what links a record, so the org needs no new field either.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_lazy as _

from syncadmin.sync.objects.base import AssociationSpec, MappingDefault, ObjectSpec

PREFIX = "custom:"
# Lookups that become associations: the Salesforce object they point to → registry key.
LOOKUP_TARGETS = {"Account": "companies", "Contact": "contacts"}
# Salesforce field types a custom object's fields map from, and the HubSpot property type
# (type, fieldType) and mapping type each becomes (F3's type checks).
FIELD_TYPES: dict[str, tuple[str, str, str]] = {
    "string": ("string", "text", "text"), "textarea": ("string", "textarea", "text"),
    "email": ("string", "text", "text"), "url": ("string", "text", "text"),
    "phone": ("string", "phonenumber", "text"), "picklist": ("enumeration", "select", "picklist"),
    "double": ("number", "number", "number"), "currency": ("number", "number", "number"),
    "percent": ("number", "number", "number"), "int": ("number", "number", "number"),
    "date": ("date", "date", "date"), "datetime": ("datetime", "date", "datetime"),
    "boolean": ("bool", "booleancheckbox", "bool"),
}
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*__c$")


def key_for(sf_object: str) -> str:
    return PREFIX + sf_object


def is_custom(key: str) -> bool:
    return key.startswith(PREFIX)


def sf_object_of(key: str) -> str:
    return key[len(PREFIX):]


def valid_name(sf_object: str) -> bool:
    return bool(NAME_RE.match(sf_object))


def property_name(sf_field: str) -> str:
    """`Tracking_Number__c` → `tracking_number`; `Name` → `name`."""
    base = sf_field[:-3] if sf_field.endswith("__c") else sf_field
    return re.sub(r"[^a-z0-9_]", "_", base.lower()).strip("_") or "field"


def schema_name(sf_object: str) -> str:
    """The HubSpot schema's internal name: letters, digits, underscores, from a letter."""
    return property_name(sf_object)


@lru_cache(maxsize=256)
def spec(sf_object: str, hs_type: str = "", lookups: tuple[tuple[str, str], ...] = (),
         label: str = "") -> ObjectSpec:
    """`lookups`: (Salesforce lookup field, registry key of its target) pairs."""
    key = key_for(sf_object)
    shown = label or sf_object
    return ObjectSpec(
        key=key, label=shown, label_singular=shown, hs_type=hs_type, hs_type_id=hs_type,
        sf_objects=(sf_object,), match="none", identifier=_("nothing (every record syncs)"),
        mappings=(MappingDefault("name", "Name", required=True, rule="always_sf"),),
        associations=tuple(
            AssociationSpec(key=f"{key}:{field}", owner=key, target=target, sf_field=field,
                            label=f"{shown} ⇄ {target}")
            for field, target in lookups),
        depends_on=tuple(sorted({target for _, target in lookups})),
        sf_label_field="Name", hs_label_property="name",
        settings_tab="integration:custom_objects", ui_order=100, one_way=True,
    )


def default_mappings(describe: dict[str, Any]) -> list[MappingDefault]:
    """Name, and every custom field of a mappable type (lookups become associations)."""
    out = [MappingDefault("name", "Name", required=True, rule="always_sf")]
    for f in describe.get("fields", []):
        if not f.get("custom") or f.get("type") not in FIELD_TYPES:
            continue
        out.append(MappingDefault(property_name(f["name"]), f["name"],
                                  field_type=FIELD_TYPES[f["type"]][2], rule="always_sf"))
    return out


def lookups_of(describe: dict[str, Any]) -> dict[str, str]:
    """Lookup fields to objects that sync: {"Contact__c": "contacts"}."""
    out = {}
    for f in describe.get("fields", []):
        targets = f.get("referenceTo") or []
        if f.get("type") == "reference" and len(targets) == 1 and targets[0] in LOOKUP_TARGETS:
            out[f["name"]] = LOOKUP_TARGETS[targets[0]]
    return out
