"""Search: operators, sorting, paging, totals and the 10,000-result cap."""

from __future__ import annotations

import pytest
from hubspot.crm.contacts import PublicObjectSearchRequest

from tests.fixtures.hs import api_error

BASE = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def search(client, groups, **kw):
    req = PublicObjectSearchRequest(filter_groups=[{"filters": g} for g in groups], **kw)
    return client.crm.contacts.search_api.do_search(req)


@pytest.fixture
def people(hs):
    rows = [
        {"email": f"p{i}@x.com", "firstname": name, "numemployees": str(i * 10),
         "lifecyclestage": stage, "lastmodifieddate": BASE + i * 1000}
        for i, (name, stage) in enumerate([("Ann", "lead"), ("Bob", "customer"),
                                           ("Cid", "lead"), ("Dee", None), ("Eve", "other")])
    ]
    for r in rows:
        if r["lifecyclestage"] is None:
            del r["lifecyclestage"]
    return hs.control.load({"contacts": rows})["contacts"]


def names(res):
    return [r.properties["firstname"] for r in res.results]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"}, ["Ann", "Cid"]),
        ({"propertyName": "lifecyclestage", "operator": "NEQ", "value": "lead"},
         ["Bob", "Dee", "Eve"]),
        ({"propertyName": "numemployees", "operator": "GT", "value": "20"}, ["Dee", "Eve"]),
        ({"propertyName": "numemployees", "operator": "GTE", "value": "20"},
         ["Cid", "Dee", "Eve"]),
        ({"propertyName": "numemployees", "operator": "LT", "value": "10"}, ["Ann"]),
        ({"propertyName": "numemployees", "operator": "LTE", "value": "10"}, ["Ann", "Bob"]),
        ({"propertyName": "numemployees", "operator": "BETWEEN", "value": "10",
          "highValue": "30"}, ["Bob", "Cid", "Dee"]),
        ({"propertyName": "email", "operator": "IN", "values": ["p1@x.com", "p4@x.com"]},
         ["Bob", "Eve"]),
        ({"propertyName": "lifecyclestage", "operator": "NOT_IN", "values": ["lead", "other"]},
         ["Bob", "Dee"]),
        ({"propertyName": "lifecyclestage", "operator": "HAS_PROPERTY"},
         ["Ann", "Bob", "Cid", "Eve"]),
        ({"propertyName": "lifecyclestage", "operator": "NOT_HAS_PROPERTY"}, ["Dee"]),
        ({"propertyName": "lastmodifieddate", "operator": "GT", "value": str(BASE + 2000)},
         ["Dee", "Eve"]),
        ({"propertyName": "hs_lastmodifieddate", "operator": "LTE",
          "value": "2026-01-01T00:00:01Z"}, ["Ann", "Bob"]),
    ],
)
def test_operators(hs_client, people, flt, expected):
    res = search(hs_client, [[flt]], properties=["firstname"], limit=200)
    assert sorted(names(res)) == expected
    assert res.total == len(expected)


def test_or_of_and_groups_and_sorts(hs_client, people):
    res = search(hs_client, [
        [{"propertyName": "lifecyclestage", "operator": "EQ", "value": "lead"},
         {"propertyName": "numemployees", "operator": "GT", "value": "0"}],
        [{"propertyName": "firstname", "operator": "EQ", "value": "eve"}],
    ], properties=["firstname"], sorts=[{"propertyName": "numemployees",
                                         "direction": "DESCENDING"}])
    assert names(res) == ["Eve", "Cid"]


def test_paging_sorted_by_modified_date(hs_client, people):
    flt = [[{"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(BASE)}]]
    sorts = [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
    first = search(hs_client, flt, properties=["firstname"], sorts=sorts, limit=2)
    assert names(first) == ["Ann", "Bob"] and first.total == 5
    second = search(hs_client, flt, properties=["firstname"], sorts=sorts, limit=2,
                    after=first.paging.next.after)
    third = search(hs_client, flt, properties=["firstname"], sorts=sorts, limit=2,
                   after=second.paging.next.after)
    assert names(second) == ["Cid", "Dee"] and names(third) == ["Eve"]
    assert third.paging is None


def test_limit_over_200_is_rejected(hs_client):
    status, body, _ = api_error(search, hs_client, [], limit=201)
    assert status == 400 and body["category"] == "VALIDATION_ERROR"


def test_unknown_filter_property_is_rejected(hs_client):
    status, body, _ = api_error(
        search, hs_client, [[{"propertyName": "nope", "operator": "EQ", "value": "1"}]])
    assert status == 400 and body["errors"][0]["code"] == "PROPERTY_DOESNT_EXIST"


def test_ten_thousand_result_cap(hs, hs_client):
    hs.control.load({"contacts": [{"firstname": "n", "lastmodifieddate": BASE + i}
                                  for i in range(10_050)]})
    flt = [[{"propertyName": "lastmodifieddate", "operator": "GT", "value": "0"}]]
    sorts = [{"propertyName": "lastmodifieddate", "direction": "ASCENDING"}]
    last = search(hs_client, flt, sorts=sorts, limit=200, after="9800")
    assert last.total == 10_050 and len(last.results) == 200
    assert last.paging.next.after == "10000"
    status, body, _ = api_error(search, hs_client, flt, sorts=sorts, limit=200, after="10000")
    assert status == 400 and body["category"] == "VALIDATION_ERROR"
    assert "10,000" in body["message"]
    # Restarting from the last seen modified date reads the rest.
    cut = last.results[-1].properties["lastmodifieddate"]
    rest = search(hs_client, [[{"propertyName": "lastmodifieddate", "operator": "GT",
                                "value": cut}]], sorts=sorts, limit=200)
    assert rest.total == 50
