"""Shared ground of the HubSpot emulator's resource modules: HubSpot-shaped errors, tokens,
fault rules, and `HubSpotBase`, the state and request helpers every resource mixin uses.

No routes here; `connectors.sandbox.hubspot` composes the mixins into `HubSpotEmulator`.
"""

from __future__ import annotations

import json
import random
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from connectors.sandbox import hs_pipelines
from connectors.sandbox.hs_assoc import OWNERS, Associations, HsList
from connectors.sandbox.hs_store import ObjectStore, Portal, PropError, iso, now_ms

BATCH_LIMIT = 100
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


class HubSpotBase:
    """State and helpers shared by the resource mixins (the state itself is made by
    `HubSpotEmulator.__init__` and `reset`)."""

    portal: Portal
    lock: threading.RLock
    client_id: str
    client_secret: str
    app_id: int
    tokens: dict[str, Token]
    refresh_tokens: dict[str, list[str]]
    codes: dict[str, tuple[str, float]]
    pat: str
    token_ttl: int
    assoc: Associations
    lists: dict[int, HsList]
    _list_ids: Iterator[int]
    events: list[dict[str, Any]]
    usage_total: int
    usage_by_endpoint: dict[str, int]
    rejected: int
    ten_secondly: int
    interval_ms: int
    daily: int
    search_per_second: int | None
    windows: dict[str, deque[float]]
    search_windows: dict[str, deque[float]]
    daily_count: dict[str, int]
    faults: list[FaultRule]
    rng: random.Random
    owners_at: int
    pipelines: hs_pipelines.Pipelines
    url_map: Map

    if TYPE_CHECKING:  # defined by HubSpotEmulator or by another mixin; called across them
        def reset(self) -> None: ...
        def issue_oauth(self, scopes: list[str] | None = None) -> Token: ...
        def _make_prop(self, st: ObjectStore, body: dict[str, Any], api: bool) -> Any: ...
        def create_list_from(self, body: dict[str, Any]) -> HsList: ...
        def _list_members(self, lst: HsList) -> dict[int, int]: ...
        def add_events(self, events: list[dict[str, Any]]) -> None: ...
        def _assoc_changed(self, a: str, aid: int, b: str, bid: int, touch: bool) -> None: ...

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
