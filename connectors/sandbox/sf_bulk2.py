"""Bulk API 2.0 for the Salesforce emulator: ingest jobs and query jobs (API v59.0).

Routes under ``/services/data/vXX.X/jobs/`` (each request is one API call, counted by the data
API dispatcher like any REST call):

``POST ingest``                 create an ingest job: ``object``, ``operation`` (insert, update,
                                upsert, delete), ``externalIdFieldName`` (upsert),
                                ``contentType`` CSV, ``columnDelimiter``, ``lineEnding``
``PUT ingest/{id}/batches``     the job's CSV, once (201, no body)
``PATCH ingest/{id}``           ``{"state": "UploadComplete" | "Aborted"}``
``GET ingest/{id}``             job info; ``successfulResults/``, ``failedResults/``,
                                ``unprocessedrecords/`` (CSV)
``POST query``                  create a query job: ``operation`` query | queryAll, ``query``
``GET query/{id}``              job info; ``query/{id}/results?locator=&maxRecords=`` (CSV
                                with ``Sforce-Locator`` and ``Sforce-NumberOfRecords``)
``DELETE ingest|query/{id}``    delete a job in a terminal state (204)

Behaviour and error bodies follow the Bulk API 2.0 Developer Guide
(https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/api_asynch/): "Upload Job
Data" (one PUT per job, 201, at most 150 MB base64 = 100 MB of CSV), "Prepare CSV Files" (empty
values are ignored, ``#N/A`` sets null), "Get Job Failed Record Results" (``sf__Id``,
``sf__Error`` then the uploaded columns), "Get Results for a Query Job" (the job must be
JobComplete; the results' API version must match the job's, else 409; ``Sforce-Locator`` is
"null" after the last set), "Understanding Bulk API 2.0 Query" (no GROUP BY, OFFSET, TYPEOF,
aggregates or parent-to-child subqueries), and "Limits" (150,000,000 ingested records and
10,000 query jobs per rolling 24 hours; a batch per 10,000 records, 15,000 batches a day).
Error texts seen from real orgs: a second PUT answers 400 BULK_API_ERROR "Found multipe contents
for job" (sic), an unknown object or external-id field 400 INVALIDJOB, a bad operation 400
API_ERROR "Invalid value: 'x' supplied for property: 'operation'" (collected in public
client code, e.g. github.com search "only do 'PUT' once on a given Job"); the 10,000 query
jobs message is one clients match on ("Max bulk v2 query jobs (10000) per 24 hrs has been
reached"). Where no source shows the exact answer (a job in the wrong state, a bad locator),
the emulator uses the guide's error names (InvalidJobState: 400, or 409 for a conflict with
the job's state; INVALID_LOCATOR).

Processing is asynchronous as far as a client can tell, and deterministic: closing a job
answers UploadComplete; each later poll (``GET`` of the job) processes the next batch of
10,000 records, so the job answers InProgress until its last batch and then JobComplete (a
query job completes at its first poll); ``control({"polls_in_progress": n})`` adds n polls
that only answer InProgress. simple-salesforce's ``wait_for_job`` polls until a terminal
state, so it works unchanged, and a poll never takes long enough to time a client out.
Records go through the org's own create/update/upsert/delete, so every validation a REST write
meets (required fields, restricted picklists, duplicate rules, validation rules, read-only
fields) appears in ``failedResults``, and so does the ``record_lock`` fault (``faults`` with a
``jobs/*`` pattern) as UNABLE_TO_LOCK_ROW. ``control({"fail_after": n})`` makes the next ingest job
fail after n records, the rest left unprocessed, as a job whose batches exhausted their retries.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

from werkzeug.wrappers import Response

from connectors.sandbox import soql, soql_exec
from connectors.sandbox.sf_bulk2_ingest import (
    BATCH_RECORDS,
    DAILY_INGEST_RECORDS,
    DELIMITERS,
    IngestProcessing,
    Job,
)
from connectors.sandbox.sf_common import _b62, sf18

MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # 150 MB once base64-encoded ("Upload Job Data")
DAILY_QUERY_JOBS = 10_000
DAILY_BATCHES = 15_000  # shared with Bulk API 1.0; only ingest jobs consume batches
WINDOW_SECONDS = 24 * 3600
TERMINAL = ("JobComplete", "Failed", "Aborted")
INGEST_OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
LINE_ENDINGS = ("LF", "CRLF")


class Bulk2Error(Exception):
    """A request refused as a whole: the status and one ``{errorCode, message}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _not_found() -> Bulk2Error:
    return Bulk2Error(404, "NOT_FOUND", "The requested resource does not exist")


