"""SOQL queries and replication: ``query/``, ``queryAll/``, ``query/{locator}-{offset}``
(queryMore) and ``sobjects/X/updated/``, ``sobjects/X/deleted/`` (getUpdated, getDeleted).

Parsing and evaluation are `soql`, `soql_exec` and `soql_eval`; this module picks candidate
ids from the store's indexes and pages results (up to 2,000 rows or ``batchSize``, fewer once
a page holds PAGE_BYTES of data) behind query locators, whose next-records URLs are under
``query/`` for queryAll too. It answers the replication calls: the recycle bin keeps deleted
records for `retention_days` (15; the control API's ``purge-deleted`` empties it earlier or
changes the retention), getDeleted windows starting before that answer
INVALID_REPLICATION_DATE and queryAll silently stops returning the purged rows, as a real
org does.
"""

from __future__ import annotations

import bisect
from datetime import UTC, datetime
from typing import Any

from connectors.sandbox import soql, soql_exec
from connectors.sandbox.sf_common import ApiError, _b62, norm_id, sf18
from connectors.sandbox.sf_schema import FieldDef
from connectors.sandbox.sf_store import OrgStore

# "The returned batch can include fewer records than the limit or what's set in the request,
# based on the size and complexity of records queried" (https://developer.salesforce.com/
# docs/platform/api-rest/guide/resources-queryall.html); "smaller if you have selected
# several fields or if you have included blob fields (e.g. long text area fields, rich text
# area fields)" (https://help.salesforce.com/s/articleView?id=000386264). Salesforce does not
# publish its rule; the emulator's: a page ends once its rows hold this much data.
PAGE_BYTES = 2_000_000


