"""The recycle bin's reach (issue 15, point 8): purged records leave queryAll without an
error, and a getDeleted window that starts before the retention answers
INVALID_REPLICATION_DATE."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from simple_salesforce import Salesforce

from connectors.sandbox.salesforce import SalesforceHandle
from tests.sandbox.sf_helpers import sf_error

DELETED = "SELECT Id FROM Contact WHERE IsDeleted = true"


def _iso(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def _deleted_ids(sf_client: Salesforce) -> set[str]:
    return {r["Id"] for r in sf_client.query_all(DELETED, include_deleted=True)["records"]}


def test_retention_purges_old_deletions_from_both_reads(
    sf_client: Salesforce, sf: SalesforceHandle
) -> None:
    ids = sf.control.insert("Contact", [{"LastName": f"C{i}"} for i in range(3)])
    now = datetime.now(UTC)
    sf.control.delete("Contact", [ids[0]], at=_iso(now - timedelta(days=20)))
    sf.control.delete("Contact", [ids[1]], at=_iso(now - timedelta(days=2)))
    assert _deleted_ids(sf_client) == {ids[0], ids[1]}  # the background purge has not run
    res = sf.control.purge_deleted(retention_days=15)
    assert res["purged"] == 1
    assert _deleted_ids(sf_client) == {ids[1]}  # no error: the row is simply gone
    status, code, err = sf_error(sf_client.Contact.deleted, now - timedelta(days=16), now)
    assert (status, code) == (400, "INVALID_REPLICATION_DATE")
    assert "earliest date available" in err["message"]
    got = sf_client.Contact.deleted(now - timedelta(days=14), now)
    assert [d["id"] for d in got["deletedRecords"]] == [ids[1]]
    assert got["earliestDateAvailable"] == res["earliestDateAvailable"]


def test_emptying_the_recycle_bin_moves_the_earliest_date(
    sf_client: Salesforce, sf: SalesforceHandle
) -> None:
    ids = sf.control.insert("Contact", [{"LastName": f"C{i}"} for i in range(2)])
    sf_client.Contact.delete(ids[0])
    now = datetime.now(UTC)
    sf.control.purge_deleted(_iso(now + timedelta(seconds=1)))
    assert _deleted_ids(sf_client) == set()
    assert sf_client.query("SELECT COUNT() FROM Contact")["totalSize"] == 1
    status, code, _ = sf_error(sf_client.Contact.deleted, now - timedelta(hours=1),
                               now + timedelta(minutes=5))
    assert (status, code) == (400, "INVALID_REPLICATION_DATE")
    time.sleep(1.1)  # past the purge's cut-off
    sf_client.Contact.delete(ids[1])  # deletions after the purge are logged again
    later = sf_client.Contact.deleted(now + timedelta(seconds=1), now + timedelta(minutes=5))
    assert [d["id"] for d in later["deletedRecords"]] == [ids[1]]
