"""A local HTTPS emulator of the HubSpot CRM v3/v4 API (DESIGN.md decisions 1 and 2).

It is a werkzeug WSGI app with all state in memory (`hs_store.Portal`, guarded by one lock),
served over TLS by `connectors.sandbox.server.RunningServer`. The unchanged
hubspot-api-client talks to it with `host=handle.url` and `ssl_ca_cert=handle.ca_file`.

API surface (paths as HubSpot's; `{type}` is a plural name, singular name or objectTypeId):
    POST/GET          /crm/v3/objects/{type}                      create / list (limit<=100)
    GET/PATCH/DELETE  /crm/v3/objects/{type}/{id}                 ?properties ?idProperty
    POST              /crm/v3/objects/{type}/batch/{read|create|update|upsert|archive}
    POST              /crm/v3/objects/{type}/merge                two records into one (hs_merge)
    POST              /crm/v3/objects/{type}/search               10,000 result cap; eventually
                                                                  consistent (below)
    GET/POST          /crm/v3/properties/{type}[/{name}]          also PATCH/DELETE
    PUT               /crm/v4/objects/{f}/{id}/associations/default/{t}/{toId}
    PUT/DELETE        /crm/v4/objects/{f}/{id}/associations/{t}/{toId}   (labels body)
    GET               /crm/v4/objects/{f}/{id}/associations/{t}
    POST              /crm/v4/associations/{f}/{t}/batch/{read|create|archive|associate/default}
    POST/GET          /crm/v3/lists/ , /crm/v3/lists/search , /crm/v3/lists/{id}
    GET/PUT           /crm/v3/lists/{id}/memberships , .../memberships/{add|remove|add-and-remove}
    GET               /crm/v3/pipelines/{deals|tickets}[/{id}[/stages]]  (hs_pipelines)
    GET/POST          /crm-object-schemas/v3/schemas[/{objectType}]  custom objects (hs_schemas):
                      objectTypeId 2-N, fullyQualifiedName p{portal}_{name}, one default
                      association type per associated object; no PATCH, archive or later
                      association definitions
    GET               /crm/v3/owners/ , /events/v3/events/?objectType&objectId&eventType
    POST              /oauth/v3/token , /oauth/v3/token/introspect ; the retiring v1
                      /oauth/v1/token , /oauth/v1/access-tokens/{token} (hs_oauth) ;
                      GET /account-info/v3/details ; GET/POST /oauth/authorize (a one-button
                      consent page redirecting with ?code=)

Batch partial success: as in HubSpot, create/update/upsert inputs that carry an
`objectWriteTraceId` opt into per-input results: failures come back as 207 with `errors[]`
whose `context` holds `objectWriteTraceId` (and `ids` when known) while good inputs apply.
Without trace ids an invalid input fails the whole batch with 400 and nothing is applied.
Batch read always answers 207 listing missing ids; association batch associate/default
answers 200 with `errors` inside (the only status the SDK knows for it). Wordings HubSpot
does not document (the search cap, the batch size error) are the emulator's own.

Rate limits: every authenticated API request counts against a rolling window per token
(default 190 per 10,000 ms) and a daily limit; responses carry X-HubSpot-RateLimit-* headers.
Search requests have their own limit, 5 per second per token (429, policyName SECONDLY, no
Retry-After): "the search endpoints are rate limited to five requests per second"
(https://developers.hubspot.com/docs/api/crm/search#limitations; 4 in the 2020 changelog
https://developers.hubspot.com/changelog/crm-search-api-rate-limit-increase).

Search is eventually consistent, as HubSpot's: "it may take a few moments for newly created or
updated CRM objects to appear in search results" (same Limitations section). A write stamped
at T becomes searchable at T + the search delay (default DEFAULT_SEARCH_DELAY_MS, 3 s; HubSpot
publishes no figure); until then search answers with the version it had indexed, reads by id
see the write at once (hs_store). Seed data (/__sandbox/load) is searchable at once. The test
fixtures start the emulator with `search_delay_ms=0` so tests that write and then search do not
wait; tests of the delay set it through /__sandbox/limits.
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
                                               (searchable at that date + the search delay)
    POST   /__sandbox/limits                   {"ten_secondly": n, "interval_ms": n,
                                               "daily": n, "search_per_second": n|null (5),
                                               "search_delay_ms": n (3000)}
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

Engagements (calls, emails, meetings, notes, tasks) are CRM v3 objects with their v4
associations, as HubSpot serves them. Marketing email events (/email/public/v1/events), forms
(/marketing/v3/forms/) and form submissions (/form-integrations/v1/submissions/forms/{guid})
are in hs_email_events, with control endpoints /__sandbox/email-events, /__sandbox/forms and
/__sandbox/form-submissions; sales email opens/clicks, content views and integration events
are events v3 (/__sandbox/events writes them).

Not emulated: webhooks and app timeline-event templates, the CRM imports/exports APIs, line
items, products, quotes and other commerce objects, property groups' own endpoints, custom
association labels' definitions API, schema PATCH/archive, GDPR deletion, files, and search's
free-text `query` beyond what hs_search documents.

Layout: this module is the WSGI app (`HubSpotEmulator`: dispatch, auth, rate limits, injected
faults, state reset) and `start_hubspot`. Each resource is a mixin with its handlers and a
`RULES` table in its own module: hs_objects (objects and batch), hs_search, hs_properties,
hs_assoc_api (associations v4; types and index in hs_assoc), hs_lists, hs_events (events,
owners), hs_oauth, hs_pipelines (plain functions), hs_control (control API and `Control`).
Shared errors and helpers: hs_base. State: hs_store (records, search) and hs_defaults (object
types, default properties). A new resource: a module with a mixin and RULES, its mixin added
to HubSpotEmulator's bases and its RULES to `_RULES` below.
"""

