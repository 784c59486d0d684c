"""The adapter's answers to what a strict org refuses (issue 15), through simple-salesforce:
unique and external-id conflicts (point 2)."""

from __future__ import annotations

import pytest

from connectors.errors import Kind, RemoteError
from connectors.salesforce import SalesforceAdapter
from connectors.sandbox.salesforce import SalesforceHandle
from tests.connectors.test_salesforce import EXT, make

LEGACY = "Legacy_Key__c"  # an external id a customer made without "Unique"


def _legacy_field(a: SalesforceAdapter) -> None:
    a._restful("tooling/sobjects/CustomField/", method="POST", json={
        "FullName": f"Contact.{LEGACY}",
        "Metadata": {"type": "Text", "length": 40, "externalId": True, "unique": False,
                     "label": "Legacy key"}})


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
