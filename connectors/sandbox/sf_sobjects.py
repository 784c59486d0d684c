"""sObject resources: ``sobjects/`` (list), ``sobjects/X/`` (GET metadata, POST create),
``sobjects/X/describe/``, ``sobjects/X/{id}`` (GET ?fields=, PATCH, DELETE),
``sobjects/X/{ExtField}/{value}`` (GET, PATCH upsert: 201 created / 200 updated, 300 with
the candidates' URLs when a non-unique external id matches several records; upsert by ``Id``
updates that record or answers NOT_FOUND, never creates), ``sobjects/X/updated|deleted/``
(answered by `sf_query`), and sObject Collections: ``composite/sobjects`` (POST create,
PATCH update, DELETE ``?ids=&allOrNone=``, GET/POST ``composite/sobjects/X`` retrieve; at
most 200 records) and
``composite/sobjects/X/ExtField`` (PATCH upsert; several matches fail the record with
DUPLICATE_EXTERNAL_ID). Unique fields refuse a value another record holds (DUPLICATE_VALUE,
`sf_records`).
"""

from __future__ import annotations

from typing import Any

from connectors.sandbox.sf_common import (
    COLLECTION_LIMIT,
    ID_RE,
    ApiError,
    MultipleMatches,
    _method_not_allowed,
    _require_object,
    norm_id,
    not_found,
)
from connectors.sandbox.sf_limits import DataApiGate
from connectors.sandbox.sf_schema import API_VERSION, KEY_PREFIXES, PREFIX_TO_OBJECT, FieldDef


