"""SOQL and metadata as strict as a real org (issue 15, point 6): OFFSET above 2,000, long
text areas in WHERE or ORDER BY and malformed id literals are refused; describe has the
Master record type; /limits lists every limit; pages can be smaller than 2,000 rows; the
queryAll next-records URL is under query/."""

from __future__ import annotations

import re

import pytest
from simple_salesforce import Salesforce

from connectors.sandbox.salesforce import SalesforceHandle
from tests.sandbox.sf_helpers import sf_error


@pytest.mark.parametrize(("soql", "code", "message"), [
    ("SELECT Id FROM Contact ORDER BY Id LIMIT 10 OFFSET 2001", "NUMBER_OUTSIDE_VALID_RANGE",
     "Maximum SOQL offset allowed for apiName Contact is 2000"),
    ("SELECT Id FROM Account WHERE Description != null", "INVALID_FIELD",
     "field 'Description' can not be filtered in a query call"),
    ("SELECT Id FROM Case ORDER BY Description", "INVALID_FIELD",
     "field 'Description' can not be sorted in a query call"),
    ("SELECT Id FROM Contact WHERE Id = '003abc'", "INVALID_QUERY_FILTER_OPERATOR",
     "invalid ID field: 003abc"),
    ("SELECT Id FROM Contact WHERE AccountId IN ('001000000000000AAA', 'nope')",
     "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: nope"),
])
def test_what_a_real_org_refuses(sf_client: Salesforce, soql: str, code: str,
                                 message: str) -> None:
    status, got, err = sf_error(sf_client.query, soql)
    assert (status, got) == (400, code) and message in err["message"]


def test_what_stays_allowed(sf_client: Salesforce, sf: SalesforceHandle) -> None:
    sf.control.insert("Contact", [{"LastName": f"C{i}"} for i in range(5)])
    assert len(sf_client.query(
        "SELECT Id FROM Contact ORDER BY Id LIMIT 2 OFFSET 2000")["records"]) == 0
    assert sf_client.query(
        "SELECT Id, Description FROM Contact WHERE MailingStreet = null "
        "ORDER BY MailingStreet")["totalSize"] == 5  # Street is a short text area
    assert sf_client.query("SELECT Id FROM Contact WHERE Id = '003000000000000'")[
        "totalSize"] == 0  # a well-formed id of no record matches nothing


def test_describe_has_the_master_record_type_and_filterability(sf_client: Salesforce) -> None:
    d = sf_client.Account.describe()
    [master] = d["recordTypeInfos"]
    assert (master["name"], master["master"], master["recordTypeId"]) == (
        "Master", True, "012000000000000AAA")
    assert master["available"] and master["defaultRecordTypeMapping"]
    fields = {f["name"]: f for f in d["fields"]}
    assert not fields["Description"]["filterable"] and not fields["Description"]["sortable"]
    assert fields["BillingStreet"]["filterable"]
    assert {"Contacts", "Opportunities", "Cases"} <= {
        r["relationshipName"] for r in d["childRelationships"]}


def test_limits_list_every_limit_with_max_and_remaining(sf_client: Salesforce) -> None:
    limits = sf_client.limits()
    for key in ("DailyApiRequests", "DailyBulkApiBatches", "DailyBulkV2QueryJobs",
                "DailyBulkV2QueryFileStorageMB", "DataStorageMB", "FileStorageMB",
                "DailyAsyncApexExecutions", "DailyStreamingApiEvents", "HourlyODataCallout",
                "MassEmail", "SingleEmail", "PermissionSets"):
        assert {"Max", "Remaining"} <= limits[key].keys(), key
    assert len(limits) >= 45
    assert limits["DailyApiRequests"]["Remaining"] < limits["DailyApiRequests"]["Max"]


def test_wide_rows_come_in_smaller_pages_and_query_all_pages_under_query(
    sf_client: Salesforce, sf: SalesforceHandle
) -> None:
    sf.control.insert("Account", [{"Name": f"A{i}", "Description": "d" * 3000}
                                  for i in range(2300)])
    narrow = sf_client.query("SELECT Id, Name FROM Account")
    assert len(narrow["records"]) == 2000
    wide = sf_client.query("SELECT Id, Name, Description FROM Account")
    n = len(wide["records"])
    assert 200 <= n < 2000 and wide["totalSize"] == 2300  # the rows are large
    assert wide["nextRecordsUrl"].endswith(f"-{n}")
    more = sf_client.query_more(wide["nextRecordsUrl"], identifier_is_url=True)
    assert len(more["records"]) == n
    every = sf_client.query_all("SELECT Id, Name, Description FROM Account")
    assert len(every["records"]) == 2300
    deleted = sf_client.query_all("SELECT Id FROM Account", include_deleted=True)
    assert len(deleted["records"]) == 2300
    first = sf_client.restful("queryAll/", params={"q": "SELECT Id FROM Account"})
    assert re.fullmatch(r"/services/data/v59\.0/query/01g\w{15,18}-2000",
                        first["nextRecordsUrl"])


def test_describe_lists_the_standard_fields_a_real_org_has(sf_client: Salesforce) -> None:
    fields = {f["name"]: f for f in sf_client.Contact.describe()["fields"]}
    assert {"MasterRecordId", "Salutation", "OtherStreet", "HomePhone", "ReportsToId",
            "LastActivityDate", "IsEmailBounced", "PhotoUrl"} <= fields.keys()
    assert len(fields) >= 50
    assert not fields["MasterRecordId"]["updateable"] and fields["ReportsToId"]["updateable"]
    assert fields["ReportsToId"]["referenceTo"] == ["Contact"]
    status, code, _ = sf_error(sf_client.Contact.create,
                               {"LastName": "X", "LastActivityDate": "2026-01-01"})
    assert (status, code) == (400, "INVALID_FIELD_FOR_INSERT_UPDATE")
    boss = sf_client.Contact.create({"LastName": "Boss", "Salutation": "Dr."})["id"]
    me = sf_client.Contact.create({"LastName": "Me", "ReportsToId": boss})["id"]
    got = sf_client.query(f"SELECT ReportsTo.LastName, IsEmailBounced FROM Contact "
                          f"WHERE Id = '{me}'")["records"][0]
    assert got["ReportsTo"]["LastName"] == "Boss" and got["IsEmailBounced"] is False
    for obj in ("Lead", "Account", "Opportunity", "Case"):
        assert len(getattr(sf_client, obj).describe()["fields"]) >= 30, obj
