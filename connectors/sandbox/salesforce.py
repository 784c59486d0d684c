"""In-memory Salesforce REST API emulator (API v59.0) served over HTTPS for tests and the demo.

One emulator instance is one org. It works with simple-salesforce unchanged::

    s = requests.Session(); s.verify = handle.ca_file; s.trust_env = False
    sf = Salesforce(instance_url=handle.url, session_id=handle.session_id, session=s)

Data API (under ``/services/data/v59.0/``; every request counts as one API call):
``sobjects/`` (list), ``sobjects/X/`` (GET metadata, POST create), ``sobjects/X/describe/``,
``sobjects/X/{id}`` (GET ?fields=, PATCH, DELETE), ``sobjects/X/{ExtField}/{value}`` (GET,
PATCH upsert: 201 created / 200 updated, 300 with the candidates on several matches; by
``Id``: NOT_FOUND when no record has it), ``sobjects/X/deleted/`` and ``sobjects/X/updated/``
(``?start=&end=``; the recycle bin keeps 15 days), ``query/`` and ``queryAll/`` (``?q=``;
pages of up to 2,000 rows, fewer for wide rows, or ``Sforce-Query-Options: batchSize=N``;
``query/{locator}-{offset}`` for both; OFFSET at most 2,000, long text areas neither
filtered nor sorted, malformed id literals refused),
``composite/sobjects`` (POST create, PATCH update, DELETE ``?ids=&allOrNone=``, GET/POST
``composite/sobjects/X`` retrieve; at most 200 records), ``composite/sobjects/X/ExtField``
(PATCH upsert), ``composite`` (at most 25 subrequests, at most 5 of them queries or
collections, ``@{ref.path}`` references, ``allOrNone``), ``limits/`` and
``tooling/sobjects/CustomField/`` (POST: creates a custom field). Unique fields refuse
duplicates (DUPLICATE_VALUE). A field the Tooling API creates is hidden from the integration
user (describe, SOQL, writes) until a FieldPermissions record in a permission set assigned to
it grants it (`sf_permissions`). ``limits/`` lists every limit of a real org
(`sf_org_limits`); describe has the Master record type. Requests over 16,384
bytes of URI answer 414, of URI and headers together 431. Every response carries
``Sforce-Limit-Info: api-usage=N/M``; past the daily limit requests fail with 403
``REQUEST_LIMIT_EXCEEDED``; expired sessions answer 401 ``INVALID_SESSION_ID``.

OAuth 2.0 web-server flow: ``/login/services/oauth2/authorize`` (production login host) and
``/test/services/oauth2/authorize`` (sandbox login host) show a login form that redirects to
``redirect_uri?code=&state=``; ``{host}/services/oauth2/token`` (``authorization_code`` and
``refresh_token`` grants; a token from one login host is refused by the other);
``/services/oauth2/userinfo``; ``/services/oauth2/revoke``. The instance host also answers
``/services/oauth2/token``.

Control API (JSON, under ``/__sandbox/``; not counted as API usage; binds 127.0.0.1 only):
reset, seed, raw records, limits, sessions, picklists, duplicate and validation rules,
multiple currencies, read-only fields, lead conversion, recycle bin purge, fault injection;
see `sf_control`.

Not emulated: Bulk API 1.0 (Bulk API 2.0 is, in ``sf_bulk2``), SOSL
(``search/``, ``parameterizedSearch/``), ``composite/tree``, ``composite/batch`` and
``composite/graph``, the SOAP, Metadata and Apex REST APIs, the UI API, Streaming API,
Change Data Capture and Platform Events, record types other than Master and layouts,
``sobjects/X/listviews``, the other tooling objects, and several standard fields of each
object (`sf_objects` has those a sync touches, not every one a real org describes). Query
page sizes follow a rule of the emulator's own (`sf_query.PAGE_BYTES`), not Salesforce's
unpublished one; the delete log is purged only when the control API says so; the getDeleted
rule that a window be longer than a minute is not enforced.

Where each resource lives (each module says what it emulates):

=====================  ====================================================================
``salesforce``         this module: `Org` and `SalesforceApp` put together from the mixins
                       below, the dispatch of paths, `start_salesforce` / `SalesforceHandle`
``sf_common``          ids, `ApiError`, JSON responses, size limits
``sf_store``           `OrgStore`: records, indexes, describe, transactions, raw writes
``sf_records``         validation and create/update/delete/upsert
``sf_query``           query/queryAll/queryMore, getUpdated/getDeleted (``soql*`` parse and
                       evaluate)
``sf_sobjects``        ``sobjects/...`` and sObject Collections (``composite/sobjects``)
``sf_composite``       ``composite`` with references
``sf_tooling``         custom fields, multiple currencies, state and country picklists
``sf_auth``            OAuth 2.0 endpoints and sessions
``sf_limits``          the data API's gate: sessions, daily limit, injected faults
``sf_org_limits``      what ``limits/`` answers
``sf_permissions``     field-level security: PermissionSet, PermissionSetAssignment,
                       FieldPermissions and the fields they grant
``sf_control``         the control API and its client `SandboxControl`, lead conversion
``sf_bulk2``           Bulk API 2.0 ingest and query jobs (``jobs/...``, routed by the gate)
``sf_schema``          objects and fields (``sf_objects``, ``sf_standard_fields``;
                       ``sf_activities``: Task and Event); ``sf_relations`` child
                       relationships and delete cascades
=====================  ====================================================================

A new resource (Bulk API 2.0 in ``sf_bulk2``, say) is a mixin of `DataApiGate` added to
`SalesforceApp`'s bases and one branch in `SalesforceApp.route` (and its name in the list
that ``/services/data/vXX.X/`` answers).
"""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request, Response

