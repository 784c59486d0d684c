"""Bulk API 2.0 ingest processing for the Salesforce emulator (see `sf_bulk2`): a closed job's
CSV is read with the job's delimiter and line ending and each row goes through the org's own
create/update/upsert/delete, so a row meets every validation a REST write does.

"Prepare CSV Files" (https://developer.salesforce.com/docs/atlas.en-us.api_asynch.meta/
api_asynch/datafiles_prepare_csv.htm): the header names fields by API name, an empty cell is
ignored (a field left unchanged on update), ``#N/A`` sets null, the line ending must match the
job's. A header naming an unknown field fails the whole job ("InvalidBatch : Field name not
found"); rows past the 24-hour record allocation, or past an injected failure, stay
unprocessed and the job ends Failed ("Understanding Bulk API 2.0 Ingest"). Failed rows carry
``sf__Error`` as ``CODE:message:Field1,Field2 --``.
"""

from __future__ import annotations

import csv
import io
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connectors.sandbox.sf_common import ID_RE, norm_id
from connectors.sandbox.sf_schema import PREFIX_TO_OBJECT

DAILY_INGEST_RECORDS = 150_000_000
BATCH_RECORDS = 10_000  # "Salesforce creates a separate batch for every 10,000 records"
DELIMITERS = {"COMMA": ",", "TAB": "\t", "PIPE": "|", "SEMICOLON": ";", "CARET": "^",
              "BACKQUOTE": "`"}
NULL_VALUE = "#N/A"
TRUE_WORDS, FALSE_WORDS = ("true", "1", "yes", "y"), ("false", "0", "no", "n")


@dataclass
class Job:
    id: str
    kind: str  # "ingest" | "query"
    operation: str
    object: str
    api_version: str
    created: str
    delimiter: str = "COMMA"
    line_ending: str = "LF"
    external_id: str | None = None
    state: str = "Open"
    stamp: str = ""
    polls_left: int = 0
    fail_after: int | None = None
    error_message: str | None = None
    processed: int = 0
    failed: int = 0
    started: float = 0.0
    elapsed_ms: int = 0
    data: bytes | None = None
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] | None = None  # parsed at the first poll after the upload
    fields: list[Any] = field(default_factory=list)
    dupes: set[str] = field(default_factory=set)
    next_row: int = 0
    # (sf__Id, sf__Created) or (sf__Id, sf__Error), then the uploaded values, in input order.
    successes: list[tuple[str, str, list[str]]] = field(default_factory=list)
    failures: list[tuple[str, str, list[str]]] = field(default_factory=list)
    unprocessed: list[list[str]] = field(default_factory=list)
    query: str = ""
    columns: list[str] = field(default_factory=list)
    result_ids: list[str] = field(default_factory=list)
    render: Any = None


