"""sObject Collections and Composite through simple-salesforce's restful()."""

from __future__ import annotations

from simple_salesforce import Salesforce

from connectors.sandbox.salesforce import SalesforceHandle
from tests.sandbox.sf_helpers import contact, create_hubspot_id_field, sf_error


def _recs(n: int, **extra: object) -> list[dict]:
    return [{"attributes": {"type": "Contact"}, **contact(i), **extra} for i in range(n)]



def test_collection_create_200_and_limit(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    res = sf_client.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": _recs(200)}
    )
    assert len(res) == 200 and all(r["success"] and r["id"].startswith("003") for r in res)
    status, code, err = sf_error(
        sf_client.restful,
        "composite/sobjects",
        method="POST",
        json={"allOrNone": False, "records": _recs(201)},
    )
    assert (status, code) == (400, "EXCEEDED_ID_LIMIT")
    assert sf.control.usage()["used"] == 2
    assert sf_client.query("SELECT COUNT() FROM Contact")["totalSize"] == 200


def test_collection_partial_failure_and_all_or_none(sf_client: Salesforce) -> None:
    recs = _recs(3)
    recs[1]["Email"] = "john@"
    res = sf_client.restful(
        "composite/sobjects", method="POST", json={"allOrNone": False, "records": recs}
    )
    assert [r["success"] for r in res] == [True, False, True]
    assert res[1]["errors"][0]["statusCode"] == "INVALID_EMAIL_ADDRESS"
    assert res[1]["errors"][0]["fields"] == ["Email"]
    recs = _recs(3)
    recs[2]["LastName"] = None
    res = sf_client.restful(
        "composite/sobjects", method="POST", json={"allOrNone": True, "records": recs}
    )
    assert [r["success"] for r in res] == [False, False, False]
    assert res[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert res[2]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert sf_client.query("SELECT COUNT() FROM Contact")["totalSize"] == 2


def test_collection_update_delete_and_retrieve(sf_client: Salesforce) -> None:
    ids = [
        r["id"]
        for r in sf_client.restful("composite/sobjects", method="POST", json={"records": _recs(3)})
    ]
    res = sf_client.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "records": [
                {"attributes": {"type": "Contact"}, "id": ids[0], "Title": "A"},
                {"attributes": {"type": "Contact"}, "id": ids[1], "LastName": "x" * 81},
            ]
        },
    )
    assert res[0] == {"id": ids[0], "success": True, "errors": []}
    assert res[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    got = sf_client.restful(f"composite/sobjects/Contact?ids={','.join(ids)}&fields=Id,Title")
    assert [g["Title"] for g in got] == ["A", None, None]
    res = sf_client.restful(
        "composite/sobjects",
        method="DELETE",
        params={"ids": ",".join(ids[:2]), "allOrNone": "false"},
    )
    assert [r["success"] for r in res] == [True, True]
    res = sf_client.restful("composite/sobjects", method="DELETE", params={"ids": ids[0]})
    assert res[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"
    res = sf_client.restful(
        "composite/sobjects",
        method="PATCH",
        json={"records": [{"attributes": {"type": "Contact"}, "id": ids[0], "Title": "B"}]},
    )
    assert res[0]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"


def test_collection_upsert_created_vs_updated(sf_client: Salesforce) -> None:
    create_hubspot_id_field(sf_client)
    recs = [
        {"attributes": {"type": "Contact"}, "HubSpot_Id__c": f"hs{i}", **contact(i)}
        for i in range(3)
    ]
    res = sf_client.restful(
        "composite/sobjects/Contact/HubSpot_Id__c",
        method="PATCH",
        json={"allOrNone": False, "records": recs},
    )
    assert [r["created"] for r in res] == [True, True, True]
    recs[0]["Title"] = "Boss"
    recs.append({"attributes": {"type": "Contact"}, "HubSpot_Id__c": "hs9", "LastName": None})
    recs.append({"attributes": {"type": "Contact"}, "LastName": "no key"})
    res2 = sf_client.restful(
        "composite/sobjects/Contact/HubSpot_Id__c",
        method="PATCH",
        json={"allOrNone": False, "records": recs},
    )
    assert [(r["success"], r["created"]) for r in res2] == [
        (True, False),
        (True, False),
        (True, False),
        (False, False),
        (False, False),
    ]
    assert res2[0]["id"] == res[0]["id"]
    assert res2[3]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert res2[4]["errors"][0]["statusCode"] == "MISSING_ARGUMENT"
    dup = [recs[0], dict(recs[0])]
    res3 = sf_client.restful(
        "composite/sobjects/Contact/HubSpot_Id__c", method="PATCH", json={"records": dup}
    )
    assert {r["errors"][0]["statusCode"] for r in res3} == {"DUPLICATE_EXTERNAL_ID"}
    _, code, _ = sf_error(
        sf_client.restful,
        "composite/sobjects/Contact/Email",
        method="PATCH",
        json={"records": recs[:1]},
    )
    assert code == "INVALID_FIELD"
    assert sf_client.query("SELECT COUNT() FROM Contact")["totalSize"] == 3


def test_composite_25_subrequests_references_and_one_call(
    sf_client: Salesforce, sf: SalesforceHandle
) -> None:
    sub = [
        {
            "method": "POST",
            "url": "/services/data/v59.0/sobjects/Account/",
            "referenceId": "acc",
            "body": {"Name": "Acme"},
        },
        {
            "method": "POST",
            "url": "/services/data/v59.0/sobjects/Contact/",
            "referenceId": "con",
            "body": {"LastName": "X", "AccountId": "@{acc.id}"},
        },
        {
            "method": "GET",
            "url": "/services/data/v59.0/query/?q=SELECT+Id,AccountId+FROM+Contact",
            "referenceId": "q",
        },
        {
            "method": "GET",
            "url": "/services/data/v59.0/sobjects/Contact/@{q.records[0].Id}",
            "referenceId": "get",
        },
    ]
    before = sf.control.usage()["used"]
    res = sf_client.restful(
        "composite", method="POST", json={"allOrNone": False, "compositeRequest": sub}
    )
    out = {r["referenceId"]: r for r in res["compositeResponse"]}
    assert out["acc"]["httpStatusCode"] == 201
    assert out["q"]["body"]["records"][0]["AccountId"] == out["acc"]["body"]["id"]
    assert out["get"]["body"]["Id"] == out["con"]["body"]["id"]
    assert sf.control.usage()["used"] == before + 1
    assert sf_client.api_usage["api-usage"].used == before + 1
    many = [
        {"method": "GET", "url": "/services/data/v59.0/limits/", "referenceId": f"r{i}"}
        for i in range(26)
    ]
    status, code, _ = sf_error(
        sf_client.restful, "composite", method="POST", json={"compositeRequest": many}
    )
    assert (status, code) == (400, "LIMIT_EXCEEDED")
    ok = sf_client.restful("composite", method="POST", json={"compositeRequest": many[:25]})
    assert len(ok["compositeResponse"]) == 25


def test_composite_all_or_none_rolls_back(sf_client: Salesforce) -> None:
    sub = [
        {
            "method": "POST",
            "url": "/services/data/v59.0/sobjects/Account/",
            "referenceId": "a",
            "body": {"Name": "Acme"},
        },
        {
            "method": "POST",
            "url": "/services/data/v59.0/sobjects/Contact/",
            "referenceId": "c",
            "body": {"FirstName": "no last name"},
        },
    ]
    res = sf_client.restful(
        "composite", method="POST", json={"allOrNone": True, "compositeRequest": sub}
    )
    codes = [r["body"][0]["errorCode"] for r in res["compositeResponse"]]
    assert codes == ["PROCESSING_HALTED", "REQUIRED_FIELD_MISSING"]
    assert sf_client.query("SELECT COUNT() FROM Account")["totalSize"] == 0


def test_composite_query_subrequests_page(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    sf.control.insert("Contact", [{"LastName": f"n{i}"} for i in range(2100)])
    res = sf_client.restful(
        "composite",
        method="POST",
        json={
            "compositeRequest": [
                {
                    "method": "GET",
                    "url": "/services/data/v59.0/query/?q=SELECT+Id+FROM+Contact",
                    "referenceId": "c",
                },
                {
                    "method": "GET",
                    "url": "/services/data/v59.0/query/?q=SELECT+Id+FROM+Lead",
                    "referenceId": "l",
                },
            ]
        },
    )
    c, lead = (r["body"] for r in res["compositeResponse"])
    assert len(c["records"]) == 2000 and c["done"] is False and lead["totalSize"] == 0
    more = sf_client.query_more(c["nextRecordsUrl"], identifier_is_url=True)
    assert len(more["records"]) == 100


def test_concurrent_clients_are_serialized_safely(sf: SalesforceHandle) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.fixtures.sf import sf_session

    def work(t: int) -> int:
        client = Salesforce(instance_url=sf.url, session_id=sf.session_id, session=sf_session(sf))
        done = 0
        for b in range(5):
            recs = [
                {"attributes": {"type": "Contact"}, "LastName": f"t{t}b{b}n{i}"} for i in range(40)
            ]
            res = client.restful("composite/sobjects", method="POST", json={"records": recs})
            done += sum(r["success"] for r in res)
        return done

    with ThreadPoolExecutor(4) as pool:
        assert sum(pool.map(work, range(4))) == 800
    assert sf.control.usage()["used"] == 20
    client = Salesforce(instance_url=sf.url, session_id=sf.session_id, session=sf_session(sf))
    rows = client.query_all("SELECT Id FROM Contact")["records"]
    assert len({r["Id"] for r in rows}) == 800
