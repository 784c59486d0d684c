"""Bulk API 2.0 ingest and query jobs of the emulator, through simple-salesforce's bulk2."""

from __future__ import annotations

import csv
import io

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.bulk2 import Operation
from simple_salesforce.exceptions import SalesforceOperationError

from connectors.sandbox.salesforce import SalesforceHandle
from tests.sandbox.sf_helpers import contact, create_hubspot_id_field, sf_error


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def used(sf: SalesforceHandle) -> int:
    return int(sf.control.usage()["used"])


def test_insert_job_reports_successes_and_classified_failures(
    sf: SalesforceHandle, sf_client: Salesforce
) -> None:
    records = [contact(1), {"FirstName": "No", "Email": "no@example.com"},
               contact(3, MailingCountryCode="XX"), contact(4, Email="not-an-email")]
    before = used(sf)
    [summary] = sf_client.bulk2.Contact.insert(records=records, wait=0)
    # create, upload, close, one poll (the job completes when polled), the job info again
    assert used(sf) - before == 5
    assert summary["numberRecordsProcessed"] == 4 and summary["numberRecordsFailed"] == 3
    job = summary["job_id"]
    ok = rows(sf_client.bulk2.Contact.get_successful_records(job))
    assert [(r["sf__Created"], r["LastName"]) for r in ok] == [("true", "Lee1")]
    assert ok[0]["sf__Id"].startswith("003") and len(ok[0]["sf__Id"]) == 18
    failed = {r["FirstName"] + r["LastName"]: r for r in
              rows(sf_client.bulk2.Contact.get_failed_records(job))}
    assert list(rows(sf_client.bulk2.Contact.get_failed_records(job))[0])[:2] == [
        "sf__Id", "sf__Error"]
    assert failed["No"]["sf__Error"].startswith("REQUIRED_FIELD_MISSING:")
    assert failed["No"]["sf__Error"].endswith(":LastName --")
    assert failed["AnnLee3"]["sf__Error"].startswith("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST")
    assert failed["AnnLee4"]["sf__Error"].startswith("INVALID_EMAIL_ADDRESS:")
    assert rows(sf_client.bulk2.Contact.get_unprocessed_records(job)) == []
    assert sf.control.state()["counts"]["Contact"] == 1


def test_upsert_by_external_id_creates_then_updates_and_refuses_duplicates(
    sf_client: Salesforce,
) -> None:
    create_hubspot_id_field(sf_client)
    first = [contact(1, HubSpot_Id__c="h1"), contact(2, HubSpot_Id__c="h2")]
    [s1] = sf_client.bulk2.Contact.upsert(records=first, external_id_field="HubSpot_Id__c",
                                          wait=0)
    assert (s1["numberRecordsProcessed"], s1["numberRecordsFailed"]) == (2, 0)
    again = [contact(1, HubSpot_Id__c="h1", Title="CEO"), contact(5, HubSpot_Id__c="h5"),
             contact(6, HubSpot_Id__c="h5")]
    [s2] = sf_client.bulk2.Contact.upsert(records=again, external_id_field="HubSpot_Id__c",
                                          wait=0)
    ok = rows(sf_client.bulk2.Contact.get_successful_records(s2["job_id"]))
    assert [(r["HubSpot_Id__c"], r["sf__Created"]) for r in ok] == [("h1", "false")]
    failed = rows(sf_client.bulk2.Contact.get_failed_records(s2["job_id"]))
    assert {r["sf__Error"].split(":")[0] for r in failed} == {"DUPLICATE_EXTERNAL_ID"}
    res = sf_client.query("SELECT Title FROM Contact WHERE HubSpot_Id__c = 'h1'")
    assert res["records"][0]["Title"] == "CEO"


