"""CRM v3 objects of the HubSpot emulator: list, create, get, update, archive, and the batch
read/create/update/upsert/archive endpoints (partial success with objectWriteTraceId, see
`connectors.sandbox.hubspot`), with the write validation and create-time associations
they share."""

from __future__ import annotations

import contextlib
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox import hs_pipelines
from connectors.sandbox.hs_assoc import ASSOC_TYPES, type_name
from connectors.sandbox.hs_base import (
    HSError,
    HubSpotBase,
    err,
    prop_error_details,
    prop_errors_message,
)
from connectors.sandbox.hs_store import ObjectStore, Rec, now_ms


class ObjectsMixin(HubSpotBase):
    def _not_found_msg(self, st: ObjectStore) -> str:
        return (f"Could not get some {st.singular.upper()} objects, they may be deleted or "
                "not exist. Check that ids are valid.")

    def _conflict_msg(self, st: ObjectStore, name: str, other: int, value: str) -> str:
        if name == "email":
            return f"{st.label} already exists. Existing ID: {other}"
        return (f'A {st.singular} with the value "{value}" already exists for the unique '
                f'property "{name}". Existing ID: {other}')

    def _prepare_write(self, st: ObjectStore, values: Any, own: Rec | None
                       ) -> tuple[dict[str, str] | None, dict[str, Any] | None, int]:
        """-> (clean values, error body pieces {category, message, errors}, status)."""
        if not isinstance(values, dict):
            return None, {"category": "VALIDATION_ERROR",
                          "message": "Invalid input: properties must be an object",
                          "errors": []}, 400
        clean, errs = st.validate(values, creating=own is None, portal_id=self.portal.hub_id,
                                  owners=self._owners())
        stage_errs, missing = self.pipelines.check(st, clean, own) if not errs else ([], [])
        errs += stage_errs
        if missing:
            return None, {"category": "VALIDATION_ERROR", "errors": [],
                          "message": hs_pipelines.missing_message(st, missing)}, 400
        if errs:
            return None, {"category": "VALIDATION_ERROR",
                          "message": prop_errors_message(errs, self.portal.hub_id),
                          "errors": prop_error_details(errs)}, 400
        conflict = st.unique_conflict(clean, own.id if own else None)
        if conflict:
            name, other = conflict
            return None, {"category": "CONFLICT",
                          "message": self._conflict_msg(st, name, other, clean[name]),
                          "errors": []}, 409
        return clean, None, 200

    def _find(self, st: ObjectStore, key: str, id_property: str | None) -> Rec | None:
        if id_property and id_property not in ("hs_object_id",):
            p = st.props.get(id_property)
            if p is None or not p.unique:
                raise err(400, "VALIDATION_ERROR",
                          f"Property {id_property} is not a unique property and cannot be "
                          "used as idProperty.")
            return st.find_by(id_property, key)
        return st.find_by("hs_object_id", key)

    def _assoc_extra(self, st: ObjectStore, rec: Rec, names: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n in names:
            other = self.portal.store(n)
            if other is None:
                continue
            results = []
            for tid, types in sorted(self.assoc.of(st.plural, rec.id, other.plural).items()):
                if not other.live(tid):
                    continue
                for t in sorted(types):
                    at = ASSOC_TYPES.get((st.plural, other.plural), {}).get(t)
                    if at:
                        results.append({"id": str(tid), "type": type_name(st, other, at)})
            if results:
                out[other.plural] = {"results": results}
        return {"associations": out} if out else {}

    def _apply_create_associations(self, st: ObjectStore, rec: Rec, assocs: Any) -> None:
        for a in assocs or []:
            to_id = int((a.get("to") or {}).get("id", 0))
            for spec in a.get("types") or []:
                type_id = int(spec.get("associationTypeId", 0))
                for (fa, fb), types in ASSOC_TYPES.items():
                    if fa == st.plural and type_id in types:
                        other = self.portal.stores[fb]
                        if other.live(to_id):
                            self.assoc.add(fa, rec.id, fb, to_id, types[type_id])
                        break

    def _check_create_associations(self, st: ObjectStore, assocs: Any) -> str | None:
        for a in assocs or []:
            try:
                to_id = int((a.get("to") or {}).get("id", 0))
            except (TypeError, ValueError):
                return "Invalid association target id"
            for spec in a.get("types") or []:
                type_id = int(spec.get("associationTypeId", 0))
                found = None
                for (fa, fb), types in ASSOC_TYPES.items():
                    if fa == st.plural and type_id in types:
                        found = fb
                        break
                if found is None:
                    return f"{type_id} is not a valid association type id for {st.singular}"
                if not self.portal.stores[found].live(to_id):
                    return f"No {self.portal.stores[found].singular} with ID {to_id} exists"
        return None

    # ---- objects: basic ----------------------------------------------------------------
    def list_objects(self, req: Request, otype: str) -> Response:
        st = self._store(otype)
        limit = min(max(int(req.args.get("limit", 10)), 1), 100)
        after = int(req.args.get("after", 0) or 0)
        archived = self._flag(req, "archived")
        props = self._props_param(req)
        assoc_names = self._props_param(req, "associations")
        with self.lock:
            ids = sorted(rid for rid, r in st.records.items()
                         if rid > after and r.archived == archived)
            page = ids[:limit]
            results = [st.to_api(st.records[rid], props,
                                 self._assoc_extra(st, st.records[rid], assoc_names))
                       for rid in page]
        body: dict[str, Any] = {"results": results}
        if len(ids) > limit:
            nxt = str(page[-1])
            body["paging"] = {"next": {"after": nxt, "link": f"{req.base_url}?after={nxt}"}}
        return self.json(body)

    def create_object(self, req: Request, otype: str) -> Response:
        st = self._store(otype)
        body = self._body(req)
        with self.lock:
            clean, e, status = self._prepare_write(st, body.get("properties") or {}, None)
            if e:
                raise err(status, e["category"], e["message"], errors=e["errors"] or None)
            aerr = self._check_create_associations(st, body.get("associations"))
            if aerr:
                raise err(400, "VALIDATION_ERROR", aerr, sub="crm.associations.INVALID_OBJECT_IDS")
            rec = st.create(clean or {})
            self._apply_create_associations(st, rec, body.get("associations"))
            out = st.to_api(rec, list(body.get("properties") or {}))
        return self.json(out, 201)

    def get_object(self, req: Request, otype: str, oid: str) -> Response:
        st = self._store(otype)
        archived = self._flag(req, "archived")
        with self.lock:
            rec = self._find(st, oid, req.args.get("idProperty"))
            if rec is None and archived:
                with contextlib.suppress(ValueError):
                    rec = st.records.get(int(oid))
                if rec is not None and not rec.archived:
                    rec = None
            if rec is None:
                raise err(404, "OBJECT_NOT_FOUND", "resource not found")
            out = st.to_api(rec, self._props_param(req),
                            self._assoc_extra(st, rec, self._props_param(req, "associations")))
        return self.json(out)

    def update_object(self, req: Request, otype: str, oid: str) -> Response:
        st = self._store(otype)
        body = self._body(req)
        with self.lock:
            rec = self._find(st, oid, req.args.get("idProperty"))
            if rec is None:
                raise err(404, "OBJECT_NOT_FOUND", "resource not found")
            clean, e, status = self._prepare_write(st, body.get("properties") or {}, rec)
            if e:
                raise err(status, e["category"], e["message"], errors=e["errors"] or None)
            st.update(rec, clean or {})
            out = st.to_api(rec, list(body.get("properties") or {}))
        return self.json(out)

    def archive_object(self, req: Request, otype: str, oid: str) -> Response:
        st = self._store(otype)
        with self.lock:
            rec = self._find(st, oid, None)
            if rec is not None:
                st.archive(rec)
        return self.json(None, 204)

    # ---- objects: batch ----------------------------------------------------------------
    def batch(self, req: Request, otype: str, op: str) -> Response:
        st = self._store(otype)
        body = self._body(req)
        inputs = self._check_batch(body.get("inputs"))
        started = now_ms()
        handler = {"read": self._batch_read, "create": self._batch_create,
                   "update": self._batch_update, "upsert": self._batch_upsert,
                   "archive": self._batch_archive}.get(op)
        if handler is None:
            raise err(404, "OBJECT_NOT_FOUND", "Not found")
        with self.lock:
            return handler(st, body, inputs, started)

    def _batch_read(self, st: ObjectStore, body: dict[str, Any], inputs: list[Any],
                    started: int) -> Response:
        id_prop = body.get("idProperty")
        props = list(body.get("properties") or [])
        if id_prop and id_prop not in props:
            props.append(id_prop)
        results, missing = [], []
        seen: set[int] = set()
        for inp in inputs:
            key = str((inp or {}).get("id", ""))
            rec = self._find(st, key, id_prop)
            if rec is None:
                missing.append(key)
            elif rec.id not in seen:
                seen.add(rec.id)
                results.append(st.to_api(rec, props))
        errors = []
        if missing:
            errors.append(self._std_error("OBJECT_NOT_FOUND", self._not_found_msg(st),
                                          {"ids": missing}))
        return self._batch_response(results, errors, started, 200)

    def _dup_check(self, inputs: list[Any], key: str = "id") -> None:
        seen, dups = set(), []
        for inp in inputs:
            k = str((inp or {}).get(key, ""))
            if k in seen:
                dups.append(k)
            seen.add(k)
        if dups:
            raise err(400, "VALIDATION_ERROR",
                      f"Duplicate IDs found in batch input: {dups}. IDs must be unique",
                      context={"ids": dups})

    @staticmethod
    def _partial(inputs: list[Any]) -> bool:
        return any(isinstance(i, dict) and i.get("objectWriteTraceId") for i in inputs)

    def _fail_whole(self, e: dict[str, Any], status: int, ctx: dict[str, list[str]]) -> HSError:
        return err(status, e["category"], e["message"], errors=e["errors"] or None,
                   context=ctx)

    def _entry_error(self, e: dict[str, Any], ctx: dict[str, list[str]]) -> dict[str, Any]:
        return self._std_error(e["category"], e["message"], ctx, e["errors"])

    @staticmethod
    def _ctx(inp: dict[str, Any], ids: list[str] | None = None) -> dict[str, list[str]]:
        ctx: dict[str, list[str]] = {}
        if ids:
            ctx["ids"] = ids
        if inp.get("objectWriteTraceId"):
            ctx["objectWriteTraceId"] = [str(inp["objectWriteTraceId"])]
        return ctx

    @staticmethod
    def _with_trace(out: dict[str, Any], inp: dict[str, Any]) -> dict[str, Any]:
        if inp.get("objectWriteTraceId"):
            out["objectWriteTraceId"] = str(inp["objectWriteTraceId"])
        return out

    def _batch_create(self, st: ObjectStore, body: dict[str, Any], inputs: list[Any],
                      started: int) -> Response:
        partial = self._partial(inputs)
        plan: list[tuple[dict[str, Any], dict[str, str]]] = []
        errors: list[dict[str, Any]] = []
        batch_unique: dict[tuple[str, str], int] = {}
        for i, inp in enumerate(inputs):
            inp = inp if isinstance(inp, dict) else {}
            clean, e, status = self._prepare_write(st, inp.get("properties") or {}, None)
            if e is None:
                aerr = self._check_create_associations(st, inp.get("associations"))
                if aerr:
                    e, status = {"category": "VALIDATION_ERROR", "message": aerr,
                                 "errors": []}, 400
            if e is None:
                for name in st.unique:
                    v = (clean or {}).get(name)
                    if v:
                        k = (name, st.norm_unique(name, v))
                        if k in batch_unique:
                            e, status = {"category": "VALIDATION_ERROR",
                                         "message": f"Duplicate value {v!r} for unique "
                                                    f"property {name} in batch input "
                                                    f"(inputs {batch_unique[k]} and {i}).",
                                         "errors": []}, 400
                        batch_unique[k] = i
            if e is not None:
                if not partial:
                    raise self._fail_whole(e, status, self._ctx(inp))
                errors.append(self._entry_error(e, self._ctx(inp)))
                continue
            plan.append((inp, clean or {}))
        results = []
        for inp, clean in plan:
            rec = st.create(clean)
            self._apply_create_associations(st, rec, inp.get("associations"))
            results.append(self._with_trace(st.to_api(rec, list(inp.get("properties") or {})),
                                            inp))
        return self._batch_response(results, errors, started, 201)

    def _batch_update(self, st: ObjectStore, body: dict[str, Any], inputs: list[Any],
                      started: int) -> Response:
        self._dup_check(inputs)
        partial = self._partial(inputs)
        plan: list[tuple[dict[str, Any], Rec, dict[str, str]]] = []
        errors: list[dict[str, Any]] = []
        for inp in inputs:
            inp = inp if isinstance(inp, dict) else {}
            key = str(inp.get("id", ""))
            rec = self._find(st, key, inp.get("idProperty"))
            if rec is None:
                e: dict[str, Any] | None = {"category": "OBJECT_NOT_FOUND",
                                            "message": self._not_found_msg(st), "errors": []}
                status = 404
            else:
                clean, e, status = self._prepare_write(st, inp.get("properties") or {}, rec)
            if e is not None:
                if not partial:
                    raise self._fail_whole(e, 400 if status == 404 else status,
                                           self._ctx(inp, [key]))
                errors.append(self._entry_error(e, self._ctx(inp, [key])))
                continue
            plan.append((inp, rec, clean or {}))  # type: ignore[arg-type]
        results = []
        for inp, rec, clean in plan:
            st.update(rec, clean)
            results.append(self._with_trace(st.to_api(rec, list(inp.get("properties") or {})),
                                            inp))
        return self._batch_response(results, errors, started, 200)

    def _batch_upsert(self, st: ObjectStore, body: dict[str, Any], inputs: list[Any],
                      started: int) -> Response:
        self._dup_check(inputs)
        partial = self._partial(inputs)
        plan: list[tuple[dict[str, Any], Rec | None, dict[str, str]]] = []
        errors: list[dict[str, Any]] = []
        new_unique: dict[tuple[str, str], str] = {}
        for inp in inputs:
            inp = inp if isinstance(inp, dict) else {}
            key = str(inp.get("id", ""))
            id_prop = inp.get("idProperty") or "hs_object_id"
            e: dict[str, Any] | None = None
            status = 200
            clean: dict[str, str] | None = None
            rec: Rec | None = None
            p = st.props.get(id_prop)
            if p is None or not p.unique:
                raise err(400, "VALIDATION_ERROR",
                          f"Property {id_prop} is not a unique property and cannot be used "
                          "as idProperty.")
            rec = st.find_by(id_prop, key)
            if rec is None and id_prop == "hs_object_id":
                e, status = {"category": "OBJECT_NOT_FOUND",
                             "message": self._not_found_msg(st), "errors": []}, 404
            else:
                values = dict(inp.get("properties") or {})
                if rec is None:
                    values.setdefault(id_prop, key)
                clean, e, status = self._prepare_write(st, values, rec)
                if e is None and rec is None:
                    for name in st.unique:
                        v = (clean or {}).get(name)
                        if v:
                            k = (name, st.norm_unique(name, v))
                            if k in new_unique:
                                e, status = {"category": "CONFLICT",
                                             "message": f"Duplicate value {v!r} for unique "
                                                        f"property {name} in batch input.",
                                             "errors": []}, 409
                            new_unique[k] = key
            if e is not None:
                if not partial:
                    raise self._fail_whole(e, 400 if status == 404 else status,
                                           self._ctx(inp, [key]))
                errors.append(self._entry_error(e, self._ctx(inp, [key])))
                continue
            plan.append((inp, rec, clean or {}))
        results = []
        for inp, rec, clean in plan:
            is_new = rec is None
            rec = st.create(clean) if rec is None else st.update(rec, clean)
            names = list(inp.get("properties") or {}) + [inp.get("idProperty") or "hs_object_id"]
            out = st.to_api(rec, names)
            out["new"] = is_new
            results.append(self._with_trace(out, inp))
        return self._batch_response(results, errors, started, 200)

    def _batch_archive(self, st: ObjectStore, body: dict[str, Any], inputs: list[Any],
                       started: int) -> Response:
        for inp in inputs:
            rec = self._find(st, str((inp or {}).get("id", "")), None)
            if rec is not None:
                st.archive(rec)
        return self.json(None, 204)


RULES = [
    Rule("/crm/v3/objects/<otype>", methods=["GET"], endpoint="list_objects"),
    Rule("/crm/v3/objects/<otype>", methods=["POST"], endpoint="create_object"),
    Rule("/crm/v3/objects/<otype>/batch/<op>", methods=["POST"], endpoint="batch"),
    Rule("/crm/v3/objects/<otype>/<oid>", methods=["GET"], endpoint="get_object"),
    Rule("/crm/v3/objects/<otype>/<oid>", methods=["PATCH"], endpoint="update_object"),
    Rule("/crm/v3/objects/<otype>/<oid>", methods=["DELETE"], endpoint="archive_object"),
]