from connectors.sandbox.server import LocalCA, RunningServer
from connectors.sandbox.sf_auth import OAuthMixin, SessionsMixin
from connectors.sandbox.sf_common import (
    _VERSION_RE,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    PAGE_SIZE,
    URI_LIMIT,
    ApiError,
    _json,
    _method_not_allowed,
    norm_id,
    not_found,
)
from connectors.sandbox.sf_composite import CompositeMixin
from connectors.sandbox.sf_control import ControlMixin, LeadConversionMixin, SandboxControl
from connectors.sandbox.sf_org_limits import org_limits
from connectors.sandbox.sf_query import QueryMixin, _is_stamp_order
from connectors.sandbox.sf_records import RecordsMixin
from connectors.sandbox.sf_schema import API_VERSION
from connectors.sandbox.sf_sobjects import SObjectsMixin
from connectors.sandbox.sf_tooling import ToolingMixin

__all__ = [  # what other modules import from here (soql_exec, sf_relations: lazily)
    "ApiError",
    "Org",
    "SalesforceApp",
    "SalesforceHandle",
    "SandboxControl",
    "_is_stamp_order",
    "norm_id",
    "start_salesforce",
]


class Org(RecordsMixin, QueryMixin, ToolingMixin, SessionsMixin, LeadConversionMixin):
    """The state of one emulated org. All access goes through `lock`."""


# ---------------------------------------------------------------------------------- app


class SalesforceApp(SObjectsMixin, CompositeMixin, OAuthMixin, ControlMixin):
    """The WSGI application around one `Org`."""

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = _oversized(environ) or self.dispatch(request)
        except ApiError as e:
            response = _json(e.status, e.body())
        except Exception:  # a bug in the emulator: answer like Salesforce, keep the trace
            traceback.print_exc()
            response = _json(
                500,
                [
                    {
                        "message": "An unexpected error occurred (emulator bug)",
                        "errorCode": "UNKNOWN_EXCEPTION",
                    }
                ],
            )
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/__sandbox/"):
            return self.control(request, path[len("/__sandbox/") :].strip("/"))
        for host in ("login", "test"):
            if path.startswith(f"/{host}/services/oauth2/"):
                return self.oauth(request, host, path[len(f"/{host}/services/oauth2/") :])
            if path.startswith(f"/{host}/id/"):
                return self.userinfo(request)
        if path.startswith("/services/oauth2/"):
            return self.oauth(request, "login", path[len("/services/oauth2/") :], instance=True)
        if path.rstrip("/") == "/services/data":
            return _json(
                200,
                [
                    {
                        "label": "Winter '24",
                        "url": f"/services/data/v{API_VERSION}",
                        "version": API_VERSION,
                    }
                ],
            )
        m = _VERSION_RE.match(path)
        if m:
            return self.data(request, m.group(1), (m.group(2) or "/").lstrip("/"))
        return _json(404, not_found().body())

    def route(
        self,
        method: str,
        version: str,
        rel: str,
        args: dict[str, list[str]],
        body: Any,
        batch: int = PAGE_SIZE,
    ) -> tuple[int, Any]:
        org = self.org
        parts = [p for p in rel.split("/") if p]
        arg = {k: v[-1] for k, v in args.items() if v}
        if not parts:
            base = f"/services/data/v{version}"
            return 200, {
                k: f"{base}/{k}"
                for k in ("sobjects", "query", "queryAll", "composite", "limits", "tooling",
                          "jobs/ingest", "jobs/query")
            }
        head = parts[0]
        if head == "sobjects":
            return self.sobjects(method, parts[1:], arg, body)
        if head in ("query", "queryAll"):
            if method != "GET":
                raise _method_not_allowed(method)
            if len(parts) == 2:
                return 200, org.query_more(parts[1], batch, version)
            q = arg.get("q")
            if not q:
                raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
            return 200, org.query(q, head == "queryAll", batch, version)
        if head == "composite":
            if len(parts) == 1:
                if method != "POST":
                    raise _method_not_allowed(method)
                return self.composite(version, body)
            if parts[1] == "sobjects":
                return self.collections(method, parts[2:], arg, body, "/".join(parts))
            raise not_found()
        if head == "limits" and len(parts) == 1:
            return 200, org_limits(org.daily_limit, org.used, org.bulk2.limits())
        if head == "tooling":
            if parts[1:3] == ["sobjects", "CustomField"] and method == "POST":
                fid = org.create_custom_field(body or {})
                return 201, {"id": fid, "success": True, "errors": [], "warnings": [], "infos": []}
            raise not_found()
        raise not_found()


