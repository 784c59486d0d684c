"""Lists v3: MANUAL and DYNAMIC lists, search, memberships."""

from __future__ import annotations

from hubspot.crm.contacts import SimplePublicObjectInput
from hubspot.crm.lists import ListCreateRequest, ListSearchRequest

from tests.fixtures.hs import api_error

LEADS = {"filterBranchType": "OR", "filterBranches": [{
    "filterBranchType": "AND", "filterBranches": [], "filters": [{
        "filterType": "PROPERTY", "property": "lifecyclestage",
        "operation": {"operationType": "ENUMERATION", "operator": "IS_ANY_OF",
                      "values": ["lead"]}}]}], "filters": []}


def test_manual_list_memberships(hs, hs_client):
    ids = hs.control.load({"contacts": [{"email": f"m{i}@x.com"} for i in range(5)]})["contacts"]
    lists = hs_client.crm.lists
    created = lists.lists_api.create(ListCreateRequest(
        name="Sync me", object_type_id="0-1", processing_type="MANUAL"))
    lid = created.list.list_id
    res = lists.memberships_api.add(lid, ids[:3] + ["999999"])
    assert sorted(res.records_ids_added) == sorted(ids[:3])
    assert res.record_ids_missing == ["999999"]
    res = lists.memberships_api.remove(lid, [ids[0]])
    assert res.record_ids_removed == [ids[0]]
    page = lists.memberships_api.get_page(lid, limit=1)
    assert page.results[0].record_id == ids[1] and page.paging.next.after
    page2 = lists.memberships_api.get_page(lid, limit=1, after=page.paging.next.after)
    assert page2.results[0].record_id == ids[2] and page2.paging is None
    assert lists.lists_api.get_by_id(lid).list.size == 2


def test_dynamic_list_follows_properties(hs, hs_client):
    ids = hs.control.load({"contacts": [{"email": "a@x.com", "lifecyclestage": "lead"},
                                        {"email": "b@x.com", "lifecyclestage": "customer"}]})
    a, b = ids["contacts"]
    lists = hs_client.crm.lists
    lid = lists.lists_api.create({"name": "Leads", "objectTypeId": "0-1",
                                  "processingType": "DYNAMIC", "filterBranch": LEADS}).list.list_id
    assert [m.record_id for m in lists.memberships_api.get_page(lid).results] == [a]
    hs_client.crm.contacts.basic_api.update(b, SimplePublicObjectInput(
        properties={"lifecyclestage": "lead"}))
    assert [m.record_id for m in lists.memberships_api.get_page(lid).results] == [a, b]
    status, body, _ = api_error(lists.memberships_api.add, lid, [a])
    assert status == 400 and "MANUAL" in body["message"]


def test_search_and_get_lists(hs, hs_client):
    hs.control.create_list(name="Alpha", objectTypeId="0-1", processingType="MANUAL")
    hs.control.create_list(name="Beta", objectTypeId="0-1", processingType="DYNAMIC",
                           filterBranch=LEADS)
    found = hs_client.crm.lists.lists_api.do_search(ListSearchRequest(query="alp"))
    assert [x.name for x in found.lists] == ["Alpha"] and found.total == 1
    every = hs_client.crm.lists.lists_api.do_search(ListSearchRequest(
        processing_types=["DYNAMIC"]))
    assert [x.name for x in every.lists] == ["Beta"]
    status, body, _ = api_error(hs_client.crm.lists.lists_api.get_by_id, "4040")
    assert status == 404
