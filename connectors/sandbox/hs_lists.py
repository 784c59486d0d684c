"""CRM v3 lists of the HubSpot emulator: create, get, get many, delete, search, and the
memberships routes (read, add, remove, add-and-remove) of MANUAL, DYNAMIC and SNAPSHOT
lists; the list record and its filter branches are in `hs_assoc`."""

from __future__ import annotations

import contextlib
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox.hs_assoc import HsList, branch_matches, validate_branch
from connectors.sandbox.hs_base import HSError, HubSpotBase, err
from connectors.sandbox.hs_store import iso, now_ms


class ListsMixin(HubSpotBase):
    def _list_members(self, lst: HsList) -> dict[int, int]:
        st = self.portal.store(lst.object_type_id)
        if st is None:
            return {}
        if lst.processing_type == "DYNAMIC" and lst.filter_branch is not None:
            return {r.id: r.updated for r in st.records.values()
                    if not r.archived and branch_matches(r, lst.filter_branch)}
        return {rid: ms for rid, ms in lst.members.items() if st.live(rid)}

    def _get_list(self, list_id: str) -> HsList:
        try:
            lst = self.lists.get(int(list_id))
        except ValueError:
            lst = None
        if lst is None or lst.deleted:
            raise err(404, "OBJECT_NOT_FOUND", f"List {list_id} does not exist.")
        return lst

    def create_list_from(self, body: dict[str, Any]) -> HsList:
        name = body.get("name")
        otid = body.get("objectTypeId")
        ptype = body.get("processingType")
        if not name or not otid or ptype not in ("MANUAL", "DYNAMIC", "SNAPSHOT"):
            raise err(400, "VALIDATION_ERROR",
                      "name, objectTypeId and processingType (MANUAL, DYNAMIC, SNAPSHOT) are "
                      "required")
        st = self._store(str(otid))
        if any(x.name == name and not x.deleted for x in self.lists.values()):
            raise err(400, "VALIDATION_ERROR", f"A list named '{name}' already exists.",
                      sub="ILS.DUPLICATE_LIST_NAMES")
        branch = body.get("filterBranch")
        if ptype == "DYNAMIC":
            e = validate_branch(branch, st)
            if e:
                raise err(400, "VALIDATION_ERROR", e)
        elif branch is not None and ptype == "MANUAL":
            raise err(400, "VALIDATION_ERROR", "MANUAL lists cannot have filters")
        lst = HsList(next(self._list_ids), name, st.type_id, ptype, branch)
        if ptype == "SNAPSHOT" and branch is not None:
            lst.members = {r.id: now_ms() for r in st.records.values()
                           if not r.archived and branch_matches(r, branch)}
        self.lists[lst.list_id] = lst
        return lst

    def lists_create(self, req: Request) -> Response:
        body = self._body(req)
        with self.lock:
            lst = self.create_list_from(body)
            return self.json({"list": lst.to_api(len(self._list_members(lst)))})

    def lists_get(self, req: Request, list_id: str) -> Response:
        with self.lock:
            lst = self._get_list(list_id)
            return self.json({"list": lst.to_api(len(self._list_members(lst)),
                                                 self._flag(req, "includeFilters"))})

    def lists_get_many(self, req: Request) -> Response:
        with self.lock:
            out = []
            for lid in req.args.getlist("listIds"):
                with contextlib.suppress(HSError):
                    lst = self._get_list(lid)
                    out.append(lst.to_api(len(self._list_members(lst))))
            return self.json({"lists": out})

    def lists_delete(self, req: Request, list_id: str) -> Response:
        with self.lock:
            self._get_list(list_id).deleted = True
        return self.json(None, 204)

    def lists_search(self, req: Request) -> Response:
        body = self._body(req)
        q = str(body.get("query") or "").lower()
        offset = int(body.get("offset") or 0)
        count = min(int(body.get("count") or 20), 500)
        ptypes = body.get("processingTypes") or []
        ids = {str(x) for x in body.get("listIds") or []}
        with self.lock:
            found = [x for x in sorted(self.lists.values(), key=lambda x: x.list_id)
                     if not x.deleted and q in x.name.lower()
                     and (not ptypes or x.processing_type in ptypes)
                     and (not ids or str(x.list_id) in ids)]
            page = found[offset:offset + count]
            lists = []
            for x in page:
                d = x.to_api(len(self._list_members(x)))
                d["additionalProperties"] = {"hs_list_size": str(d["size"])}
                d.pop("size", None)
                lists.append(d)
        return self.json({"lists": lists, "total": len(found), "offset": offset + len(page),
                          "hasMore": offset + len(page) < len(found)})

    def lists_members(self, req: Request, list_id: str) -> Response:
        limit = min(int(req.args.get("limit", 100)), 250)
        after = int(req.args.get("after", 0) or 0)
        with self.lock:
            lst = self._get_list(list_id)
            members = sorted(self._list_members(lst).items())
        page = members[after:after + limit]
        body: dict[str, Any] = {"results": [{"recordId": str(r), "membershipTimestamp": iso(ms)}
                                            for r, ms in page], "total": len(members)}
        if after + limit < len(members):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return self.json(body)

    def _membership_change(self, lst: HsList, add: list[Any], remove: list[Any]
                           ) -> dict[str, Any]:
        if lst.processing_type != "MANUAL":
            raise err(400, "VALIDATION_ERROR",
                      f"List {lst.list_id} is a {lst.processing_type} list; memberships can "
                      "only be changed on MANUAL lists.")
        st = self.portal.store(lst.object_type_id)
        assert st is not None
        added, removed, missing = [], [], []
        for x in add:
            try:
                rid = int(x)
            except (TypeError, ValueError):
                missing.append(str(x))
                continue
            if not st.live(rid):
                missing.append(str(x))
            elif rid not in lst.members:
                lst.members[rid] = now_ms()
                added.append(str(rid))
        for x in remove:
            with contextlib.suppress(TypeError, ValueError):
                if lst.members.pop(int(x), None) is not None:
                    removed.append(str(int(x)))
        lst.updated = now_ms()
        return {"recordIdsRemoved": removed, "recordsIdsAdded": added,
                "recordIdsMissing": missing}

    def lists_members_add(self, req: Request, list_id: str) -> Response:
        body = self._body(req)
        with self.lock:
            return self.json(self._membership_change(self._get_list(list_id), body or [], []))

    def lists_members_remove(self, req: Request, list_id: str) -> Response:
        body = self._body(req)
        with self.lock:
            return self.json(self._membership_change(self._get_list(list_id), [], body or []))

    def lists_members_add_remove(self, req: Request, list_id: str) -> Response:
        body = self._body(req)
        with self.lock:
            return self.json(self._membership_change(
                self._get_list(list_id), body.get("recordIdsToAdd") or [],
                body.get("recordIdsToRemove") or []))


RULES = [
    Rule("/crm/v3/lists/", methods=["POST"], endpoint="lists_create"),
    Rule("/crm/v3/lists/", methods=["GET"], endpoint="lists_get_many"),
    Rule("/crm/v3/lists/search", methods=["POST"], endpoint="lists_search"),
    Rule("/crm/v3/lists/<list_id>", methods=["GET"], endpoint="lists_get"),
    Rule("/crm/v3/lists/<list_id>", methods=["DELETE"], endpoint="lists_delete"),
    Rule("/crm/v3/lists/<list_id>/memberships", methods=["GET"], endpoint="lists_members"),
    Rule("/crm/v3/lists/<list_id>/memberships/add", methods=["PUT"],
         endpoint="lists_members_add"),
    Rule("/crm/v3/lists/<list_id>/memberships/remove", methods=["PUT"],
         endpoint="lists_members_remove"),
    Rule("/crm/v3/lists/<list_id>/memberships/add-and-remove", methods=["PUT"],
         endpoint="lists_members_add_remove"),
]
