"""HubSpot adapter over hubspot-api-client: the only code that calls HubSpot.

DESIGN.md decisions 1 (the real client, pointed at any host/CA), 3 (idempotent upserts keyed
by a unique property), 4 (changed-since reads in pages), 6 (one choke point: every HTTP request,
retries and token refreshes included, is counted once) and 7 (errors are `RemoteError`s with
a stable `Kind`; transient ones are retried with backoff, permanent ones are returned).

The choke point: hubspot-api-client builds one `ApiClient` per sub-API access through the
supported `api_factory` hook (`discovery_base.DiscoveryBase`). Our factory gives every
`ApiClient` the same `_CountingPool` (a urllib3 `PoolManager` whose `urlopen` records each
request in the ledger), so all sub-APIs share one connection pool per adapter, and urllib3's own
retries are off (`retries=False`) so that a retry is always ours, visible and counted.
"""

from __future__ import annotations

import contextlib
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import urllib3
from hubspot import HubSpot

from connectors.errors import Kind, Outcome, RemoteError
from connectors.hubspot_activities import ActivityReads
from connectors.hubspot_pacing import RatePacer
from connectors.hubspot_tokens import TokenRefresh, TokenRefreshed
from connectors.usage import UsageLedger

REMOTE = "hubspot"
BATCH = 100
# Associations v4 batches are larger: 1,000 ids per read, 2,000 inputs per create/archive.
ASSOC_READ_BATCH = 1000
ASSOC_WRITE_BATCH = 2000
SEARCH_PAGE = 200
# A `changed` window starting before this is a full read (the engine's EPOCH is 2000-01-01).
FULL_READ_BEFORE = datetime(2001, 1, 1, tzinfo=UTC)
MERGED_IDS = "hs_merged_object_ids"  # the ids a record's merges took in
SEARCH_CAP = 10_000
IN_CHUNK = 100

CODE_KINDS: dict[str, Kind] = {
    "INVALID_EMAIL": Kind.INVALID_EMAIL,
    "INVALID_OPTION": Kind.PICKLIST_VALUE,
    "PROPERTY_DOESNT_EXIST": Kind.FIELD_MISSING,
    "INVALID_INTEGER": Kind.TYPE_MISMATCH,
    "INVALID_DECIMAL": Kind.TYPE_MISMATCH,
    "INVALID_LONG": Kind.TYPE_MISMATCH,
    "INVALID_DATE": Kind.TYPE_MISMATCH,
    "INVALID_DATETIME": Kind.TYPE_MISMATCH,
    "INVALID_BOOLEAN": Kind.TYPE_MISMATCH,
    "READ_ONLY_VALUE": Kind.INSUFFICIENT_ACCESS,
}
CATEGORY_KINDS: dict[str, Kind] = {
    "CONFLICT": Kind.DUPLICATE_RULE,
    "OBJECT_ALREADY_EXISTS": Kind.DUPLICATE_RULE,
    "OBJECT_NOT_FOUND": Kind.RECORD_DELETED,
    "EXPIRED_AUTHENTICATION": Kind.AUTH_EXPIRED,
    "INVALID_AUTHENTICATION": Kind.AUTH_EXPIRED,
    "MISSING_SCOPES": Kind.INSUFFICIENT_ACCESS,
    "RATE_LIMITS": Kind.RATE_LIMITED,
}


def make_client(host: str, token: str, ca_file: str | None = None, **config: Any) -> HubSpot:
    """A hubspot.HubSpot client for `host` trusting `ca_file`.

    hubspot-api-client copies every keyword given to `HubSpot(...)` onto each sub-API's
    `Configuration` (discovery_base._default_api_factory), so `host=` and `ssl_ca_cert=` are the
    supported way to point it elsewhere. It speaks urllib3 directly, which ignores
    HTTPS_PROXY/REQUESTS_CA_BUNDLE; only an explicit `proxy=` would enable a proxy. Extra
    keywords (e.g. `api_factory`, `retry`) pass through.
    """
    return HubSpot(access_token=token, host=host.rstrip("/"), ssl_ca_cert=ca_file, **config)


@dataclass
class HubSpotConfig:
    host: str = "https://api.hubapi.com"
    access_token: str = ""
    refresh_token: str = ""
    client_id: str = ""
    client_secret: str = ""
    token_expires_at: datetime | None = None  # of access_token, when known
    # An OAuth token this close to expiry is refreshed before the next call (FEATURES A2),
    # rather than after a 401.
    refresh_margin: float = 300.0
    ca_file: str | None = None
    timeout: float = 30.0
    max_retries: int = 4
    backoff_base: float = 0.5  # first retry waits up to this (full jitter), doubling
    backoff_max: float = 30.0  # no single wait is longer
    # HubSpot allows 5 search requests a second per token; staying under it leaves room for
    # the clock skew between us and HubSpot. 0: no pacing.
    search_per_second: float = 4.0
    # Search is eventually consistent: a write is searchable "a few moments" after its
    # modified date. Change detection reads this far behind (`searchable_until`).
    search_lag: float = 60.0


