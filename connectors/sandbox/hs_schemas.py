"""Custom object schemas of the HubSpot emulator: `/crm-object-schemas/v3/schemas`.

What the real API does, and so this module:
- POST creates a schema from `name`, `labels`, `primaryDisplayProperty`, `requiredProperties`,
  `properties` and `associatedObjects`; the answer (201) carries `objectTypeId` "2-N" and
  `fullyQualifiedName` "p{portalId}_{name}", and one association definition per associated
  object. developers.hubspot.com/docs/api-reference/latest/crm/objects/schemas/create-schema
- `name` can only contain letters, numbers and underscores and must start with a letter; it
  cannot be changed; a second schema with the same name is refused (409). Required and
  primary display properties must be among `properties`. (Same page, "name" field.)
- Records of the new object are then read and written through `/crm/v3/objects/{objectType}`,
  where objectType is the objectTypeId or the fully qualified name (schemas guide).
- Custom objects need an Enterprise subscription and are limited per account: 10 here.

Not emulated: PATCH of a schema, archiving one, association definitions added later
(`/schemas/{objectType}/associations`), and labels in several languages.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox import hs_assoc
from connectors.sandbox.hs_base import err
from connectors.sandbox.hs_store import ObjectStore, Portal, Prop, iso, now_ms

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
MAX_SCHEMAS = 10
OBJECT_NAMES = {"CONTACT": "contacts", "COMPANY": "companies", "DEAL": "deals",
                "TICKET": "tickets"}
PROP_TYPES = {"string": "text", "number": "number", "date": "date", "datetime": "date",
              "enumeration": "select", "bool": "booleancheckbox"}
FIRST_CUSTOM_TYPE = 2_000_001  # objectTypeIds "2-2000001", … (a real portal's look alike)

RULES = [
    Rule("/crm-object-schemas/v3/schemas", methods=["GET"], endpoint="schemas_list"),
    Rule("/crm-object-schemas/v3/schemas", methods=["POST"], endpoint="schemas_create"),
    Rule("/crm-object-schemas/v3/schemas/<otype>", methods=["GET"], endpoint="schemas_get"),
]


def add_custom_type(portal: Portal, name: str, singular: str, plural_label: str,
                    type_id: str) -> ObjectStore:
    """A new object type reachable by its objectTypeId, fully qualified name and p_{name}."""
    fqn = f"p{portal.hub_id}_{name}"
    st = ObjectStore(fqn, type_id, fqn, singular, portal._ids)
    st.plural_label = plural_label  # type: ignore[attr-defined]
    portal.stores[fqn] = st
    for alias in (fqn, type_id, f"p_{name}", fqn.lower()):
        portal.aliases[alias] = fqn
    return st


def schema_body(portal: Portal, st: ObjectStore, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": st.type_id.split("-", 1)[1],
        "objectTypeId": st.type_id,
        "fullyQualifiedName": st.plural,
        "name": schema["name"],
        "labels": schema["labels"],
        "primaryDisplayProperty": schema.get("primaryDisplayProperty"),
        "requiredProperties": schema.get("requiredProperties", []),
        "searchableProperties": schema.get("searchableProperties", []),
        "secondaryDisplayProperties": schema.get("secondaryDisplayProperties", []),
        "properties": [p.to_api() for p in st.props.values() if not p.hubspot_defined],
        "associations": schema["associations"],
        "metaType": "PORTAL_SPECIFIC",
        "archived": False,
        "createdAt": schema["createdAt"],
        "updatedAt": schema["createdAt"],
    }


class SchemasMixin:
    """Handlers mixed into the emulator app (it provides lock, portal, json and err)."""

    portal: Portal
    lock: Any
    schemas: dict[str, dict[str, Any]]

    def schemas_list(self, req: Request) -> Response:
        with self.lock:
            results = [schema_body(self.portal, self.portal.stores[fqn], s)
                       for fqn, s in self.schemas.items()]
        return self.json({"results": results})  # type: ignore[attr-defined]

    def schemas_get(self, req: Request, otype: str) -> Response:
        with self.lock:
            st = self.portal.store(otype)
            if st is None or st.plural not in self.schemas:
                raise err(404, "OBJECT_NOT_FOUND", f"Unable to find object type {otype}")
            return self.json(schema_body(self.portal, st, self.schemas[st.plural]))  # type: ignore[attr-defined]

    def schemas_create(self, req: Request) -> Response:
        body = self._body(req)  # type: ignore[attr-defined]
        if not isinstance(body, dict):
            raise err(400, "VALIDATION_ERROR", "Invalid input JSON")
        name = body.get("name")
        labels = body.get("labels") or {}
        props = body.get("properties") or []
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise err(400, "VALIDATION_ERROR",
                       "Object names must start with a letter and contain only letters, "
                       "numbers and underscores.", context={"name": [str(name)]})
        if not labels.get("singular") or not labels.get("plural"):
            raise err(400, "VALIDATION_ERROR", "labels.singular and labels.plural are required")
        if not isinstance(props, list) or not all(isinstance(p, dict) and p.get("name")
                                                  for p in props):
            raise err(400, "VALIDATION_ERROR", "Every property needs a name")
        names = {p["name"] for p in props}
        primary = body.get("primaryDisplayProperty")
        wanted = [*(body.get("requiredProperties") or []), *([primary] if primary else [])]
        missing = [n for n in wanted if n not in names]
        if missing:
            raise err(400, "VALIDATION_ERROR",
                       f"Properties {missing} are not defined in this schema.",
                       context={"properties": missing})
        assoc_to = []
        for obj in body.get("associatedObjects") or []:
            target = OBJECT_NAMES.get(str(obj).upper())
            if target is None:
                raise err(400, "VALIDATION_ERROR", f"Unknown associated object {obj}")
            assoc_to.append(target)
        with self.lock:
            if any(s["name"] == name for s in self.schemas.values()):
                raise err(409, "OBJECT_ALREADY_EXISTS",
                           f"An object type with name {name} already exists.",
                           context={"name": [name]})
            if len(self.schemas) >= MAX_SCHEMAS:
                raise err(400, "VALIDATION_ERROR",
                           f"This account has reached its limit of {MAX_SCHEMAS} custom "
                           "objects.")
            type_id = f"2-{FIRST_CUSTOM_TYPE + len(self.schemas)}"
            st = add_custom_type(self.portal, name, labels["singular"], labels["plural"],
                                 type_id)
            for p in props:
                typ = p.get("type", "string")
                st.props[p["name"]] = Prop(
                    p["name"], p.get("label") or p["name"], typ,
                    p.get("fieldType") or PROP_TYPES.get(typ, "text"),
                    f"{name}_information",
                    [str(o.get("value") if isinstance(o, dict) else o)
                     for o in p.get("options") or []] or (["true", "false"]
                                                           if typ == "bool" else []),
                    bool(p.get("hasUniqueValue")), hubspot_defined=False,
                    description=p.get("description", ""))
                if p.get("hasUniqueValue"):
                    st.add_unique_index(p["name"])
            associations = []
            for target in assoc_to:
                to_st = self.portal.stores[target]
                tid = hs_assoc.add_custom_pair(st.plural, target)
                associations.append({"id": str(tid), "fromObjectTypeId": type_id,
                                     "toObjectTypeId": to_st.type_id,
                                     "name": f"{name}_to_{to_st.singular}"})
            self.schemas[st.plural] = {**body, "associations": associations,
                                       "createdAt": iso(now_ms())}
            out = schema_body(self.portal, st, self.schemas[st.plural])
        return self.json(out, 201)  # type: ignore[attr-defined]
