"""CRM v4 associations of the HubSpot emulator: the per-record routes (default, labelled
put, delete, list) and the batch read/create/archive/labels-archive/associate-default
routes; the association types and the association index are in `hs_assoc`."""

from __future__ import annotations

import contextlib
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox.hs_assoc import ASSOC_TYPES, AssocType, default_type
from connectors.sandbox.hs_base import HubSpotBase, err
from connectors.sandbox.hs_store import ObjectStore, now_ms

# Associations v4 batches: reads take at most 1,000 ids since 2025-02-10
# (developers.hubspot.com/changelog/bug-fix-batch-read-limit-for-hubspot-associations-api);
# create and archive take at most 2,000 inputs (the v4 reference's batch limits).
ASSOC_READ_LIMIT = 1000
ASSOC_WRITE_LIMIT = 2000


class AssocApiMixin(HubSpotBase):
    def _assoc_changed(self, a: str, aid: int, b: str, bid: int, touch: bool) -> None:
        """A contact's associatedcompanyid follows its Primary company association (type 1),
        and changing it modifies the contact, as in HubSpot."""
        if {a, b} != {"contacts", "companies"}:
            return
        cid = aid if a == "contacts" else bid
        st = self._store("contacts")
        rec = st.live(cid)
        if rec is None:
            return
        primary = next((str(co) for co, types in self.assoc.of("contacts", cid, "companies")
                        .items() if 1 in types), "")
        if rec.props.get("associatedcompanyid", "") != primary:
            st.update(rec, {"associatedcompanyid": primary}, at=None if touch else rec.updated)

    def _assoc_pair(self, f: str, t: str) -> tuple[ObjectStore, ObjectStore]:
        a, b = self._store(f), self._store(t)
        if (a.plural, b.plural) not in ASSOC_TYPES:
            raise err(400, "VALIDATION_ERROR",
                      f"{a.singular} and {b.singular} objects cannot be associated",
                      sub="crm.associations.INVALID_OBJECT_TYPE_PAIR")
        return a, b

    def _assoc_check_ids(self, a: ObjectStore, aid: Any, b: ObjectStore, bid: Any
                         ) -> tuple[int, int] | str:
        try:
            ai, bi = int(aid), int(bid)
        except (TypeError, ValueError):
            return f"Invalid object id: {aid!r} / {bid!r}"
        if not a.live(ai):
            return f"No {a.singular} with ID {ai} exists"
        if not b.live(bi):
            return f"No {b.singular} with ID {bi} exists"
        return ai, bi

    def _label_pair(self, a: ObjectStore, ai: int, b: ObjectStore, bi: int) -> dict[str, Any]:
        types = ASSOC_TYPES[(a.plural, b.plural)]
        labels = sorted({types[t].label or "" for t in self.assoc.of(a.plural, ai, b.plural)
                         .get(bi, set()) if t in types and types[t].label})
        return {"fromObjectTypeId": a.type_id, "fromObjectId": ai,
                "toObjectTypeId": b.type_id, "toObjectId": bi, "labels": labels}

    def assoc_default(self, req: Request, f: str, fid: str, t: str, tid: str) -> Response:
        started = now_ms()
        a, b = self._assoc_pair(f, t)
        with self.lock:
            ids = self._assoc_check_ids(a, fid, b, tid)
            if isinstance(ids, str):
                raise err(400, "VALIDATION_ERROR", ids, sub="crm.associations.INVALID_OBJECT_IDS",
                          context={"fromObjectId": [fid], "toObjectId": [tid]})
            dt = default_type(a.plural, b.plural)
            assert dt is not None
            self.assoc.add(a.plural, ids[0], b.plural, ids[1], dt)
            res = [self._default_result(a, ids[0], b, ids[1], dt)]
        return self._batch_response(res, [], started, 200)

    def _default_result(self, a: ObjectStore, ai: int, b: ObjectStore, bi: int,
                        dt: AssocType) -> dict[str, Any]:
        return {"from": {"id": str(ai)}, "to": {"id": str(bi)},
                "associationSpec": {"associationCategory": "HUBSPOT_DEFINED",
                                    "associationTypeId": dt.type_id}}

    def _check_specs(self, a: ObjectStore, b: ObjectStore, specs: Any) -> list[AssocType] | str:
        types = ASSOC_TYPES[(a.plural, b.plural)]
        out = []
        if not isinstance(specs, list) or not specs:
            return "At least one association type is required"
        for s in specs:
            tid = s.get("associationTypeId") if isinstance(s, dict) else None
            cat = s.get("associationCategory") if isinstance(s, dict) else None
            try:
                t = types.get(int(tid)) if tid is not None else None
            except (TypeError, ValueError):
                t = None
            if t is None or cat not in ("HUBSPOT_DEFINED", "USER_DEFINED", "INTEGRATOR_DEFINED"):
                return (f"{tid} is not a valid association type id for {a.singular} to "
                        f"{b.singular} associations")
            out.append(t)
        return out

    def assoc_put(self, req: Request, f: str, fid: str, t: str, tid: str) -> Response:
        a, b = self._assoc_pair(f, t)
        specs = self._body(req)
        with self.lock:
            ids = self._assoc_check_ids(a, fid, b, tid)
            if isinstance(ids, str):
                raise err(400, "VALIDATION_ERROR", ids, sub="crm.associations.INVALID_OBJECT_IDS",
                          context={"fromObjectId": [fid], "toObjectId": [tid]})
            types = self._check_specs(a, b, specs)
            if isinstance(types, str):
                raise err(400, "VALIDATION_ERROR", types,
                          sub="crm.associations.INVALID_ASSOCIATION_TYPE")
            for ty in types:
                self.assoc.add(a.plural, ids[0], b.plural, ids[1], ty)
            return self.json(self._label_pair(a, ids[0], b, ids[1]), 201)

    def assoc_delete(self, req: Request, f: str, fid: str, t: str, tid: str) -> Response:
        a, b = self._assoc_pair(f, t)
        with self.lock, contextlib.suppress(ValueError):
            self.assoc.remove(a.plural, int(fid), b.plural, int(tid))
        return self.json(None, 204)

    def _assoc_to_list(self, a: ObjectStore, ai: int, b: ObjectStore) -> list[dict[str, Any]]:
        types = ASSOC_TYPES[(a.plural, b.plural)]
        out = []
        for bi, tids in sorted(self.assoc.of(a.plural, ai, b.plural).items()):
            if not b.live(bi):
                continue
            out.append({"toObjectId": bi, "associationTypes": [
                {"category": "HUBSPOT_DEFINED", "typeId": x, "label": types[x].label}
                for x in sorted(tids) if x in types]})
        return out

    def assoc_get(self, req: Request, f: str, fid: str, t: str) -> Response:
        a, b = self._assoc_pair(f, t)
        limit = min(int(req.args.get("limit", 500)), 500)
        after = int(req.args.get("after", 0) or 0)
        with self.lock:
            try:
                ai = int(fid)
            except ValueError:
                ai = -1
            if not a.live(ai):
                raise err(404, "OBJECT_NOT_FOUND", f"No {a.singular} with ID {fid} exists")
            rows = self._assoc_to_list(a, ai, b)
        page = rows[after:after + limit]
        body: dict[str, Any] = {"results": page}
        if after + limit < len(rows):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return self.json(body)

    def assoc_batch(self, req: Request, f: str, t: str, op: str) -> Response:
        a, b = self._assoc_pair(f, t)
        body = self._body(req)
        limit = ASSOC_READ_LIMIT if op == "read" else ASSOC_WRITE_LIMIT
        inputs = self._check_batch(body.get("inputs"), limit)
        started = now_ms()
        results: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        with self.lock:
            if op == "read":
                for inp in inputs:
                    key = str((inp or {}).get("id", ""))
                    try:
                        ai = int(key)
                    except ValueError:
                        ai = -1
                    rows = self._assoc_to_list(a, ai, b) if a.live(ai) else []
                    if rows:
                        results.append({"from": {"id": key}, "to": rows})
                    else:
                        errors.append(self._std_error(
                            "VALIDATION_ERROR",
                            f"No {b.singular} is associated with {a.singular} {key}.",
                            {"fromObjectId": [key]},
                            sub="crm.associations.NO_ASSOCIATIONS_FOUND"))
                return self._batch_response(results, errors, started, 200)
            if op == "create":
                for inp in inputs:
                    fid = str(((inp or {}).get("from") or {}).get("id", ""))
                    tid = str(((inp or {}).get("to") or {}).get("id", ""))
                    ids = self._assoc_check_ids(a, fid, b, tid)
                    if isinstance(ids, str):
                        errors.append(self._std_error(
                            "VALIDATION_ERROR", ids, {"fromObjectId": [fid], "toObjectId": [tid]},
                            sub="crm.associations.INVALID_OBJECT_IDS"))
                        continue
                    types = self._check_specs(a, b, (inp or {}).get("types"))
                    if isinstance(types, str):
                        errors.append(self._std_error(
                            "VALIDATION_ERROR", types, {"fromObjectId": [fid],
                                                        "toObjectId": [tid]},
                            sub="crm.associations.INVALID_ASSOCIATION_TYPE"))
                        continue
                    for ty in types:
                        self.assoc.add(a.plural, ids[0], b.plural, ids[1], ty)
                    results.append(self._label_pair(a, ids[0], b, ids[1]))
                return self._batch_response(results, errors, started, 201)
            if op == "associate/default":
                dt = default_type(a.plural, b.plural)
                assert dt is not None
                for inp in inputs:
                    fid = str(((inp or {}).get("from") or {}).get("id", ""))
                    tid = str(((inp or {}).get("to") or {}).get("id", ""))
                    ids = self._assoc_check_ids(a, fid, b, tid)
                    if isinstance(ids, str):
                        errors.append(self._std_error(
                            "VALIDATION_ERROR", ids, {"fromObjectId": [fid], "toObjectId": [tid]},
                            sub="crm.associations.INVALID_OBJECT_IDS"))
                        continue
                    self.assoc.add(a.plural, ids[0], b.plural, ids[1], dt)
                    results.append(self._default_result(a, ids[0], b, ids[1], dt))
                # This endpoint answers 200 with `errors` inside (its only documented status).
                resp = self._batch_response(results, errors, started, 200)
                resp.status_code = 200
                return resp
            if op in ("archive", "labels/archive"):
                for inp in inputs:
                    with contextlib.suppress(TypeError, ValueError):
                        ai = int(((inp or {}).get("from") or {}).get("id"))  # type: ignore[arg-type]
                        tos = (inp or {}).get("to") or []
                        # archive sends "to" as a list; labels/archive as one {"id"}
                        for to in [tos] if isinstance(tos, dict) else tos:
                            bi = int(to.get("id") if isinstance(to, dict) else to)  # type: ignore[arg-type]
                            tids = None
                            if op == "labels/archive":
                                tids = {int(s["associationTypeId"])
                                        for s in (inp or {}).get("types") or []}
                            self.assoc.remove(a.plural, ai, b.plural, bi, tids)
                return self.json(None, 204)
        raise err(404, "OBJECT_NOT_FOUND", "Not found")


RULES = [
    Rule("/crm/v4/objects/<f>/<fid>/associations/default/<t>/<tid>", methods=["PUT"],
         endpoint="assoc_default"),
    Rule("/crm/v4/objects/<f>/<fid>/associations/<t>/<tid>", methods=["PUT"],
         endpoint="assoc_put"),
    Rule("/crm/v4/objects/<f>/<fid>/associations/<t>/<tid>", methods=["DELETE"],
         endpoint="assoc_delete"),
    Rule("/crm/v4/objects/<f>/<fid>/associations/<t>", methods=["GET"], endpoint="assoc_get"),
    Rule("/crm/v4/associations/<f>/<t>/batch/<path:op>", methods=["POST"],
         endpoint="assoc_batch"),
]
