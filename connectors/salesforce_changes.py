"""One read of what changed in Salesforce since each object's watermark, and whether the
deletion log still covers it (DESIGN.md decision 4; issue 15, point 8).

`read_changes` sends, in as few composite requests as Salesforce allows (25 subrequests, at
most five of them queries):

* a ``queryAll`` per queried object (changed and deleted rows since its watermark);
* getUpdated/getDeleted per probed object (ids changed in the window; no query needed);
* a getDeleted check per queried object. ``queryAll`` never says that rows are missing: once
  the recycle bin is emptied (after 15 days, or earlier by an administrator or the delete-log
  purge job) deleted records silently stop coming back. getDeleted does say it, with
  INVALID_REPLICATION_DATE when its window starts before the earliest date still logged
  (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/
  resources_getdeleted.htm). Such objects are returned in `ChangeRead.purged`: the caller
  compares all ids instead of trusting the window.

A watermark older than the log's 15 days is purged without asking. An idle read of any
number of objects (up to 25 subrequests) stays one API call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from connectors.salesforce import COMPOSITE_QUERIES, TRANSIENT, classify, ident, soql_datetime

if TYPE_CHECKING:
    from connectors.salesforce import SalesforceAdapter

COMPOSITE_SUBREQUESTS = 25
DELETE_LOG_REACH = timedelta(days=15)
# getDeleted refuses a window shorter than a minute ("The specified startDate must
# chronologically precede the specified endDate value by more than one minute",
# https://developer.salesforce.com/docs/atlas.en-us.264.0.api.meta/api/
# sforce_api_calls_getdeleted.htm); the check only asks whether the log reaches back to the
# watermark, so a wider window is harmless.
MIN_WINDOW = timedelta(minutes=2)
REPLICATION_REFUSED = "INVALID_REPLICATION_DATE"


@dataclass
class ChangeRead:
    rows: dict[str, list[dict]] = field(default_factory=dict)  # per queried object
    changed: dict[str, set[str]] = field(default_factory=dict)  # probed: ids changed/deleted
    purged: set[str] = field(default_factory=set)  # deletions since the watermark may be lost


@dataclass
class _Sub:
    ref: str
    obj: str
    url: str
    query: bool = False


def read_changes(sf: SalesforceAdapter, queries: dict[str, str], since: dict[str, datetime],
                 until: datetime, probes: dict[str, datetime] | None = None) -> ChangeRead:
    """`queries`: object -> queryAll SOQL; `since`: each queried object's watermark;
    `probes`: object -> watermark, for objects read by getUpdated/getDeleted instead."""
    v = f"/services/data/v{sf.config.api_version}"
    out = ChangeRead()
    subs: list[_Sub] = []
    for i, (obj, soql) in enumerate(queries.items()):
        subs.append(_Sub(f"q{i}", obj, f"{v}/queryAll/?q=" + quote(soql, safe=""), True))
        if until - since[obj] >= DELETE_LOG_REACH:
            out.purged.add(obj)
        else:
            start = min(since[obj], until - MIN_WINDOW)  # only the error matters here
            subs.append(_Sub(f"g{i}", obj, _window_url(v, "deleted", obj, start, until)))
    for i, (obj, start) in enumerate((probes or {}).items()):
        subs.append(_Sub(f"u{i}", obj, _window_url(v, "updated", obj, start, until)))
        subs.append(_Sub(f"d{i}", obj, _window_url(v, "deleted", obj, start, until)))
    for batch in _composites(subs):
        res = sf._restful("composite", method="POST", json={"compositeRequest": [
            {"method": "GET", "url": s.url, "referenceId": s.ref} for s in batch]})
        by_ref = {r["referenceId"]: r for r in res["compositeResponse"]}
        for s in batch:
            _apply(sf, out, s, by_ref[s.ref], queries)
    return out


def _window_url(v: str, kind: str, obj: str, start: datetime, until: datetime) -> str:
    return (f"{v}/sobjects/{ident(obj)}/{kind}/?start={quote(soql_datetime(start))}"
            f"&end={quote(soql_datetime(until))}")


def _composites(subs: list[_Sub]) -> list[list[_Sub]]:
    batches: list[list[_Sub]] = []
    for s in subs:
        last = batches[-1] if batches else None
        if (last is None or len(last) >= COMPOSITE_SUBREQUESTS
                or (s.query and sum(x.query for x in last) >= COMPOSITE_QUERIES)):
            batches.append([s])
        else:
            last.append(s)
    return batches


def _apply(sf: SalesforceAdapter, out: ChangeRead, s: _Sub, sub: dict[str, Any],
           queries: dict[str, str]) -> None:
    body = sub.get("body")
    failed = sub.get("httpStatusCode", 500) >= 300
    if s.query:
        if failed:
            err = _error(body, sub, s.obj)
            if err.kind not in TRANSIENT:
                raise err
            out.rows[s.obj] = [r for page in sf.query(queries[s.obj], True) for r in page]
        else:
            out.rows[s.obj] = sf._rest_of(body or {}, queries[s.obj], True)
        return
    if failed:
        err = _error(body, sub, s.obj)
        if err.code == REPLICATION_REFUSED and s.ref[0] in "gd":
            out.purged.add(s.obj)
            return
        raise err
    if s.ref[0] == "g":
        return
    items = (body or {}).get("ids" if s.ref[0] == "u" else "deletedRecords") or []
    out.changed.setdefault(s.obj, set()).update(
        x["id"] if isinstance(x, dict) else x for x in items)


def _error(body: Any, sub: dict[str, Any], obj: str) -> Any:
    first = body[0] if isinstance(body, list) and body and isinstance(body[0], dict) else {}
    return classify(str(first.get("errorCode") or ""), str(first.get("message") or body),
                    status=sub.get("httpStatusCode"), record=obj)
