"""Record view exports (FEATURES H7): rows streamed from a queryset into CSV or XLSX.

Never the whole table in memory: rows come from `.iterator()` (a server-side cursor on
PostgreSQL) and XLSX is written with openpyxl's write-only mode.

Every text cell comes from a remote system (record names of any object, emails, ids), so none
may reach a spreadsheet as a formula (CSV/formula injection, OWASP): in CSV a text starting
with = + - @ (or a tab or carriage return) gets a leading apostrophe; in XLSX such a text is
written as a text cell (never a formula) with Excel's quote prefix, its value unchanged.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from syncadmin.sync.models import LinkStatus, RecordLink

EXPORT_FIELDS = ["label", "object", "status", "email", "hs_id", "sf_object", "sf_id",
                 "excluded_reason", "synced_at", "updated_at"]
HEADERS = ["Record", "Object", "Sync status", "Email", "HubSpot ID", "Salesforce object",
           "Salesforce ID", "Excluded because", "Last synced (UTC)", "Last updated (UTC)"]
CHUNK = 2000
PROGRESS_EVERY = 1000
STATUS_TEXT = {k: str(v) for k, v in LinkStatus.choices}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_dir() -> Path:
    path = Path(settings.VAR_DIR) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value, timezone.get_fixed_timezone(0)).replace(tzinfo=None)
    return value


def is_formula_like(value: Any) -> bool:
    """A text a spreadsheet could read as a formula (leading blanks do not hide it)."""
    if not isinstance(value, str) or not value:
        return False
    return value.startswith(FORMULA_START) or value.lstrip(" \n").startswith(FORMULA_START)


def csv_safe(value: Any) -> Any:
    return "'" + value if is_formula_like(value) else value


def rows(qs: QuerySet[RecordLink]) -> Iterator[list[Any]]:
    status_i = EXPORT_FIELDS.index("status")
    for values in qs.values_list(*EXPORT_FIELDS).iterator(chunk_size=CHUNK):
        row = [_cell(v) for v in values]
        row[status_i] = STATUS_TEXT.get(row[status_i], row[status_i])
        yield row


def write_csv(path: Path, qs: QuerySet[RecordLink],
              progress: Callable[[int], None] | None = None) -> int:
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADERS)
        for row in rows(qs):
            writer.writerow([v.isoformat(sep=" ") if hasattr(v, "isoformat") else csv_safe(v)
                             for v in row])
            n += 1
            if progress and n % PROGRESS_EVERY == 0:
                progress(n)
    return n


def write_xlsx(path: Path, qs: QuerySet[RecordLink],
               progress: Callable[[int], None] | None = None) -> int:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Records")

    def text_cell(value: str) -> Any:
        cell = WriteOnlyCell(ws, value)
        cell.data_type = "s"  # openpyxl would store "=…" as a formula
        cell.quotePrefix = True
        return cell

    ws.append(HEADERS)
    n = 0
    for row in rows(qs):
        ws.append([text_cell(v) if is_formula_like(v) else v for v in row])
        n += 1
        if progress and n % PROGRESS_EVERY == 0:
            progress(n)
    wb.save(path)
    return n
