"""The adapter's answers to what a strict org refuses (issue 15), through simple-salesforce:
unique and external-id conflicts (point 2), the purged deletion log (point 8), request size
limits (point 7), field-level security on the fields it creates (point 1)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest

from connectors.errors import KINDS, Kind, RemoteError
from connectors.salesforce import (
    SOQL_URI_BUDGET,
    SalesforceAdapter,
    changes_soql,
    in_chunks,
    select_in_soql,
    select_in_soqls,
)
from connectors.salesforce_changes import read_changes
from connectors.salesforce_permissions import grant_field_access
from connectors.sandbox.salesforce import SalesforceHandle
from tests.connectors.test_salesforce import EXT, make

LEGACY = "Legacy_Key__c"  # an external id a customer made without "Unique"


def _legacy_field(a: SalesforceAdapter) -> None:
    a._restful("tooling/sobjects/CustomField/", method="POST", json={
        "FullName": f"Contact.{LEGACY}",
        "Metadata": {"type": "Text", "length": 40, "externalId": True, "unique": False,
                     "label": "Legacy key"}})
    grant_field_access(a, "Contact", LEGACY)  # a new field is hidden until granted


def test_duplicate_unique_value_is_its_own_kind(sf: SalesforceHandle) -> None:
    a = make(sf)
    a.ensure_external_id_field("Contact", EXT, "HubSpot Id")
    holder = a.upsert_many("Contact", EXT, [{EXT: "101", "LastName": "A"}])[0].id
    other = a.create_many("Contact", [{"LastName": "B"}])[0].id
    [dup] = a.update_many("Contact", [{"Id": other, EXT: "101"}])
    assert not dup.ok and dup.error is not None
    assert (dup.error.kind, dup.error.code) == (Kind.DUPLICATE_VALUE, "DUPLICATE_VALUE")
    assert holder in dup.error.message and dup.error.permanent and dup.key == other
    [made] = a.create_many("Contact", [{"LastName": "C", EXT: "101"}])
    assert made.error is not None and made.error.kind == Kind.DUPLICATE_VALUE


def test_key_matching_several_records_is_ambiguous(sf: SalesforceHandle) -> None:
    a = make(sf)
    _legacy_field(a)
    ids = [o.id for o in a.create_many("Contact", [{"LastName": f"N{i}", LEGACY: "k1"}
                                                   for i in range(2)])]
    with pytest.raises(RemoteError) as info:
        a.by_external_id("Contact", LEGACY, "k1")
    e = info.value
    assert (e.kind, e.status, e.permanent) == (Kind.AMBIGUOUS_MATCH, 300, True)
    assert all(i in e.message for i in ids)
    assert a.by_external_id("Contact", LEGACY, "nobody") is None
    out = a.upsert_many("Contact", LEGACY, [{LEGACY: "k1", "Title": "x"},
                                            {LEGACY: "k2", "LastName": "New"}])
    assert out[0].error is not None and out[0].error.kind == Kind.AMBIGUOUS_MATCH
    assert out[0].key == "k1" and out[1].ok and out[1].created
    assert a.by_external_id("Contact", LEGACY, "k2")["Id"] == out[1].id  # type: ignore[index]


def test_upsert_by_an_unknown_id_is_a_missing_record_not_a_create(
    sf: SalesforceHandle,
) -> None:
    a = make(sf)
    known = a.create_many("Contact", [{"LastName": "Known"}])[0].id
    assert known is not None
    missing = known[:3] + "000000000000ZZZ"
    out = a.upsert_many("Contact", "Id", [{"Id": missing, "LastName": "Ghost"},
                                          {"Id": known, "Title": "CEO"}])
    assert out[0].error is not None and out[0].key == missing
    assert (out[0].error.kind, out[0].error.code) == (Kind.RECORD_DELETED, "NOT_FOUND")
    assert out[1].ok and not out[1].created
    assert a.count("Contact") == 1


# ------------------------------------------------- point 8: the purged deletion log


def test_read_changes_says_which_deletion_logs_no_longer_cover_the_window(
    sf: SalesforceHandle,
) -> None:
    a = make(sf)
    now = datetime.now(UTC)
    since = {o: now - timedelta(hours=1) for o in ("Contact", "Lead", "Account")}
    queries = {o: changes_soql(o, ["Id"], since[o]) for o in since}
    idle = read_changes(a, queries, since, now, {"Case": now - timedelta(hours=1)})
    assert a.calls == 1 and idle.purged == set()  # checks ride in the same composite call
    assert idle.rows == {"Contact": [], "Lead": [], "Account": []} and idle.changed == {
        "Case": set()}
    [gone] = sf.control.insert("Contact", [{"LastName": "Gone"}])
    a.delete_many("Contact", [gone])
    sf.control.purge_deleted((datetime.now(UTC) + timedelta(seconds=1))
                             .strftime("%Y-%m-%dT%H:%M:%SZ"))
    a.calls = 0
    got = read_changes(a, queries, since, datetime.now(UTC), {"Case": since["Contact"]})
    assert got.purged == {"Contact", "Lead", "Account", "Case"} and a.calls == 1
    assert got.rows["Contact"] == []  # queryAll says nothing of the purged row
    old = {o: now - timedelta(days=16) for o in since}  # past the log's reach: not asked
    a.calls = 0
    assert read_changes(a, queries, old, now).purged == set(since) and a.calls == 1


def test_read_changes_splits_at_five_queries_per_composite(sf: SalesforceHandle) -> None:
    a = make(sf)
    now = datetime.now(UTC)
    objs = ["Contact", "Lead", "Account", "Opportunity", "Case", "Task", "Event"]
    since = {o: now - timedelta(minutes=30) for o in objs}
    got = read_changes(a, {o: changes_soql(o, ["Id"], since[o]) for o in objs}, since, now)
    assert a.calls == 2 and set(got.rows) == set(objs) and got.purged == set()


# ------------------------------------------------------- point 7: request size limits


def test_in_lists_are_cut_by_length_not_only_by_count(sf: SalesforceHandle) -> None:
    emails = [f"{'long.address.' * 4}{i:04d}@a-rather-long-company-domain.example.com"
              for i in range(1000)]
    sf.control.insert("Contact", [{"LastName": f"L{i}", "Email": e}
                                  for i, e in enumerate(emails)])
    a = make(sf, max_retries=0)
    naive = select_in_soql("Contact", ["Id", "Email"], "Email", emails[:200])
    with pytest.raises(RemoteError) as info:  # 200 values by count alone: over 16,384 bytes
        list(a.query(naive))
    assert info.value.status == 414
    soqls = list(select_in_soqls("Contact", ["Id", "Email"], "Email", emails))
    assert len(soqls) > 5 and all(len(quote(q, safe="")) <= SOQL_URI_BUDGET for q in soqls)
    rows = [r for q in soqls for page in a.query(q) for r in page]
    assert sorted(r["Email"] for r in rows) == sorted(emails)
    ids = [f"003{i:012d}AAA" for i in range(450)]  # ids still go 200 at a time
    assert [len(c) for c in in_chunks(ids, "SELECT Id FROM Contact WHERE Id IN ()")] == [
        200, 200, 50]


# ------------------------------------- point 6: pages smaller than 2,000 rows (wide rows)


def test_wide_selects_come_in_smaller_pages_and_are_read_whole(sf: SalesforceHandle) -> None:
    sf.control.insert("Account", [{"Name": f"A{i}", "Description": f"{i} " + "x" * 4000}
                                  for i in range(2500)])
    a = make(sf)
    pages = list(a.query("SELECT Id, Name, Description FROM Account"))
    assert len(pages) > 2 and all(len(p) < 2000 for p in pages) and a.calls == len(pages)
    assert sorted(r["Name"] for p in pages for r in p) == sorted(f"A{i}" for i in range(2500))
    rows = a.poll({"acc": "SELECT Id, Description FROM Account"}, include_deleted=True)
    assert len(rows["acc"]) == 2500  # the composite's first page, then query/ pages


# ------------------------------------------------------ point 1: field-level security


def test_created_id_fields_are_granted_to_the_integration_user(sf: SalesforceHandle) -> None:
    a = make(sf)
    assert a.ensure_external_id_field("Contact", EXT, "HubSpot Id") is True
    assert a.calls == 4  # describe, the field, the permission set lookup, one composite
    assert a.upsert_many("Contact", EXT, [{EXT: "h1", "LastName": "L"}])[0].ok
    before = a.calls
    assert a.ensure_external_id_field("Lead", EXT, "HubSpot Id") is True
    assert a.calls - before == 3  # describe, the field, its field permission
    assert EXT in {f["name"] for f in a.describe("Lead")["fields"]}
    again = make(sf)  # a later run finds the permission set and the assignment
    assert again.ensure_external_id_field("Account", EXT, "HubSpot Id") is True
    sets = [r for p in again.query("SELECT Id FROM PermissionSet") for r in p]
    assigned = [r for p in again.query("SELECT Id FROM PermissionSetAssignment") for r in p]
    assert len(sets) == 1 and len(assigned) == 1


def test_no_right_to_grant_is_a_permissions_error_that_says_how_to_fix_it(
    sf: SalesforceHandle,
) -> None:
    sf.control.permissions(manage_permission_sets=False)
    a = make(sf)
    with pytest.raises(RemoteError) as info:
        a.ensure_external_id_field("Contact", EXT, "HubSpot Id")
    e = info.value
    assert (e.kind, e.permanent, e.code) == (Kind.PERMISSIONS, True,
                                             "INSUFFICIENT_ACCESS_OR_READONLY")
    assert "Manage Profiles and Permission Sets" in e.message and "Contact.HubSpot_Id__c" in \
        e.message
    assert str(KINDS[Kind.PERMISSIONS].label) == "Permissions"
    assert "HubSpot_Id__c" in str(KINDS[Kind.PERMISSIONS].fix)
    sf.control.permissions(manage_permission_sets=True)  # the admin fixed it
    b = make(sf)
    assert b.ensure_external_id_field("Contact", EXT, "HubSpot Id") is False  # made before
    assert b.upsert_many("Contact", EXT, [{EXT: "h1", "LastName": "L"}])[0].ok