def test_update_empty_cell_keeps_value_and_na_sets_null_then_delete(
    sf_client: Salesforce,
) -> None:
    a = sf_client.Contact.create(contact(1, Title="CTO", Department="R&D"))["id"]
    b = sf_client.Contact.create(contact(2, Title="CFO", Department="Ops"))["id"]
    data = f"Id,Title,Department\n{a},#N/A,\n{b},Boss,Sales\n"
    client = sf_client.bulk2.Contact._client
    job = client.create_job(Operation.update)
    client.upload_job_data(job["id"], data)
    client.close_job(job["id"])
    assert client.wait_for_job(job["id"], False, 0) == "JobComplete"
    got = {r["Id"]: r for r in sf_client.query(
        "SELECT Id, Title, Department FROM Contact")["records"]}
    assert (got[a]["Title"], got[a]["Department"]) == (None, "R&D")
    assert (got[b]["Title"], got[b]["Department"]) == ("Boss", "Sales")
    [deleted] = sf_client.bulk2.Contact.delete(records=[{"Id": a}, {"Id": a[:3] + "x" * 15}],
                                               wait=0)
    assert (deleted["numberRecordsProcessed"], deleted["numberRecordsFailed"]) == (2, 1)
    assert sf_client.query("SELECT Id FROM Contact")["totalSize"] == 1


def test_job_lifecycle_states_one_upload_and_results_only_when_finished(
    sf: SalesforceHandle, sf_client: Salesforce
) -> None:
    client = sf_client.bulk2.Contact._client
    job = client.create_job(Operation.insert)
    assert job["state"] == "Open" and job["contentType"] == "CSV"
    assert job["contentUrl"] == f"services/data/v59.0/jobs/ingest/{job['id']}/batches"
    assert job["id"].startswith("750") and len(job["id"]) == 18
    client.upload_job_data(job["id"], "LastName\nA\nB\n")
    status, code, err = sf_error(client.upload_job_data, job["id"], "LastName\nC\n")
    assert (status, code) == (400, "BULK_API_ERROR")
    assert err["message"].startswith(f"Found multipe contents for job: <{job['id'][:15]}>")
    sf.control.bulk2(polls_in_progress=2)
    assert client.close_job(job["id"])["state"] == "UploadComplete"
    status, code, _ = sf_error(client.get_ingest_results, job["id"], "successfulResults")
    assert (status, code) == (409, "INVALIDJOBSTATE")
    states = [client.get_job(job["id"], False)["state"] for _ in range(3)]
    assert states == ["InProgress", "InProgress", "JobComplete"]
    info = client.get_job(job["id"], False)
    assert (info["numberRecordsProcessed"], info["numberRecordsFailed"]) == (2, 0)
    assert info["jobType"] == "V2Ingest" and "contentUrl" not in info
    status, code, _ = sf_error(client.close_job, job["id"])
    assert (status, code) == (400, "INVALIDJOBSTATE")
    url = f"{client.bulk2_url}ingest/{job['id']}"
    assert client.session.delete(url, headers=client.headers).status_code == 204
    status, code, _ = sf_error(client.get_job, job["id"], False)
    assert (status, code) == (404, "NOT_FOUND")
    status, code, _ = sf_error(client.get_job, "7505g0000000000AAA", False)
    assert (status, code) == (404, "NOT_FOUND")


def test_each_poll_processes_one_batch_of_10000_records(
    sf: SalesforceHandle, sf_client: Salesforce
) -> None:
    client = sf_client.bulk2.Contact._client
    job = client.create_job(Operation.insert)
    client.upload_job_data(job["id"], "LastName\n" + "".join(f"L{i}\n" for i in range(10_001)))
    client.close_job(job["id"])
    first = client.get_job(job["id"], False)
    assert (first["state"], first["numberRecordsProcessed"]) == ("InProgress", 10_000)
    last = client.get_job(job["id"], False)
    assert (last["state"], last["numberRecordsProcessed"]) == ("JobComplete", 10_001)
    assert sf_client.limits()["DailyBulkApiBatches"]["Remaining"] == 15_000 - 2


