"""The composite resource: ``composite`` (at most 25 subrequests, at most 5 of them queries
or collections, ``@{ref.path}`` references to earlier results, ``allOrNone``).

Each subrequest goes through `SalesforceApp.route` inside one store transaction.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

from connectors.sandbox.sf_common import (
    _VERSION_RE,
    COMPOSITE_LIMIT,
    COMPOSITE_QUERY_LIMIT,
    ApiError,
    not_found,
)
from connectors.sandbox.sf_limits import DataApiGate
from connectors.sandbox.sf_schema import API_VERSION


class CompositeMixin(DataApiGate):
    """``composite``."""

    def composite(self, version: str, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("compositeRequest"), list):
            raise ApiError(400, "JSON_PARSER_ERROR", "compositeRequest is required")
        subs = body["compositeRequest"]
        if len(subs) > COMPOSITE_LIMIT:
            raise ApiError(
                400,
                "LIMIT_EXCEEDED",
                f"Limit Exceeded. The number of subrequests ({len(subs)}) exceeds "
                f"the maximum of {COMPOSITE_LIMIT} allowed in one composite "
                "request.",
            )
        heavy = sum(
            1
            for s in subs
            if isinstance(s, dict)
            and re.search(r"/(query|queryAll|composite/sobjects)\b", str(s.get("url", "")))
        )
        if heavy > COMPOSITE_QUERY_LIMIT:
            raise ApiError(
                400,
                "LIMIT_EXCEEDED",
                f"Limit Exceeded. A composite request can contain up to "
                f"{COMPOSITE_QUERY_LIMIT} query or sObject Collection subrequests.",
            )
        all_or_none = bool(body.get("allOrNone"))
        refs: dict[str, Any] = {}
        out: list[dict] = []
        org = self.org
        halted = False
        with org.transaction():
            for s in subs:
                ref = s.get("referenceId") or ""
                if halted:
                    out.append(_halted(ref))
                    continue
                try:
                    url = _substitute(str(s.get("url", "")), refs)
                    sbody = _substitute_json(s.get("body"), refs)
                    parsed = urlsplit(url)
                    m = _VERSION_RE.match(parsed.path)
                    if not m:
                        raise not_found()
                    status, res = self.route(
                        str(s.get("method", "GET")).upper(),
                        m.group(1),
                        (m.group(2) or "/").lstrip("/"),
                        parse_qs(parsed.query),
                        sbody,
                    )
                except ApiError as e:
                    status, res = e.status, e.body()
                out.append(
                    {
                        "body": res,
                        "httpHeaders": _sub_headers(status, res),
                        "httpStatusCode": status,
                        "referenceId": ref,
                    }
                )
                if status < 300:
                    refs[ref] = res
                elif all_or_none:
                    halted = True
            if halted:
                org.rollback()
                for item in out:
                    if item["httpStatusCode"] < 300:
                        item.update(_halted(item["referenceId"]))
        return 200, {"compositeResponse": out}


def _halted(ref: str) -> dict:
    return {
        "body": [
            {
                "errorCode": "PROCESSING_HALTED",
                "message": "The transaction was rolled back since another operation in "
                "the same transaction failed.",
            }
        ],
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": ref,
    }


def _sub_headers(status: int, res: Any) -> dict:
    if status == 201 and isinstance(res, dict) and res.get("id"):
        return {"Location": f"/services/data/v{API_VERSION}/sobjects/x/{res['id']}"}
    return {}


_REF_RE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")


def _resolve_ref(refs: dict[str, Any], name: str, path: str) -> Any:
    if name not in refs:
        raise ApiError(
            400, "INVALID_REFERENCE", f"Invalid reference specified. No value for {name} found"
        )
    v = refs[name]
    for m in re.finditer(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", path):
        try:
            v = v[m.group(1)] if m.group(1) is not None else v[int(m.group(2))]
        except (KeyError, IndexError, TypeError):
            raise ApiError(
                400, "INVALID_REFERENCE", f"Invalid reference specified: {name}{path}"
            ) from None
    return v


def _substitute(s: str, refs: dict[str, Any]) -> str:
    return _REF_RE.sub(lambda m: str(_resolve_ref(refs, m.group(1), m.group(2))), s)


def _substitute_json(v: Any, refs: dict[str, Any]) -> Any:
    if isinstance(v, str):
        return _substitute(v, refs)
    if isinstance(v, dict):
        return {k: _substitute_json(x, refs) for k, x in v.items()}
    if isinstance(v, list):
        return [_substitute_json(x, refs) for x in v]
    return v
