"""The gate in front of the Salesforce data API: sessions, the daily request limit, faults.

Every request under ``/services/data/vXX.X/`` counts as one API call; every response carries
``Sforce-Limit-Info: api-usage=N/M``; past the daily limit requests fail with 403
``REQUEST_LIMIT_EXCEEDED``; expired sessions answer 401 ``INVALID_SESSION_ID``. Faults set
with the control API (``faults``) are injected here (500, 503, 429, timeouts, expired
sessions, UNABLE_TO_LOCK_ROW) and per record in collections (``record_lock``). Then the
request goes to `SalesforceApp.route`.

`DataApiGate` is also the base of the app's resource mixins (it holds `org`).
"""

from __future__ import annotations

import fnmatch
import json
import re
import time
from typing import TYPE_CHECKING, Any

from werkzeug.wrappers import Request, Response

from connectors.sandbox.sf_common import PAGE_SIZE, ApiError, _json

if TYPE_CHECKING:
    from connectors.sandbox.salesforce import Org


class DataApiGate:
    """Authentication, usage limits and fault injection of the data API."""

    def __init__(self, org: Org) -> None:
        self.org = org

    if TYPE_CHECKING:  # SalesforceApp.route: the resources of the data API

        def route(
            self,
            method: str,
            version: str,
            rel: str,
            args: dict[str, list[str]],
            body: Any,
            batch: int = PAGE_SIZE,
        ) -> tuple[int, Any]: ...

    def _limit_header(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.org.used}/{self.org.daily_limit}"}

    def data(self, request: Request, version: str, rel: str) -> Response:
        org = self.org
        auth = request.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1].strip() if " " in auth else ""
        fault: str | None = None
        with org.lock:
            if not org.session_valid(token):
                return _json(
                    401,
                    [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                )
            if org.used >= org.daily_limit:
                return _json(
                    403,
                    [
                        {
                            "message": "TotalRequests Limit exceeded.",
                            "errorCode": "REQUEST_LIMIT_EXCEEDED",
                        }
                    ],
                    self._limit_header(),
                )
            org.used += 1
            fault = self._pick_fault(rel)
            if fault == "expired_session":
                org.sessions.pop(token, None)
                return _json(
                    401,
                    [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                )
            timeout = float(org.faults.get("timeout_seconds", 3.0))
            retry_after = str(org.faults.get("retry_after", 1))
        headers = self._limit_header()
        if fault == "timeout":
            time.sleep(timeout)
        elif fault == "500":
            return _json(
                500,
                [
                    {
                        "message": "An unexpected error occurred. Please include this "
                        "ErrorId if you contact support: 1466451227-4242 (-1247813297)",
                        "errorCode": "UNKNOWN_EXCEPTION",
                    }
                ],
                headers,
            )
        elif fault == "503":
            return _json(
                503,
                [{"message": "Server temporarily unavailable", "errorCode": "SERVER_UNAVAILABLE"}],
                headers,
            )
        elif fault == "429":
            return _json(
                429,
                [{"message": "Too many requests", "errorCode": "TOO_MANY_REQUESTS"}],
                {**headers, "Retry-After": retry_after},
            )
        elif fault == "lock":
            return _json(
                400,
                [
                    {
                        "message": "unable to obtain exclusive access to this record or 1 records",
                        "errorCode": "UNABLE_TO_LOCK_ROW",
                        "fields": [],
                    }
                ],
                headers,
            )
        if rel.split("/", 1)[0] == "jobs":  # Bulk API 2.0 takes and answers CSV (sf_bulk2)
            with org.lock:
                response = org.bulk2.handle(request.method, version, rel.split("/")[1:],
                                            {k: v for k, v in request.args.items()},
                                            request.get_data(), lambda: self._record_lock(rel))
                response.headers.update(self._limit_header())
            return response
        body: Any = None
        if request.method in ("POST", "PATCH", "PUT") and request.get_data():
            try:
                body = json.loads(request.get_data())
            except ValueError as e:
                return _json(
                    400,
                    [{"message": f"Unexpected character: {e}", "errorCode": "JSON_PARSER_ERROR"}],
                    headers,
                )
        batch = PAGE_SIZE
        opts = request.headers.get("Sforce-Query-Options", "")
        bm = re.search(r"batchSize=(\d+)", opts)
        if bm:
            batch = max(200, min(PAGE_SIZE, int(bm.group(1))))
        with org.lock:
            org.enforce_fls = True  # the integration user's field access (sf_permissions)
            try:
                status, out = self.route(
                    request.method,
                    version,
                    rel,
                    {k: request.args.getlist(k) for k in request.args},
                    body,
                    batch,
                )
            except ApiError as e:
                status, out = e.status, e.body()
            finally:
                org.enforce_fls = False
            headers = self._limit_header()
        return _json(status, out, headers)

    def _pick_fault(self, rel: str) -> str | None:
        org = self.org
        rules = org.faults.get("rules") or {}
        times = org.faults.get("times")
        if not rules or (times is not None and org.fault_count >= times):
            return None
        for pattern, probs in rules.items():
            if pattern == "*" or fnmatch.fnmatch(rel, pattern):
                for kind in ("expired_session", "timeout", "500", "503", "429", "lock"):
                    p = float(probs.get(kind, 0))
                    if p and org.fault_rng.random() < p:
                        org.fault_count += 1
                        return kind
                return None
        return None

    def _record_lock(self, rel: str) -> bool:
        org = self.org
        rules = org.faults.get("rules") or {}
        times = org.faults.get("times")
        if times is not None and org.fault_count >= times:
            return False
        for pattern, probs in rules.items():
            if pattern == "*" or fnmatch.fnmatch(rel, pattern):
                p = float(probs.get("record_lock", 0))
                if p and org.fault_rng.random() < p:
                    org.fault_count += 1
                    return True
                return False
        return False