def test_aborted_and_failed_jobs_leave_unprocessed_records(
    sf: SalesforceHandle, sf_client: Salesforce
) -> None:
    client = sf_client.bulk2.Contact._client
    job = client.create_job(Operation.insert)
    client.upload_job_data(job["id"], "LastName\nA\nB\n")
    assert client.abort_job(job["id"], False)["state"] == "Aborted"
    assert [r["LastName"] for r in rows(client.get_ingest_results(
        job["id"], "unprocessedrecords"))] == ["A", "B"]
    sf.control.bulk2(fail_after=2)
    records = [contact(i) for i in range(5)]
    with pytest.raises(SalesforceOperationError, match="Failed to process batch"):
        sf_client.bulk2.Contact.insert(records=records, wait=0)
    [failed_job] = [j for j in client.session.get(
        client.bulk2_url + "ingest", headers=client.headers).json()["records"]
        if j["state"] == "Failed"]
    left = rows(client.get_ingest_results(failed_job["id"], "unprocessedrecords"))
    assert [r["LastName"] for r in left] == ["Lee2", "Lee3", "Lee4"]
    assert len(rows(client.get_ingest_results(failed_job["id"], "successfulResults"))) == 2
    assert sf.control.state()["counts"]["Contact"] == 2


def test_ingest_job_errors_as_the_real_api_answers_them(sf_client: Salesforce) -> None:
    status, code, err = sf_error(sf_client.bulk2.Nope__c._client.create_job, Operation.insert)
    assert (status, code, err["message"]) == (400, "INVALIDJOB",
                                              "InvalidJob : Unable to find object: Nope__c")
    status, code, err = sf_error(sf_client.bulk2.Contact._client.create_job,
                                 Operation.upsert, external_id_field="LastName")
    assert (status, code) == (400, "INVALIDJOB") and "does not match an External ID" in \
        err["message"]
    status, code, err = sf_error(sf_client.bulk2.Contact._client.create_job, "merge")
    assert (status, code, err["message"]) == (
        400, "API_ERROR", "Invalid value: 'merge' supplied for property: 'operation'")
    client = sf_client.bulk2.Contact._client
    for data, message in (("Nope\nA\n", "InvalidBatch : Field name not found : Nope"),
                          ("LastName\r\nA\r\n", "LineEnding is invalid on user data")):
        job = client.create_job(Operation.insert)
        client.upload_job_data(job["id"], data)
        client.close_job(job["id"])
        with pytest.raises(SalesforceOperationError, match=message):
            client.wait_for_job(job["id"], False, 0)


def test_query_pages_with_locators_and_max_records(
    sf: SalesforceHandle, sf_client: Salesforce
) -> None:
    acc = sf_client.Account.create({"Name": "Acme, Inc."})["id"]
    for i in range(25):
        sf_client.Contact.create(contact(i, AccountId=acc if i % 2 else None))
    client = sf_client.bulk2.Contact._client
    soql = "SELECT Id, LastName, Account.Name, IsDeleted, CreatedDate FROM Contact"
    job = client.create_job(Operation.query, soql)
    assert job["state"] == "UploadComplete" and job["operation"] == "query"
    assert client.wait_for_job(job["id"], True, 0) == "JobComplete"
    pages, locator = [], ""
    before = used(sf)
    while True:
        res = client.get_query_results(job["id"], locator, 10)
        pages.append((res["number_of_records"], rows(res["records"])))
        locator = res["locator"]
        if not locator:
            break
    assert used(sf) - before == 3
    assert [n for n, _ in pages] == [10, 10, 5]
    got = [r for _, page in pages for r in page]
    assert list(got[0]) == ["Id", "LastName", "Account.Name", "IsDeleted", "CreatedDate"]
    assert len({r["Id"] for r in got}) == 25
    assert {r["Account.Name"] for r in got} == {"", "Acme, Inc."}
    assert {r["IsDeleted"] for r in got} == {"false"}
    assert got[0]["CreatedDate"].endswith("Z") and len(got[0]["CreatedDate"]) == 24
    # The raw answer: the headers simple-salesforce reads, "null" past the last set.
    url = f"{client.bulk2_url}query/{job['id']}/results"
    raw = client.session.get(url, headers=client.headers, params={"maxRecords": 30})
    assert raw.headers["Sforce-Locator"] == "null"
    assert raw.headers["Sforce-NumberOfRecords"] == "25"
    assert raw.headers["Content-Type"].startswith("text/csv")
    assert raw.text.startswith('"Id","LastName","Account.Name"')
    # simple-salesforce's own generator reads the same pages
    assert sum(len(rows(p)) for p in sf_client.bulk2.Contact.query(soql, max_records=7,
                                                                 wait=0)) == 25