class SObjectsMixin(DataApiGate):
    """``sobjects/...`` and ``composite/sobjects/...``."""

    def sobjects(
        self, method: str, parts: list[str], arg: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        org = self.org
        if not parts:
            return 200, {
                "encoding": "UTF-8",
                "maxBatchSize": 200,
                "sobjects": [org.sobject_summary(o) for o in org.fields],
            }
        obj = org.object_name(parts[0])
        if obj is None:
            raise not_found()
        if len(parts) == 1:
            if method == "GET":
                recent = [
                    org.serialize(obj, r, ["Id", "Name"] if org.field(obj, "Name") else ["Id"])
                    for r in list(org.recs[obj].values())[-5:]
                    if not r["IsDeleted"]
                ]
                return 200, {"objectDescribe": org.sobject_summary(obj), "recentItems": recent}
            if method == "POST":
                _require_object(body)
                rid = org.create(obj, body)
                return 201, {"id": rid, "success": True, "errors": []}
            raise _method_not_allowed(method)
        if len(parts) == 2:
            sub = parts[1]
            if sub == "describe" and method == "GET":
                return 200, org.describe(obj)
            if sub in ("deleted", "updated") and method == "GET":
                return 200, org.changes(obj, sub, arg.get("start"), arg.get("end"))
            if not ID_RE.match(sub):
                raise ApiError(
                    404,
                    "NOT_FOUND",
                    f"Provided external ID field does not exist or is not accessible: {sub}",
                )
            if method == "GET":
                rec = org.get_live(obj, sub)
                fields = None
                if arg.get("fields"):
                    fields = []
                    for n in arg["fields"].split(","):
                        f = org.field(obj, n.strip())
                        if f is None:
                            raise ApiError(
                                400,
                                "INVALID_FIELD",
                                f"No such column '{n.strip()}' on sobject of type {obj}",
                            )
                        fields.append(f.name)
                return 200, org.serialize(obj, rec, fields)
            if method == "PATCH":
                _require_object(body)
                org.update(obj, sub, body)
                return 204, None
            if method == "DELETE":
                org.delete(obj, sub)
                return 204, None
            raise _method_not_allowed(method)
        if len(parts) == 3:
            fname, value = parts[1], parts[2]
            f = org.field(obj, fname)
            if f is None or not (f.external_id or f.name == "Id"):
                raise ApiError(
                    404,
                    "NOT_FOUND",
                    f"Provided external ID field does not exist or is not accessible: {fname}",
                )
            if method == "PATCH":
                _require_object(body)
                rid, created = org.upsert(obj, f.name, value, body)
                return (201 if created else 200), {
                    "id": rid,
                    "success": True,
                    "errors": [],
                    "created": created,
                }
            matches = self._ext_matches(obj, f, value)
            if not matches:
                raise not_found()
            if len(matches) > 1:
                raise MultipleMatches(obj, f.name, value, matches, API_VERSION)
            if method == "GET":
                return 200, org.serialize(obj, org.recs[obj][matches[0]])
            if method == "DELETE":
                org.delete(obj, matches[0])
                return 204, None
            raise _method_not_allowed(method)
        raise not_found()

    def _ext_matches(self, obj: str, f: FieldDef, value: str) -> list[str]:
        org = self.org
        if f.name == "Id":
            rec = org.recs[obj].get(norm_id(value))
            return [rec["Id"]] if rec and not rec["IsDeleted"] else []
        return org.ext_ids(obj, f.name, value)

    # ----------------------------------------------------------------- collections

    def collections(
        self, method: str, parts: list[str], arg: dict[str, str], body: Any, rel: str
    ) -> tuple[int, Any]:
        org = self.org
        if method == "DELETE" and not parts:
            ids = [i for i in (arg.get("ids") or "").split(",") if i]
            all_or_none = (arg.get("allOrNone") or "false").lower() == "true"
            _check_size(len(ids))
            return 200, self._each(ids, all_or_none, rel, self._delete_any)
        if (
            method in ("GET", "POST")
            and len(parts) == 1
            and (method == "GET" or (isinstance(body, dict) and "ids" in body))
        ):
            obj = org.object_name(parts[0])
            if obj is None:
                raise not_found()
            if method == "GET":
                ids = [i for i in (arg.get("ids") or "").split(",") if i]
                names = [n for n in (arg.get("fields") or "").split(",") if n]
            else:
                ids, names = body.get("ids") or [], body.get("fields") or []
            _check_size(len(ids), limit=2000)
            fields = []
            for n in names:
                f = org.field(obj, n)
                if f is None:
                    raise ApiError(
                        400, "INVALID_FIELD", f"No such column '{n}' on sobject of type {obj}"
                    )
                fields.append(f.name)
            out = []
            for rid in ids:
                rec = org.recs[obj].get(norm_id(rid))
                out.append(
                    None
                    if rec is None or rec["IsDeleted"]
                    else org.serialize(obj, rec, fields or None)
                )
            return 200, out
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            if method in ("POST", "PATCH"):
                raise ApiError(
                    400,
                    "JSON_PARSER_ERROR",
                    'Cannot deserialize instance of the request: expected {"records": [...]}',
                )
            raise _method_not_allowed(method)
        records = body["records"]
        all_or_none = bool(body.get("allOrNone"))
        _check_size(len(records))
        if method == "POST" and not parts:
            return 200, self._each(records, all_or_none, rel, self._create_one)
        if method == "PATCH" and not parts:
            return 200, self._each(records, all_or_none, rel, self._update_one)
        if method == "PATCH" and len(parts) == 2:
            obj = org.object_name(parts[0])
            if obj is None:
                raise not_found()
            f = org.field(obj, parts[1])
            if f is None or not (f.external_id or f.name == "Id"):
                raise ApiError(
                    400,
                    "INVALID_FIELD",
                    f"Field {parts[1]} is not an External ID or indexed field for {obj}",
                    [parts[1]],
                )
            counts: dict[str, int] = {}
            for r in records:
                v = r.get(f.name) if isinstance(r, dict) else None
                if v not in (None, ""):
                    k = org._ext_key(obj, f.name, v)
                    counts[k] = counts.get(k, 0) + 1

            def up(r: dict) -> tuple[str | None, bool]:
                _check_type(r, obj)
                v = r.get(f.name)
                if f.name == "Id":  # no Id: a create; an Id that matches nothing: NOT_FOUND
                    data = {k: val for k, val in r.items() if k not in ("attributes", "Id")}
                    return org.upsert(obj, "Id", str(v or ""), data)
                if v in (None, ""):
                    raise ApiError(400, "MISSING_ARGUMENT", f"{f.name} not specified", [f.name])
                if counts.get(org._ext_key(obj, f.name, v), 0) > 1:
                    raise ApiError(
                        400,
                        "DUPLICATE_EXTERNAL_ID",
                        f"Duplicate external id specified: {v}",
                        [f.name],
                    )
                data = {k: val for k, val in r.items() if k != "attributes"}
                return org.upsert(obj, f.name, str(v), data)

            return 200, self._each(records, all_or_none, rel, up, upsert=True)
        raise _method_not_allowed(method)

    def _create_one(self, r: Any) -> tuple[str, None]:
        obj = _check_type(r)
        if r.get("id") or r.get("Id"):
            raise ApiError(400, "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        return self.org.create(obj, {k: v for k, v in r.items() if k != "attributes"}), None

    def _update_one(self, r: Any) -> tuple[str, None]:
        obj = _check_type(r)
        rid = r.get("id") or r.get("Id")
        if not rid:
            raise ApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call", [])
        data = {k: v for k, v in r.items() if k not in ("attributes", "id", "Id")}
        if not ID_RE.match(str(rid)) or PREFIX_TO_OBJECT.get(norm_id(rid)[:3]) != obj:
            raise ApiError(400, "MALFORMED_ID", f"Id: id value of incorrect type: {rid}", ["Id"])
        self.org.update(obj, rid, data)
        return norm_id(rid), None

    def _delete_any(self, rid: str) -> tuple[str, None]:
        obj = PREFIX_TO_OBJECT.get(norm_id(rid)[:3]) if ID_RE.match(rid) else None
        if obj is None:
            raise ApiError(400, "MALFORMED_ID", f"malformed id {rid}", [])
        rec = self.org.recs[obj].get(norm_id(rid))
        if rec is None:
            raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
        if rec["IsDeleted"]:
            raise ApiError(400, "ENTITY_IS_DELETED", "entity is deleted", [])
        self.org.delete(obj, rid)
        return norm_id(rid), None

    def _each(
        self, items: list, all_or_none: bool, rel: str, fn: Any, upsert: bool = False
    ) -> list[dict]:
        org = self.org
        results: list[dict] = []
        failed = False
        with org.transaction():
            for item in items:
                try:
                    if self._record_lock(rel):
                        raise ApiError(
                            400,
                            "UNABLE_TO_LOCK_ROW",
                            "unable to obtain exclusive access to this record or 1 records",
                            [],
                        )
                    rid, created = fn(item)
                    res: dict[str, Any] = {"id": rid, "success": True, "errors": []}
                    if upsert:
                        res["created"] = created
                except ApiError as e:
                    failed = True
                    res = {"id": None, "success": False, "errors": [e.record_error()]}
                    if upsert:
                        res["created"] = False
                results.append(res)
                if failed and all_or_none:
                    break
            if failed and all_or_none:
                org.rollback()
        if failed and all_or_none:
            rolled = {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and "
                "the request was using AllOrNone header",
                "fields": [],
            }
            out = []
            for i in range(len(items)):
                if i < len(results) and not results[i]["success"]:
                    out.append(results[i])
                else:
                    r = {"id": None, "success": False, "errors": [rolled]}
                    if upsert:
                        r["created"] = False
                    out.append(r)
            return out
        return results


def _check_size(n: int, limit: int = COLLECTION_LIMIT) -> None:
    if n > limit:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {limit} records into this call",
        )


def _check_type(r: Any, expected: str | None = None) -> str:
    if not isinstance(r, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "each record must be an object")
    t = (r.get("attributes") or {}).get("type")
    if not t:
        raise ApiError(
            400,
            "INVALID_TYPE",
            "Must send a concrete entity type. The attributes.type property is required",
        )
    org_obj = t if t in KEY_PREFIXES else None
    if org_obj is None:
        raise ApiError(400, "INVALID_TYPE", f"sObject type '{t}' is not supported.")
    if expected and org_obj != expected:
        raise ApiError(
            400,
            "INVALID_TYPE",
            f"The record type {t} does not match the type {expected} in the URL",
        )
    return org_obj
