"""Record writes of the Salesforce data API: validation, create, update, delete, upsert.

What `sobjects/X` (POST), `sobjects/X/{id}` (PATCH, DELETE), `sobjects/X/{ExtField}/{value}`
(PATCH upsert) and the sObject Collections do to the store: field access and type checks
(INVALID_FIELD, INVALID_FIELD_FOR_INSERT_UPDATE, INVALID_TYPE_ON_FIELD_IN_RECORD), references
(MALFORMED_ID, INVALID_CROSS_REFERENCE_KEY, ENTITY_IS_DELETED), required fields, restricted
picklists, lengths, emails, state and country picklists (labels and codes), validation rules,
duplicate rules (DUPLICATES_DETECTED), field-level read-only; deletes cascade as
`sf_relations` says.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from connectors.sandbox import soql
from connectors.sandbox.sf_common import (
    ADDRESS_PREFIXES,
    EMAIL_RE,
    ID_RE,
    ApiError,
    MultipleMatches,
    norm_id,
)
from connectors.sandbox.sf_permissions import PERMISSION_OBJECTS
from connectors.sandbox.sf_relations import delete_targets
from connectors.sandbox.sf_schema import (
    API_VERSION,
    NUMBER_TYPES,
    PREFIX_TO_OBJECT,
    TEXT_TYPES,
    FieldDef,
)
from connectors.sandbox.sf_store import OrgStore


class RecordsMixin(OrgStore):
    """Validated record writes (the data API's, not the control API's raw ones)."""

    # ---------------------------------------------------------------- validation

    def check_reference(self, obj: str, f: FieldDef, value: str) -> str:
        if not ID_RE.match(value):
            raise ApiError(
                400, "MALFORMED_ID", f"{f.label}: id value of incorrect type: {value}", [f.name]
            )
        rid = norm_id(value)
        target = PREFIX_TO_OBJECT.get(rid[:3])
        if target not in f.reference_to:
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"{f.label}: id value of incorrect type: {value}",
                [f.name],
            )
        rec = self.recs[target].get(rid)
        if rec is None:
            raise ApiError(
                400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name]
            )
        if rec["IsDeleted"]:
            raise ApiError(400, "ENTITY_IS_DELETED", "entity is deleted", [f.name])
        return rid

    def coerce(self, obj: str, f: FieldDef, v: Any) -> Any:
        if v is None:
            return None

        def bad() -> ApiError:
            return ApiError(
                400,
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{f.label}: value not of required type: {v}",
                [f.name],
            )

        t = f.type
        if t in TEXT_TYPES:
            if isinstance(v, bool | dict | list):
                raise bad()
            s = str(v) if not isinstance(v, str) else v
            if t == "email":
                s = s.strip()
            return s if s != "" else None
        if t == "boolean":
            if not isinstance(v, bool):
                raise bad()
            return v
        if t in NUMBER_TYPES:
            if isinstance(v, bool):
                raise bad()
            if isinstance(v, str):
                try:
                    v = float(v)
                except ValueError:
                    raise bad() from None
            if not isinstance(v, int | float):
                raise bad()
            return int(v) if t == "int" else float(v)
        if t == "date":
            if not isinstance(v, str):
                raise bad()
            try:
                return date.fromisoformat(v[:10]).isoformat()
            except ValueError:
                raise bad() from None
        if t == "datetime":
            if not isinstance(v, str):
                raise bad()
            try:
                return soql.canonical_datetime(v)
            except ValueError:
                raise bad() from None
        if t in ("reference", "id"):
            if not isinstance(v, str):
                raise bad()
            if v == "":
                return None
            return self.check_reference(obj, f, v) if t == "reference" else norm_id(v)
        return v

    def prepare(self, obj: str, data: dict, existing: dict | None) -> dict:
        """Validate a create (existing None) or update; return the new full record."""
        insert = existing is None
        clean: dict[str, Any] = {}
        for key, value in data.items():
            if key == "attributes":
                continue
            f = self.field(obj, key)
            if f is None:
                raise ApiError(
                    400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj}", [key]
                )
            if f.name == "Id":
                if existing is not None and norm_id(str(value)) == existing["Id"]:
                    continue
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    "Unable to create/update fields: Id. Please check the security "
                    "settings of this field and verify that it is read/write for "
                    "your profile or permission set.",
                    ["Id"],
                )
            if (insert and not f.createable) or (not insert and not f.updateable):
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {f.name}. Please check the "
                    "security settings of this field and verify that it is "
                    "read/write for your profile or permission set.",
                    [f.name],
                )
            if self.enforce_fls and self.fls.access(self, obj, f.name) == "read":
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {f.name}. Please check the security "
                    "settings of this field and verify that it is read/write for your profile "
                    "or permission set.",
                    [f.name],
                )
            if (obj, f.name) in self.readonly:
                raise ApiError(
                    400,
                    "INSUFFICIENT_ACCESS_OR_READONLY",
                    "You do not have the level of access necessary to perform the "
                    f"operation you requested. Field is read-only: {f.name}",
                    [f.name],
                )
            clean[f.name] = self.coerce(obj, f, value)

        merged = dict(existing) if existing else self._defaults(obj, "")
        if insert:
            for k, v in list(clean.items()):
                if v is None:
                    f = self.field(obj, k)
                    if f and f.defaulted:
                        del clean[k]
        merged.update(clean)
        self._address(obj, clean, merged)

        missing = [
            f.name
            for f in self.fields[obj]
            if f.required
            and (f.createable if insert else True)
            and merged.get(f.name) in (None, "")
        ]
        if missing:
            raise ApiError(
                400,
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        for name in clean:
            f = self.field(obj, name)
            v = merged.get(name)
            if f is None or v is None:
                continue
            if f.type == "picklist" and f.restricted and not f.name.endswith("Code"):
                allowed = {p["value"] for p in self.picklist_values(f) if p.get("active", True)}
                if v not in allowed:
                    raise ApiError(
                        400,
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{f.label}: bad value for restricted picklist field: {v}",
                        [f.name],
                    )
            if f.type in TEXT_TYPES and f.length and len(v) > f.length:
                raise ApiError(
                    400,
                    "STRING_TOO_LONG",
                    f"{f.label}: data value too large: {v} (max length={f.length})",
                    [f.name],
                )
            if f.type == "email" and not EMAIL_RE.match(v):
                raise ApiError(
                    400, "INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {v}", [f.name]
                )
        for rule in self.validation_rules:
            if rule.get("object") == obj and _rule_fires(rule, merged):
                fname = rule.get("field")
                raise ApiError(
                    400,
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    rule.get("message") or "Validation rule failed",
                    [fname] if fname else [],
                )
        for rule in self.duplicate_rules:
            if rule.get("object") != obj:
                continue
            fname = rule.get("field", "Email")
            v = merged.get(fname)
            if not v or (existing is not None and existing.get(fname) == v):
                continue
            matches = self._find_equal(obj, fname, v, exclude=merged.get("Id"))
            if matches:
                raise ApiError(
                    400,
                    "DUPLICATES_DETECTED",
                    "Use one of these records?",
                    [],
                    duplicateResult={
                        "allowSave": False,
                        "duplicateRule": rule.get("name", f"Standard_{obj}_Duplicate_Rule"),
                        "duplicateRuleEntityType": obj,
                        "errorMessage": "You're creating a duplicate record. We recommend you "
                        "use an existing record instead.",
                        "matchResults": [
                            {
                                "entityType": obj,
                                "errors": [],
                                "matchEngine": "ExactMatchEngine",
                                "matchRecords": [
                                    {
                                        "additionalInformation": [],
                                        "fieldDiffs": [],
                                        "matchConfidence": 100.0,
                                        "record": {"attributes": {"type": obj}, "Id": m},
                                    }
                                    for m in matches[:5]
                                ],
                                "rule": f"Standard_Rule_for_{obj}s",
                                "size": len(matches),
                                "success": True,
                            }
                        ],
                    },
                )
        self._check_unique(obj, clean, merged)
        if obj in PERMISSION_OBJECTS:
            self.fls.check_write(self, obj, clean, existing)
        self._compute(obj, merged)
        return merged

    def _check_unique(self, obj: str, clean: dict, merged: dict) -> None:
        """A unique field (an external id made unique, Username) refuses a value another
        live record holds, as the database index does: "DUPLICATE_VALUE, duplicate value
        found: <field> duplicates value on record with id: <id>: []" (the message reported
        in https://github.com/SFDO-Community/declarative-lookup-rollup-summaries/issues/1039;
        the fields list is empty)."""
        for name, v in clean.items():
            f = self.field(obj, name)
            if f is None or not f.unique or v in (None, ""):
                continue
            others = [i for i in self.ext_ids(obj, f.name, v) if i != merged.get("Id")]
            if others:
                raise ApiError(400, "DUPLICATE_VALUE", f"duplicate value found: {f.name} "
                               f"duplicates value on record with id: {others[0]}", [])

    def _find_equal(self, obj: str, fname: str, v: Any, exclude: str | None) -> list[str]:
        if fname == "Email":
            ids = self.emails[obj].get(str(v).strip().lower(), set())
            return sorted(i for i in ids if i != exclude)
        key = str(v).strip().lower()
        return [
            r["Id"]
            for r in self.recs[obj].values()
            if not r["IsDeleted"]
            and r["Id"] != exclude
            and str(r.get(fname) or "").strip().lower() == key
        ]

    def _address(self, obj: str, clean: dict, merged: dict) -> None:
        if self.picklist_mode == "disabled":
            return
        for p in ADDRESS_PREFIXES.get(obj, []):
            cf, cc, sf_, sc = f"{p}Country", f"{p}CountryCode", f"{p}State", f"{p}StateCode"
            if clean.get(cc) is not None:
                c = self._country_by_code.get(clean[cc])
                if c is None:
                    f = self.field(obj, cc)
                    raise ApiError(
                        400,
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{f.label if f else cc}: bad value for restricted picklist "
                        f"field: {clean[cc]}",
                        [cc],
                    )
                merged[cf] = c["label"]
            elif clean.get(cf) is not None:
                c = self._country_by_label.get(str(clean[cf]).strip().lower())
                if c is None:
                    raise ApiError(
                        400,
                        "FIELD_INTEGRITY_EXCEPTION",
                        "There's a problem with this country, even though it may "
                        "appear correct. Please select a country/territory from the "
                        "list of valid countries.",
                        [cc],
                    )
                merged[cc], merged[cf] = c["value"], c["label"]
            elif cf in clean or cc in clean:
                merged[cf] = merged[cc] = None
            country = merged.get(cc)
            if clean.get(sc) is not None:
                s = self._state_by_code.get((country or "", clean[sc]))
                if s is None:
                    f = self.field(obj, sc)
                    raise ApiError(
                        400,
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{f.label if f else sc}: bad value for restricted picklist "
                        f"field: {clean[sc]}",
                        [sc],
                    )
                merged[sf_] = s["label"]
            elif clean.get(sf_) is not None:
                s = self._state_by_label.get((country or "", str(clean[sf_]).strip().lower()))
                if s is None:
                    raise ApiError(
                        400,
                        "FIELD_INTEGRITY_EXCEPTION",
                        "There's a problem with this state, even though it may "
                        "appear correct. Please select a state from the list of "
                        "valid states.",
                        [sc],
                    )
                merged[sc], merged[sf_] = s["value"], s["label"]
            elif sf_ in clean or sc in clean:
                merged[sf_] = merged[sc] = None

    # ------------------------------------------------------------------ record ops

    def create(self, obj: str, data: dict) -> str:
        rec = self.prepare(obj, data, None)
        stamp = self.now()
        rec.update(CreatedDate=stamp, LastModifiedDate=stamp, SystemModstamp=stamp)
        rec["Id"] = self.new_id(obj)
        self._compute(obj, rec)
        self._store(obj, rec)
        if obj in PERMISSION_OBJECTS:
            self._invalidate()  # field access changed
        return rec["Id"]

    def update(self, obj: str, rid: str, data: dict) -> None:
        old = self.get_live(obj, rid)
        if obj == "Lead" and old.get("IsConverted"):
            raise ApiError(400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        new = self.prepare(obj, data, old)
        stamp = self.now()
        new.update(LastModifiedDate=stamp, SystemModstamp=stamp, LastModifiedById=self.user_id)
        self._replace(obj, old, new)
        if obj in PERMISSION_OBJECTS:
            self._invalidate()

    def delete(self, obj: str, rid: str) -> None:
        if obj in PERMISSION_OBJECTS:
            self.fls.check_write(self, obj, {}, self.get_live(obj, rid))
            self._invalidate()
        stamp = self.now()  # cascades to children, the record itself last (sf_relations)
        for o, old in delete_targets(self, obj, self.get_live(obj, rid)):
            new = dict(old)
            new.update(IsDeleted=True, SystemModstamp=stamp)
            self.deleted_log[o].append((stamp, new["Id"]))
            self._replace(o, old, new, deleted_log=True)

    def upsert(self, obj: str, fname: str, value: str, data: dict,
               version: str = API_VERSION) -> tuple[str, bool]:
        f = self.field(obj, fname)
        if f is None:
            raise ApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {fname}",
            )
        if f.name == "Id":
            # Upsert by record id updates that record; an id that matches nothing is an
            # error, not a create ("In REST API, upsert uses external ids, not record ids":
            # a new record takes POST sobjects/X/Id with no value, https://developer.
            # salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/dome_upsert.htm).
            if not value:
                return self.create(obj, data), True
            if self.recs[obj].get(norm_id(value)) is None:
                raise ApiError(404, "NOT_FOUND", f"Provided Id does not exist: {value}", ["Id"])
            self.update(obj, value, data)
            return norm_id(value), False
        if not f.external_id:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"Field {f.name} is not an External ID or indexed field for {obj}",
                [f.name],
            )
        body = dict(data)
        given = next((k for k in body if k.lower() == f.name.lower()), None)
        if given is not None and str(body[given]) != value:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"The value for {f.name} in the request body does not match the value in the URL",
                [f.name],
            )
        matches = self.ext_ids(obj, f.name, value)
        if len(matches) > 1:
            raise MultipleMatches(obj, f.name, value, matches, version)
        if matches:
            if given:
                body.pop(given, None)
            self.update(obj, matches[0], body)
            return matches[0], False
        body[f.name] = value
        return self.create(obj, body), True


def _rule_fires(rule: dict, rec: dict) -> bool:
    v = rec.get(rule.get("field", ""))
    op = rule.get("operator", "blank")
    target = rule.get("value")
    s = "" if v is None else str(v)
    if op == "blank":
        return s == ""
    if op == "not_blank":
        return s != ""
    if op == "equals":
        return s == str(target)
    if op == "not_equals":
        return s != str(target)
    if op == "matches":
        return re.search(str(target), s) is not None
    if op == "not_matches":
        return re.search(str(target), s) is None
    if op == "longer_than":
        return len(s) > int(target or 0)
    return False