class IngestProcessing:
    """Processing of closed ingest jobs; a base of `sf_bulk2.Bulk2`."""

    org: Any
    ingested: deque[tuple[float, int]]
    record_lock: Callable[[], bool]

    def _window(self) -> float:
        raise NotImplementedError

    def _rows(self, job: Job) -> tuple[list[str], list[list[str]]]:
        text = (job.data or b"").decode("utf-8-sig", errors="replace")
        rows = list(csv.reader(io.StringIO(text, newline=""),
                               delimiter=DELIMITERS[job.delimiter]))
        rows = [r for r in rows if r]
        return (rows[0], rows[1:]) if rows else ([], [])

    def _fail(self, job: Job, message: str, rows: list[list[str]]) -> None:
        job.state, job.error_message = "Failed", message
        job.unprocessed = rows

    def _process(self, job: Job) -> None:
        """One poll's worth of processing: the next batch of BATCH_RECORDS rows (Salesforce
        cuts a job in batches of 10,000 records); the job is InProgress until the last."""
        if job.rows is None and not self._start(job):
            return
        rows = job.rows or []
        self._window()
        room = DAILY_INGEST_RECORDS - sum(n for _, n in self.ingested)
        first, done = job.next_row, 0
        for i in range(first, min(first + BATCH_RECORDS, len(rows))):
            if done >= room or (job.fail_after is not None and i >= job.fail_after):
                message = ("InvalidBatch : Exceeded max number of records per 24 hours"
                           if done >= room else "InternalServerError : Failed to process "
                           "batch after retrying it more than 10 times")
                self._fail(job, message, rows[i:])
                break
            self._one(job, job.fields, rows[i], job.dupes)
            done += 1
        self.ingested.append((time.time(), done))
        job.next_row = first + done
        if job.state != "Failed":
            job.state = "JobComplete" if job.next_row >= len(rows) else "InProgress"

    def _start(self, job: Job) -> bool:
        """Reads and checks the uploaded CSV; a bad file fails the whole job."""
        header, rows = self._rows(job)
        job.header = header
        if (job.line_ending == "LF") == (b"\r\n" in (job.data or b"")):
            self._fail(job, f"ClientInputError : LineEnding is invalid on user data. "
                       f"Current LineEnding setting is {job.line_ending}", rows)
            return False
        if not header:
            self._fail(job, "InvalidBatch : Empty CSV file", rows)
            return False
        fields: list[Any] = []
        for name in header:
            f = self.org.field(job.object, name.strip())
            if f is None:
                self._fail(job, f"InvalidBatch : Field name not found : {name}", rows)
                return False
            fields.append(f)
        if job.operation == "delete" and [f.name for f in fields] != ["Id"]:
            self._fail(job, "InvalidBatch : The 'delete' batch must contain only ids, "
                       f"{header}", rows)
            return False
        job.rows, job.fields = rows, fields
        job.dupes = self._duplicate_keys(job, fields, rows)
        return True

    def _left(self, job: Job) -> list[list[str]]:
        """Rows not processed yet (an aborted job's unprocessed records)."""
        if job.data is None:
            return []
        return (job.rows if job.rows is not None else self._rows(job)[1])[job.next_row:]

    def _duplicate_keys(self, job: Job, fields: list[Any], rows: list[list[str]]) -> set[str]:
        """External ids given on more than one row of an upsert: every such row fails."""
        if job.operation != "upsert":
            return set()
        at = next((i for i, f in enumerate(fields) if f.name == job.external_id), None)
        if at is None:
            return set()
        seen: set[str] = set()
        dupes: set[str] = set()
        for row in rows:
            v = row[at] if at < len(row) else ""
            if v:
                k = self.org._ext_key(job.object, job.external_id, v)
                (dupes if k in seen else seen).add(k)
        return dupes

    def _one(self, job: Job, fields: list[Any], row: list[str], dupes: set[str]) -> None:
        job.processed += 1
        try:
            if len(row) != len(fields):
                raise _RecordError("INVALID_FIELD", f"Record has {len(row)} fields but the "
                                   f"header has {len(fields)}", [])
            if self.record_lock():
                raise _RecordError("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access "
                                   "to this record or 1 records", [])
            values = dict(zip((f.name for f in fields), row, strict=True))
            data = {f.name: _typed(f, v) for f, v in zip(fields, row, strict=True) if v != ""}
            rid, created = self._write(job, values, data, dupes)
        except Exception as e:  # the org's ApiError (duck-typed: it lives in the org module)
            err = _as_record_error(e)
            job.failed += 1
            rid_given = next((v for f, v in zip(fields, row, strict=False) if f.name == "Id"), "")
            job.failures.append((rid_given, err, row))
            return
        job.successes.append((rid, "true" if created else "false", row))

    def _write(self, job: Job, values: dict[str, str], data: dict[str, Any],
               dupes: set[str]) -> tuple[str, bool]:
        org, obj = self.org, job.object
        rid = values.get("Id", "")
        if job.operation == "insert":
            if rid:
                raise _RecordError("INVALID_FIELD", "cannot specify Id in an insert call",
                                   ["Id"])
            return org.create(obj, data), True
        if job.operation in ("update", "delete"):
            if not rid:
                raise _RecordError("MISSING_ARGUMENT", f"Id not specified in an "
                                   f"{job.operation} call", [])
            if not ID_RE.match(rid) or PREFIX_TO_OBJECT.get(norm_id(rid)[:3]) != obj:
                raise _RecordError("MALFORMED_ID", f"Id: id value of incorrect type: {rid}",
                                   ["Id"])
            data.pop("Id", None)
            if job.operation == "delete":
                org.delete(obj, rid)
            else:
                org.update(obj, rid, data)
            return norm_id(rid), False
        ext = job.external_id or "Id"
        key = values.get(ext, "")
        if not key and ext != "Id":
            raise _RecordError("MISSING_ARGUMENT", f"{ext} not specified", [ext])
        if key and org._ext_key(obj, ext, key) in dupes:
            raise _RecordError("DUPLICATE_EXTERNAL_ID", f"Duplicate external id specified: "
                               f"{key}", [ext])
        if ext == "Id":
            data.pop("Id", None)
        return org.upsert(obj, ext, key, data)


class _RecordError(Exception):
    def __init__(self, code: str, message: str, fields: list[str]) -> None:
        super().__init__(message)
        self.code, self.message, self.fields = code, message, fields


def _as_record_error(e: Exception) -> str:
    """The ``sf__Error`` text of one failed row: ``CODE:message:Field1,Field2 --``."""
    code, message = getattr(e, "code", None), getattr(e, "message", None)
    if code is None or message is None:
        raise e
    return f"{code}:{message}:{','.join(getattr(e, 'fields', None) or [])} --"


def _typed(f: Any, value: str) -> Any:
    """A CSV cell as the value the org's validation expects (REST JSON types)."""
    if value == NULL_VALUE:
        return None
    if f.type == "boolean":
        low = value.strip().lower()
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
    return value