class QueryMixin(OrgStore):
    """query / queryAll / queryMore and getUpdated / getDeleted over the store."""

    # ----------------------------------------------------------------------- query

    def query(self, text: str, include_deleted: bool, batch: int, version: str) -> dict:
        try:  # parsing, relationships, subqueries and semi-joins: soql, soql_exec, soql_eval
            obj, render, out, count = soql_exec.run(self, text, include_deleted)
        except soql.SoqlError as e:
            raise ApiError(400, e.code, e.message) from None
        if count:
            return {"totalSize": len(out), "done": True, "records": []}
        return self._page(obj, render, out, 0, batch, include_deleted, version, None)

    def _candidates(
        self, obj: str, q: soql.Query, include_deleted: bool
    ) -> tuple[list[str], bool, bool]:
        """Candidate ids from an index: (ids, in SystemModstamp order, WHERE fully applied)."""
        lo: tuple[str, str] | None = None
        hi: tuple[str, str] | None = None
        terms = soql.conjuncts(q.where)
        only_stamp = True
        for c in terms:
            if c[0] == "cmp" and c[1].lower() == "id" and c[2] == "=" and c[3][0] == "str":
                return [norm_id(c[3][1])], False, False
            if c[0] == "in" and c[1].lower() == "id" and not c[3]:
                ids = dict.fromkeys(norm_id(v[1]) for v in c[2] if v[0] == "str")
                return list(ids), False, False
            if c[0] == "cmp" and c[1].lower() == "systemmodstamp" and c[3][0] == "dt":
                v = c[3][1]
                if c[2] in (">", ">="):
                    b = (v, "\uffff") if c[2] == ">" else (v, "")
                    lo = b if lo is None or b > lo else lo
                    continue
                if c[2] in ("<", "<="):
                    b = (v, "") if c[2] == "<" else (v, "\uffff")
                    hi = b if hi is None or b < hi else hi
                    continue
            only_stamp = False
        emails = self.emails[obj]
        if not include_deleted and emails is not None:
            for c in terms:
                if c[0] not in ("cmp", "in") or c[1].lower() != "email":
                    continue
                vals = None
                if c[0] == "cmp" and c[2] == "=" and c[3][0] == "str":
                    vals = [c[3][1]]
                elif c[0] == "in" and not c[3]:
                    vals = [v[1] for v in c[2] if v[0] == "str"]
                if vals is not None:
                    found: set[str] = set()
                    for v in vals:
                        found |= emails.get(str(v).strip().lower(), set())
                    return sorted(found), False, False
        st = self.stamps[obj] if include_deleted else self.live_stamps[obj]
        if lo is not None or hi is not None:
            i = bisect.bisect_left(st, lo) if lo is not None else 0
            j = bisect.bisect_left(st, hi) if hi is not None else len(st)
            return [rid for _, rid in st[i:j]], True, only_stamp
        exact = q.where is None
        if q.order and q.order[0][0].lower() == "systemmodstamp" and not q.order[0][1]:
            return [rid for _, rid in st], True, exact
        return list(self.recs[obj] if include_deleted else self.live[obj]), False, exact

    def _page(
        self,
        obj: str,
        fields: Any,  # a soql_exec row renderer or a list of field names
        ids: list[str],
        start: int,
        batch: int,
        include_deleted: bool,
        version: str,
        locator: str | None,
    ) -> dict:
        recs = self.recs[obj]
        ser = fields if callable(fields) else lambda r: self.serialize(obj, r, fields)
        records, size, taken = [], 0, 0
        for rid in ids[start : start + batch]:
            if size >= PAGE_BYTES:  # wide rows: a short page (see PAGE_BYTES)
                break
            taken += 1
            if rid in recs:
                records.append(row := ser(recs[rid]))
                size += _row_bytes(row)
        body: dict[str, Any] = {
            "totalSize": len(ids),
            "done": start + taken >= len(ids),
            "records": records,
        }
        if not body["done"]:
            if locator is None:
                self.cursor_seq += 1
                n = self.cursor_seq
                locator = sf18("01g" + "5g" + _b62(n, 10))
                self.cursors[locator] = {
                    "obj": obj,
                    "fields": fields,
                    "ids": ids,
                    "include_deleted": include_deleted,
                }
                while len(self.cursors) > 500:
                    self.cursors.popitem(last=False)
            # queryAll's next pages are under query/ too: "Although the nextRecordsUrl has
            # query in the URL, it still provides the remaining results from the initial
            # QueryAll request" (https://developer.salesforce.com/docs/platform/api-rest/
            # guide/resources-queryall.html).
            body["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{start + taken}"
        return body

    def query_more(self, locator: str, batch: int, version: str) -> dict:
        loc, _, offset = locator.partition("-")
        cur = self.cursors.get(loc)
        if cur is None or not offset.isdigit():
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(
            cur["obj"],
            cur["fields"],
            cur["ids"],
            int(offset),
            batch,
            cur["include_deleted"],
            version,
            loc,
        )

    # ------------------------------------------------------------- deleted/updated

    def changes(self, obj: str, kind: str, start: str | None, end: str | None) -> dict:
        if not start or not end:
            raise ApiError(400, "MISSING_ARGUMENT", "start and end parameters are required")
        try:
            s = soql.canonical_datetime(start)
            e = soql.canonical_datetime(end)
        except ValueError:
            raise ApiError(
                400, "INVALID_DATE_FORMAT", "Unable to parse date: start or end"
            ) from None
        if e < s:
            raise ApiError(400, "INVALID_REPLICATION_DATE", "end date must be after the start date")
        latest = min(e, self.now())
        latest = latest[:17] + "00.000+0000"
        earliest = self.earliest_deleted_available()
        if kind == "deleted":
            if s < earliest:
                raise ApiError(
                    400,
                    "INVALID_REPLICATION_DATE",
                    f"startDate before earliest date available: {earliest}",
                )
            log = self.deleted_log[obj]
            i = bisect.bisect_left(log, (s, ""))
            j = bisect.bisect_right(log, (e, "\uffff"))
            seen = []
            for stamp, rid in log[i:j]:
                rec = self.recs[obj].get(rid)
                if rec is not None and rec["IsDeleted"]:
                    seen.append({"id": rid, "deletedDate": stamp})
            return {
                "deletedRecords": seen,
                "earliestDateAvailable": earliest,
                "latestDateCovered": latest,
            }
        st = self.stamps[obj]
        i = bisect.bisect_left(st, (s, ""))
        j = bisect.bisect_right(st, (e, "\uffff"))
        recs = self.recs[obj]
        ids = [rid for _, rid in st[i:j] if not recs[rid]["IsDeleted"]]
        return {"ids": ids, "latestDateCovered": latest}


    # ------------------------------------------------------------- retention

    def earliest_deleted_available(self) -> str:
        """The delete log reaches back `retention_days` (15: "Results are returned for no
        more than 15 days previous to the day the call is executed (or earlier if an
        administrator has purged the Recycle Bin)", https://developer.salesforce.com/docs/
        atlas.en-us.api_rest.meta/api_rest/resources_getdeleted.htm), by the minute."""
        horizon = _minus_days(self.now(), self.retention_days)[:17] + "00.000+0000"
        return max(horizon, self.purged_before or "")

    def purge_deleted(self, before: str) -> int:
        """Empty the recycle bin of what was deleted before `before`: those records are
        gone for good, from getDeleted (INVALID_REPLICATION_DATE for a window starting
        earlier) and from queryAll, which does not fail but no longer returns them ("After
        these records are permanently removed from the recycle bin, you can no longer query
        them", https://developer.salesforce.com/docs/platform/api-rest/guide/
        resources-queryall.html). Returns how many records went."""
        self.purged_before = max(before, self.purged_before or "")
        gone = 0
        for obj, log in self.deleted_log.items():
            self.deleted_log[obj] = [e for e in log if e[0] >= self.purged_before]
            for stamp, rid in log:
                rec = self.recs[obj].get(rid)
                if stamp < self.purged_before and rec is not None and rec["IsDeleted"]:
                    self._unindex(obj, rec)
                    del self.recs[obj][rid]
                    gone += 1
        return gone

    def set_retention(self, days: int) -> int:
        """How long the recycle bin keeps deleted records; what is older goes now."""
        self.retention_days = days
        return self.purge_deleted(_minus_days(self.now(), days))


def _row_bytes(row: Any) -> int:
    """About the JSON size of a rendered row (nested parent records and child results
    included), cheaply."""
    if isinstance(row, dict):
        return sum(len(k) + 4 + _row_bytes(v) for k, v in row.items())
    if isinstance(row, list):
        return sum(_row_bytes(v) for v in row)
    return len(str(row))


def _minus_days(stamp: str, days: int) -> str:
    d = datetime.fromisoformat(stamp.replace("+0000", "+00:00"))
    return soql.format_datetime(d.fromtimestamp(d.timestamp() - days * 86400, UTC))


def soql_invalid(text: str, pos: dict[str, int], name: str, obj: str) -> ApiError:
    e = soql._invalid_field(soql.Query(obj, [], text=text), pos, name, obj)
    return ApiError(400, e.code, e.message)


def _is_stamp_order(order: list[tuple[FieldDef, bool, bool | None]]) -> bool:
    names = [(f.name, desc) for f, desc, _ in order]
    return names in ([("SystemModstamp", False)], [("SystemModstamp", False), ("Id", False)])