def _oversized(environ: dict) -> Response | None:
    """Salesforce refuses "a request exceeding" 16,384 bytes of URI and headers combined with
    431 Request Header Fields Too Large, and with 414 URI Too Long when the URI alone is over
    (https://help.salesforce.com/s/articleView?id=000386264): a SOQL query travels in the
    URI of a GET, so long IN lists hit it. The control API is exempt."""
    path = environ.get("PATH_INFO", "")
    if path.startswith("/__sandbox/"):
        return None
    uri = len(environ.get("RAW_URI") or environ.get("REQUEST_URI") or (
        path + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")))
    headers = sum(len(k) - 5 + len(str(v)) + 4 for k, v in environ.items()
                  if k.startswith("HTTP_")) + sum(
        len(k) + len(str(environ[k])) + 4 for k in ("CONTENT_TYPE", "CONTENT_LENGTH")
        if environ.get(k))
    if uri > URI_LIMIT:
        return Response("URI Too Long", status=414, mimetype="text/plain")
    if uri + headers > URI_LIMIT:
        return Response("Request Header Fields Too Large", status=431, mimetype="text/plain")
    return None


# ------------------------------------------------------------------------- handle


@dataclass
class SalesforceHandle:
    url: str
    login_url: str
    sandbox_login_url: str
    session_id: str
    client_id: str
    client_secret: str
    ca_file: str
    org: Org
    control: SandboxControl
    server: RunningServer
    username: str = DEMO_USERNAME
    password: str = DEMO_PASSWORD

    def stop(self) -> None:
        # serve_forever only notices shutdown every 0.5 s; set the flag and wake its select()
        # with a connection so that tests starting one org each stay fast.
        srv = self.server.server
        srv._BaseServer__shutdown_request = True  # type: ignore[attr-defined]
        with contextlib.suppress(OSError):
            socket.create_connection((self.server.host, self.server.port), timeout=1).close()
        self.server.stop()


def start_salesforce(
    ca: LocalCA,
    port: int = 0,
    *,
    seed: int | None = None,
    contacts: int = 0,
    daily_limit: int = 100_000,
    ca_file: str | Path | None = None,
) -> SalesforceHandle:
    """Start an emulated org over HTTPS on 127.0.0.1 and return its handle."""
    org = Org(daily_limit=daily_limit)
    server = RunningServer(SalesforceApp(org), ca, port=port)
    org.instance_url = server.url
    if ca_file is None:
        ca_file = Path(tempfile.mkdtemp(prefix="sfemu-")) / "ca.pem"
        ca.write_ca(Path(ca_file))
    if contacts:
        org.load_seed(seed or 0, contacts)
    session_id = org.new_session(None)
    server.start()
    return SalesforceHandle(
        url=server.url,
        login_url=server.url + "/login",
        sandbox_login_url=server.url + "/test",
        session_id=session_id,
        client_id=org.client_id,
        client_secret=org.client_secret,
        ca_file=str(ca_file),
        org=org,
        control=SandboxControl(server.url, str(ca_file)),
        server=server,
    )


if __name__ == "__main__":  # pragma: no cover - `python -m connectors.sandbox.salesforce`
    import argparse

    ap = argparse.ArgumentParser(description="Run the Salesforce emulator")
    ap.add_argument("--port", type=int, default=8443)
    ap.add_argument("--contacts", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ca-file", default="var/sandbox-ca.pem")
    a = ap.parse_args()
    local_ca = LocalCA()
    local_ca.write_ca(Path(a.ca_file))
    h = start_salesforce(local_ca, a.port, seed=a.seed, contacts=a.contacts, ca_file=a.ca_file)
    print(
        f"instance_url={h.url}\nsession_id={h.session_id}\nclient_id={h.client_id}\n"
        f"client_secret={h.client_secret}\nca_file={h.ca_file}"
    )
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
