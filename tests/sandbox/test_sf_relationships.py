"""SOQL relationship queries through simple-salesforce: child-to-parent paths, parent-to-child
subqueries, semi-/anti-joins and the errors a real org answers for them."""

from __future__ import annotations

from simple_salesforce import Salesforce

from tests.sandbox.sf_helpers import sf_error


def _org(sf_client: Salesforce) -> dict[str, str]:
    acme = sf_client.Account.create({"Name": "Acme", "Website": "acme.example"})["id"]
    beta = sf_client.Account.create({"Name": "Beta"})["id"]
    ids = {"acme": acme, "beta": beta}
    ids["ann"] = sf_client.Contact.create({"LastName": "Ann", "AccountId": acme})["id"]
    ids["bob"] = sf_client.Contact.create({"LastName": "Bob", "AccountId": beta})["id"]
    ids["cy"] = sf_client.Contact.create({"LastName": "Cy"})["id"]
    base = {"StageName": "Prospecting", "CloseDate": "2026-12-01"}
    ids["big"] = sf_client.Opportunity.create({"Name": "Big", "AccountId": acme, **base})["id"]
    ids["small"] = sf_client.Opportunity.create({"Name": "Small", **base})["id"]
    sf_client.OpportunityContactRole.create(
        {"OpportunityId": ids["big"], "ContactId": ids["ann"], "Role": "Decision Maker"}
    )
    sf_client.OpportunityContactRole.create(
        {"OpportunityId": ids["big"], "ContactId": ids["bob"], "Role": "Evaluator"}
    )
    return ids


def test_parent_fields_in_select_where_and_order_by(sf_client: Salesforce) -> None:
    ids = _org(sf_client)
    rows = sf_client.query(
        "SELECT Id, LastName, Account.Name, Account.Website FROM Contact ORDER BY Account.Name "
        "NULLS LAST, LastName"
    )["records"]
    assert [r["LastName"] for r in rows] == ["Ann", "Bob", "Cy"]
    assert rows[0]["Account"] == {
        "attributes": {
            "type": "Account",
            "url": f"/services/data/v59.0/sobjects/Account/{ids['acme']}",
        },
        "Name": "Acme",
        "Website": "acme.example",
    }
    assert rows[2]["Account"] is None
    assert list(rows[0]) == ["attributes", "Id", "LastName", "Account"]
    acme = sf_client.query("SELECT LastName FROM Contact WHERE Account.Name = 'acme'")["records"]
    assert [r["LastName"] for r in acme] == ["Ann"]
    none = sf_client.query("SELECT LastName FROM Contact WHERE Account.Name = null")["records"]
    assert [r["LastName"] for r in none] == ["Cy"]
    two = sf_client.query(
        "SELECT account.name, Owner.Alias FROM Opportunity WHERE Account.Name LIKE 'Ac%'"
    )["records"]
    assert two[0]["Account"]["Name"] == "Acme" and two[0]["Owner"]["Alias"] == "integ"
    deep = sf_client.query(
        "SELECT Contact.Account.Name, Opportunity.Name FROM OpportunityContactRole "
        "ORDER BY Contact.LastName DESC"
    )["records"]
    assert deep[0]["Contact"]["Account"]["Name"] == "Beta"
    assert deep[0]["Contact"]["attributes"]["type"] == "Contact"
    assert deep[1]["Opportunity"]["Name"] == "Big"


def test_unknown_relationship_and_parent_field_are_invalid_field(sf_client: Salesforce) -> None:
    status, code, err = sf_error(sf_client.query, "SELECT Id, Acount.Name FROM Contact")
    assert (status, code) == (400, "INVALID_FIELD")
    assert "Didn't understand relationship 'Acount' in field path." in err["message"]
    assert "ERROR at Row:1:Column:12" in err["message"]
    _, code, err = sf_error(sf_client.query, "SELECT Id FROM Contact WHERE Account.Nme = 'x'")
    assert code == "INVALID_FIELD"
    assert "No such column 'Nme' on entity 'Account'" in err["message"]
    _, code, _ = sf_error(sf_client.query, "SELECT Id FROM Contact ORDER BY Acct.Name")
    assert code == "INVALID_FIELD"