_NUM = re.compile(r"/\d+(?=/|$)")


def endpoint_of(method: str, url: str) -> str:
    """'POST https://h/crm/v3/objects/contacts/123?x' -> 'POST /crm/v3/objects/contacts/{id}'."""
    path = url.split("://", 1)[-1]
    path = "/" + path.split("/", 1)[1] if "/" in path else "/"
    path = path.split("?", 1)[0]
    if path.startswith("/oauth/v1/access-tokens/"):
        path = "/oauth/v1/access-tokens/{token}"
    return f"{method.upper()} {_NUM.sub('/{id}', path)}"


class _CountingPool(urllib3.PoolManager):
    """The one place every HubSpot HTTP request passes through."""

    def __init__(self, on_request: Callable[[str, str], None], timeout: float,
                 pacer: RatePacer | None = None, **kw: Any) -> None:
        super().__init__(**kw)
        self._on_request = on_request
        self._default_timeout = urllib3.Timeout(total=timeout)
        self.pacer = pacer or RatePacer()

    def urlopen(self, method: str, url: str, redirect: bool = True,  # type: ignore[override]
                **kw: Any) -> Any:
        if kw.get("timeout") is None:
            kw["timeout"] = self._default_timeout
        self.pacer.before()
        self._on_request(method, url)
        response = super().urlopen(method, url, redirect=redirect, **kw)
        self.pacer.learn(getattr(response, "headers", None))
        return response


def _iso(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=UTC)
        return v.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return str(v)


