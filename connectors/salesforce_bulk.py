"""Bulk API 2.0 through simple-salesforce's ``bulk2`` client, for the Salesforce adapter.

Large reads and writes cost a handful of calls instead of one per 2,000 rows read or 1,000
records written (issue 13): a query job is created, polled until JobComplete and read in
pages of `SalesforceConfig.bulk_page_size` rows with the ``Sforce-Locator`` of each answer; an
ingest job is created, given the CSV in one upload, closed, polled, and its
``successfulResults``/``failedResults`` (``unprocessedrecords`` only when the job stopped
early) are matched back to the input records.

Every request goes through the adapter's `_CountingSession` (so the ledger and the budget see
each one) and its `_call` (retries, token refresh, error mapping). The job is polled here with
the client's own `get_job`, on simple-salesforce's schedule (a first wait, then growing pauses
up to 2 s): unlike ``wait_for_job`` the last answer's counts are kept, which saves the
``failedResults`` download of a job without failures.

CSV carries only strings. Rows read are typed from describe like the REST rows the product
reads (booleans, numbers, null for an empty cell, datetimes as ``...+0000``); values written
become CSV cells the way Bulk API 2.0 reads them ("Prepare CSV Files": ``#N/A`` sets a field
to null, an empty cell leaves it unchanged).
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import re
import time
from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from simple_salesforce.bulk2 import JobState, Operation

from connectors.errors import Kind, Outcome, RemoteError

if TYPE_CHECKING:
    from connectors.salesforce import SalesforceAdapter

NULL_CELL = "#N/A"
MAX_JOB_BYTES = 100 * 1024 * 1024  # one upload: 150 MB once base64-encoded ("Upload Job Data")
MAX_POLL_PAUSE = 2.0  # simple-salesforce's MAX_CHECK_INTERVAL_SECONDS
POLL_TIMEOUT = 24 * 3600.0
_FROM_RE = re.compile(r"\bFROM\s+([A-Za-z][A-Za-z0-9_]*)", re.IGNORECASE)
_ERROR_RE = re.compile(r"^([A-Z_]+):(.*?)(?::([A-Za-z0-9_.,]*))?\s*--\s*$", re.DOTALL)


class BulkJobFailed(RemoteError):
    """A job ended Failed or Aborted; its unprocessed records are known."""


class Bulk2Runner:
    def __init__(self, adapter: SalesforceAdapter) -> None:
        self.a = adapter

    def _client(self, sobject: str) -> Any:
        # A fresh handler each time: it takes the session id current after a token refresh.
        return getattr(self.a.sf.bulk2, sobject)._client

    def _wait(self, sobject: str, job_id: str, is_query: bool) -> dict:
        """Poll until the job is in a terminal state; its last job info."""
        c = self.a.config
        pause, n = c.bulk_poll_wait, 0
        deadline = time.monotonic() + POLL_TIMEOUT
        time.sleep(pause)
        while time.monotonic() < deadline:
            info = self.a._call(lambda: self._client(sobject).get_job(job_id, is_query))
            if info["state"] in (JobState.job_complete, JobState.failed, JobState.aborted):
                return dict(info)
            if pause < MAX_POLL_PAUSE:
                pause = c.bulk_poll_wait + math.exp(n) / 1000.0
                n += 1
            time.sleep(pause)
        raise RemoteError(Kind.UNAVAILABLE, f"Bulk API job {job_id} did not finish in time",
                          code="BULK_TIMEOUT", remote="salesforce")

    # ------------------------------------------------------------------------ reading

    def query(self, soql: str, include_deleted: bool = False) -> Iterator[list[dict]]:
        """Pages of typed rows of one query job (queryAll with `include_deleted`)."""
        m = _FROM_RE.search(soql)
        sobject = m.group(1) if m else "Account"
        op = Operation.query_all if include_deleted else Operation.query
        job = self.a._call(lambda: self._client(sobject).create_job(op, query=soql))
        job_id = job["id"]
        info = self._wait(sobject, job_id, True)
        if info["state"] != JobState.job_complete:
            raise RemoteError(Kind.GENERIC, f"Bulk query job {job_id} ended {info['state']}: "
                              f"{info.get('errorMessage') or ''}", code="BULK_JOB_FAILED",
                              remote="salesforce")
        typed = self._typer(sobject)
        locator = ""
        while True:
            def page(loc: str = locator) -> Any:
                return self._client(sobject).get_query_results(
                    job_id, loc, self.a.config.bulk_page_size)

            res = self.a._call(page)
            text = res["records"]
            del res["records"]  # the page's text goes as soon as it is parsed
            yield [typed(row) for row in csv.DictReader(io.StringIO(text, newline=""))]
            del text
            locator = res["locator"]
            if not locator:
                return

    def _typer(self, sobject: str) -> Callable[[dict[str, str]], dict[str, Any]]:
        types = {f["name"]: f["type"] for f in self.a.describe(sobject).get("fields", [])}
        # Picklist values and record ids in lookups repeat across rows (every record's owner
        # is the same user): one string object each, not one per row, on a large read.
        shared: dict[str, str] = {}

        def value(name: str, cell: str) -> Any:
            if cell == "":
                return None
            t = types.get(name)
            if t in ("picklist", "reference"):
                return shared.setdefault(cell, cell)
            try:
                if t == "boolean":
                    return cell.lower() == "true"
                if t == "int":
                    return int(float(cell))
                if t in ("double", "currency", "percent"):
                    return float(cell)
            except ValueError:
                return cell
            if t == "datetime" and cell.endswith("Z"):
                return cell[:-1] + "+0000"
            return cell

        def typed(row: dict[str, str]) -> dict[str, Any]:
            out: dict[str, Any] = {}
            parents: dict[str, dict[str, Any]] = {}
            for name, cell in row.items():
                rel, dot, leaf = name.partition(".")
                if not dot:
                    out[name] = value(name, cell)
                else:  # a parent's field ("Account.Name") nests like REST's
                    parents.setdefault(rel, {})[leaf] = cell if cell != "" else None
            for rel, fields in parents.items():  # CSV cannot tell a null parent: all empty
                out[rel] = fields if any(v is not None for v in fields.values()) else None
            return out

        return typed

    # ------------------------------------------------------------------------ writing

    def write_all(self, operation: str, sobject: str, records: list[dict],
                    ext_field: str | None = None) -> list[Outcome]:
        """One outcome per record in input order, keyed like the REST collections'. Records
        that met a row lock are sent again through REST (which retries locks itself)."""
        def key(i: int, r: dict) -> str:
            if operation == "upsert" and ext_field and r.get(ext_field) is not None:
                return str(r[ext_field])
            if operation in ("update", "delete") and r.get("Id"):
                return str(r["Id"])
            return str(i)

        out = self.write(operation, sobject, records, key, ext_field)
        locked = [i for i, o in enumerate(out) if o is None]
        if locked:
            again = [records[i] for i in locked]
            if operation == "upsert":
                redo = self.a.upsert_many(sobject, ext_field or "Id", again, bulk=False)
            elif operation == "insert":
                redo = self.a.create_many(sobject, again, bulk=False)
            elif operation == "update":
                redo = self.a.update_many(sobject, again, bulk=False)
            else:
                redo = self.a.delete_many(sobject, [r["Id"] for r in again], bulk=False)
            for i, o in zip(locked, redo, strict=True):
                out[i] = o
        return [o for o in out if o is not None]

    def write(self, operation: str, sobject: str, records: list[dict], key: Callable[[int, dict],
              str], ext_field: str | None = None) -> list[Outcome | None]:
        """One outcome per record, in input order; None for a record that met a row lock
        (the caller resends those through REST)."""
        columns = list(dict.fromkeys(k for r in records for k in r))
        if operation == "delete":
            columns = ["Id"]
        rows = [[_cell(r.get(c, "")) if c in r else "" for c in columns] for r in records]
        lines = [_line(row) for row in rows]
        out: list[Outcome | None] = [None] * len(records)
        start = 0
        while start < len(rows):  # one job per upload of at most 100 MB
            end, size = start, len(_line(columns).encode())
            while end < len(rows) and (end == start or size + len(lines[end].encode())
                                       < MAX_JOB_BYTES):
                size += len(lines[end].encode())
                end += 1
            data = _line(columns) + "".join(lines[start:end])
            self._job(operation, sobject, data, rows, records, start, end, key, ext_field, out,
                      _key_column(operation, columns, ext_field))
            start = end
        return out

    def _job(self, operation: str, sobject: str, data: str, rows: list[list[str]],
             records: list[dict], start: int, end: int, key: Callable[[int, dict], str],
             ext_field: str | None, out: list[Outcome | None],
             key_at: int | None = None) -> None:
        """One ingest job for rows[start:end]; fills `out` for them. Result rows echo the
        uploaded values and come in no set order: they are matched on the record's key
        column when it has one (the external id of an upsert, the Id of an update or a
        delete), else on all its values."""
        keys = {i: key(i, records[i]) for i in range(start, end)}
        try:
            job = self.a._call(lambda: self._client(sobject).create_job(
                Operation(operation), external_id_field=ext_field))
            job_id = job["id"]
            self._upload(sobject, job_id, data)
            self.a._call(lambda: self._client(sobject).close_job(job_id))
        except RemoteError as e:
            if e.kind in (Kind.AUTH_EXPIRED, Kind.SF_DAILY_LIMIT, Kind.UNAVAILABLE,
                          Kind.RATE_LIMITED, Kind.ALLOCATION_REACHED):
                raise
            for i in range(start, end):  # a request-level refusal applies to every record
                out[i] = Outcome(False, error=_for_record(e, keys[i]), key=keys[i])
            return
        info = self._wait(sobject, job_id, False)
        def match_key(values: list[str]) -> tuple[str, ...]:
            if key_at is not None and key_at < len(values):
                return (_norm(values[key_at]),)
            return tuple(_norm(v) for v in values)

        pending: dict[tuple[str, ...], deque[int]] = {}
        for i in range(start, end):
            pending.setdefault(match_key(rows[i]), deque()).append(i)

        def take(values: list[str]) -> int | None:
            q = pending.get(match_key(values))
            return q.popleft() if q else None

        processed = int(info.get("numberRecordsProcessed") or 0)
        failed = int(info.get("numberRecordsFailed") or 0)
        answered: set[int] = set()
        if processed - failed > 0:
            for row in self._results(sobject, job_id, "successfulResults"):
                at = take(row[2:])
                if at is not None:
                    answered.add(at)
                    out[at] = Outcome(True, id=row[0] or None, created=row[1] == "true",
                                      key=keys[at])
        if failed:
            for row in self._results(sobject, job_id, "failedResults"):
                at = take(row[2:])
                if at is None:
                    continue
                answered.add(at)
                err = _record_error(row[1], keys[at])
                # Left None: a row lock is worth resending, which the caller does through REST.
                if err.kind != Kind.RECORD_LOCKED:
                    out[at] = Outcome(False, id=row[0] or None, error=err, key=keys[at])
        why = info.get("errorMessage") or f"the job ended {info['state']}"
        for i in range(start, end):  # unprocessed (a failed or aborted job), or unanswered
            if i not in answered:
                out[i] = Outcome(False, error=_job_error(why, keys[i]), key=keys[i])

    def _upload(self, sobject: str, job_id: str, data: str) -> None:
        self.a._call(lambda: self._client(sobject).upload_job_data(job_id, data))

    def _results(self, sobject: str, job_id: str, which: str) -> Iterator[list[str]]:
        text = self.a._call(lambda: self._client(sobject).get_ingest_results(job_id, which))
        reader = csv.reader(io.StringIO(text, newline=""))
        next(reader, None)
        yield from reader


def _key_column(operation: str, columns: list[str], ext_field: str | None) -> int | None:
    name = ext_field if operation == "upsert" else "Id" if operation in ("update", "delete") \
        else None
    return columns.index(name) if name and name in columns else None


def _norm(value: str) -> str:
    """A result value as uploaded: results served without a charset are decoded as Latin-1
    by requests (UTF-8 bytes then read as two characters each), and a line break inside a
    quoted value may come back as CRLF."""
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        value = value.encode("latin-1").decode("utf-8")
    return value.replace("\r\n", "\n")


def _cell(v: Any) -> str:
    if v is None:
        return NULL_CELL
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(values)
    return buf.getvalue()


def _record_error(text: str, key: str) -> RemoteError:
    from connectors.salesforce import classify

    m = _ERROR_RE.match(text)
    if m is None:
        code, _, message = text.partition(":")
        return classify(code or "UNKNOWN_EXCEPTION", message or text, record=key)
    fields = [f for f in (m.group(3) or "").split(",") if f]
    return classify(m.group(1), m.group(2), fields=fields, record=key)


def _job_error(message: str, key: str) -> RemoteError:
    """A record the job never processed: why the job stopped decides whether a retry helps."""
    if "Field name not found" in message:
        kind = Kind.FIELD_MISSING
    elif "Exceeded" in message or "limit" in message.lower():
        kind = Kind.SF_DAILY_LIMIT
    elif "InternalServerError" in message or "retr" in message:
        kind = Kind.UNAVAILABLE
    else:
        kind = Kind.GENERIC
    return BulkJobFailed(kind, f"Not processed: {message}", code="BULK_JOB_FAILED",
                         remote="salesforce", record=key)


def _for_record(e: RemoteError, key: str) -> RemoteError:
    return RemoteError(e.kind, e.message, code=e.code, remote=e.remote, record=key,
                       fields=e.fields, status=e.status, permanent=e.permanent)
