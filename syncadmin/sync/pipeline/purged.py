"""Deletions Salesforce no longer reports (issue 15, point 8; DESIGN.md decision 4).

``queryAll`` returns deleted records only while they are in the recycle bin (15 days, or less
when it was emptied); getDeleted then answers INVALID_REPLICATION_DATE for the window
(`connectors.salesforce_changes`). The run does not fall silent on such an object: it
compares the ids it has linked with every id the org still has, and each linked record that
is gone comes back as a deleted row, so the object's deletion setting applies to it as to
any other deletion.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from connectors.salesforce import soql_datetime
from syncadmin.sync.models import LinkStatus, RecordLink

GONE_STATUSES = (LinkStatus.DELETED_SF, LinkStatus.DELETED_HS)


def missing_as_deleted(account: Any, sf: Any, sobject: str, rows: list[dict[str, Any]],
                       now: dt.datetime, *, rows_are_all: bool = False) -> list[dict[str, Any]]:
    """Deleted rows for the linked `sobject` records that are no longer in the org and not
    already among `rows`: one ``SELECT Id`` read when something is linked, none when `rows`
    are every record the org has (a full read)."""
    linked = set(RecordLink.objects.filter(account=account, sf_object=sobject,
                                           sf_id__isnull=False)
                 .exclude(status__in=GONE_STATUSES).values_list("sf_id", flat=True))
    if not linked:
        return []
    seen = {r["Id"] for r in rows}
    gone = sorted(linked - seen if rows_are_all else linked - sf.all_ids(sobject) - seen)
    stamp = soql_datetime(now)
    return [{"Id": i, "IsDeleted": True, "SystemModstamp": stamp} for i in gone]
