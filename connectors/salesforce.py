"""Salesforce adapter over simple-salesforce: the only code that calls Salesforce.

DESIGN.md decisions 1 (the real client over any instance URL and CA), 3 (idempotent upserts
keyed by an external-ID field, created through the Tooling API when missing), 4 (change
detection by `SystemModstamp` windows, `queryAll`/getDeleted for deletions, several SOQL
queries in one composite request so an idle poll costs one call), 6 (one choke point) and 7
(errors are `RemoteError`s with a stable `Kind`).

The choke point is `_CountingSession`, the `requests.Session` handed to simple-salesforce:
every request to the data API (``/services/data/...``), retries included, is checked against
the `Budget` before it is sent (`BudgetExhausted`, nothing sent) and recorded in the
`UsageLedger` after; the `Sforce-Limit-Info` header of each answer updates the org-wide
figure. OAuth requests (token refresh, userinfo) are not API calls for Salesforce and are not
counted, so the ledger matches Salesforce's own ``api-usage`` count.

Retries: 5xx, timeouts, connection errors, 429 and request-level ``UNABLE_TO_LOCK_ROW`` are
retried with exponential backoff and full jitter (at most `max_retries` times, honouring
``Retry-After``); records that fail with ``UNABLE_TO_LOCK_ROW`` inside a collection are resent
alone the same way. ``INVALID_SESSION_ID`` triggers one refresh-token grant and one retry.
Permanent errors never retry. Per-record failures inside collection results are `Outcome`s.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import requests
from requests.adapters import HTTPAdapter
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError

from connectors.errors import BudgetExhausted, Kind, Outcome, RemoteError
from connectors.salesforce_bulk import Bulk2Runner
from connectors.salesforce_permissions import grant_field_access
from connectors.usage import Budget, UsageLedger

REMOTE = "salesforce"
COLLECTION = 200  # records per sObject Collections request
RETRIEVE = 2000  # ids per collection retrieve
COMPOSITE_QUERIES = 5  # query subrequests allowed in one composite request
IN_CHUNK = 200  # ids per `WHERE Id IN (...)`
# A query travels URL-encoded in the URI of a GET, and Salesforce refuses a URI over 16,384
# bytes (414) or URI and headers together over 16,384 (431): https://help.salesforce.com/s/
# articleView?id=000386264. IN lists are cut so that a query stays under this many encoded
# bytes, leaving room for the instance URL, the path and the headers (the session token).
SOQL_URI_BUDGET = 10_000

T = TypeVar("T")

CODE_KINDS: dict[str, Kind] = {
    "INVALID_EMAIL_ADDRESS": Kind.INVALID_EMAIL,
    "STRING_TOO_LONG": Kind.VALUE_TOO_LONG,
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": Kind.PICKLIST_VALUE,
    "BAD_VALUE_FOR_RESTRICTED_PICKLIST": Kind.PICKLIST_VALUE,
    "REQUIRED_FIELD_MISSING": Kind.REQUIRED_FIELD,
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": Kind.VALIDATION_RULE,
    "DUPLICATES_DETECTED": Kind.DUPLICATE_RULE,
    "DUPLICATE_VALUE": Kind.DUPLICATE_VALUE,  # a unique field: another record holds it
    "DUPLICATE_EXTERNAL_ID": Kind.AMBIGUOUS_MATCH,  # the key matches several records
    "INSUFFICIENT_ACCESS_OR_READONLY": Kind.INSUFFICIENT_ACCESS,
    "INVALID_FIELD_FOR_INSERT_UPDATE": Kind.INSUFFICIENT_ACCESS,
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": Kind.INSUFFICIENT_ACCESS,
    "CANNOT_UPDATE_CONVERTED_LEAD": Kind.INSUFFICIENT_ACCESS,
    "ENTITY_IS_DELETED": Kind.RECORD_DELETED,
    "UNABLE_TO_LOCK_ROW": Kind.RECORD_LOCKED,
    "INVALID_FIELD": Kind.FIELD_MISSING,
    "INVALID_TYPE": Kind.FIELD_MISSING,
    "INVALID_TYPE_ON_FIELD_IN_RECORD": Kind.TYPE_MISMATCH,
    "JSON_PARSER_ERROR": Kind.TYPE_MISMATCH,
    "MALFORMED_ID": Kind.TYPE_MISMATCH,
    "INVALID_CROSS_REFERENCE_KEY": Kind.ASSOCIATION_FAILED,
    "REQUEST_LIMIT_EXCEEDED": Kind.SF_DAILY_LIMIT,
    "INVALID_SESSION_ID": Kind.AUTH_EXPIRED,
    "UNKNOWN_EXCEPTION": Kind.UNAVAILABLE,
    "SERVER_UNAVAILABLE": Kind.UNAVAILABLE,
    "TOO_MANY_REQUESTS": Kind.RATE_LIMITED,
}
TRANSIENT = {Kind.UNAVAILABLE, Kind.RATE_LIMITED, Kind.RECORD_LOCKED}
_LIMIT_RE = re.compile(r"api-usage=(\d+)/(\d+)")
_DATA_RE = re.compile(r"/services/data/v[\d.]+/?(.*)$")


def classify(
    code: str,
    message: str,
    *,
    status: int | None = None,
    fields: Iterable[str] = (),
    record: str | None = None,
    retry_after: float | None = None,
) -> RemoteError:
    """One Salesforce error (an errorCode/statusCode and message) as a `RemoteError`."""
    kind = CODE_KINDS.get(code)
    if kind is None:
        if code == "NOT_FOUND":
            kind = Kind.FIELD_MISSING if "external ID field" in message else Kind.RECORD_DELETED
        elif code == "FIELD_INTEGRITY_EXCEPTION" and re.search(
            r"problem with this (country|state)", message
        ):
            kind = Kind.PICKLIST_VALUE
        elif status is not None and status >= 500:
            kind = Kind.UNAVAILABLE
        elif status == 429:
            kind = Kind.RATE_LIMITED
        else:
            kind = Kind.GENERIC
    return RemoteError(
        kind,
        message or code,
        code=code,
        remote=REMOTE,
        record=record,
        fields=tuple(fields),
        status=status,
        retry_after=retry_after,
    )


def soql_datetime(d: datetime) -> str:
    """A SOQL datetime literal in UTC with milliseconds (SystemModstamp's precision)."""
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    d = d.astimezone(UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}Z"


_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$")


def ident(name: str) -> str:
    """An object or field API name, checked before it goes into SOQL or a URL."""
    if not _IDENT.match(name):
        raise ValueError(f"not a Salesforce API name: {name!r}")
    return name


def soql_quote(value: str) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def changes_soql(sobject: str, fields: Iterable[str], since: datetime) -> str:
    """Records changed after `since`, oldest first; with queryAll, deleted ones too."""
    cols = ", ".join(ident(n) for n in dict.fromkeys(["Id", *fields]))
    return (f"SELECT {cols} FROM {ident(sobject)} "  # noqa: S608 - names checked by ident()
            f"WHERE SystemModstamp > {soql_datetime(since)} ORDER BY SystemModstamp")


def select_in_soql(sobject: str, fields: Iterable[str], key: str,
                   values: Iterable[str], *, equals: dict[str, bool] | None = None) -> str:
    """Rows whose `key` is one of `values` (quoted), and whose boolean fields in `equals`
    have those values; `select_in_soqls` keeps lists URI-sized."""
    cols = ", ".join(ident(n) for n in dict.fromkeys(fields))
    quoted = ", ".join(soql_quote(v) for v in values)
    more = "".join(f" AND {ident(k)} = {'true' if v else 'false'}"
                   for k, v in (equals or {}).items())
    return (f"SELECT {cols} FROM {ident(sobject)} "  # noqa: S608 - names checked, values quoted
            f"WHERE {ident(key)} IN ({quoted}){more}")


def in_chunks(values: Iterable[str], *templates: str,
              per_chunk: int = IN_CHUNK) -> Iterator[list[str]]:
    """`values` in lists of at most `per_chunk` whose quoted IN list, added to the longest
    of `templates` (the queries with an empty IN list), stays under SOQL_URI_BUDGET bytes
    once URL-encoded: long values (emails) make shorter lists than ids."""
    base = max((_encoded_len(t) for t in templates), default=0)
    chunk: list[str] = []
    size = base
    for v in values:
        add = _encoded_len(soql_quote(v) + ", ")
        if chunk and (len(chunk) >= per_chunk or size + add > SOQL_URI_BUDGET):
            yield chunk
            chunk, size = [], base
        chunk.append(v)
        size += add
    if chunk:
        yield chunk


def select_in_soqls(sobject: str, fields: Iterable[str], key: str, values: Iterable[str], *,
                    equals: dict[str, bool] | None = None,
                    per_query: int = IN_CHUNK) -> Iterator[str]:
    """`select_in_soql` over any number of `values`, as URI-sized queries."""
    names = list(fields)
    empty = select_in_soql(sobject, names, key, [], equals=equals)
    for chunk in in_chunks(values, empty, per_chunk=per_query):
        yield select_in_soql(sobject, names, key, chunk, equals=equals)


def _encoded_len(text: str) -> int:
    return len(quote(text, safe=""))  # %20 for spaces: never shorter than requests' "+"


def after_id_soql(sobject: str, fields: Iterable[str], after_id: str = "", *,
                  equals: dict[str, bool] | None = None) -> str:
    """Every record past `after_id`, in Id order: a read a cursor can resume (imports)."""
    cols = ", ".join(ident(n) for n in dict.fromkeys(["Id", *fields]))
    where = [f"Id > {soql_quote(after_id)}"] if after_id else []
    where += [f"{ident(k)} = {'true' if v else 'false'}" for k, v in (equals or {}).items()]
    clause = f"WHERE {' AND '.join(where)} " if where else ""
    return (f"SELECT {cols} FROM {ident(sobject)} "  # noqa: S608 - names checked, values quoted
            f"{clause}ORDER BY Id")


def parent_changes_soql(sobject: str, fields: Iterable[str], parent: str,
                        since: datetime) -> str:
    """Rows whose parent record (a relationship name: `Opportunity`) changed after `since`."""
    cols = ", ".join(ident(n) for n in dict.fromkeys(fields))
    return (f"SELECT {cols} FROM {ident(sobject)} "  # noqa: S608 - names checked by ident()
            f"WHERE {ident(parent)}.SystemModstamp > {soql_datetime(since)}")


def parse_sf_datetime(s: str) -> datetime:
    s = s.replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", s):
        s = s[:-2] + ":" + s[-2:]
    return datetime.fromisoformat(s)


@dataclass
class SalesforceConfig:
    instance_url: str
    access_token: str
    refresh_token: str = ""
    client_id: str = ""
    client_secret: str = ""
    login_url: str = "https://login.salesforce.com"
    ca_file: str | None = None
    api_version: str = "59.0"
    timeout: float = 30.0
    max_retries: int = 4
    backoff_base: float = 0.5  # first retry waits up to this (full jitter), doubling
    backoff_max: float = 30.0  # no single wait is longer
    # Bulk API 2.0 (issue 13): reads of more rows and writes of more records than this go
    # through bulk jobs; a query result page holds at most `bulk_page_size` rows; a job is
    # first polled after `bulk_poll_wait` seconds.
    bulk_threshold: int = 10_000
    bulk_page_size: int = 50_000
    bulk_poll_wait: float = 1.0


def endpoint_of(url: str) -> str | None:
    """A short, id-free name for a data-API URL ('query', 'sobjects/Contact', ...)."""
    m = _DATA_RE.search(urlsplit(url).path)
    if m is None:
        return None
    parts = [p for p in m.group(1).split("/") if p]
    if not parts:
        return "versions"
    if parts[0] in ("query", "queryAll"):
        return parts[0] if len(parts) == 1 else parts[0] + "/more"
    if parts[0] == "sobjects" and len(parts) >= 2:
        tail = (
            parts[2] if len(parts) >= 3 and parts[2] in ("describe", "deleted", "updated") else ""
        )
        return f"sobjects/{parts[1]}" + (f"/{tail}" if tail else "")
    if parts[0] == "composite":
        return "composite/sobjects" if len(parts) > 1 and parts[1] == "sobjects" else "composite"
    if parts[0] == "tooling":
        return "tooling/" + "/".join(parts[1:3])
    if parts[0] == "jobs" and len(parts) > 1:  # Bulk API 2.0: jobs/query/{id}/results -> ...
        return "/".join(["jobs", parts[1], *parts[3:4]])
    return parts[0]


class _CountingSession(requests.Session):
    """The single choke point every simple-salesforce request passes through."""

    def __init__(self, adapter: SalesforceAdapter) -> None:
        super().__init__()
        self._adapter = adapter
        self.trust_env = False  # or REQUESTS_CA_BUNDLE would silently override `verify`
        if adapter.config.ca_file:
            self.verify = adapter.config.ca_file
        pool = HTTPAdapter(pool_connections=4, pool_maxsize=8, max_retries=0)
        self.mount("https://", pool)
        self.mount("http://", pool)

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        a = self._adapter
        kwargs.setdefault("timeout", a.config.timeout)
        endpoint = endpoint_of(str(url))
        if endpoint is None:  # OAuth endpoints: not API calls
            return super().request(method, url, *args, **kwargs)
        if a.budget is not None:
            ok, used = a.budget.check()
            if not ok:
                raise BudgetExhausted(used, a.budget.allocated or 0)
        a.local.retry_after = None
        try:
            response = super().request(method, url, *args, **kwargs)
        finally:
            a.calls += 1
            a.ledger.record(REMOTE, endpoint, time.time())
        info = response.headers.get("Sforce-Limit-Info", "")
        m = _LIMIT_RE.search(info)
        if m:
            a.ledger.set_org_limit(int(m.group(1)), int(m.group(2)))
        ra = response.headers.get("Retry-After")
        if ra:
            try:
                a.local.retry_after = float(ra)
            except ValueError:
                a.local.retry_after = None
        return response


class SalesforceAdapter:
    def __init__(
        self,
        config: SalesforceConfig,
        ledger: UsageLedger,
        budget: Budget | None = None,
        on_token_refresh: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        self.ledger = ledger
        self.budget = budget
        self.on_token_refresh = on_token_refresh
        self.calls = 0
        self.local = threading.local()
        self.session = _CountingSession(self)
        self.sf = Salesforce(
            instance_url=config.instance_url,
            session_id=config.access_token,
            version=config.api_version,
            session=self.session,
        )
        self._describe: dict[str, dict] = {}
        self._rng = random.Random()
        self.bulk = Bulk2Runner(self)

    # ------------------------------------------------------------------ plumbing

    def _call(self, fn: Callable[[], T]) -> T:
        """Run one simple-salesforce call with retries, refresh and error mapping."""
        refreshed = False
        attempt = 0
        while True:
            try:
                return fn()
            except BudgetExhausted:
                raise
            except SalesforceError as e:
                err = self._from_exception(e)
                if err.code == "INVALID_SESSION_ID" and not refreshed:
                    refreshed = True
                    self._refresh()
                    continue
            except (requests.Timeout, requests.ConnectionError) as e:
                err = RemoteError(
                    Kind.UNAVAILABLE, f"{type(e).__name__}: {e}", code="CONNECTION", remote=REMOTE
                )
            if err.kind not in TRANSIENT or attempt >= self.config.max_retries:
                raise err
            time.sleep(self._delay(attempt, err.retry_after))
            attempt += 1

    def _delay(self, attempt: int, retry_after: float | None) -> float:
        c = self.config
        if retry_after is not None:
            return min(max(retry_after, 0.0), c.backoff_max)
        return self._rng.uniform(0, min(c.backoff_max, c.backoff_base * (2**attempt)))

    def _from_exception(self, e: SalesforceError) -> RemoteError:
        content = e.content
        retry_after = getattr(self.local, "retry_after", None)
        if isinstance(content, list) and content and isinstance(content[0], dict):
            first = content[0]
            code = str(first.get("errorCode") or first.get("statusCode") or "")
            return classify(
                code,
                str(first.get("message") or ""),
                status=e.status,
                fields=first.get("fields") or (),
                retry_after=retry_after,
            )
        if e.status == 300 and isinstance(content, list):
            # GET/PATCH by an external id that several records hold: 300 Multiple Choices
            # with the candidates' URLs; nothing was written.
            ids = ", ".join(str(u).rstrip("/").rsplit("/", 1)[-1] for u in content)
            return classify("DUPLICATE_EXTERNAL_ID",
                            f"The external id matches several records: {ids}", status=300)
        text = content.decode(errors="replace") if isinstance(content, bytes) else str(content)
        return classify(f"HTTP_{e.status}", text[:500], status=e.status, retry_after=retry_after)

    def _refresh(self) -> None:
        c = self.config
        if not c.refresh_token:
            raise RemoteError(
                Kind.AUTH_EXPIRED,
                "Session expired or invalid and no refresh token is stored",
                code="INVALID_SESSION_ID",
                remote=REMOTE,
                status=401,
            )
        s = requests.Session()
        s.trust_env = False
        if c.ca_file:
            s.verify = c.ca_file
        try:
            r = s.post(
                c.login_url.rstrip("/") + "/services/oauth2/token",
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": c.refresh_token,
                    "client_id": c.client_id,
                    "client_secret": c.client_secret,
                },
                timeout=c.timeout,
            )
        except requests.RequestException as e:
            raise RemoteError(
                Kind.UNAVAILABLE, f"token refresh failed: {e}", code="CONNECTION", remote=REMOTE
            ) from e
        finally:
            s.close()
        body: dict[str, Any] = {}
        try:
            body = r.json()
        except ValueError:
            body = {}
        if r.status_code != 200 or not body.get("access_token"):
            if r.status_code >= 500:
                raise RemoteError(
                    Kind.UNAVAILABLE, f"token refresh: HTTP {r.status_code}", remote=REMOTE
                )
            raise RemoteError(
                Kind.AUTH_EXPIRED,
                f"Session expired and the refresh was refused: "
                f"{body.get('error')}: {body.get('error_description')}",
                code="INVALID_SESSION_ID",
                remote=REMOTE,
                status=r.status_code,
            )
        token = body["access_token"]
        c.access_token = token
        self.sf.session_id = token
        self.sf._generate_headers()
        if self.on_token_refresh is not None:
            self.on_token_refresh(token)

    def _restful(self, path: str, method: str = "GET", **kwargs: Any) -> Any:
        return self._call(lambda: self.sf.restful(path, method=method, **kwargs))

    @staticmethod
    def _plain(records: Iterable[dict]) -> list[dict]:
        out = []
        for r in records:
            d = dict(r)
            d.pop("attributes", None)
            out.append(d)
        return out

    def _more(self, url: str) -> dict:
        return self._call(lambda: self.sf.query_more(url, identifier_is_url=True))

    def _bulk_worth(self, page: dict) -> bool:
        """A query result larger than the threshold is read again through a bulk query job:
        a few calls in all instead of one per 2,000 rows."""
        return not page.get("done", True) and page.get("totalSize", 0) > \
            self.config.bulk_threshold

    def _rest_of(self, first: dict, soql: str | None = None,
                 include_deleted: bool = False) -> list[dict]:
        if soql is not None and self._bulk_worth(first):
            return [r for page in self.bulk_query(soql, include_deleted) for r in page]
        rows = self._plain(first.get("records") or [])
        page = first
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            url = page["nextRecordsUrl"]
            page = self._more(url)
            rows.extend(self._plain(page.get("records") or []))
        return rows

    # ------------------------------------------------------------------ reading

    def poll(self, queries: dict[str, str], include_deleted: bool = False) -> dict[str, list[dict]]:
        """Run several SOQL queries in one composite request (five per request, Salesforce's
        cap on query subrequests); further pages are fetched only where there are more rows."""
        out: dict[str, list[dict]] = {}
        keys = list(queries)
        kind = "queryAll" if include_deleted else "query"
        for start in range(0, len(keys), COMPOSITE_QUERIES):
            chunk = keys[start : start + COMPOSITE_QUERIES]
            subs = [
                {
                    "method": "GET",
                    "url": f"/services/data/v{self.config.api_version}/{kind}/?q="
                    + quote(queries[k], safe=""),
                    "referenceId": f"q{i}",
                }
                for i, k in enumerate(chunk)
            ]
            res = self._restful("composite", method="POST", json={"compositeRequest": subs})
            by_ref = {r["referenceId"]: r for r in res["compositeResponse"]}
            for i, k in enumerate(chunk):
                sub = by_ref[f"q{i}"]
                body = sub.get("body")
                if sub.get("httpStatusCode", 500) >= 300:
                    first = body[0] if isinstance(body, list) and body else {}
                    err = classify(
                        str(first.get("errorCode") or ""),
                        str(first.get("message") or body),
                        status=sub.get("httpStatusCode"),
                        record=k,
                    )
                    if err.kind in TRANSIENT:  # resend just this query
                        out[k] = [
                            r for page in self.query(queries[k], include_deleted) for r in page
                        ]
                        continue
                    raise err
                out[k] = self._rest_of(body, queries[k], include_deleted)
        return out

    def query(self, soql: str, include_deleted: bool = False) -> Iterator[list[dict]]:
        page = self._call(lambda: self.sf.query(soql, include_deleted=include_deleted))
        if self._bulk_worth(page):
            yield from self.bulk_query(soql, include_deleted)
            return
        yield self._plain(page.get("records") or [])
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            url = page["nextRecordsUrl"]
            page = self._more(url)
            yield self._plain(page.get("records") or [])

    def count(self, sobject: str, *, equals: dict[str, bool] | None = None) -> int:
        """`SELECT COUNT() FROM sobject`: how many (undeleted) records it has, in one call."""
        more = " AND ".join(f"{ident(k)} = {'true' if v else 'false'}"
                            for k, v in (equals or {}).items())
        where = f" WHERE {more}" if more else ""
        soql = f"SELECT COUNT() FROM {ident(sobject)}{where}"  # noqa: S608 - names checked
        page = self._call(lambda: self.sf.query(soql))
        return int(page.get("totalSize") or 0)

    def changed(
        self, sobject: str, fields: Iterable[str], since: datetime, until: datetime
    ) -> Iterator[list[dict]]:
        """Pages of records with SystemModstamp in (since, until], oldest first."""
        names = [ident(n) for n in dict.fromkeys(["Id", *fields, "SystemModstamp"])]
        cols, obj = ", ".join(names), ident(sobject)
        window = (
            f"SystemModstamp > {soql_datetime(since)} AND SystemModstamp <= {soql_datetime(until)}"
        )
        soql = f"SELECT {cols} FROM {obj} WHERE {window} ORDER BY SystemModstamp, Id"  # noqa: S608
        yield from self.query(soql)

    def deleted(self, sobject: str, since: datetime, until: datetime) -> list[tuple[str, datetime]]:
        """getDeleted. A purged log raises RemoteError(GENERIC, INVALID_REPLICATION_DATE,
        permanent): the caller falls back to comparing all ids."""
        res = self._restful(
            f"sobjects/{sobject}/deleted/",
            params={"start": soql_datetime(since), "end": soql_datetime(until)},
        )
        return [
            (d["id"], parse_sf_datetime(d["deletedDate"])) for d in res.get("deletedRecords", [])
        ]

    def all_ids(self, sobject: str) -> set[str]:
        soql = f"SELECT Id FROM {ident(sobject)}"  # noqa: S608 - a checked API name
        return {r["Id"] for page in self.query(soql) for r in page}

    def by_external_id(self, sobject: str, field: str, value: str) -> dict | None:
        """The one record whose external-id `field` is `value` (None when none is); several
        raise RemoteError(AMBIGUOUS_MATCH) naming them."""
        try:
            rec = self._restful(f"sobjects/{ident(sobject)}/{ident(field)}/{quote(value, safe='')}")
        except RemoteError as e:
            if e.code == "NOT_FOUND" and e.kind == Kind.RECORD_DELETED:
                return None
            raise
        return self._plain([rec])[0]

    def get_many(self, sobject: str, ids: Iterable[str], fields: Iterable[str]) -> list[dict]:
        """Records by id (collection retrieve, 2,000 ids per call); missing ids are skipped."""
        ids = list(dict.fromkeys(ids))
        names = list(dict.fromkeys(["Id", *fields]))
        out: list[dict] = []
        for start in range(0, len(ids), RETRIEVE):
            chunk = ids[start : start + RETRIEVE]
            res = self._restful(
                f"composite/sobjects/{sobject}",
                method="POST",
                json={"ids": chunk, "fields": names},
            )
            out.extend(self._plain(r for r in res or [] if r))
        return out

    def converted_leads(self, lead_ids: Iterable[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for soql in select_in_soqls("Lead", ["Id", "ConvertedContactId"], "Id",
                                    sorted(set(lead_ids)), equals={"IsConverted": True}):
            for page in self.query(soql):
                for r in page:
                    if r.get("ConvertedContactId"):
                        out[r["Id"]] = r["ConvertedContactId"]
        return out

    def describe(self, sobject: str) -> dict:
        d = self._describe.get(sobject)
        if d is None:
            d = self._restful(f"sobjects/{sobject}/describe/")
            self._describe[sobject] = d
        return d

    def sobjects(self) -> list[dict]:
        """The org's objects (describeGlobal): name, label, custom, queryable …"""
        return list(self._restful("sobjects/").get("sobjects", []))

    def limits(self) -> dict:
        return self._call(lambda: self.sf.limits())

    def userinfo(self) -> dict:
        return self._call(lambda: self.sf.oauth2("userinfo")) or {}

    # ------------------------------------------------------------------ writing

    def ensure_external_id_field(self, sobject: str, field_api_name: str, label: str) -> bool:
        """Create a unique external-ID text field when describe lacks it, and grant the
        connected user access to it (a new field is visible to no one until then: a field
        describe lacks may exist unseen); True if created. Raises RemoteError(PERMISSIONS)
        when the user may not grant it (`salesforce_permissions`)."""
        names = {f["name"].lower() for f in self.describe(sobject)["fields"]}
        if field_api_name.lower() in names:
            return False
        try:
            self._restful(
                "tooling/sobjects/CustomField/",
                method="POST",
                json={
                    "FullName": f"{sobject}.{field_api_name}",
                    "Metadata": {
                        "type": "Text",
                        "length": 255,
                        "externalId": True,
                        "unique": True,
                        "caseSensitive": False,
                        "label": label,
                    },
                },
            )
        except RemoteError as e:
            if e.code != "DUPLICATE_DEVELOPER_NAME":  # created by someone else, or unseen
                raise
            grant_field_access(self, sobject, field_api_name)
            self._describe.pop(sobject, None)
            return False
        grant_field_access(self, sobject, field_api_name)
        self._describe.pop(sobject, None)
        return True

    def bulk_query(self, soql: str, include_deleted: bool = False) -> Iterator[list[dict]]:
        """Pages of rows of a Bulk API 2.0 query job, typed like `query`'s."""
        return self.bulk.query(soql, include_deleted)

    def _bulk_chosen(self, records: list[Any], bulk: bool | None) -> bool:
        return len(records) > self.config.bulk_threshold if bulk is None else bulk

    def bulk_upsert(self, sobject: str, records: list[dict], ext_field: str) -> list[Outcome]:
        return self.bulk.write_all("upsert", sobject, records, ext_field)

    def bulk_insert(self, sobject: str, records: list[dict]) -> list[Outcome]:
        return self.bulk.write_all("insert", sobject, records)

    def bulk_update(self, sobject: str, records: list[dict]) -> list[Outcome]:
        return self.bulk.write_all("update", sobject, records)

    def bulk_delete(self, sobject: str, ids: list[str]) -> list[Outcome]:
        return self.bulk.write_all("delete", sobject, [{"Id": i} for i in ids])

    def upsert_many(self, sobject: str, ext_field: str, records: list[dict],
                    bulk: bool | None = None) -> list[Outcome]:
        """Above `bulk_threshold` records (or with `bulk`) through a Bulk API 2.0 job."""
        if self._bulk_chosen(records, bulk):
            return self.bulk_upsert(sobject, records, ext_field)
        return self._collection(
            "PATCH",
            f"composite/sobjects/{sobject}/{ext_field}",
            sobject,
            records,
            lambda i, r: str(r.get(ext_field)) if r.get(ext_field) is not None else str(i),
        )

    def create_many(self, sobject: str, records: list[dict],
                    bulk: bool | None = None) -> list[Outcome]:
        if self._bulk_chosen(records, bulk):
            return self.bulk_insert(sobject, records)
        return self._collection("POST", "composite/sobjects", sobject, records, lambda i, r: str(i))

    def update_many(self, sobject: str, records: list[dict],
                    bulk: bool | None = None) -> list[Outcome]:
        """Each record carries its "Id"."""
        if self._bulk_chosen(records, bulk):
            return self.bulk_update(sobject, records)
        return self._collection(
            "PATCH", "composite/sobjects", sobject, records, lambda i, r: str(r.get("Id") or i)
        )

    def delete_many(self, sobject: str, ids: list[str],
                    bulk: bool | None = None) -> list[Outcome]:
        if self._bulk_chosen(ids, bulk):
            return self.bulk_delete(sobject, ids)
        outcomes: list[Outcome] = []
        for start in range(0, len(ids), COLLECTION):
            chunk = ids[start : start + COLLECTION]

            def send(sub: list[str]) -> list[dict]:
                return self._restful(
                    "composite/sobjects",
                    method="DELETE",
                    params={"ids": ",".join(sub), "allOrNone": "false"},
                )

            outcomes.extend(self._with_lock_retries(chunk, send, lambda i, x: x))
        return outcomes

    def _collection(
        self,
        method: str,
        path: str,
        sobject: str,
        records: list[dict],
        key: Callable[[int, dict], str],
    ) -> list[Outcome]:
        """Collections of 200; several of them travel in one composite request (up to five
        collection subrequests, one API call: 1,000 records a call instead of 200)."""
        chunks = [
            [(key(start + i, r), r) for i, r in enumerate(records[start : start + COLLECTION])]
            for start in range(0, len(records), COLLECTION)
        ]
        outcomes: list[Outcome] = []
        for g in range(0, len(chunks), COMPOSITE_QUERIES):
            group = chunks[g : g + COMPOSITE_QUERIES]
            if len(group) == 1:
                outcomes.extend(self._one_collection(method, path, sobject, group[0]))
            else:
                outcomes.extend(self._composite_collections(method, path, sobject, group))
        return outcomes

    @staticmethod
    def _collection_body(sobject: str, sub: list[tuple[str, dict]]) -> dict:
        return {"allOrNone": False,
                "records": [{"attributes": {"type": sobject}, **r} for _, r in sub]}

    def _one_collection(self, method: str, path: str, sobject: str,
                        keyed: list[tuple[str, dict]]) -> list[Outcome]:
        def send(sub: list[tuple[str, dict]]) -> list[dict]:
            return self._restful(path, method=method, json=self._collection_body(sobject, sub))

        return self._with_lock_retries(keyed, send, lambda i, x: x[0])

    def _composite_collections(self, method: str, path: str, sobject: str,
                               group: list[list[tuple[str, dict]]]) -> list[Outcome]:
        """Up to five collections in one composite call. A collection refused as a whole,
        or records that met a row lock, are sent again on their own (with lock retries)."""
        v = f"/services/data/v{self.config.api_version}"
        subs = [{"method": method, "url": f"{v}/{path}", "referenceId": f"c{n}",
                 "body": self._collection_body(sobject, chunk)} for n, chunk in enumerate(group)]
        res = self._restful("composite", method="POST",
                            json={"allOrNone": False, "compositeRequest": subs})
        by_ref = {r["referenceId"]: r for r in res["compositeResponse"]}
        outcomes: list[Outcome] = []
        for n, chunk in enumerate(group):
            sub = by_ref.get(f"c{n}") or {}
            body = sub.get("body")
            if sub.get("httpStatusCode", 500) >= 300 or not isinstance(body, list):
                outcomes.extend(self._one_collection(method, path, sobject, chunk))
                continue
            done: list[Outcome | None] = []
            locked: list[tuple[str, dict]] = []
            for (k, rec), r in zip(chunk, body, strict=True):
                if r.get("success"):
                    done.append(Outcome(True, id=r.get("id"), created=bool(r.get("created")),
                                        key=k))
                    continue
                e0 = (r.get("errors") or [{}])[0]
                err = classify(str(e0.get("statusCode") or e0.get("errorCode") or ""),
                               str(e0.get("message") or ""), fields=e0.get("fields") or (),
                               record=k)
                if err.kind == Kind.RECORD_LOCKED:
                    locked.append((k, rec))
                    done.append(None)
                else:
                    done.append(Outcome(False, id=r.get("id"), error=err, key=k))
            again = iter(self._one_collection(method, path, sobject, locked) if locked else [])
            outcomes.extend(o if o is not None else next(again) for o in done)
        return outcomes

    def _with_lock_retries(
        self, items: list[Any], send: Callable[[list[Any]], list[dict]], key_of: Callable
    ) -> list[Outcome]:
        """Send one collection; resend only the records that failed on a row lock."""
        results: list[Outcome | None] = [None] * len(items)
        pending = list(range(len(items)))
        attempt = 0
        while pending:
            try:
                res = send([items[i] for i in pending])
            except RemoteError as e:
                if e.kind in (
                    Kind.AUTH_EXPIRED,
                    Kind.SF_DAILY_LIMIT,
                    Kind.UNAVAILABLE,
                    Kind.RATE_LIMITED,
                    Kind.ALLOCATION_REACHED,
                ):
                    raise
                for i in pending:  # a request-level refusal applies to every record
                    k = key_of(i, items[i])
                    results[i] = Outcome(False, error=_with_record(e, k), key=k)
                break
            retry: list[int] = []
            for i, r in zip(pending, res, strict=True):
                k = key_of(i, items[i])
                if r.get("success"):
                    results[i] = Outcome(
                        True, id=r.get("id"), created=bool(r.get("created")), key=k
                    )
                    continue
                errs = r.get("errors") or [{}]
                e0 = errs[0]
                err = classify(
                    str(e0.get("statusCode") or e0.get("errorCode") or ""),
                    str(e0.get("message") or ""),
                    fields=e0.get("fields") or (),
                    record=k,
                )
                results[i] = Outcome(False, id=r.get("id"), error=err, key=k)
                if err.kind == Kind.RECORD_LOCKED:
                    retry.append(i)
            if not retry or attempt >= self.config.max_retries:
                break
            time.sleep(self._delay(attempt, None))
            attempt += 1
            pending = retry
        return [r for r in results if r is not None]


def _with_record(e: RemoteError, key: str) -> RemoteError:
    return RemoteError(
        e.kind,
        e.message,
        code=e.code,
        remote=e.remote,
        record=key,
        fields=e.fields,
        status=e.status,
        retry_after=e.retry_after,
        permanent=e.permanent,
    )