class Bulk2(IngestProcessing):
    """Bulk API 2.0 state of one `Org` (its jobs and its 24-hour allocations)."""

    def __init__(self, org: Any) -> None:
        self.org = org
        self.jobs: dict[str, Job] = {}
        self.seq = 0
        self.ingested: deque[tuple[float, int]] = deque()  # (when, records) per processed job
        self.query_jobs: deque[float] = deque()
        self.polls_in_progress = 0
        self.fail_after: int | None = None
        self.record_lock: Callable[[], bool] = lambda: False

    # ---------------------------------------------------------------- allocations, control

    def _window(self) -> float:
        cutoff = time.time() - WINDOW_SECONDS
        while self.ingested and self.ingested[0][0] < cutoff:
            self.ingested.popleft()
        while self.query_jobs and self.query_jobs[0] < cutoff:
            self.query_jobs.popleft()
        return cutoff

    def limits(self) -> dict[str, dict[str, int]]:
        """The Bulk API 2.0 entries of ``/limits``."""
        self._window()
        records = sum(n for _, n in self.ingested)
        batches = sum(-(-n // BATCH_RECORDS) for _, n in self.ingested)
        return {
            "DailyBulkApiBatches": {"Max": DAILY_BATCHES,
                                    "Remaining": max(0, DAILY_BATCHES - batches)},
            "DailyBulkV2QueryJobs": {"Max": DAILY_QUERY_JOBS,
                                     "Remaining": max(0, DAILY_QUERY_JOBS - len(self.query_jobs))},
            "DailyBulkV2IngestRecords": {"Max": DAILY_INGEST_RECORDS,
                                         "Remaining": max(0, DAILY_INGEST_RECORDS - records)},
        }

    def control(self, body: dict) -> dict:
        """Test knobs: ``polls_in_progress`` (polls a closed job answers InProgress before it
        completes), ``fail_after`` (the next ingest job fails after that many records, null to
        stop), ``used_records`` / ``used_query_jobs`` (allocation already consumed today)."""
        if "polls_in_progress" in body:
            self.polls_in_progress = max(0, int(body["polls_in_progress"]))
        if "fail_after" in body:
            self.fail_after = None if body["fail_after"] is None else int(body["fail_after"])
        if body.get("used_records"):
            self.ingested.append((time.time(), int(body["used_records"])))
        for _ in range(int(body.get("used_query_jobs") or 0)):
            self.query_jobs.append(time.time())
        return {"polls_in_progress": self.polls_in_progress, "fail_after": self.fail_after,
                **self.limits()}

    # ---------------------------------------------------------------------- dispatch

    def handle(self, method: str, version: str, parts: list[str], args: dict[str, str],
               raw: bytes, record_lock: Callable[[], bool] = lambda: False) -> Response:
        """One request under ``jobs/``; `parts` is the path after it. `record_lock` is the
        gate's injected ``record_lock`` fault, asked once per ingested row."""
        self.record_lock = record_lock
        try:
            return self._route(method, version, [p for p in parts if p], args, raw)
        except Bulk2Error as e:
            return _json(e.status, [{"errorCode": e.code, "message": e.message}])

    def _route(self, method: str, version: str, parts: list[str], args: dict[str, str],
               raw: bytes) -> Response:
        if not parts or parts[0] not in ("ingest", "query"):
            raise _not_found()
        kind, rest = parts[0], parts[1:]
        if not rest:
            if method == "POST":
                body = _json_body(raw)
                job = self._create_ingest(body, version) if kind == "ingest" else \
                    self._create_query(body, version)
                return _json(200, self._info(job, created=True))
            if method == "GET":
                jobs = [self._info(j) for j in self.jobs.values() if j.kind == kind]
                return _json(200, {"done": True, "records": jobs, "nextRecordsUrl": None})
            raise _method_not_allowed(method)
        found = self.jobs.get(rest[0])
        if found is None or found.kind != kind:
            raise _not_found()
        job = found
        tail = "/".join(rest[1:]).lower()
        if not tail:
            if method == "GET":
                self._poll(job)
                return _json(200, self._info(job))
            if method == "PATCH":
                self._set_state(job, _json_body(raw))
                return _json(200, self._info(job, brief=True))
            if method == "DELETE":
                if job.state not in (*TERMINAL, "UploadComplete"):
                    raise Bulk2Error(400, "API_ERROR",
                                     f"Job {job.id} can't be deleted in state {job.state}")
                del self.jobs[job.id]
                return Response(b"", status=204)
            raise _method_not_allowed(method)
        if kind == "ingest" and tail == "batches":
            if method != "PUT":
                raise _method_not_allowed(method)
            self._upload(job, raw)
            return Response(b"", status=201)
        if method != "GET":
            raise _method_not_allowed(method)
        if kind == "query" and tail == "results":
            return self._query_results(job, version, args)
        if kind == "ingest" and tail in ("successfulresults", "failedresults",
                                         "unprocessedrecords"):
            return self._ingest_results(job, tail)
        raise _not_found()

    # ------------------------------------------------------------------- job records

    def _new_job(self, kind: str, operation: str, obj: str, version: str, body: dict) -> Job:
        delimiter = body.get("columnDelimiter") or "COMMA"
        line_ending = body.get("lineEnding") or "LF"
        if delimiter not in DELIMITERS:
            raise _bad_property(delimiter, "columnDelimiter")
        if line_ending not in LINE_ENDINGS:
            raise _bad_property(line_ending, "lineEnding")
        if (body.get("contentType") or "CSV") != "CSV":
            raise _bad_property(body.get("contentType"), "contentType")
        self.seq += 1
        jid = sf18("7505g" + _b62(self.seq, 10))
        now = self.org.now()
        job = Job(id=jid, kind=kind, operation=operation, object=obj, api_version=version,
                  created=now, stamp=now, delimiter=delimiter, line_ending=line_ending)
        self.jobs[jid] = job
        return job

    def _create_ingest(self, body: dict, version: str) -> Job:
        operation = body.get("operation")
        if operation not in INGEST_OPERATIONS:
            raise _bad_property(operation, "operation")
        name = str(body.get("object") or "")
        obj = self.org.object_name(name) if name else None
        if obj is None:
            raise Bulk2Error(400, "INVALIDJOB", f"InvalidJob : Unable to find object: {name}")
        if operation == "hardDelete":  # the integration user lacks "Bulk API Hard Delete"
            raise Bulk2Error(400, "INVALIDJOB", "InvalidJob : hardDelete operation requires "
                             "special user profile permission, please contact your system "
                             "administrator")
        ext: str | None = None
        if operation == "upsert":
            given = str(body.get("externalIdFieldName") or "")
            f = self.org.field(obj, given) if given else None
            if not given:
                raise Bulk2Error(400, "INVALIDJOB", f"InvalidJob : External ID was blank for "
                                 f"{obj}. An External ID must be specified for upsert.")
            if f is None or not (f.external_id or f.name == "Id"):
                raise Bulk2Error(400, "INVALIDJOB", f"InvalidJob : Field name provided, {given} "
                                 f"does not match an External ID for {obj}")
            ext = f.name
        job = self._new_job("ingest", operation, obj, version, body)
        job.external_id = ext
        return job

    def _create_query(self, body: dict, version: str) -> Job:
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise _bad_property(operation, "operation")
        text = body.get("query")
        if not isinstance(text, str) or not text.strip():
            raise Bulk2Error(400, "API_ERROR", "Invalid value: 'null' supplied for property: "
                             "'query'")
        self._window()
        if len(self.query_jobs) >= DAILY_QUERY_JOBS:
            raise Bulk2Error(400, "LIMIT_EXCEEDED", f"Max bulk v2 query jobs ({DAILY_QUERY_JOBS}) "
                             "per 24 hrs has been reached")
        obj, columns = self._check_query(text, operation == "queryAll")
        job = self._new_job("query", operation, obj, version, body)
        job.query, job.columns, job.state = text, columns, "UploadComplete"
        self.query_jobs.append(time.time())
        return job

    def _check_query(self, text: str, include_deleted: bool) -> tuple[str, list[str]]:
        """The object and CSV columns of a query Bulk API 2.0 accepts; errors as a query's."""
        try:
            q, _pos = soql.parse(text)
            if q.count:
                raise Bulk2Error(400, "API_ERROR", "Aggregate Relationships not supported in "
                                 "Bulk Query")
            if any(isinstance(item, soql.Query) for item in q.select):
                raise Bulk2Error(400, "API_ERROR", "FeatureNotEnabled : Aggregate "
                                 "Relationships not supported in Bulk Query")
            if q.offset:
                raise Bulk2Error(400, "API_ERROR", "FeatureNotEnabled : OFFSET not supported "
                                 "in Bulk Query")
            ex = soql_exec._Exec(self.org, include_deleted)
            obj = ex.sobject(q)
            columns = [ex.path(obj, item, q)[0] for item in q.select]
            soql_exec.run(self.org, text, include_deleted)  # every other error, as REST's
        except soql.SoqlError as e:
            raise Bulk2Error(400, e.code, e.message) from None
        return obj, columns

    def _info(self, job: Job, *, created: bool = False, brief: bool = False) -> dict:
        out: dict[str, Any] = {
            "id": job.id, "operation": job.operation, "object": job.object,
            "createdById": self.org.user_id, "createdDate": job.created,
            "systemModstamp": job.stamp, "state": job.state,
        }
        if job.external_id:
            out["externalIdFieldName"] = job.external_id
        out.update(concurrencyMode="Parallel", contentType="CSV",
                   apiVersion=float(job.api_version))
        if brief:
            return out
        if not created:
            out["jobType"] = "V2Ingest" if job.kind == "ingest" else "V2Query"
        if job.kind == "ingest" and job.state == "Open":
            out["contentUrl"] = f"services/data/v{job.api_version}/jobs/ingest/{job.id}/batches"
        out.update(lineEnding=job.line_ending, columnDelimiter=job.delimiter)
        if created:
            return out
        if job.error_message:
            out["errorMessage"] = job.error_message
        out["numberRecordsProcessed"] = job.processed
        if job.kind == "ingest":
            out["numberRecordsFailed"] = job.failed
        out.update(retries=0, totalProcessingTime=job.elapsed_ms)
        if job.kind == "ingest":
            out.update(apiActiveProcessingTime=job.elapsed_ms, apexProcessingTime=0)
        else:
            out["isPkChunkingSupported"] = True
        return out

    # ------------------------------------------------------------------ state changes

    def _set_state(self, job: Job, body: dict) -> None:
        state = body.get("state") if isinstance(body, dict) else None
        allowed = ("UploadComplete", "Aborted") if job.kind == "ingest" else ("Aborted",)
        if state not in allowed:
            raise _bad_property(state, "state")
        if state == "Aborted":
            if job.state in TERMINAL:
                raise Bulk2Error(400, "INVALIDJOBSTATE",
                                 f"Aborting already {job.state} Job not allowed")
            if job.kind == "ingest":
                job.unprocessed = self._left(job)
            job.state = "Aborted"
        else:
            if job.state != "Open":
                raise Bulk2Error(400, "INVALIDJOBSTATE", f"Closing already {job.state} Job "
                                 "not allowed")
            job.state = "UploadComplete"
            job.started = time.monotonic()
        job.stamp = self.org.now()

    def _upload(self, job: Job, raw: bytes) -> None:
        if job.data is not None:
            raise Bulk2Error(400, "BULK_API_ERROR", f"Found multipe contents for job: "
                             f"<{job.id[:15]}>, please 'Close' / 'Abort' / 'Delete' the current "
                             "Job then create a new Job and make sure you only do 'PUT' once on "
                             "a given Job.")
        if job.state != "Open":
            raise Bulk2Error(409, "INVALIDJOBSTATE", f"Job {job.id} is not open for data "
                             f"upload; its state is {job.state}")
        if len(raw) > MAX_UPLOAD_BYTES:
            raise Bulk2Error(400, "API_ERROR", "Request data exceeds the limit of 150 MB "
                             "(base64 encoded): upload at most 100 MB of CSV")
        if not raw.strip():
            raise Bulk2Error(400, "API_ERROR", "The request body is empty")
        job.data = raw

    def _poll(self, job: Job) -> None:
        """A client looked at the job: a closed one starts or finishes processing."""
        if job.state not in ("UploadComplete", "InProgress"):
            return
        if job.state == "UploadComplete":
            job.polls_left = self.polls_in_progress
            if job.kind == "ingest":
                job.fail_after, self.fail_after = self.fail_after, None
        if job.polls_left > 0:
            job.polls_left -= 1
            job.state = "InProgress"
            job.stamp = self.org.now()
            return
        started = time.monotonic()
        if job.kind == "ingest":
            self._process(job)
        else:
            self._run_query(job)
        job.elapsed_ms += int((time.monotonic() - started) * 1000)
        job.stamp = self.org.now()

    # ------------------------------------------------------------------------ ingest

    def _ingest_results(self, job: Job, which: str) -> Response:
        if job.state not in TERMINAL:
            raise Bulk2Error(409, "INVALIDJOBSTATE", f"Job {job.id} is not finished: its "
                             f"state is {job.state}")
        header = job.header or self._rows(job)[0]
        if which == "successfulresults":
            head = ["sf__Id", "sf__Created", *header]
            rows = [[rid, created, *values] for rid, created, values in job.successes]
        elif which == "failedresults":
            head = ["sf__Id", "sf__Error", *header]
            rows = [[rid, error, *values] for rid, error, values in job.failures]
        else:
            head, rows = header, job.unprocessed

        def lines() -> Iterator[str]:
            yield _csv_line(head)
            for row in rows:
                yield _csv_line(row)

        return _csv(lines())

    # ------------------------------------------------------------------------- query

    def _run_query(self, job: Job) -> None:
        try:
            _obj, render, ids, _count = soql_exec.run(self.org, job.query,
                                                      job.operation == "queryAll")
        except soql.SoqlError as e:  # the org's schema changed since the job was created
            job.state, job.error_message = "Failed", f"{e.code}: {e.message}"
            return
        job.result_ids, job.render, job.processed = ids, render, len(ids)
        job.state = "JobComplete"

    def _query_results(self, job: Job, version: str, args: dict[str, str]) -> Response:
        if version != job.api_version:
            raise Bulk2Error(409, "API_ERROR", f"Use the same API version ({job.api_version}) "
                             "to get query results that you used to create the query")
        if job.state != "JobComplete":
            raise Bulk2Error(400, "API_ERROR", f"Job {job.id} is not complete: its state is "
                             f"{job.state}")
        start = 0
        locator = args.get("locator")
        if locator:
            try:
                start = int(base64.b64decode(locator + "=" * (-len(locator) % 4)).decode())
            except ValueError:
                raise Bulk2Error(400, "INVALID_LOCATOR", f"Invalid locator: {locator}") from None
            if not 0 <= start <= len(job.result_ids):
                raise Bulk2Error(400, "INVALID_LOCATOR", f"Invalid locator: {locator}")
        size = len(job.result_ids) - start
        if "maxRecords" in args:
            raw = args["maxRecords"]
            if not raw.isdigit() or int(raw) <= 0:
                raise Bulk2Error(400, "API_ERROR", f"Invalid value: '{raw}' supplied for "
                                 "parameter: 'maxRecords'")
            size = min(size, int(raw))
        end = start + size
        next_locator = ("null" if end >= len(job.result_ids)
                        else base64.b64encode(str(end).encode()).decode().rstrip("="))
        recs = self.org.recs[job.object]
        delim = DELIMITERS[job.delimiter]
        eol = "\r\n" if job.line_ending == "CRLF" else "\n"

        def lines() -> Iterator[str]:  # rendered a row at a time: a page is never held whole
            yield _csv_line(job.columns, delim, eol)
            for rid in job.result_ids[start:end]:
                rec = job.render(recs[rid])
                yield _csv_line([_cell(_dig(rec, c)) for c in job.columns], delim, eol)

        r = _csv(lines())
        r.headers["Sforce-Locator"] = next_locator
        r.headers["Sforce-NumberOfRecords"] = str(size)
        return r


def _dig(rec: dict | None, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(rec, dict):
            return None
        rec = rec.get(part)
    return rec


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str) and len(v) == 28 and v.endswith("+0000") and v[10] == "T":
        return v[:-5] + "Z"  # query results carry datetimes in UTC with a Z
    return str(v)


def _csv_line(values: list[str], delimiter: str = ",", eol: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=eol, quoting=csv.QUOTE_ALL
               ).writerow(values)
    return buf.getvalue()


def _csv(lines: Iterator[str]) -> Response:
    r = Response((s.encode() for s in lines), status=200)
    r.headers["Content-Type"] = "text/csv"
    return r


def _json(status: int, body: Any) -> Response:
    r = Response(json.dumps(body, separators=(",", ":")).encode(), status=status)
    r.headers["Content-Type"] = "application/json;charset=UTF-8"
    return r


def _json_body(raw: bytes) -> dict:
    try:
        body = json.loads(raw or b"{}")
    except ValueError as e:
        raise Bulk2Error(400, "JSON_PARSER_ERROR", f"Unexpected character: {e}") from None
    if not isinstance(body, dict):
        raise Bulk2Error(400, "JSON_PARSER_ERROR", "Expected a JSON object")
    return body


def _bad_property(value: Any, name: str) -> Bulk2Error:
    return Bulk2Error(400, "API_ERROR", f"Invalid value: '{value if value is not None else ''}'"
                      f" supplied for property: '{name}'")


def _method_not_allowed(method: str) -> Bulk2Error:
    return Bulk2Error(405, "METHOD_NOT_ALLOWED",
                      f"HTTP Method '{method}' not allowed. Allowed are GET,PATCH,DELETE")