def test_query_all_includes_deleted_rows(sf_client: Salesforce) -> None:
    keep = sf_client.Contact.create(contact(1))["id"]
    gone = sf_client.Contact.create(contact(2))["id"]
    sf_client.Contact.delete(gone)
    soql = "SELECT Id, IsDeleted FROM Contact"
    live = [r for p in sf_client.bulk2.Contact.query(soql, wait=0) for r in rows(p)]
    every = [r for p in sf_client.bulk2.Contact.query_all(soql, wait=0) for r in rows(p)]
    assert [r["Id"] for r in live] == [keep]
    assert {r["Id"]: r["IsDeleted"] for r in every} == {keep: "false", gone: "true"}


def test_query_job_errors_and_unsupported_soql(sf: SalesforceHandle,
                                              sf_client: Salesforce) -> None:
    client = sf_client.bulk2.Contact._client
    for soql, code in (("SELECT COUNT() FROM Contact", "API_ERROR"),
                       ("SELECT Id, (SELECT Id FROM Contacts) FROM Account", "API_ERROR"),
                       ("SELECT Id FROM Contact LIMIT 5 OFFSET 2", "API_ERROR"),
                       ("SELECT Nope FROM Contact", "INVALID_FIELD"),
                       ("SELECT Id FROM Nope", "INVALID_TYPE")):
        status, got, _ = sf_error(client.create_job, Operation.query, soql)
        assert (status, got) == (400, code), soql
    job = client.create_job(Operation.query, "SELECT Id FROM Contact")
    sf.control.bulk2(polls_in_progress=1)
    status, code, _ = sf_error(client.get_query_results, job["id"])
    assert status == 400
    assert client.get_job(job["id"], True)["state"] == "InProgress"
    assert client.get_job(job["id"], True)["state"] == "JobComplete"
    session = requests.Session()
    session.verify, session.trust_env = sf.ca_file, False
    other = client.bulk2_url.replace("v59.0", "v58.0") + f"query/{job['id']}/results"
    assert session.get(other, headers=client.headers).status_code == 409
    status, code, _ = sf_error(client.get_query_results, job["id"], "bm9wZQ")
    assert (status, code) == (400, "INVALID_LOCATOR")


def test_daily_allocations_and_limits(sf: SalesforceHandle, sf_client: Salesforce) -> None:
    limits = sf_client.limits()
    assert limits["DailyBulkV2QueryJobs"] == {"Max": 10000, "Remaining": 10000}
    sf_client.bulk2.Contact.insert(records=[contact(i) for i in range(3)], wait=0)
    assert sf_client.limits()["DailyBulkApiBatches"]["Remaining"] == 14999
    sf.control.bulk2(used_query_jobs=9999)
    client = sf_client.bulk2.Contact._client
    client.create_job(Operation.query, "SELECT Id FROM Contact")
    status, code, err = sf_error(client.create_job, Operation.query, "SELECT Id FROM Contact")
    assert (status, code) == (400, "LIMIT_EXCEEDED") and "10000" in err["message"]
    sf.control.bulk2(used_records=150_000_000 - 3 - 2)
    with pytest.raises(SalesforceOperationError, match="Exceeded max number of records"):
        sf_client.bulk2.Contact.insert(records=[contact(i) for i in range(10, 13)], wait=0)
    assert sf.control.state()["counts"]["Contact"] == 5
