"""CRM v3 search of the HubSpot emulator: POST /crm/v3/objects/{type}/search (filter groups,
sorts, query, the 10,000 result cap); the matching itself is `hs_store.ObjectStore`'s."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox.hs_base import HubSpotBase, err

SEARCH_CAP = 10_000
SEARCH_MAX_LIMIT = 200
OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
             "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}


class SearchMixin(HubSpotBase):
    def search(self, req: Request, otype: str) -> Response:
        st = self._store(otype)
        body = self._body(req)
        limit = int(body.get("limit") or 10)
        after = int(body.get("after") or 0)
        if limit > SEARCH_MAX_LIMIT or limit < 0:
            raise err(400, "VALIDATION_ERROR",
                      f"limit must be between 0 and {SEARCH_MAX_LIMIT}, was {limit}")
        if after >= SEARCH_CAP:
            raise err(400, "VALIDATION_ERROR",
                      f"Search results are limited to {SEARCH_CAP:,}; 'after' must be lower "
                      f"than {SEARCH_CAP}, was {after}. Narrow the filters to page further.",
                      context={"after": [str(after)], "limit": [str(SEARCH_CAP)]})
        groups_raw = body.get("filterGroups") or []
        if len(groups_raw) > 5:
            raise err(400, "VALIDATION_ERROR", "Too many filter groups: at most 5 are allowed")
        groups: list[list[dict[str, Any]]] = []
        nfilters = 0
        for g in groups_raw:
            fs = g.get("filters") or []
            if len(fs) > 6:
                raise err(400, "VALIDATION_ERROR", "Too many filters in a group: at most 6")
            nfilters += len(fs)
            for f in fs:
                if f.get("operator") not in OPERATORS:
                    raise err(400, "VALIDATION_ERROR",
                              f"Invalid operator {f.get('operator')!r}")
                name = f.get("propertyName")
                if name not in st.props and name != "id":
                    raise err(400, "VALIDATION_ERROR",
                              f'Property "{name}" does not exist',
                              errors=[{"message": f'Property "{name}" does not exist',
                                       "code": "PROPERTY_DOESNT_EXIST",
                                       "context": {"propertyName": [str(name)]}}])
            groups.append(fs)
        if nfilters > 18:
            raise err(400, "VALIDATION_ERROR", "Too many filters: at most 18 in total")
        sorts: list[tuple[str, bool]] = []
        for s in body.get("sorts") or []:
            if isinstance(s, str):
                sorts.append((s.lstrip("-"), s.startswith("-")))
            elif isinstance(s, dict):
                sorts.append((s.get("propertyName", "hs_object_id"),
                              str(s.get("direction", "ASCENDING")).upper() == "DESCENDING"))
        props = list(body.get("properties") or [])
        with self.lock:
            total, page = st.search_page(groups, sorts, body.get("query"), after,
                                         min(limit, SEARCH_CAP - after))
            results = [st.to_api(r, props) for r in page]
        out: dict[str, Any] = {"total": total, "results": results}
        if after + len(page) < total and page:
            out["paging"] = {"next": {"after": str(after + len(page))}}
        return self.json(out)


RULES = [
    Rule("/crm/v3/objects/<otype>/search", methods=["POST"], endpoint="search"),
]