def test_child_subquery_nests_a_query_result_or_null(sf_client: Salesforce) -> None:
    ids = _org(sf_client)
    rows = sf_client.query(
        "SELECT Id, Name, (SELECT Id, ContactId, Role FROM OpportunityContactRoles "
        "ORDER BY Role) FROM Opportunity ORDER BY Name"
    )["records"]
    big, small = rows
    assert small["OpportunityContactRoles"] is None
    roles = big["OpportunityContactRoles"]
    assert roles["totalSize"] == 2 and roles["done"] is True
    assert [r["Role"] for r in roles["records"]] == ["Decision Maker", "Evaluator"]
    assert roles["records"][0]["ContactId"] == ids["ann"]
    assert roles["records"][0]["attributes"]["type"] == "OpportunityContactRole"
    accounts = sf_client.query(
        "SELECT Name, (SELECT LastName FROM Contacts), (SELECT Name FROM Opportunities "
        "WHERE Amount = null), (SELECT Id FROM Cases) FROM Account WHERE Name = 'Acme'"
    )["records"]
    assert accounts[0]["Contacts"]["records"][0]["LastName"] == "Ann"
    assert accounts[0]["Opportunities"]["totalSize"] == 1
    assert accounts[0]["Cases"] is None
    assert list(accounts[0]) == ["attributes", "Name", "Contacts", "Opportunities", "Cases"]


def test_unknown_child_relationship_is_invalid_type(sf_client: Salesforce) -> None:
    _org(sf_client)
    _, code, err = sf_error(
        sf_client.query, "SELECT Id, (SELECT Id FROM OpportunityContactRole) FROM Opportunity"
    )
    assert code == "INVALID_TYPE"
    assert (
        "Didn't understand relationship 'OpportunityContactRole' in FROM part of query call"
        in err["message"]
    )


def test_semi_join_and_anti_join(sf_client: Salesforce) -> None:
    ids = _org(sf_client)
    q = (
        "SELECT Name FROM Opportunity WHERE Id {} (SELECT OpportunityId FROM "
        f"OpportunityContactRole WHERE ContactId = '{ids['ann'][:15]}')"
    )
    assert [r["Name"] for r in sf_client.query(q.format("IN"))["records"]] == ["Big"]
    assert [r["Name"] for r in sf_client.query(q.format("NOT IN"))["records"]] == ["Small"]
    contacts = sf_client.query(
        "SELECT LastName FROM Contact WHERE AccountId IN (SELECT AccountId FROM Opportunity) "
        "AND Id NOT IN (SELECT ContactId FROM OpportunityContactRole WHERE Role = 'Evaluator')"
    )["records"]
    assert [r["LastName"] for r in contacts] == ["Ann"]
    no_roles = sf_client.query(
        "SELECT LastName FROM Contact WHERE Id NOT IN "
        "(SELECT ContactId FROM OpportunityContactRole) ORDER BY LastName"
    )["records"]
    assert [r["LastName"] for r in no_roles] == ["Cy"]


def test_semi_join_rules_of_a_real_org(sf_client: Salesforce) -> None:
    _org(sf_client)
    refused = {
        "SELECT Id FROM Opportunity WHERE Id IN "
        "(SELECT OpportunityId, ContactId FROM OpportunityContactRole)": "only query one field",
        "SELECT Id FROM Contact WHERE AccountId IN (SELECT Name FROM Account)": (
            "semi join sub selects can only query id fields, cannot use: 'Name'"
        ),
        "SELECT Id FROM Contact WHERE Id IN (SELECT Id FROM Contact)": (
            "should not be on the same object type"
        ),
        "SELECT Id FROM Contact WHERE Id IN (SELECT AccountId FROM Opportunity)": (
            "should point to the same object type"
        ),
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Id IN "
        "(SELECT ContactId FROM OpportunityContactRole))": (
            "Nesting of semi join sub-selects is not supported"
        ),
        "SELECT Id FROM Account WHERE Name = 'x' OR Id IN (SELECT AccountId FROM Contact)": (
            "not allowed with the 'OR' operator"
        ),
        "SELECT Id FROM Account WHERE Name = 'x' AND (Name = 'y' OR Id IN "
        "(SELECT AccountId FROM Contact))": "only allowed at the top level WHERE expressions",
        "SELECT Id FROM Account WHERE NOT Id IN (SELECT AccountId FROM Contact)": (
            "only allowed at the top level WHERE expressions"
        ),
        "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact) AND Id IN "
        "(SELECT AccountId FROM Opportunity) AND Id IN (SELECT AccountId FROM Case)": (
            "Maximum 2 semi join sub-selects are allowed"
        ),
    }
    for query, text in refused.items():
        status, code, err = sf_error(sf_client.query, query)
        assert (status, code) == (400, "MALFORMED_QUERY"), query
        assert text in err["message"], (query, err["message"])
    _, code, _ = sf_error(
        sf_client.query, "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contacts)"
    )
    assert code == "INVALID_TYPE"
