"""Pieces every part of the Salesforce emulator shares: ids, the error type, JSON responses.

Salesforce record ids are 15 characters (case-sensitive) or 18 (with a case-folding
checksum); the emulator stores 18 and accepts both. Errors are `ApiError`s, answered as
``[{"message", "errorCode", "fields"}]`` by the data API and as ``{"statusCode", ...}`` in
sObject Collections results.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

PAGE_SIZE = 2000
URI_LIMIT = 16_384  # bytes of URI (414), and of URI and headers together (431)
COLLECTION_LIMIT = 200
COMPOSITE_LIMIT = 25
COMPOSITE_QUERY_LIMIT = 5
ADDRESS_PREFIXES = {"Lead": [""], "Contact": ["Mailing"], "Account": ["Billing"]}
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
ID_RE = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DEMO_USERNAME = "integration@syncadmin.sandbox"
DEMO_PASSWORD = "sandbox"  # noqa: S105 - a local emulator's demo login


def sf18(id15: str) -> str:
    suffix = ""
    for i in range(3):
        bits = 0
        for j, c in enumerate(id15[i * 5 : i * 5 + 5]):
            if "A" <= c <= "Z":
                bits |= 1 << j
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return id15 + suffix


def norm_id(value: str) -> str:
    """15- or 18-char id -> canonical 18-char id (returns the input if malformed)."""
    if not isinstance(value, str) or not ID_RE.match(value):
        return value
    return sf18(value[:15])


def _b62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(width, "0")


class ApiError(Exception):
    """One Salesforce error: status + [{message, errorCode, fields}]."""

    def __init__(
        self, status: int, code: str, message: str, fields: list[str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or []
        self.extra = extra

    def body(self) -> list[dict]:
        return [
            {"message": self.message, "errorCode": self.code, "fields": self.fields, **self.extra}
        ]

    def record_error(self) -> dict:
        # Composite collection results call the code "statusCode".
        return {
            "statusCode": self.code,
            "message": self.message,
            "fields": self.fields,
            **self.extra,
        }


class MultipleMatches(ApiError):
    """An external id held by several records: a GET, PATCH or upsert by it answers 300
    Multiple Choices with the candidates' URLs and changes nothing ("If the external ID
    matches multiple existing records, then a 300 error is returned, and no records are
    created or updated": https://developer.salesforce.com/docs/platform/api-rest/guide/
    resources-sobject-upsert-patch.md). Inside sObject Collections the record fails with
    DUPLICATE_EXTERNAL_ID, the StatusCode Salesforce gives "a user-specified external ID
    [that] matches more than one record during an upsert"."""

    def __init__(self, obj: str, field: str, value: str, ids: list[str], version: str) -> None:
        super().__init__(300, "DUPLICATE_EXTERNAL_ID",
                         f"The external ID provided matches more than one record: {field} "
                         f"= {value} ({', '.join(ids)})", [field])
        self.urls = [f"/services/data/v{version}/sobjects/{obj}/{i}" for i in ids]

    def body(self) -> list:  # type: ignore[override]
        return list(self.urls)


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


@dataclass
class Session:
    user_id: str
    expires_at: float | None
    host: str = "login"
    client_id: str = ""


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    data = b"" if status == 204 else json.dumps(body, separators=(",", ":")).encode()
    r = Response(data, status=status, mimetype=None if status == 204 else "application/json")
    if status != 204:
        r.headers["Content-Type"] = "application/json;charset=UTF-8"
    for k, v in (headers or {}).items():
        r.headers[k] = v
    return r


_VERSION_RE = re.compile(r"^/services/data/v(\d+\.\d)(/.*)?$")


def _method_not_allowed(method: str) -> ApiError:
    return ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are GET,PATCH,POST,DELETE",
    )


def _require_object(body: Any) -> None:
    if not isinstance(body, dict):
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of the sObject from the request body",
        )