from __future__ import annotations

import fnmatch
import random
import tempfile
import threading
import time
import traceback
import uuid
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from connectors.sandbox import (
    hs_assoc,
    hs_assoc_api,
    hs_control,
    hs_email_events,
    hs_events,
    hs_lists,
    hs_merge,
    hs_oauth,
    hs_objects,
    hs_pipelines,
    hs_properties,
    hs_schemas,
    hs_search,
)
from connectors.sandbox.hs_assoc import EVENT_TYPES, Associations, HsList
from connectors.sandbox.hs_assoc_api import AssocApiMixin
from connectors.sandbox.hs_base import FaultRule, HSError, Token, _cid, err
from connectors.sandbox.hs_control import Control, ControlMixin
from connectors.sandbox.hs_email_events import MarketingEventsMixin, MarketingLog
from connectors.sandbox.hs_events import EventsMixin
from connectors.sandbox.hs_lists import ListsMixin
from connectors.sandbox.hs_merge import MergeMixin
from connectors.sandbox.hs_oauth import OAuthMixin
from connectors.sandbox.hs_objects import ObjectsMixin
from connectors.sandbox.hs_properties import PropertiesMixin
from connectors.sandbox.hs_schemas import SchemasMixin
from connectors.sandbox.hs_search import SearchMixin
from connectors.sandbox.hs_store import Portal, now_ms
from connectors.sandbox.server import LocalCA, RunningServer

DEFAULT_SEARCH_DELAY_MS = 3_000  # "a few moments" (module docstring)
SEARCH_PER_SECOND = 5


class HubSpotEmulator(ObjectsMixin, SearchMixin, PropertiesMixin, AssocApiMixin, ListsMixin,
                      EventsMixin, OAuthMixin, ControlMixin, SchemasMixin, MarketingEventsMixin,
                      MergeMixin):
    """The WSGI app. `portal` is the in-memory account."""

    def __init__(self, portal: Portal | None = None, *, client_id: str | None = None,
                 client_secret: str | None = None,
                 search_delay_ms: int = DEFAULT_SEARCH_DELAY_MS) -> None:
        self.portal = portal or Portal()
        self.default_search_delay_ms = search_delay_ms
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
            self.marketing = MarketingLog()
            self.usage_total = 0
            self.usage_by_endpoint: dict[str, int] = {}
            self.rejected = 0
            self.ten_secondly = 190
            self.interval_ms = 10_000
            self.daily = 500_000
            self.search_per_second: int | None = SEARCH_PER_SECOND
            self.portal.search_delay_ms = self.default_search_delay_ms
            self.windows: dict[str, deque[float]] = {}
            self.search_windows: dict[str, deque[float]] = {}  # per token
            self.daily_count: dict[str, int] = {}
            self.faults: list[FaultRule] = []
            self.rng = random.Random(0)
            self.owners_at = now_ms()
            self.pipelines = hs_pipelines.Pipelines()
            self.schemas: dict[str, dict[str, Any]] = {}  # custom objects by full name
            hs_assoc.reset_custom_pairs()

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
                sw = self.search_windows.setdefault(tok.token, deque())
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

    # ---- pipelines (connectors.sandbox.hs_pipelines) ---------------------------------
    pipelines_list = hs_pipelines.pipelines_list
    pipelines_get = hs_pipelines.pipelines_get
    pipelines_stages = hs_pipelines.pipelines_stages
    ctl_pipelines = hs_pipelines.ctl_pipelines


# Routes, one table per resource module (endpoints name HubSpotEmulator methods). dispatch
# treats endpoints by prefix: ctl_* (control API) and authorize* skip usage, faults and
# auth; oauth_* skip auth. Register a new resource's RULES here.
_RULES = [
    *hs_merge.RULES,  # before hs_objects: "merge" is no record id
    *hs_objects.RULES,
    *hs_search.RULES,
    *hs_properties.RULES,
    *hs_assoc_api.RULES,
    *hs_lists.RULES,
    *hs_events.RULES,
    *hs_oauth.RULES,
    *hs_control.RULES,
    *hs_schemas.RULES,
    *hs_email_events.RULES,
    *hs_pipelines.rules(),
]

_URL_MAP = Map(_RULES, strict_slashes=False, merge_slashes=False)


# ---- Python handle ---------------------------------------------------------------------------


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
                  companies: int = 0, deals: int = 0, tickets: int = 0,
                  search_delay_ms: int = DEFAULT_SEARCH_DELAY_MS) -> HubSpotHandle:
    """Start the emulator on 127.0.0.1 (a free port by default) and return its handle.

    `seed`/`contacts` load `seed.generate`'s HubSpot side; `companies`, `deals` and
    `tickets` add those objects (seed.py's module docstring). `search_delay_ms`: how long
    a write takes to become searchable (the module docstring)."""
    app = HubSpotEmulator(search_delay_ms=search_delay_ms)
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
