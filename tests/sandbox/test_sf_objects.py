"""Accounts, Opportunities, OpportunityContactRoles and Cases through simple-salesforce:
describe (child relationships, default picklists), required fields, deletes that cascade as in
a real org, and queryAll/getDeleted of what was deleted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from simple_salesforce import Salesforce

from tests.sandbox.sf_helpers import sf_error

STAGES = [
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Value Proposition",
    "Id. Decision Makers",
    "Perception Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
    "Closed Won",
    "Closed Lost",
]


def _children(d: dict) -> set[tuple[str, str, str]]:
    return {(c["relationshipName"], c["childSObject"], c["field"]) for c in d["childRelationships"]}


def test_describe_child_relationships(sf_client: Salesforce) -> None:
    account = sf_client.Account.describe()
    assert {
        ("Contacts", "Contact", "AccountId"),
        ("Opportunities", "Opportunity", "AccountId"),
        ("Cases", "Case", "AccountId"),
    } <= _children(account)
    contacts = next(c for c in account["childRelationships"] if c["relationshipName"] == "Contacts")
    assert contacts["cascadeDelete"] is True and set(contacts) >= {
        "deprecatedAndHidden",
        "junctionIdListNames",
        "junctionReferenceTo",
        "restrictedDelete",
    }
    assert ("OpportunityContactRoles", "OpportunityContactRole", "OpportunityId") in _children(
        sf_client.Opportunity.describe()
    )
    assert {
        ("OpportunityContactRoles", "OpportunityContactRole", "ContactId"),
        ("Cases", "Case", "ContactId"),
    } <= _children(sf_client.Contact.describe())
    assert "childRelationships" in sf_client.OpportunityContactRole.describe()
    assert "childRelationships" in sf_client.Case.describe()


def _field(d: dict, name: str) -> dict:
    return next(f for f in d["fields"] if f["name"] == name)


def test_describe_default_picklists(sf_client: Salesforce) -> None:
    stage = _field(sf_client.Opportunity.describe(), "StageName")
    assert [p["value"] for p in stage["picklistValues"]] == STAGES
    assert stage["restrictedPicklist"] is False and stage["nillable"] is False
    case = sf_client.Case.describe()
    status = _field(case, "Status")
    assert [p["value"] for p in status["picklistValues"]] == [
        "New",
        "Working",
        "Escalated",
        "Closed",
    ]
    assert [p["value"] for p in status["picklistValues"] if p["defaultValue"]] == ["New"]
    priority = _field(case, "Priority")
    assert [p["value"] for p in priority["picklistValues"]] == ["High", "Medium", "Low"]
    assert [p["value"] for p in priority["picklistValues"] if p["defaultValue"]] == ["Medium"]
    assert [p["value"] for p in _field(case, "Origin")["picklistValues"]] == [
        "Phone",
        "Email",
        "Web",
    ]
    assert not any(_field(case, n)["restrictedPicklist"] for n in ("Status", "Priority", "Origin"))


def test_opportunity_required_fields_and_stage_semantics(sf_client: Salesforce) -> None:
    _, code, err = sf_error(sf_client.Opportunity.create, {"Amount": 5})
    assert code == "REQUIRED_FIELD_MISSING"
    assert set(err["fields"]) == {"Name", "StageName", "CloseDate"}
    base = {"Name": "o", "CloseDate": "2026-01-01"}
    got = {}
    for stage in ("Value Proposition", "Closed Won", "Closed Lost"):
        rid = sf_client.Opportunity.create({**base, "StageName": stage})["id"]
        rec = sf_client.Opportunity.get(rid)
        got[stage] = (
            rec["IsClosed"],
            rec["IsWon"],
            rec["Probability"],
            rec["ForecastCategoryName"],
        )
    assert got == {
        "Value Proposition": (False, False, 50, "Pipeline"),
        "Closed Won": (True, True, 100, "Closed"),
        "Closed Lost": (True, False, 0, "Omitted"),
    }


def test_case_defaults_and_unrestricted_picklists(sf_client: Salesforce) -> None:
    rid = sf_client.Case.create({"Subject": "Broken", "Origin": "Chat"})["id"]
    rec = sf_client.Case.get(rid)
    assert (rec["Status"], rec["Priority"], rec["Origin"]) == ("New", "Medium", "Chat")
    assert rec["IsClosed"] is False and rec["CaseNumber"]
    sf_client.Case.update(rid, {"Status": "Closed"})
    assert sf_client.Case.get(rid)["IsClosed"] is True


def _graph(sf_client: Salesforce) -> dict[str, str]:
    ids = {"acc": sf_client.Account.create({"Name": "Acme"})["id"]}
    ids["con"] = sf_client.Contact.create({"LastName": "Ann", "AccountId": ids["acc"]})["id"]
    ids["opp"] = sf_client.Opportunity.create(
        {
            "Name": "Big",
            "StageName": "Closed Won",
            "CloseDate": "2026-01-01",
            "AccountId": ids["acc"],
        }
    )["id"]
    ids["ocr"] = sf_client.OpportunityContactRole.create(
        {"OpportunityId": ids["opp"], "ContactId": ids["con"]}
    )["id"]
    ids["case"] = sf_client.Case.create({"Subject": "S", "AccountId": ids["acc"]})["id"]
    return ids


def test_account_with_a_case_cannot_be_deleted(sf_client: Salesforce) -> None:
    ids = _graph(sf_client)
    status, code, err = sf_error(sf_client.Account.delete, ids["acc"])
    assert (status, code) == (400, "DELETE_FAILED")
    assert "associated with the following cases" in err["message"]
    assert sf_client.query("SELECT COUNT() FROM Contact")["totalSize"] == 1
    # In a collection delete the failure is per record and nothing else moves.
    res = sf_client.restful(f"composite/sobjects?ids={ids['acc']}", method="DELETE")
    assert res[0]["success"] is False and res[0]["errors"][0]["statusCode"] == "DELETE_FAILED"
    assert sf_client.query("SELECT COUNT() FROM Opportunity")["totalSize"] == 1


def test_account_delete_cascades_and_query_all_shows_deleted(sf_client: Salesforce) -> None:
    ids = _graph(sf_client)
    start = datetime.now(UTC) - timedelta(minutes=1)
    sf_client.Case.delete(ids["case"])
    sf_client.Account.delete(ids["acc"])
    for obj in ("Account", "Contact", "Opportunity", "OpportunityContactRole", "Case"):
        assert sf_client.query(f"SELECT COUNT() FROM {obj}")["totalSize"] == 0, obj
        rows = sf_client.query_all(f"SELECT Id, IsDeleted FROM {obj}", include_deleted=True)[
            "records"
        ]
        assert [r["IsDeleted"] for r in rows] == [True], obj
    deleted = sf_client.query_all(
        "SELECT Id, Opportunity.Name FROM OpportunityContactRole WHERE IsDeleted = true",
        include_deleted=True,
    )["records"]
    assert deleted[0]["Id"] == ids["ocr"] and deleted[0]["Opportunity"]["Name"] == "Big"
    end = datetime.now(UTC) + timedelta(minutes=1)
    for obj, key in (("Contact", "con"), ("Opportunity", "opp"), ("OpportunityContactRole", "ocr")):
        got = getattr(sf_client, obj).deleted(start, end)["deletedRecords"]
        assert [d["id"] for d in got] == [ids[key]], obj


def test_opportunity_and_contact_deletes_take_their_contact_roles(sf_client: Salesforce) -> None:
    ids = _graph(sf_client)
    sf_client.Opportunity.delete(ids["opp"])
    assert sf_client.query("SELECT COUNT() FROM OpportunityContactRole")["totalSize"] == 0
    assert sf_client.query("SELECT COUNT() FROM Contact")["totalSize"] == 1
    opp2 = sf_client.Opportunity.create(
        {"Name": "Two", "StageName": "Prospecting", "CloseDate": "2026-01-01"}
    )["id"]
    sf_client.OpportunityContactRole.create({"OpportunityId": opp2, "ContactId": ids["con"]})
    sf_client.Contact.delete(ids["con"])
    rows = sf_client.query_all(
        "SELECT IsDeleted FROM OpportunityContactRole", include_deleted=True
    )["records"]
    assert [r["IsDeleted"] for r in rows] == [True, True]
