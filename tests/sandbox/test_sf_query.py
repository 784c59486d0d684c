"""SOQL query/queryAll, paging, getDeleted/getUpdated windows, through simple-salesforce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from simple_salesforce import Salesforce

from connectors.sandbox.salesforce import SalesforceHandle
from tests.sandbox.sf_helpers import sf_error


def _bulk(sf: SalesforceHandle, n: int, **extra: object) -> list[str]:
    return sf.control.insert(
        "Contact", [{"LastName": f"P{i:05d}", "Email": f"p{i}@x.com", **extra} for i in range(n)]
    )


def test_paging_across_2000_row_pages(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    ids = _bulk(sf, 4500)
    first = sf_client.query("SELECT Id, LastName FROM Contact")
    assert first["totalSize"] == 4500 and first["done"] is False
    assert len(first["records"]) == 2000
    assert first["nextRecordsUrl"].startswith("/services/data/v59.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-2000")
    second = sf_client.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    third = sf_client.query_more(second["nextRecordsUrl"], identifier_is_url=True)
    assert len(second["records"]) == 2000 and len(third["records"]) == 500
    assert third["done"] is True and "nextRecordsUrl" not in third
    got = [r["Id"] for page in (first, second, third) for r in page["records"]]
    assert got == ids
    assert len(sf_client.query_all("SELECT Id FROM Contact")["records"]) == 4500
    limited = sf_client.query("SELECT Id FROM Contact LIMIT 2100")
    assert limited["totalSize"] == 2100 and len(limited["records"]) == 2000
    assert sf_client.query("SELECT COUNT() FROM Contact")["totalSize"] == 4500


def test_where_operators(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    sf.control.insert(
        "Contact",
        [
            {"LastName": "Alpha", "Email": "A@X.com", "Title": "CEO"},
            {"LastName": "Beta", "Email": "b@x.com", "Title": None},
            {"LastName": "Gamma", "Email": "c@y.com", "Title": "CTO"},
        ],
    )
    sf.control.insert(
        "Opportunity",
        [
            {"Name": "o1", "StageName": "Prospecting", "CloseDate": "2026-01-01", "Amount": 100},
            {"Name": "o2", "StageName": "Closed Won", "CloseDate": "2026-06-01", "Amount": 900},
        ],
    )

    def names(q: str) -> list[str]:
        return [r["LastName"] for r in sf_client.query(q)["records"]]

    assert names("SELECT LastName FROM Contact WHERE Email = 'a@x.com'") == ["Alpha"]
    assert names(
        "SELECT LastName FROM Contact WHERE Email IN ('b@x.com','c@y.com') ORDER BY LastName DESC"
    ) == ["Gamma", "Beta"]
    assert names("SELECT LastName FROM Contact WHERE Title = null") == ["Beta"]
    assert names(
        "SELECT LastName FROM Contact WHERE Title != null AND NOT (Email LIKE '%@y.com')"
    ) == ["Alpha"]
    assert names("SELECT LastName FROM Contact WHERE LastName < 'B' OR LastName >= 'Gam'") == [
        "Alpha",
        "Gamma",
    ]
    assert names(
        "SELECT LastName FROM Contact WHERE IsDeleted = false ORDER BY Title NULLS LAST"
    ) == ["Alpha", "Gamma", "Beta"]
    opp = sf_client.query(
        "SELECT Name, IsWon FROM Opportunity WHERE Amount > 500 AND CloseDate >= 2026-03-01"
    )["records"]
    assert [(r["Name"], r["IsWon"]) for r in opp] == [("o2", True)]
    assert sf_client.query("SELECT Id FROM Opportunity WHERE IsWon = true")["totalSize"] == 1


def test_datetime_literals_and_systemmodstamp_window(
    sf_client: Salesforce, sf: SalesforceHandle
) -> None:
    ids = sf.control.insert(
        "Contact",
        [{"LastName": f"T{i}", "SystemModstamp": f"2026-11-20T10:0{i}:00.000Z"} for i in range(6)],
    )
    q = (
        "SELECT Id FROM Contact WHERE SystemModstamp > 2026-11-20T10:01:00Z AND "
        "SystemModstamp <= 2026-11-20T10:04:00.000+0000 ORDER BY SystemModstamp, Id"
    )
    assert [r["Id"] for r in sf_client.query(q)["records"]] == ids[2:5]
    status, code, _ = sf_error(
        sf_client.query, "SELECT Id FROM Contact WHERE SystemModstamp > '2026-11-20T10:01:00Z'"
    )
    assert (status, code) == (400, "INVALID_FIELD")


def test_query_errors(sf_client: Salesforce) -> None:
    status, code, err = sf_error(sf_client.query, "SELECT Id, Nope FROM Contact")
    assert (status, code) == (400, "INVALID_FIELD")
    assert "No such column 'Nope' on entity 'Contact'" in err["message"]
    assert sf_error(sf_client.query, "SELECT Id FROM Nope")[1] == "INVALID_TYPE"
    assert sf_error(sf_client.query, "SELECT FROM Contact")[1] == "MALFORMED_QUERY"
    assert sf_error(sf_client.query, "SELECT Id FROM Contact WHERE")[1] == "MALFORMED_QUERY"
    status, code, _ = sf_error(sf_client.query_more, "01gBOGUS-2000", identifier_is_url=False)
    assert code == "INVALID_QUERY_LOCATOR"


def test_query_all_includes_deleted(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    ids = _bulk(sf, 3)
    sf_client.Contact.delete(ids[1])
    assert sf_client.query("SELECT Id FROM Contact")["totalSize"] == 2
    rows = sf_client.query_all("SELECT Id, IsDeleted FROM Contact", include_deleted=True)
    assert [(r["Id"], r["IsDeleted"]) for r in rows["records"]] == [
        (ids[0], False),
        (ids[1], True),
        (ids[2], False),
    ]
    got = sf_client.query_all("SELECT Id FROM Contact WHERE IsDeleted = true", include_deleted=True)
    assert [r["Id"] for r in got["records"]] == [ids[1]]


def test_get_deleted_and_updated_windows(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    ids = _bulk(sf, 4)
    sf.control.delete("Contact", [ids[0]], at="2026-11-20T10:00:00Z")
    sf.control.delete("Contact", [ids[1]], at="2026-11-21T10:00:00Z")
    start = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    res = sf_client.Contact.deleted(start, datetime(2026, 11, 21, 0, 0, tzinfo=UTC))
    assert [d["id"] for d in res["deletedRecords"]] == [ids[0]]
    assert res["deletedRecords"][0]["deletedDate"] == "2026-11-20T10:00:00.000+0000"
    assert {"earliestDateAvailable", "latestDateCovered"} <= res.keys()
    both = sf_client.Contact.deleted(start, datetime(2026, 11, 22, tzinfo=UTC))
    assert [d["id"] for d in both["deletedRecords"]] == [ids[0], ids[1]]
    sf.control.update("Contact", ids[2], {"Title": "x"}, "2026-11-21T12:00:00Z")
    upd = sf_client.Contact.updated(start, datetime(2026, 11, 22, tzinfo=UTC))
    assert upd["ids"] == [ids[2]] and "latestDateCovered" in upd
    sf.control.purge_deleted("2026-11-21T00:00:00Z")
    status, code, _ = sf_error(sf_client.Contact.deleted, start, datetime(2026, 11, 22, tzinfo=UTC))
    assert (status, code) == (400, "INVALID_REPLICATION_DATE")
    after = sf_client.Contact.deleted(
        datetime(2026, 11, 21, tzinfo=UTC), datetime(2026, 11, 22, tzinfo=UTC)
    )
    assert [d["id"] for d in after["deletedRecords"]] == [ids[1]]
    now = datetime.now(UTC)
    assert sf_client.Contact.deleted(now - timedelta(hours=1), now)["deletedRecords"] == []