def _ms(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def _parse_ms(v: str | None) -> int | None:
    if not v:
        return None
    if v.isdigit():
        return int(v)
    with contextlib.suppress(ValueError):
        return _ms(datetime.fromisoformat(v.replace("Z", "+00:00")))
    return None


def _record(obj: Any) -> dict[str, Any]:
    return {"id": str(obj.id), "properties": dict(obj.properties or {}),
            "createdAt": _iso(getattr(obj, "created_at", None)),
            "updatedAt": _iso(obj.updated_at), "archived": bool(obj.archived)}


def _get(d: Any, *names: str) -> Any:
    for n in names:
        if isinstance(d, dict) and n in d:
            return d[n]
        if not isinstance(d, dict) and getattr(d, n, None) is not None:
            return getattr(d, n)
    return None


def classify(status: int | None, body: Any, *, raw: str = "", headers: Any = None,
             record: str | None = None) -> RemoteError:
    """Map a HubSpot error (whole response or one batch error entry) to a RemoteError."""
    body = body if isinstance(body, dict) else {}
    category = str(body.get("category") or "")
    sub = str(body.get("subCategory") or body.get("sub_category") or "")
    message = str(body.get("message") or raw or f"HTTP {status}")
    details = body.get("errors") or []
    codes = [str(_get(d, "code") or "") for d in details]
    fields: list[str] = []
    for d in details:
        ctx = _get(d, "context") or {}
        fields += list(ctx.get("propertyName") or [])
    if not any(codes) and message.startswith("Property values were not valid: "):
        with contextlib.suppress(ValueError, TypeError):
            inner = json.loads(message.split(": ", 1)[1])
            codes = [str(x.get("error") or "") for x in inner]
            fields = [str(x.get("name") or "") for x in inner]
    code = next((c for c in codes if c), "") or category or body.get("policyName") or ""
    retry_after = None
    if headers is not None:
        with contextlib.suppress(TypeError, ValueError):
            ra = headers.get("Retry-After")
            retry_after = float(ra) if ra is not None else None

    def mk(kind: Kind, permanent: bool | None = None, c: str | None = None) -> RemoteError:
        return RemoteError(kind, message, code=c if c is not None else str(code), remote=REMOTE,
                           record=record, fields=tuple(f for f in fields if f), status=status,
                           retry_after=retry_after, permanent=permanent)

    if status == 429 or body.get("errorType") == "RATE_LIMIT":
        policy = str(body.get("policyName") or "")
        if retry_after is None and policy == "TEN_SECONDLY_ROLLING" and headers is not None:
            with contextlib.suppress(TypeError, ValueError):
                retry_after = int(headers.get("X-HubSpot-RateLimit-Interval-Milliseconds")) / 1000
        return mk(Kind.RATE_LIMITED, c=policy or "RATE_LIMIT")
    for c in codes:
        if c in CODE_KINDS:
            return mk(CODE_KINDS[c], c=c)
    if sub.startswith("crm.associations") and "NO_ASSOCIATIONS_FOUND" not in sub:
        return mk(Kind.ASSOCIATION_FAILED, c=sub)
    if category in CATEGORY_KINDS:
        return mk(CATEGORY_KINDS[category], c=category)
    if status == 401:
        return mk(Kind.AUTH_EXPIRED, c=category or "UNAUTHORIZED")
    if status == 403:
        return mk(Kind.INSUFFICIENT_ACCESS, c=category or "FORBIDDEN")
    if status == 404:
        return mk(Kind.RECORD_DELETED, c=category or "NOT_FOUND")
    if status is not None and (status >= 500 or status == 0):
        return mk(Kind.UNAVAILABLE, c=category or f"HTTP_{status}")
    return mk(Kind.GENERIC, c=str(code or f"HTTP_{status}"))


def _from_exception(exc: BaseException) -> RemoteError | None:
    if isinstance(exc, RemoteError):
        return exc
    if isinstance(exc, urllib3.exceptions.HTTPError):
        return RemoteError(Kind.UNAVAILABLE, f"{type(exc).__name__}: {exc}",
                           code=type(exc).__name__, remote=REMOTE)
    if hasattr(exc, "status") and hasattr(exc, "body"):
        raw = exc.body.decode() if isinstance(exc.body, bytes) else (exc.body or "")
        body: Any = {}
        with contextlib.suppress(ValueError, TypeError):
            body = json.loads(raw) if raw else {}
        return classify(int(exc.status or 0), body, raw=raw or str(exc),
                        headers=getattr(exc, "headers", None))
    return None


class HubSpotAdapter(ActivityReads, TokenRefresh):
    remote_error = staticmethod(_from_exception)  # for TokenRefresh

    def __init__(self, config: HubSpotConfig, ledger: UsageLedger | None = None,
                 on_token_refresh: TokenRefreshed | None = None) -> None:
        self.config = config
        self.ledger = ledger
        self.on_token_refresh = on_token_refresh
        self.calls = 0
        self._access = config.access_token
        self._refresh_token = config.refresh_token
        self._expires_at = config.token_expires_at
        self._lock = threading.Lock()
        self._props: dict[str, dict[str, dict[str, Any]]] = {}
        self._pool = _CountingPool(
            self._count, config.timeout, num_pools=4, maxsize=8, cert_reqs="CERT_REQUIRED",
            ca_certs=config.ca_file, retries=False)
        self.client = HubSpot(access_token=self._access, host=config.host.rstrip("/"),
                              ssl_ca_cert=config.ca_file, api_factory=self._factory)
        self.sleep = time.sleep
        self._search_sent: deque[float] = deque()  # monotonic times of the last second's

    # ---- plumbing ----------------------------------------------------------------------
    def _count(self, method: str, url: str) -> None:
        with self._lock:
            self.calls += 1
        if self.ledger is not None:
            self.ledger.record(REMOTE, endpoint_of(method, url), time.time())

    def _factory(self, pkg: Any, api_name: str, config: dict[str, Any]) -> Any:
        conf = pkg.Configuration()
        conf.host = self.config.host.rstrip("/")
        conf.access_token = self._access or None
        conf.ssl_ca_cert = self.config.ca_file
        conf.retries = False
        api_client = pkg.ApiClient(configuration=conf)
        api_client.rest_client.pool_manager = self._pool
        api_client.user_agent = "syncadmin (hubspot-api-client)"
        return getattr(pkg, api_name)(api_client=api_client)

    def _delay(self, attempt: int, err: RemoteError) -> float:
        c = self.config
        if err.retry_after is not None:
            return min(max(err.retry_after, 0.0), c.backoff_max)
        if err.kind == Kind.RATE_LIMITED and err.code == "SECONDLY":
            return 1.0  # a per-second limit (search's) without Retry-After: the next second
        return random.uniform(0, min(c.backoff_max, c.backoff_base * (2 ** attempt)))

    def _call(self, fn: Callable[[], Any]) -> Any:
        """Run one SDK call with retries for transient failures and one token refresh."""
        attempt = 0
        refreshed = False
        if self._expiring():
            self._do_refresh()
            refreshed = True
        while True:
            try:
                return fn()
            except Exception as exc:
                err = _from_exception(exc)
                if err is None:
                    raise
                if (err.kind == Kind.AUTH_EXPIRED and err.code == "EXPIRED_AUTHENTICATION"
                        and not refreshed and self._can_refresh()):
                    self._do_refresh()
                    refreshed = True
                    continue
                daily = err.kind == Kind.RATE_LIMITED and err.code == "DAILY"
                if err.permanent or daily or attempt >= self.config.max_retries:
                    raise err from exc
                self.sleep(self._delay(attempt, err))
                attempt += 1

    @property
    def _objects(self) -> Any:
        return self.client.crm.objects

    def _search(self, object_type: str, body: dict[str, Any]) -> Any:
        """One search request, paced to `config.search_per_second` (a 429 beyond it is
        waited out by `_call`)."""

        def send() -> Any:
            self._pace_search()
            return self._objects.search_api.do_search(object_type, body)

        return self._call(send)

    def _pace_search(self) -> None:
        rate = self.config.search_per_second
        if rate <= 0:
            return
        with self._lock:
            now = time.monotonic()
            sent = self._search_sent
            while sent and sent[0] <= now - 1.0:
                sent.popleft()
            wait = sent[0] + 1.0 - now if len(sent) >= rate else 0.0
            sent.append(now + wait)
        if wait > 0:
            self.sleep(wait)

    def searchable_until(self, now: datetime) -> datetime:
        """The latest modified date that search has surely indexed at `now`: a change
        watermark must not pass it, or a write indexed late is never read."""
        return now - timedelta(seconds=self.config.search_lag)

    @staticmethod
    def _mod_prop(object_type: str) -> str:
        return "lastmodifieddate" if object_type in ("contacts", "contact", "0-1") else (
            "hs_lastmodifieddate")

    # ---- reads -------------------------------------------------------------------------
    def changed(self, object_type: str, properties: list[str], since: datetime,
                until: datetime) -> Iterator[list[dict[str, Any]]]:
        """Records with since < modified <= until, ascending, in pages of up to 200.

        HubSpot search stops at 10,000 results; when the next page would pass it, the search
        restarts from the last modified date seen (GTE, skipping the ids already given at
        that date), so any number of changes can be read.
        """
        mod = self._mod_prop(object_type)
        # Merges show on the survivor (HubSpot ignores properties an object type lacks).
        props = list(dict.fromkeys([*properties, mod, MERGED_IDS]))
        if since <= FULL_READ_BEFORE:
            # Everything (an initial or full sync): the list API, which search's limits do
            # not bind — search allows 5 requests a second and 10,000 results per query, the
            # list API 100 records a page within the general 190 per 10 s — and which reads
            # a record as soon as it is written (search indexes it late).
            hi_ms = _ms(until)
            for page in self.list_all(object_type, props):
                kept = [r for r in page
                        if (_parse_ms(r["properties"].get(mod)) or 0) <= hi_ms]
                if kept:
                    yield kept
            return
        lo, op, after, hi = _ms(since), "GT", 0, _ms(until)
        skip: set[str] = set()  # ids already yielded whose modified date == lo (op GTE)
        tail_ms: int | None = None  # highest modified date yielded in this window
        tail_ids: set[str] = set()  # ids yielded at tail_ms
        while True:
            body = {"filterGroups": [{"filters": [
                {"propertyName": mod, "operator": op, "value": str(lo)},
                {"propertyName": mod, "operator": "LTE", "value": str(hi)}]}],
                "sorts": [{"propertyName": mod, "direction": "ASCENDING"}],
                "properties": props, "limit": SEARCH_PAGE, "after": str(after)}
            res = self._search(object_type, body)
            page = []
            for rec in (_record(r) for r in res.results):
                at = _parse_ms(rec["properties"].get(mod))
                if op == "GTE" and at == lo and rec["id"] in skip:
                    continue
                page.append(rec)
                if at is not None and (tail_ms is None or at > tail_ms):
                    tail_ms, tail_ids = at, set()
                if at == tail_ms:
                    tail_ids.add(rec["id"])
            if page:
                yield page
            nxt = res.paging.next.after if res.paging and res.paging.next else None
            if nxt is None:
                return
            if int(nxt) < SEARCH_CAP:
                after = int(nxt)
                continue
            if tail_ms is None:
                raise RemoteError(Kind.GENERIC, "search paging lost its position",
                                  remote=REMOTE)
            new_skip = tail_ids | (skip if op == "GTE" and tail_ms == lo else set())
            if op == "GTE" and tail_ms == lo and len(new_skip) <= len(skip):
                raise RemoteError(Kind.GENERIC, f"more than {SEARCH_CAP} records share the "
                                  f"modified date {lo}; cannot page past them", remote=REMOTE)
            lo, op, after, skip = tail_ms, "GTE", 0, new_skip
            tail_ms, tail_ids = None, set()

    def list_all(self, object_type: str, properties: list[str],
                 archived: bool = False) -> Iterator[list[dict[str, Any]]]:
        after: str | None = None
        while True:
            res = self._call(lambda a=after: self._objects.basic_api.get_page(
                object_type, limit=100, after=a, properties=properties, archived=archived))
            if res.results:
                yield [_record(r) for r in res.results]
            if not (res.paging and res.paging.next):
                return
            after = res.paging.next.after

    def get_many(self, object_type: str, ids: Iterable[str], properties: list[str],
                 id_property: str | None = None) -> list[dict[str, Any]]:
        ids = list(dict.fromkeys(str(i) for i in ids))
        out: list[dict[str, Any]] = []
        for i in range(0, len(ids), BATCH):
            body: dict[str, Any] = {"inputs": [{"id": x} for x in ids[i:i + BATCH]],
                                    "properties": properties, "propertiesWithHistory": []}
            if id_property:
                body["idProperty"] = id_property
            res = self._call(lambda b=body: self._objects.batch_api.read(object_type, b))
            out += [_record(r) for r in res.results]
        return out

    def search_by(self, object_type: str, prop: str, values: Iterable[str],
                  properties: list[str]) -> list[dict[str, Any]]:
        vals = list(dict.fromkeys(str(v).strip().lower() for v in values if str(v).strip()))
        out: list[dict[str, Any]] = []
        props = list(dict.fromkeys([*properties, prop]))
        for i in range(0, len(vals), IN_CHUNK):
            after = 0
            while True:
                body = {"filterGroups": [{"filters": [{"propertyName": prop, "operator": "IN",
                                                       "values": vals[i:i + IN_CHUNK]}]}],
                        "properties": props, "limit": SEARCH_PAGE, "after": str(after)}
                res = self._search(object_type, body)
                out += [_record(r) for r in res.results]
                if not (res.paging and res.paging.next):
                    break
                after = int(res.paging.next.after)
        return out

    # ---- writes ------------------------------------------------------------------------
    def _batch_outcomes(self, keys: list[str], send: Callable[[], Any], *,
                        key_of_result: Callable[[Any, int], str],
                        created_default: bool) -> list[Outcome]:
        """Send one batch; map results and per-input errors back to `keys` (by trace id)."""
        try:
            res = self._call(send)
        except RemoteError as err:
            if not err.permanent:
                raise
            return [Outcome(False, error=_with_record(err, k), key=k) for k in keys]
        by_key: dict[str, Outcome] = {}
        if res is None:
            return [Outcome(True, key=k) for k in keys]
        for n, r in enumerate(res.results or []):
            k = key_of_result(r, n)
            new = getattr(r, "new", None)
            by_key[k] = Outcome(True, id=str(r.id), created=created_default if new is None
                                else bool(new), key=k)
        for e in getattr(res, "errors", None) or []:
            ctx = e.context or {}
            targets = [keys[int(t)] for t in ctx.get("objectWriteTraceId") or []
                       if str(t).isdigit() and int(t) < len(keys)]
            if not targets:
                targets = [str(x) for x in ctx.get("ids") or [] if str(x) in keys]
            body = e.to_dict(serialize=True)
            for k in targets:
                by_key[k] = Outcome(False, error=classify(None, body, record=k), key=k)
        return [by_key.get(k) or Outcome(False, key=k, error=RemoteError(
            Kind.GENERIC, "HubSpot returned no result for this input", remote=REMOTE, record=k))
            for k in keys]

    def upsert_many(self, object_type: str, id_property: str,
                    records: list[dict[str, Any]]) -> list[Outcome]:
        """Upsert property dicts keyed by `records[i][id_property]`, 100 per call."""
        outcomes: list[Outcome] = [Outcome(False) for _ in records]
        chunks: list[list[int]] = []
        current: list[int] = []
        keys_in: set[str] = set()
        for i, rec in enumerate(records):
            key = str(rec.get(id_property) or "").strip()
            if not key:
                outcomes[i] = Outcome(False, key=key, error=RemoteError(
                    Kind.REQUIRED_FIELD, f"{id_property} is empty; cannot upsert by it",
                    code="MISSING_ID_PROPERTY", remote=REMOTE, fields=(id_property,)))
                continue
            norm = key.lower() if id_property == "email" else key
            if len(current) == BATCH or norm in keys_in:
                chunks.append(current)
                current, keys_in = [], set()
            current.append(i)
            keys_in.add(norm)
        if current:
            chunks.append(current)
        for chunk in chunks:
            keys = [str(records[i][id_property]).strip() for i in chunk]
            inputs = [{"idProperty": id_property, "id": keys[n],
                       "properties": {k: ("" if v is None else str(v))
                                      for k, v in records[i].items() if k != id_property},
                       "objectWriteTraceId": str(n)} for n, i in enumerate(chunk)]
            idx_keys = [str(n) for n in range(len(chunk))]
            res = self._batch_outcomes(
                idx_keys,
                lambda b={"inputs": inputs}: self._objects.batch_api.upsert(object_type, b),
                key_of_result=lambda r, n: str(r.object_write_trace_id), created_default=False)
            for n, o in enumerate(res):
                o.key = keys[n]
                if o.error is not None:
                    o.error.record = keys[n]
                outcomes[chunk[n]] = o
        return outcomes

    def create_many(self, object_type: str, records: list[dict[str, Any]]) -> list[Outcome]:
        """Create records ({"properties": {...}} or plain property dicts); key = input index."""
        out: list[Outcome] = []
        for start in range(0, len(records), BATCH):
            part = records[start:start + BATCH]
            inputs = []
            for n, rec in enumerate(part):
                props = rec.get("properties", rec) if isinstance(rec, dict) else {}
                inp: dict[str, Any] = {"properties": {k: ("" if v is None else str(v))
                                                      for k, v in props.items()},
                                       "objectWriteTraceId": str(n)}
                if rec.get("associations"):
                    inp["associations"] = rec["associations"]
                inputs.append(inp)
            keys = [str(n) for n in range(len(part))]
            res = self._batch_outcomes(
                keys, lambda b={"inputs": inputs}: self._objects.batch_api.create(object_type, b),
                key_of_result=lambda r, n: str(getattr(r, "object_write_trace_id", None) or n),
                created_default=True)
            for n, o in enumerate(res):
                o.key = str(start + n)
                if o.error is not None:
                    o.error.record = o.key
            out += res
        return out

    def update_many(self, object_type: str, records: list[dict[str, Any]]) -> list[Outcome]:
        out: list[Outcome] = []
        for start in range(0, len(records), BATCH):
            part = records[start:start + BATCH]
            keys = [str(r["id"]) for r in part]
            inputs = [{"id": keys[n], "properties": {k: ("" if v is None else str(v))
                                                     for k, v in r["properties"].items()},
                       "objectWriteTraceId": str(n)} for n, r in enumerate(part)]
            res = self._batch_outcomes(
                [str(n) for n in range(len(part))],
                lambda b={"inputs": inputs}: self._objects.batch_api.update(object_type, b),
                key_of_result=lambda r, n: str(r.object_write_trace_id), created_default=False)
            for n, o in enumerate(res):
                o.key = keys[n]
                if o.error is not None:
                    o.error.record = keys[n]
            out += res
        return out

    def archive_many(self, object_type: str, ids: Iterable[str]) -> list[Outcome]:
        ids = [str(i) for i in ids]
        out: list[Outcome] = []
        for start in range(0, len(ids), BATCH):
            part = ids[start:start + BATCH]
            body = {"inputs": [{"id": i} for i in part]}
            self._call(lambda b=body: self._objects.batch_api.archive(object_type, b))
            out += [Outcome(True, id=i, key=i) for i in part]
        return out

    def merge(self, object_type: str, primary_id: str, merged_id: str) -> dict[str, Any]:
        """Merge record `merged_id` into `primary_id` (POST /crm/v3/objects/{type}/merge,
        contacts, companies, deals and tickets); returns the surviving record."""
        body = {"primaryObjectId": str(primary_id), "objectIdToMerge": str(merged_id)}
        api = getattr(self.client.crm, object_type).basic_api
        return _record(self._call(lambda: api.merge(body)))

    # ---- properties --------------------------------------------------------------------
    def properties(self, object_type: str) -> dict[str, dict[str, Any]]:
        if object_type not in self._props:
            res = self._call(lambda: self.client.crm.properties.core_api.get_all(object_type))
            self._props[object_type] = {p.name: p.to_dict(serialize=True) for p in res.results}
        return self._props[object_type]

    def ensure_property(self, object_type: str, name: str, label: str, type: str = "string",
                        field_type: str = "text", unique: bool = False,
                        group: str = "salesforceinformation",
                        options: list[tuple[str, str]] | None = None) -> bool:
        """Create the property unless it exists; True when it was created. `options`
        (value, label) for enumerations; HubSpot refuses an enumeration without any."""
        if name in self.properties(object_type):
            return False
        body: dict[str, Any] = {"name": name, "label": label, "type": type,
                                "fieldType": field_type, "groupName": group,
                                "hasUniqueValue": unique}
        if options:
            body["options"] = [{"value": v, "label": lbl, "displayOrder": i, "hidden": False}
                               for i, (v, lbl) in enumerate(options)]
        try:
            p = self._call(lambda: self.client.crm.properties.core_api.create(object_type, body))
        except RemoteError as err:
            if err.kind == Kind.DUPLICATE_RULE:
                self._props.pop(object_type, None)
                return False
            raise
        self._props[object_type][name] = p.to_dict(serialize=True)
        return True

    # ---- custom object schemas (E3) -------------------------------------------------------
    def schemas(self) -> list[dict[str, Any]]:
        res = self._call(lambda: self.client.crm.schemas.core_api.get_all())
        return [r.to_dict(serialize=True) for r in res.results]

    def ensure_schema(self, body: dict[str, Any]) -> dict[str, Any]:
        """Creates the custom object schema unless one of that name exists (a run killed
        after creating it finds it on the next try); returns it (objectTypeId …)."""
        try:
            res = self._call(lambda: self.client.crm.schemas.core_api.create(body))
            return dict(res.to_dict(serialize=True))
        except RemoteError as err:
            if err.kind != Kind.DUPLICATE_RULE:
                raise
        for schema in self.schemas():
            if schema.get("name") == body["name"]:
                return schema
        raise RemoteError(Kind.GENERIC, f"schema {body['name']} exists but is not listed",
                          remote=REMOTE)

    # ---- lists -------------------------------------------------------------------------
    def list_members(self, list_id: str) -> set[str]:
        out: set[str] = set()
        after: str | None = None
        while True:
            res = self._call(lambda a=after: self.client.crm.lists.memberships_api.get_page(
                str(list_id), after=a, limit=250))
            out |= {str(r.record_id) for r in res.results}
            if not (res.paging and res.paging.next):
                return out
            after = res.paging.next.after

    def lists(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            body = {"offset": offset, "count": 500, "query": ""}
            res = self._call(lambda b=body: self.client.crm.lists.lists_api.do_search(b))
            out += [x.to_dict(serialize=True) for x in res.lists]
            if not res.has_more or not res.lists:
                return out
            offset = res.offset

    # ---- associations ------------------------------------------------------------------
    def associations(self, from_type: str, ids: Iterable[str],
                     to_type: str) -> dict[str, list[str]]:
        ids = list(dict.fromkeys(str(i) for i in ids))
        out: dict[str, list[str]] = {i: [] for i in ids}
        batch = self.client.crm.associations.v4.batch_api
        for start in range(0, len(ids), ASSOC_READ_BATCH):
            body = {"inputs": [{"id": i} for i in ids[start:start + ASSOC_READ_BATCH]]}
            res = self._call(lambda b=body: batch.get_page(from_type, to_type, b))
            for r in res.results:
                out[str(r._from.id)] = [str(t.to_object_id) for t in r.to]
            for e in getattr(res, "errors", None) or []:
                if "NO_ASSOCIATIONS_FOUND" in str(e.sub_category or ""):
                    continue
                err = classify(None, e.to_dict(serialize=True))
                raise err
        return out

    def associate_many(self, from_type: str, to_type: str, pairs: list[tuple[str, str]],
                       type_id: int | None = None) -> list[Outcome]:
        out: list[Outcome] = []
        batch = self.client.crm.associations.v4.batch_api
        for start in range(0, len(pairs), ASSOC_WRITE_BATCH):
            part = [(str(a), str(b)) for a, b in pairs[start:start + ASSOC_WRITE_BATCH]]
            keys = [f"{a}:{b}" for a, b in part]
            if type_id is None:
                body: dict[str, Any] = {"inputs": [{"from": {"id": a}, "to": {"id": b}}
                                                   for a, b in part]}

                def send(b: dict[str, Any] = body) -> Any:
                    return batch.create_default(from_type, to_type, b)
            else:
                body = {"inputs": [{"from": {"id": a}, "to": {"id": b}, "types": [
                    {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]}
                    for a, b in part]}

                def send(b: dict[str, Any] = body) -> Any:
                    return batch.create(from_type, to_type, b)
            try:
                res = self._call(send)
            except RemoteError as err:
                if not err.permanent:
                    raise
                out += [Outcome(False, error=_with_record(err, k), key=k) for k in keys]
                continue
            ok: set[str] = set()
            for r in res.results or []:
                a = _get(r, "_from", "from_object_id")
                b = _get(r, "to", "to_object_id")
                a = str(a.id) if hasattr(a, "id") else str(a)
                b = str(b.id) if hasattr(b, "id") else str(b)
                ok.add(f"{a}:{b}")
            failed: dict[str, RemoteError] = {}
            for e in getattr(res, "errors", None) or []:
                ctx = e.context or {}
                for a, b in zip(ctx.get("fromObjectId") or [], ctx.get("toObjectId") or [],
                                strict=False):
                    k = f"{a}:{b}"
                    failed[k] = classify(None, e.to_dict(serialize=True), record=k)
            for k in keys:
                if k in ok:
                    out.append(Outcome(True, key=k))
                else:
                    out.append(Outcome(False, key=k, error=failed.get(k) or RemoteError(
                        Kind.ASSOCIATION_FAILED, "association was not created", remote=REMOTE,
                        record=k)))
        return out

    def associations_typed(self, from_type: str, ids: Iterable[str],
                           to_type: str) -> dict[str, list[tuple[str, list[int]]]]:
        """{from id: [(to id, [association type ids])]} by v4 batch read, 100 ids per call.

        Every requested id is a key; ids HubSpot reports as having no associations
        (NO_ASSOCIATIONS_FOUND in the 207 errors) map to []. Type ids tell labels apart,
        e.g. deal->company 341 (unlabelled) and 5 (Primary)."""
        ids = list(dict.fromkeys(str(i) for i in ids))
        out: dict[str, list[tuple[str, list[int]]]] = {i: [] for i in ids}
        batch = self.client.crm.associations.v4.batch_api
        for start in range(0, len(ids), ASSOC_READ_BATCH):
            body = {"inputs": [{"id": i} for i in ids[start:start + ASSOC_READ_BATCH]]}
            res = self._call(partial(batch.get_page, from_type, to_type, body))
            for r in res.results:
                out[str(r._from.id)] = [
                    (str(t.to_object_id), sorted(int(x.type_id) for x in t.association_types))
                    for t in r.to]
            for e in getattr(res, "errors", None) or []:
                if "NO_ASSOCIATIONS_FOUND" not in str(e.sub_category or ""):
                    raise classify(None, e.to_dict(serialize=True))
        return out

    def unassociate_many(self, from_type: str, to_type: str, pairs: list[tuple[str, str]],
                         type_id: int | None = None) -> list[Outcome]:
        """Remove associations (v4 batch archive; with `type_id`, only that label via
        batch/labels/archive). Up to 100 from-ids per call; key "from:to". Pairs that were
        not associated succeed too, as in HubSpot."""
        by_from: dict[str, list[str]] = {}
        for a, b in pairs:
            by_from.setdefault(str(a), []).append(str(b))
        froms = list(by_from)
        out: list[Outcome] = []
        batch = self.client.crm.associations.v4.batch_api
        for start in range(0, len(froms), ASSOC_WRITE_BATCH):
            part = froms[start:start + ASSOC_WRITE_BATCH]
            keys = [f"{a}:{b}" for a in part for b in by_from[a]]
            if type_id is None:
                body: dict[str, Any] = {"inputs": [
                    {"from": {"id": a}, "to": [{"id": b} for b in by_from[a]]} for a in part]}

                def send(b: dict[str, Any] = body) -> Any:
                    return batch.archive(from_type, to_type, b)
            else:
                body = {"inputs": [
                    {"from": {"id": a}, "to": {"id": b}, "types": [
                        {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}]}
                    for a in part for b in by_from[a]]}

                def send(b: dict[str, Any] = body) -> Any:
                    return batch.archive_labels(from_type, to_type, b)
            try:
                self._call(send)
            except RemoteError as err:
                if not err.permanent:
                    raise
                out += [Outcome(False, error=_with_record(err, k), key=k) for k in keys]
                continue
            out += [Outcome(True, key=k) for k in keys]
        return out

    # ---- pipelines ---------------------------------------------------------------------
    def pipelines(self, object_type: str) -> list[dict[str, Any]]:
        """Pipelines of deals or tickets, in display order:
        [{"id", "label", "stages": [{"id", "label", "metadata"}]}] (metadata values are
        strings, e.g. {"probability": "0.2", "isClosed": "false"} or {"ticketState": "OPEN"})."""
        res = self._call(lambda: self.client.crm.pipelines.pipelines_api.get_all(object_type))
        return [{"id": str(p.id), "label": p.label,
                 "stages": [{"id": str(s.id), "label": s.label,
                             "metadata": dict(s.metadata or {})}
                            for s in sorted(p.stages or [], key=lambda s: s.display_order)]}
                for p in sorted(res.results, key=lambda p: (p.display_order, p.label))]


def _with_record(err: RemoteError, key: str) -> RemoteError:
    return RemoteError(err.kind, err.message, code=err.code, remote=err.remote, record=key,
                       fields=err.fields, status=err.status, retry_after=err.retry_after,
                       permanent=err.permanent)
