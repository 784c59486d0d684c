"""A local HTTPS emulator of the HubSpot CRM v3/v4 API (DESIGN.md decisions 1 and 2).

It is a werkzeug WSGI app with all state in memory (`hs_store.Portal`, guarded by one lock),
served over TLS by `connectors.sandbox.server.RunningServer`. The unchanged
hubspot-api-client talks to it with `host=handle.url` and `ssl_ca_cert=handle.ca_file`.

API surface (paths as HubSpot's; `{type}` is a plural name, singular name or objectTypeId):
    POST/GET          /crm/v3/objects/{type}                      create / list (limit<=100)
    GET/PATCH/DELETE  /crm/v3/objects/{type}/{id}                 ?properties ?idProperty
    POST              /crm/v3/objects/{type}/batch/{read|create|update|upsert|archive}
    POST              /crm/v3/objects/{type}/search               10,000 result cap
    GET/POST          /crm/v3/properties/{type}[/{name}]          also PATCH/DELETE
    PUT               /crm/v4/objects/{f}/{id}/associations/default/{t}/{toId}
    PUT/DELETE        /crm/v4/objects/{f}/{id}/associations/{t}/{toId}   (labels body)
    GET               /crm/v4/objects/{f}/{id}/associations/{t}
    POST              /crm/v4/associations/{f}/{t}/batch/{read|create|archive|associate/default}
    POST/GET          /crm/v3/lists/ , /crm/v3/lists/search , /crm/v3/lists/{id}
    GET/PUT           /crm/v3/lists/{id}/memberships , .../memberships/{add|remove|add-and-remove}
    GET               /crm/v3/pipelines/{deals|tickets}[/{id}[/stages]]  (hs_pipelines)
    GET               /crm/v3/owners/ , /events/v3/events/?objectType&objectId&eventType
    POST              /oauth/v1/token ; GET /oauth/v1/access-tokens/{token} ; GET/POST
                      /oauth/authorize (a one-button consent page redirecting with ?code=)

Batch partial success: as in HubSpot, create/update/upsert inputs that carry an
`objectWriteTraceId` opt into per-input results: failures come back as 207 with `errors[]`
whose `context` holds `objectWriteTraceId` (and `ids` when known) while good inputs apply.
Without trace ids an invalid input fails the whole batch with 400 and nothing is applied.
Batch read always answers 207 listing missing ids; association batch associate/default
answers 200 with `errors` inside (the only status the SDK knows for it). Wordings HubSpot
does not document (the search cap, the batch size error) are the emulator's own.

Rate limits: every authenticated API request counts against a rolling window per token
(default 190 per 10,000 ms) and a daily limit; responses carry X-HubSpot-RateLimit-* headers.
Usage (every request except /__sandbox/ and the consent page) is counted per endpoint.

Control API (JSON, not counted as usage, no auth):
    POST   /__sandbox/reset                    records, lists, events, usage, faults, limits
    POST   /__sandbox/load                     {"contacts": [{props}], ..., "associations":
                                               {"contact_company": [[i, j]], ...}} (by index,
                                               as seed.SeedData; "..._primary" keys add the
                                               Primary label) -> {"ids": {type: [ids]}};
                                               props may hold createdate / lastmodifieddate /
                                               hs_lastmodifieddate (ISO or ms); no validation
    POST   /__sandbox/touch                    {"type", "ids", "lastmodifieddate"} re-stamps
    POST   /__sandbox/limits                   {"ten_secondly": n, "interval_ms": n,
                                               "daily": n, "search_per_second": n|null}
    POST   /__sandbox/tokens                   {"ttl": s} default OAuth token lifetime;
                                               {"issue": true} -> new OAuth access/refresh pair;
                                               {"expire": token|"*"} expires OAuth tokens
    POST   /__sandbox/properties/{type}        {"name", "label", "type", "unique", "read_only",
                                               "options"} creates or alters a property
    POST   /__sandbox/pipelines/{type}         adds a deal/ticket pipeline (see hs_pipelines)
    POST   /__sandbox/lists                    same body as POST /crm/v3/lists, plus
                                               "members": [ids]
    POST   /__sandbox/events                   {"events": [{"eventType", "objectType",
                                               "objectId", "occurredAt", "properties"}]}
    POST   /__sandbox/faults                   {"seed": n, "rules": [{"path": glob or "*",
                                               "method": opt, "p500", "p503", "p429",
                                               "ptimeout", "pexpired": 0..1, "timeout": s,
                                               "times": max hits, "retry_after": s on
                                               injected 429s}]} ; DELETE clears
    GET    /__sandbox/usage                    {"total", "by_endpoint", "rejected"}
"""

from __future__ import annotations

import contextlib
import fnmatch
import json
import random
import secrets
import tempfile
import threading
import time
import traceback
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import requests
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox import hs_pipelines
from connectors.sandbox.hs_assoc import (
    ASSOC_TYPES,
    EVENT_TYPES,
    OWNERS,
    Associations,
    AssocType,
    HsList,
    branch_matches,
    default_type,
    owner_api,
    type_name,
    validate_branch,
)
from connectors.sandbox.hs_store import (
    ObjectStore,
    Portal,
    PropError,
    Rec,
    iso,
    now_ms,
    parse_ms,
)
from connectors.sandbox.server import LocalCA, RunningServer

BATCH_LIMIT = 100
# Associations v4 batches: reads take at most 1,000 ids since 2025-02-10
# (developers.hubspot.com/changelog/bug-fix-batch-read-limit-for-hubspot-associations-api);
# create and archive take at most 2,000 inputs (the v4 reference's batch limits).
ASSOC_READ_LIMIT = 1000
ASSOC_WRITE_LIMIT = 2000
SEARCH_CAP = 10_000
SEARCH_MAX_LIMIT = 200
OPERATORS = {"EQ", "NEQ", "LT", "LTE", "GT", "GTE", "BETWEEN", "IN", "NOT_IN", "HAS_PROPERTY",
             "NOT_HAS_PROPERTY", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}
