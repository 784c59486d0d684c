"""CRM v3 properties of the HubSpot emulator: list, get, create, update and archive
/crm/v3/properties/{type}[/{name}] (also used by the control API's property endpoint)."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox.hs_base import HubSpotBase, err
from connectors.sandbox.hs_store import ObjectStore


class PropertiesMixin(HubSpotBase):
    def properties_list(self, req: Request, otype: str) -> Response:
        st = self._store(otype)
        with self.lock:
            results = [p.to_api() for p in st.props.values()]
        return self.json({"results": results})

    def property_get(self, req: Request, otype: str, name: str) -> Response:
        st = self._store(otype)
        with self.lock:
            p = st.props.get(name)
            if p is None:
                raise err(404, "OBJECT_NOT_FOUND",
                          f"Unable to find property {name} for object type {st.type_id}")
            return self.json(p.to_api())

    def property_create(self, req: Request, otype: str) -> Response:
        st = self._store(otype)
        body = self._body(req)
        with self.lock:
            p = self._make_prop(st, body, api=True)
            return self.json(p.to_api(), 201)

    def _make_prop(self, st: ObjectStore, body: dict[str, Any], api: bool) -> Any:
        from connectors.sandbox.hs_store import Prop

        name = body.get("name")
        if not name or not isinstance(name, str):
            raise err(400, "VALIDATION_ERROR", "Property name is required")
        if api and name in st.props:
            raise err(409, "OBJECT_ALREADY_EXISTS", f"Property named '{name}' already exists.",
                      context={"name": [name]})
        typ = body.get("type", "string")
        ftype = body.get("fieldType", "select" if typ == "enumeration" else "text")
        if typ not in ("string", "number", "date", "datetime", "enumeration", "bool"):
            raise err(400, "VALIDATION_ERROR", f"Invalid property type {typ!r}")
        opts = [str(o.get("value") if isinstance(o, dict) else o)
                for o in body.get("options") or []]
        if typ == "enumeration" and not opts and api:
            raise err(400, "VALIDATION_ERROR",
                      "Enumeration properties must have at least one option")
        unique = bool(body.get("hasUniqueValue", body.get("unique", False)))
        if unique and typ not in ("string", "number"):
            raise err(400, "VALIDATION_ERROR", "Only string or number properties can be unique")
        if typ == "bool" and not opts:
            opts = ["true", "false"]
        existing = st.props.get(name)
        if existing and not api:
            p = existing
            if "label" in body:
                p.label = body["label"]
            if opts:
                p.options = opts
            if "read_only" in body:
                p.read_only = bool(body["read_only"])
            if unique and not p.unique:
                p.unique = True
                st.add_unique_index(name)
            return p
        p = Prop(name, body.get("label", name), typ, ftype,
                 body.get("groupName", "contactinformation"), opts, unique,
                 bool(body.get("read_only", False)), bool(body.get("calculated", False)),
                 hubspot_defined=False, description=body.get("description", ""))
        st.props[name] = p
        if unique:
            st.add_unique_index(name)
        return p

    def property_update(self, req: Request, otype: str, name: str) -> Response:
        st = self._store(otype)
        body = self._body(req)
        with self.lock:
            p = st.props.get(name)
            if p is None:
                raise err(404, "OBJECT_NOT_FOUND",
                          f"Unable to find property {name} for object type {st.type_id}")
            if p.hubspot_defined and ("type" in body or "fieldType" in body):
                raise err(400, "VALIDATION_ERROR",
                          f"Property {name} is HubSpot-defined; its type cannot be changed")
            for k, attr in (("label", "label"), ("description", "description"),
                            ("groupName", "group"), ("type", "type"),
                            ("fieldType", "field_type")):
                if k in body:
                    setattr(p, attr, body[k])
            if "options" in body:
                p.options = [str(o.get("value") if isinstance(o, dict) else o)
                             for o in body["options"]]
            return self.json(p.to_api())

    def property_delete(self, req: Request, otype: str, name: str) -> Response:
        st = self._store(otype)
        with self.lock:
            p = st.props.get(name)
            if p is None:
                raise err(404, "OBJECT_NOT_FOUND",
                          f"Unable to find property {name} for object type {st.type_id}")
            if p.hubspot_defined:
                raise err(400, "VALIDATION_ERROR",
                          f"Property {name} is HubSpot-defined and cannot be archived")
            del st.props[name]
            st.unique.pop(name, None)
        return self.json(None, 204)


RULES = [
    Rule("/crm/v3/properties/<otype>", methods=["GET"], endpoint="properties_list"),
    Rule("/crm/v3/properties/<otype>", methods=["POST"], endpoint="property_create"),
    Rule("/crm/v3/properties/<otype>/<name>", methods=["GET"], endpoint="property_get"),
    Rule("/crm/v3/properties/<otype>/<name>", methods=["PATCH"], endpoint="property_update"),
    Rule("/crm/v3/properties/<otype>/<name>", methods=["DELETE"], endpoint="property_delete"),
]