SCOPES = ["oauth", "crm.objects.contacts.read", "crm.objects.contacts.write",
          "crm.objects.companies.read", "crm.objects.companies.write", "crm.objects.deals.read",
          "crm.objects.deals.write", "crm.schemas.contacts.write", "crm.lists.read",
          "crm.lists.write", "crm.objects.owners.read", "tickets"]


class HSError(Exception):
    def __init__(self, status: int, body: dict[str, Any],
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(body.get("message"))
        self.status, self.body, self.headers = status, body, headers or {}


def _cid() -> str:
    return str(uuid.uuid4())


def err(status: int, category: str, message: str, *, errors: list[dict[str, Any]] | None = None,
        context: dict[str, Any] | None = None, sub: str | None = None, **extra: Any) -> HSError:
    body: dict[str, Any] = {"status": "error", "message": message, "correlationId": _cid(),
                            "category": category}
    if sub:
        body["subCategory"] = sub
    if errors is not None:
        body["errors"] = errors
    if context is not None:
        body["context"] = context
    body.update(extra)
    return HSError(status, body)


def prop_errors_message(errs: list[PropError], hub_id: int) -> str:
    inner = [{"isValid": False, "message": e.message, "error": e.code, "name": e.name,
              "localizedErrorMessage": e.message, "portalId": hub_id} for e in errs]
    return "Property values were not valid: " + json.dumps(inner, separators=(",", ":"))


def prop_error_details(errs: list[PropError]) -> list[dict[str, Any]]:
    return [{"message": e.message, "code": e.code, "context": {"propertyName": [e.name]}}
            for e in errs]


@dataclass
class Token:
    token: str
    kind: str  # "pat" | "oauth"
    expires_at: float | None
    refresh: str | None = None
    user: str = "integration@example.com"
    user_id: int = 9001
    scopes: list[str] = field(default_factory=lambda: list(SCOPES))


@dataclass
class FaultRule:
    path: str = "*"
    method: str | None = None
    p500: float = 0.0
    p503: float = 0.0
    p429: float = 0.0
    ptimeout: float = 0.0
    pexpired: float = 0.0
    timeout: float = 1.0
    times: int | None = None
    retry_after: float | None = None  # HubSpot sends none; set to test clients honouring it
    hits: int = 0


class HubSpotEmulator:
    """The WSGI app. `portal` is the in-memory account."""

    def __init__(self, portal: Portal | None = None, *, client_id: str | None = None,
                 client_secret: str | None = None) -> None:
        self.portal = portal or Portal()
        self.lock = self.portal.lock
        self.client_id = client_id or str(uuid.uuid4())
        self.client_secret = client_secret or str(uuid.uuid4())
        self.app_id = 1_234_567
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, list[str]] = {}  # refresh -> scopes
        self.codes: dict[str, tuple[str, float]] = {}  # code -> (redirect_uri, expiry)
        self.pat = "pat-na1-" + str(uuid.uuid4())
        self.tokens[self.pat] = Token(self.pat, "pat", None)
        self.token_ttl = 1800
        self.reset()
        self.url_map = _URL_MAP

    # ---- state -------------------------------------------------------------------------
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

    def reset(self) -> None:
        with self.lock:
            hub = self.portal.hub_id
            lock = self.portal.lock
            fresh = Portal(hub_id=hub, lock=lock)
            self.portal.stores, self.portal.aliases = fresh.stores, fresh.aliases
            self.portal._ids = fresh._ids
            self.assoc = Associations(on_change=self._assoc_changed)
            self.lists: dict[int, HsList] = {}
            self._list_ids = iter(range(1, 10**9))
            self.events: list[dict[str, Any]] = []
            self.usage_total = 0
            self.usage_by_endpoint: dict[str, int] = {}
            self.rejected = 0
            self.ten_secondly = 190
            self.interval_ms = 10_000
            self.daily = 500_000
            self.search_per_second: int | None = None
            self.windows: dict[str, deque[float]] = {}
            self.search_window: deque[float] = deque()
            self.daily_count: dict[str, int] = {}
            self.faults: list[FaultRule] = []
            self.rng = random.Random(0)
            self.owners_at = now_ms()
            self.pipelines = hs_pipelines.Pipelines()

    def issue_oauth(self, scopes: list[str] | None = None) -> Token:
        with self.lock:
            refresh = str(uuid.uuid4())
            self.refresh_tokens[refresh] = list(scopes or SCOPES)
            return self._new_access(refresh)

    def _new_access(self, refresh: str) -> Token:
        access = "CO" + secrets.token_urlsafe(48)
        tok = Token(access, "oauth", time.time() + self.token_ttl, refresh,
                    scopes=self.refresh_tokens[refresh])
        self.tokens[access] = tok
        return tok

    # ---- WSGI --------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        req = Request(environ)
        try:
            resp = self.dispatch(req)
        except HSError as e:
            resp = self.json(e.body, e.status, e.headers)
        except Exception as e:  # an emulator bug: answer like HubSpot's 500, keep the trace
            traceback.print_exc()
            resp = self.json({"status": "error", "message": f"internal error: {e!r}",
                              "correlationId": _cid(), "category": "INTERNAL_ERROR"}, 500)
        return resp(environ, start_response)

    @staticmethod
    def json(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        if status == 204:
            r = Response(status=204)
        else:
            r = Response(json.dumps(body, separators=(",", ":")), status=status,
                         content_type="application/json;charset=utf-8")
        r.headers["X-HubSpot-Correlation-Id"] = _cid()
        for k, v in (headers or {}).items():
            r.headers[k] = v
        return r

    def dispatch(self, req: Request) -> Response:
        adapter = self.url_map.bind_to_environ(req.environ)
        try:
            endpoint, args = adapter.match()
        except MethodNotAllowed as e:
            raise err(405, "VALIDATION_ERROR", f"Method {req.method} not allowed") from e
        except NotFound as e:
            if not req.path.startswith(("/__sandbox/", "/oauth/authorize")):
                with self.lock:
                    self.usage_total += 1
            raise HSError(404, {"status": "error", "message": "Not found",
                                "correlationId": _cid(), "category": "OBJECT_NOT_FOUND"}) from e
        except HTTPException as e:  # pragma: no cover
            raise err(e.code or 400, "VALIDATION_ERROR", str(e)) from e
        if endpoint.startswith("ctl_"):
            return getattr(self, endpoint)(req, **args)
        if endpoint.startswith("authorize"):
            return getattr(self, endpoint)(req, **args)
        rule_name = f"{req.method} {endpoint}"
        with self.lock:
            self.usage_total += 1
            self.usage_by_endpoint[rule_name] = self.usage_by_endpoint.get(rule_name, 0) + 1
        self._faults(req)
        if endpoint.startswith("oauth_"):
            return getattr(self, endpoint)(req, **args)
        tok = self._auth(req)
        headers = self._rate(tok, endpoint)
        try:
            resp: Response = getattr(self, endpoint)(req, **args)
        except HSError as e:
            e.headers.update(headers)
            raise
        for k, v in headers.items():
            resp.headers[k] = v
        return resp

    def _faults(self, req: Request) -> None:
        with self.lock:
            hit = None
            for rule in self.faults:
                if rule.method and rule.method.upper() != req.method:
                    continue
                if rule.path != "*" and not fnmatch.fnmatch(req.path, rule.path):
                    continue
                if rule.times is not None and rule.hits >= rule.times:
                    continue
                x = self.rng.random()
                acc = 0.0
                for kind in ("p500", "p503", "p429", "ptimeout", "pexpired"):
                    acc += getattr(rule, kind)
                    if x < acc:
                        hit = (rule, kind)
                        break
                if hit:
                    rule.hits += 1
                    break
        if not hit:
            return
        rule, kind = hit
        with self.lock:
            self.rejected += 1
        if kind == "p500":
            raise err(500, "INTERNAL_ERROR", "internal error (injected)")
        if kind == "p503":
            raise HSError(503, {"status": "error", "message": "Service Unavailable (injected)",
                                "correlationId": _cid(), "category": "SERVICE_UNAVAILABLE"})
        if kind == "p429":
            raise HSError(429, {"status": "error",
                                "message": "You have reached your secondly limit.",
                                "errorType": "RATE_LIMIT", "correlationId": _cid(),
                                "policyName": "SECONDLY", "groupName": "publicapi"},
                          {"Retry-After": str(rule.retry_after)}
                          if rule.retry_after is not None else None)
        if kind == "ptimeout":
            time.sleep(rule.timeout)
            raise err(504, "GATEWAY_TIMEOUT", "The request timed out (injected).")
        raise err(401, "EXPIRED_AUTHENTICATION",
                  "The OAuth token used to make this call expired 1 minute(s) ago.")

    def _auth(self, req: Request) -> Token:
        authz = req.headers.get("Authorization", "")
        token = authz[7:].strip() if authz.lower().startswith("bearer ") else ""
        with self.lock:
            tok = self.tokens.get(token) if token else None
        if tok is None:
            raise err(401, "INVALID_AUTHENTICATION",
                      "Authentication credentials not found. This API supports OAuth 2.0 "
                      "authentication and you can find more details at "
                      "https://developers.hubspot.com/docs/methods/auth/oauth-overview")
        if tok.expires_at is not None and tok.expires_at <= time.time():
            mins = int((time.time() - tok.expires_at) // 60)
            raise err(401, "EXPIRED_AUTHENTICATION",
                      f"The OAuth token used to make this call expired {mins} minute(s) ago.")
        return tok

    def _rate(self, tok: Token, endpoint: str) -> dict[str, str]:
        now = time.time()
        day = time.strftime("%Y-%m-%d", time.gmtime(now))
        with self.lock:
            win = self.windows.setdefault(tok.token, deque())
            cutoff = now - self.interval_ms / 1000
            while win and win[0] <= cutoff:
                win.popleft()
            used_day = self.daily_count.get(day, 0)
            headers = {
                "X-HubSpot-RateLimit-Interval-Milliseconds": str(self.interval_ms),
                "X-HubSpot-RateLimit-Max": str(self.ten_secondly),
                "X-HubSpot-RateLimit-Daily": str(self.daily),
            }
            if used_day >= self.daily:
                headers["X-HubSpot-RateLimit-Remaining"] = str(
                    max(0, self.ten_secondly - len(win)))
                headers["X-HubSpot-RateLimit-Daily-Remaining"] = "0"
                self.rejected += 1
                raise HSError(429, {"status": "error",
                                    "message": "You have reached your daily limit.",
                                    "errorType": "RATE_LIMIT", "correlationId": _cid(),
                                    "policyName": "DAILY", "groupName": "publicapi"}, headers)
            if len(win) >= self.ten_secondly:
                headers["X-HubSpot-RateLimit-Remaining"] = "0"
                headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(self.daily - used_day)
                self.rejected += 1
                raise HSError(429, {"status": "error",
                                    "message": "You have reached your ten_secondly_rolling "
                                               "limit.",
                                    "errorType": "RATE_LIMIT", "correlationId": _cid(),
                                    "policyName": "TEN_SECONDLY_ROLLING",
                                    "groupName": "publicapi"}, headers)
            if endpoint == "search" and self.search_per_second is not None:
                sw = self.search_window
                while sw and sw[0] <= now - 1:
                    sw.popleft()
                if len(sw) >= self.search_per_second:
                    self.rejected += 1
                    raise HSError(429, {"status": "error",
                                        "message": "You have reached your secondly limit.",
                                        "errorType": "RATE_LIMIT", "correlationId": _cid(),
                                        "policyName": "SECONDLY", "groupName": "search"},
                                  headers)
                sw.append(now)
            win.append(now)
            self.daily_count[day] = used_day + 1
            headers["X-HubSpot-RateLimit-Remaining"] = str(self.ten_secondly - len(win))
            headers["X-HubSpot-RateLimit-Daily-Remaining"] = str(self.daily - used_day - 1)
        return headers

    # ---- helpers -----------------------------------------------------------------------
    def _store(self, name: str) -> ObjectStore:
        st = self.portal.store(name)
        if st is None:
            raise err(400, "VALIDATION_ERROR", f"Unable to infer object type from: {name}")
        return st

    @staticmethod
    def _body(req: Request) -> Any:
        raw = req.get_data(as_text=True)
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except json.JSONDecodeError as e:
            raise err(400, "VALIDATION_ERROR",
                      f"Invalid input JSON on line {e.lineno}, column {e.colno}: {e.msg}") from e

    @staticmethod
    def _props_param(req: Request, key: str = "properties") -> list[str]:
        out: list[str] = []
        for v in req.args.getlist(key):
            out += [x.strip() for x in v.split(",") if x.strip()]
        return out

    @staticmethod
    def _flag(req: Request, key: str) -> bool:
        return req.args.get(key, "false").lower() == "true"

    def _owners(self) -> set[str]:
        return {o["id"] for o in OWNERS}

    def _check_batch(self, inputs: Any, limit: int = BATCH_LIMIT) -> list[dict[str, Any]]:
        if not isinstance(inputs, list):
            raise err(400, "VALIDATION_ERROR", "Invalid input: inputs must be a list")
        if len(inputs) > limit:
            raise err(400, "VALIDATION_ERROR",
                      f"Batch input limit exceeded: {len(inputs)} inputs were sent, the "
                      f"limit is {limit}.",
                      context={"inputs": [str(len(inputs))], "limit": [str(limit)]})
        return inputs

    def _batch_response(self, results: list[dict[str, Any]], errors: list[dict[str, Any]],
                        started: int, ok_status: int) -> Response:
        body: dict[str, Any] = {"status": "COMPLETE", "results": results,
                                "startedAt": iso(started), "completedAt": iso(now_ms())}
        if errors:
            body["numErrors"] = len(errors)
            body["errors"] = errors
            return self.json(body, 207)
        return self.json(body, ok_status)

    @staticmethod
    def _std_error(category: str, message: str, context: dict[str, list[str]],
                   errors: list[dict[str, Any]] | None = None,
                   sub: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"status": "error", "category": category, "message": message,
                               "context": context, "errors": errors or [], "links": {}}
        if sub:
            out["subCategory"] = sub
        return out

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

    # ---- search ------------------------------------------------------------------------
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

    # ---- properties --------------------------------------------------------------------
    def properties_list(self, req: Request, otype: str) -> Response:
        st = self._store(otype)
        with self.lock:
            results = [p.to_api() for p in st.props.values()]
        return self.json({"results": results})

    def property_get(self, req: Request, otype: str, name: str) -> Response:
        st = self._store(otype)
        with self.lock:
            p = st.props.get(name)
            if p is None:
                raise err(404, "OBJECT_NOT_FOUND",
                          f"Unable to find property {name} for object type {st.type_id}")
            return self.json(p.to_api())

    def property_create(self, req: Request, otype: str) -> Response:
        st = self._store(otype)
        body = self._body(req)
        with self.lock:
            p = self._make_prop(st, body, api=True)
            return self.json(p.to_api(), 201)

    def _make_prop(self, st: ObjectStore, body: dict[str, Any], api: bool) -> Any:
        from connectors.sandbox.hs_store import Prop

        name = body.get("name")
        if not name or not isinstance(name, str):
            raise err(400, "VALIDATION_ERROR", "Property name is required")
        if api and name in st.props:
            raise err(409, "OBJECT_ALREADY_EXISTS", f"Property named '{name}' already exists.",
                      context={"name": [name]})
        typ = body.get("type", "string")
        ftype = body.get("fieldType", "select" if typ == "enumeration" else "text")
        if typ not in ("string", "number", "date", "datetime", "enumeration", "bool"):
            raise err(400, "VALIDATION_ERROR", f"Invalid property type {typ!r}")
        opts = [str(o.get("value") if isinstance(o, dict) else o)
                for o in body.get("options") or []]
        if typ == "enumeration" and not opts and api:
            raise err(400, "VALIDATION_ERROR",
                      "Enumeration properties must have at least one option")
        unique = bool(body.get("hasUniqueValue", body.get("unique", False)))
        if unique and typ not in ("string", "number"):
            raise err(400, "VALIDATION_ERROR", "Only string or number properties can be unique")
        if typ == "bool" and not opts:
            opts = ["true", "false"]
        existing = st.props.get(name)
        if existing and not api:
            p = existing
            if "label" in body:
                p.label = body["label"]
            if opts:
                p.options = opts
            if "read_only" in body:
                p.read_only = bool(body["read_only"])
            if unique and not p.unique:
                p.unique = True
                st.add_unique_index(name)
            return p
        p = Prop(name, body.get("label", name), typ, ftype,
                 body.get("groupName", "contactinformation"), opts, unique,
                 bool(body.get("read_only", False)), bool(body.get("calculated", False)),
                 hubspot_defined=False, description=body.get("description", ""))
        st.props[name] = p
        if unique:
            st.add_unique_index(name)
        return p

    def property_update(self, req: Request, otype: str, name: str) -> Response:
        st = self._store(otype)
        body = self._body(req)
        with self.lock:
            p = st.props.get(name)
            if p is None:
                raise err(404, "OBJECT_NOT_FOUND",
                          f"Unable to find property {name} for object type {st.type_id}")
            if p.hubspot_defined and ("type" in body or "fieldType" in body):
                raise err(400, "VALIDATION_ERROR",
                          f"Property {name} is HubSpot-defined; its type cannot be changed")
            for k, attr in (("label", "label"), ("description", "description"),
                            ("groupName", "group"), ("type", "type"),
                            ("fieldType", "field_type")):
                if k in body:
                    setattr(p, attr, body[k])
            if "options" in body:
                p.options = [str(o.get("value") if isinstance(o, dict) else o)
                             for o in body["options"]]
            return self.json(p.to_api())

    def property_delete(self, req: Request, otype: str, name: str) -> Response:
        st = self._store(otype)
        with self.lock:
            p = st.props.get(name)
            if p is None:
                raise err(404, "OBJECT_NOT_FOUND",
                          f"Unable to find property {name} for object type {st.type_id}")
            if p.hubspot_defined:
                raise err(400, "VALIDATION_ERROR",
                          f"Property {name} is HubSpot-defined and cannot be archived")
            del st.props[name]
            st.unique.pop(name, None)
        return self.json(None, 204)

    # ---- associations v4 ---------------------------------------------------------------
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

    # ---- lists -------------------------------------------------------------------------
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

    # ---- owners, events ----------------------------------------------------------------
    def owners(self, req: Request) -> Response:
        email = req.args.get("email")
        rows = [owner_api(o, self.owners_at) for o in OWNERS
                if not email or o["email"] == email.lower()]
        return self.json({"results": rows})

    def events_list(self, req: Request) -> Response:
        otype = req.args.get("objectType")
        if not otype:
            raise err(400, "VALIDATION_ERROR", "objectType is required")
        st = self._store(otype)
        oid = req.args.get("objectId")
        etypes = set(req.args.getlist("eventType"))
        after_ms = parse_ms(req.args.get("occurredAfter"))
        before_ms = parse_ms(req.args.get("occurredBefore"))
        limit = min(int(req.args.get("limit", 100)), 1000)
        after = int(req.args.get("after", 0) or 0)
        with self.lock:
            rows = [e for e in self.events
                    if e["objectType"] in (st.singular, st.plural, st.type_id)
                    and (oid is None or str(e["objectId"]) == str(oid))
                    and (not etypes or e["eventType"] in etypes)
                    and (after_ms is None or e["occurredAt"] > after_ms)
                    and (before_ms is None or e["occurredAt"] < before_ms)]
        rows.sort(key=lambda e: (e["occurredAt"], e["id"]))
        page = rows[after:after + limit]
        body: dict[str, Any] = {"results": [
            {"objectType": st.singular.upper(), "objectId": str(e["objectId"]),
             "eventType": e["eventType"], "occurredAt": iso(e["occurredAt"]), "id": e["id"],
             "properties": e.get("properties") or {}} for e in page]}
        if after + limit < len(rows):
            body["paging"] = {"next": {"after": str(after + limit)}}
        return self.json(body)

    def event_types(self, req: Request) -> Response:
        return self.json({"eventTypes": EVENT_TYPES})

    def add_events(self, events: list[dict[str, Any]]) -> None:
        for e in events:
            self.events.append({
                "id": e.get("id") or str(uuid.uuid4()),
                "eventType": e["eventType"],
                "objectType": e.get("objectType", "contact"),
                "objectId": str(e["objectId"]),
                "occurredAt": parse_ms(e.get("occurredAt")) or now_ms(),
                "properties": {k: str(v) for k, v in (e.get("properties") or {}).items()},
            })

    # ---- oauth -------------------------------------------------------------------------
    def authorize_page(self, req: Request) -> Response:
        a = req.args
        if a.get("client_id") != self.client_id:
            return Response("Unknown client_id", status=400)
        fields = "".join(
            f'<input type="hidden" name="{k}" value="{_html(a.get(k, ""))}">'
            for k in ("client_id", "redirect_uri", "scope", "state", "optional_scope"))
        html = (f"<!doctype html><title>Authorize</title><h1>Connect HubSpot portal "
                f"{self.portal.hub_id}</h1><p>Scopes: {_html(a.get('scope', ''))}</p>"
                f'<form method="post" action="/oauth/authorize">{fields}'
                f'<button type="submit" id="grant">Grant access</button></form>')
        return Response(html, content_type="text/html; charset=utf-8")

    def authorize_grant(self, req: Request) -> Response:
        f = req.form
        if f.get("client_id") != self.client_id or not f.get("redirect_uri"):
            return Response("Unknown client_id or missing redirect_uri", status=400)
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = (f["redirect_uri"], time.time() + 300)
        q = {"code": code}
        if f.get("state"):
            q["state"] = f["state"]
        sep = "&" if "?" in f["redirect_uri"] else "?"
        return Response(status=302, headers={"Location": f["redirect_uri"] + sep + urlencode(q)})

    def oauth_token(self, req: Request) -> Response:
        f = req.form
        gt = f.get("grant_type")

        def bad(status: str, msg: str) -> HSError:
            return HSError(400, {"status": status, "message": msg, "correlationId": _cid()})

        if f.get("client_id") != self.client_id:
            raise bad("BAD_CLIENT_ID", "missing or unknown client id")
        if f.get("client_secret") != self.client_secret:
            raise bad("BAD_CLIENT_SECRET", "missing or invalid client secret")
        with self.lock:
            if gt == "authorization_code":
                code = f.get("code", "")
                entry = self.codes.pop(code, None)
                if entry is None or entry[1] < time.time():
                    raise bad("BAD_AUTH_CODE", "missing or invalid auth code")
                if entry[0] != f.get("redirect_uri"):
                    raise bad("BAD_REDIRECT_URI", "redirect_uri does not match")
                tok = self.issue_oauth()
            elif gt == "refresh_token":
                refresh = f.get("refresh_token", "")
                if refresh not in self.refresh_tokens:
                    raise bad("BAD_REFRESH_TOKEN", "missing or invalid refresh token")
                tok = self._new_access(refresh)
            else:
                raise bad("BAD_GRANT_TYPE", "missing or unsupported grant_type")
        return self.json({"access_token": tok.token, "refresh_token": tok.refresh,
                          "expires_in": self.token_ttl, "token_type": "bearer"})

    def oauth_access_token(self, req: Request, token: str) -> Response:
        with self.lock:
            tok = self.tokens.get(token)
        if tok is None or (tok.expires_at is not None and tok.expires_at <= time.time()):
            raise HSError(404, {"status": "error", "message": "Token not found",
                                "correlationId": _cid(), "category": "OBJECT_NOT_FOUND"})
        expires = int(tok.expires_at - time.time()) if tok.expires_at else 0
        return self.json({"token": tok.token, "user": tok.user, "hub_domain":
                          f"portal-{self.portal.hub_id}.example.com", "scopes": tok.scopes,
                          "hub_id": self.portal.hub_id, "app_id": self.app_id,
                          "expires_in": expires, "user_id": tok.user_id,
                          "token_type": "access" if tok.kind == "oauth" else "private-app"})

    def oauth_refresh_info(self, req: Request, token: str) -> Response:
        with self.lock:
            scopes = self.refresh_tokens.get(token)
        if scopes is None:
            raise HSError(404, {"status": "error", "message": "Token not found",
                                "correlationId": _cid(), "category": "OBJECT_NOT_FOUND"})
        return self.json({"token": token, "user": "integration@example.com",
                          "hub_domain": f"portal-{self.portal.hub_id}.example.com",
                          "scopes": scopes, "hub_id": self.portal.hub_id,
                          "client_id": self.client_id, "user_id": 9001,
                          "token_type": "refresh"})

    # ---- pipelines (connectors.sandbox.hs_pipelines) ---------------------------------
    pipelines_list = hs_pipelines.pipelines_list
    pipelines_get = hs_pipelines.pipelines_get
    pipelines_stages = hs_pipelines.pipelines_stages
    ctl_pipelines = hs_pipelines.ctl_pipelines

    # ---- control API -------------------------------------------------------------------
    def ctl_reset(self, req: Request) -> Response:
        self.reset()
        return self.json({"ok": True})

    def load(self, data: dict[str, Any]) -> dict[str, list[str]]:
        """Load records without validation (dirty data allowed), as seed.SeedData.hs."""
        out: dict[str, list[str]] = {}
        with self.lock:
            for typ, rows in data.items():
                if typ == "associations":
                    continue
                st = self._store(typ)
                ids = out.setdefault(st.plural, [])
                for row in rows:
                    props = {k: ("" if v is None else str(v)) for k, v in row.items()}
                    mod = props.pop("lastmodifieddate", None) or props.pop(
                        "hs_lastmodifieddate", None)
                    props.pop("hs_lastmodifieddate", None)
                    props.pop("hs_object_id", None)
                    for k, v in list(props.items()):
                        p = st.props.get(k)
                        if p and p.type == "datetime" and v:
                            ms = parse_ms(v)
                            if ms is not None:
                                props[k] = iso(ms)
                    if "email" in props and st.plural == "contacts":
                        props["email"] = props["email"].strip()
                    at = parse_ms(mod) if mod else None
                    created = parse_ms(props["createdate"]) if props.get("createdate") else None
                    if created is not None and at is None:
                        at = created
                    rec = st.create(props, at=at, created=created)
                    ids.append(str(rec.id))
            pairs = {"contact_company": ("contacts", "companies"),
                     "deal_company": ("deals", "companies"),
                     "deal_contact": ("deals", "contacts"),
                     "ticket_contact": ("tickets", "contacts"),
                     "ticket_company": ("tickets", "companies")}
            for key, links in (data.get("associations") or {}).items():
                base = key.removesuffix("_primary")  # "deal_company_primary": the label
                if base not in pairs:
                    raise err(400, "VALIDATION_ERROR", f"Unknown association key {key}")
                a, b = pairs[base]
                dt = default_type(a, b) if base == key else next(
                    (t for t in ASSOC_TYPES[(a, b)].values() if t.label == "Primary"), None)
                if dt is None:
                    raise err(400, "VALIDATION_ERROR", f"Unknown association key {key}")
                ia, ib = out[a], out[b]
                self.assoc.add_many(a, b, [(int(ia[i]), int(ib[j])) for i, j in links], dt)
        return out

    def ctl_load(self, req: Request) -> Response:
        return self.json({"ids": self.load(self._body(req))})

    def ctl_touch(self, req: Request) -> Response:
        body = self._body(req)
        with self.lock:
            st = self._store(body["type"])
            at = parse_ms(body.get("lastmodifieddate")) or now_ms()
            for rid in body.get("ids") or []:
                rec = st.records.get(int(rid))
                if rec:
                    st.update(rec, {k: str(v) for k, v in (body.get("properties") or {}).items()},
                              at=at)
        return self.json({"ok": True})

    def ctl_limits(self, req: Request) -> Response:
        body = self._body(req)
        with self.lock:
            if "ten_secondly" in body:
                self.ten_secondly = int(body["ten_secondly"])
            if "interval_ms" in body:
                self.interval_ms = int(body["interval_ms"])
            if "daily" in body:
                self.daily = int(body["daily"])
            if "search_per_second" in body:
                v = body["search_per_second"]
                self.search_per_second = None if v is None else int(v)
            if body.get("reset_windows"):
                self.windows.clear()
                self.daily_count.clear()
        return self.json({"ten_secondly": self.ten_secondly, "interval_ms": self.interval_ms,
                          "daily": self.daily})

    def ctl_tokens(self, req: Request) -> Response:
        body = self._body(req)
        out: dict[str, Any] = {}
        with self.lock:
            if "ttl" in body:
                self.token_ttl = int(body["ttl"])
            if body.get("issue"):
                tok = self.issue_oauth()
                out.update(access_token=tok.token, refresh_token=tok.refresh,
                           expires_in=self.token_ttl)
            which = body.get("expire")
            if which:
                for t in self.tokens.values():
                    if t.kind == "oauth" and which in ("*", t.token):
                        t.expires_at = time.time() - 61
        return self.json(out)

    def ctl_property(self, req: Request, otype: str) -> Response:
        body = self._body(req)
        with self.lock:
            st = self._store(otype)
            p = self._make_prop(st, body, api=False)
            return self.json(p.to_api())

    def ctl_lists(self, req: Request) -> Response:
        body = self._body(req)
        with self.lock:
            lst = self.create_list_from(body)
            for rid in body.get("members") or []:
                lst.members[int(rid)] = now_ms()
            return self.json({"list": lst.to_api(len(self._list_members(lst)))})

    def ctl_events(self, req: Request) -> Response:
        with self.lock:
            self.add_events(self._body(req).get("events") or [])
        return self.json({"ok": True})

    def ctl_faults(self, req: Request) -> Response:
        with self.lock:
            if req.method == "DELETE":
                self.faults = []
                return self.json({"ok": True})
            body = self._body(req)
            self.rng = random.Random(body.get("seed", 0))
            names = FaultRule.__dataclass_fields__
            self.faults = [FaultRule(**{k: v for k, v in r.items() if k in names and k != "hits"})
                           for r in body.get("rules") or []]
        return self.json({"ok": True})

    def ctl_usage(self, req: Request) -> Response:
        with self.lock:
            return self.json({"total": self.usage_total, "by_endpoint": self.usage_by_endpoint,
                              "rejected": self.rejected})


def _html(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


_RULES = [
    Rule("/crm/v3/objects/<otype>", methods=["GET"], endpoint="list_objects"),
    Rule("/crm/v3/objects/<otype>", methods=["POST"], endpoint="create_object"),
    Rule("/crm/v3/objects/<otype>/search", methods=["POST"], endpoint="search"),
    Rule("/crm/v3/objects/<otype>/batch/<op>", methods=["POST"], endpoint="batch"),
    Rule("/crm/v3/objects/<otype>/<oid>", methods=["GET"], endpoint="get_object"),
    Rule("/crm/v3/objects/<otype>/<oid>", methods=["PATCH"], endpoint="update_object"),
    Rule("/crm/v3/objects/<otype>/<oid>", methods=["DELETE"], endpoint="archive_object"),
    Rule("/crm/v3/properties/<otype>", methods=["GET"], endpoint="properties_list"),
    Rule("/crm/v3/properties/<otype>", methods=["POST"], endpoint="property_create"),
    Rule("/crm/v3/properties/<otype>/<name>", methods=["GET"], endpoint="property_get"),
    Rule("/crm/v3/properties/<otype>/<name>", methods=["PATCH"], endpoint="property_update"),
    Rule("/crm/v3/properties/<otype>/<name>", methods=["DELETE"], endpoint="property_delete"),
    Rule("/crm/v4/objects/<f>/<fid>/associations/default/<t>/<tid>", methods=["PUT"],
         endpoint="assoc_default"),
    Rule("/crm/v4/objects/<f>/<fid>/associations/<t>/<tid>", methods=["PUT"],
         endpoint="assoc_put"),
    Rule("/crm/v4/objects/<f>/<fid>/associations/<t>/<tid>", methods=["DELETE"],
         endpoint="assoc_delete"),
    Rule("/crm/v4/objects/<f>/<fid>/associations/<t>", methods=["GET"], endpoint="assoc_get"),
    Rule("/crm/v4/associations/<f>/<t>/batch/<path:op>", methods=["POST"],
         endpoint="assoc_batch"),
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
    Rule("/crm/v3/owners/", methods=["GET"], endpoint="owners"),
    Rule("/events/v3/events/", methods=["GET"], endpoint="events_list"),
    Rule("/events/v3/events/event-types", methods=["GET"], endpoint="event_types"),
    Rule("/oauth/v1/token", methods=["POST"], endpoint="oauth_token"),
    Rule("/oauth/v1/access-tokens/<token>", methods=["GET"], endpoint="oauth_access_token"),
    Rule("/oauth/v1/refresh-tokens/<token>", methods=["GET"], endpoint="oauth_refresh_info"),
    Rule("/oauth/authorize", methods=["GET"], endpoint="authorize_page"),
    Rule("/oauth/authorize", methods=["POST"], endpoint="authorize_grant"),
    Rule("/__sandbox/reset", methods=["POST"], endpoint="ctl_reset"),
    Rule("/__sandbox/load", methods=["POST"], endpoint="ctl_load"),
    Rule("/__sandbox/touch", methods=["POST"], endpoint="ctl_touch"),
    Rule("/__sandbox/limits", methods=["POST"], endpoint="ctl_limits"),
    Rule("/__sandbox/tokens", methods=["POST"], endpoint="ctl_tokens"),
    Rule("/__sandbox/properties/<otype>", methods=["POST"], endpoint="ctl_property"),
    Rule("/__sandbox/lists", methods=["POST"], endpoint="ctl_lists"),
    Rule("/__sandbox/events", methods=["POST"], endpoint="ctl_events"),
    Rule("/__sandbox/faults", methods=["POST", "DELETE"], endpoint="ctl_faults"),
    Rule("/__sandbox/usage", methods=["GET"], endpoint="ctl_usage"),
    *hs_pipelines.rules(),
]

_URL_MAP = Map(_RULES, strict_slashes=False, merge_slashes=False)


# ---- Python handle ---------------------------------------------------------------------------


class Control:
    """A small requests client for /__sandbox/ (trust_env off: env CA/proxy never apply)."""

    def __init__(self, url: str, ca_file: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = ca_file

    def _post(self, path: str, body: Any = None) -> Any:
        r = self.session.post(f"{self.url}/__sandbox/{path}", json=body or {}, timeout=60)
        r.raise_for_status()
        return r.json()

    def reset(self) -> None:
        self._post("reset")

    def load(self, data: dict[str, Any]) -> dict[str, list[str]]:
        return self._post("load", data)["ids"]

    def touch(self, otype: str, ids: list[str], lastmodifieddate: Any,
              properties: dict[str, Any] | None = None) -> None:
        self._post("touch", {"type": otype, "ids": ids, "lastmodifieddate": lastmodifieddate,
                             "properties": properties or {}})

    def limits(self, **kw: Any) -> dict[str, Any]:
        return self._post("limits", kw)

    def tokens(self, **kw: Any) -> dict[str, Any]:
        return self._post("tokens", kw)

    def issue_oauth(self) -> dict[str, Any]:
        return self.tokens(issue=True)

    def expire(self, token: str = "*") -> None:  # noqa: S107
        self.tokens(expire=token)

    def property(self, otype: str, **kw: Any) -> dict[str, Any]:
        return self._post(f"properties/{otype}", kw)

    def add_pipeline(self, otype: str, **kw: Any) -> dict[str, Any]:
        return self._post(f"pipelines/{otype}", kw)

    def create_list(self, **kw: Any) -> dict[str, Any]:
        return self._post("lists", kw)["list"]

    def events(self, events: list[dict[str, Any]]) -> None:
        self._post("events", {"events": events})

    def faults(self, rules: list[dict[str, Any]], seed: int = 0) -> None:
        self._post("faults", {"rules": rules, "seed": seed})

    def clear_faults(self) -> None:
        r = self.session.delete(f"{self.url}/__sandbox/faults", timeout=30)
        r.raise_for_status()

    def usage(self) -> dict[str, Any]:
        r = self.session.get(f"{self.url}/__sandbox/usage", timeout=30)
        r.raise_for_status()
        return r.json()


@dataclass
class HubSpotHandle:
    url: str
    token: str
    portal_id: int
    client_id: str
    client_secret: str
    ca_file: str
    app: HubSpotEmulator
    server: RunningServer
    control: Control

    @property
    def portal(self) -> Portal:
        return self.app.portal

    def stop(self) -> None:
        self.server.stop()
        self.control.session.close()


def start_hubspot(ca: LocalCA, port: int = 0, *, seed: int | None = None,
                  contacts: int = 0, ca_file: str | Path | None = None,
                  companies: int = 0, deals: int = 0, tickets: int = 0) -> HubSpotHandle:
    """Start the emulator on 127.0.0.1 (a free port by default) and return its handle.

    `seed`/`contacts` load `seed.generate`'s HubSpot side; `companies`, `deals` and
    `tickets` add those objects (seed.py's module docstring)."""
    app = HubSpotEmulator()
    if seed is not None or contacts or companies or deals or tickets:
        from connectors.sandbox import seed as seed_mod

        data = seed_mod.generate(seed or 0, contacts, companies=companies, deals=deals,
                                 tickets=tickets)
        app.load({**data.hs, "associations": data.hs_associations})
        _seed_events(app, seed or 0)
    if ca_file is None:
        fd = tempfile.NamedTemporaryFile(prefix="hs-ca-", suffix=".pem", delete=False)  # noqa: SIM115
        fd.close()
        ca_file = fd.name
    ca.write_ca(Path(ca_file))
    server = RunningServer(app, ca, port=port)
    # serve_forever's default 0.5 s poll makes every stop() take half a second; tests start
    # one emulator each, so poll faster (same thread, same server, only the interval differs).
    server._thread = threading.Thread(target=server.server.serve_forever,
                                      kwargs={"poll_interval": 0.02}, daemon=True)
    server.start()
    return HubSpotHandle(url=server.url, token=app.pat, portal_id=app.portal.hub_id,
                         client_id=app.client_id, client_secret=app.client_secret,
                         ca_file=str(ca_file), app=app, server=server,
                         control=Control(server.url, str(ca_file)))


def _seed_events(app: HubSpotEmulator, seed: int) -> None:
    rnd = random.Random(seed)
    st = app.portal.stores["contacts"]
    base = now_ms() - 30 * 86_400_000
    evs = []
    for rid in list(st.records)[:200]:
        for _ in range(rnd.randrange(0, 4)):
            et = rnd.choice(EVENT_TYPES)
            props = {"hs_form_id": "5f1c9a1e-0000-4000-8000-000000000001"} if (
                et == "e_form_submission") else {"hs_email_campaign_id": str(rnd.randrange(1, 9))}
            evs.append({"eventType": et, "objectType": "contact", "objectId": rid,
                        "occurredAt": base + rnd.randrange(30 * 86_400_000),
                        "properties": props})
    app.add_events(evs)


__all__ = ["HubSpotEmulator", "HubSpotHandle", "start_hubspot", "Control"]
