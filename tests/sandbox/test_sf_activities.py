"""The Salesforce emulator's activities through simple-salesforce: Task subtypes, Event,
archived activities seen only by queryAll, and the polymorphic `Who.Type`/`What.Type`."""

from __future__ import annotations

from tests.sandbox.sf_helpers import sf_error


def _ids(rows: dict) -> set[str]:
    return {r["Id"] for r in rows["records"]}


def test_task_subtype_is_set_on_create_and_cannot_be_updated(sf_client):
    call = sf_client.Task.create({"Subject": "Call Ann", "TaskSubtype": "Call"})["id"]
    plain = sf_client.Task.create({"Subject": "Follow up"})["id"]
    assert sf_client.Task.get(call)["TaskSubtype"] == "Call"
    assert sf_client.Task.get(plain)["TaskSubtype"] == "Task"
    status, code, _ = sf_error(sf_client.Task.update, call, {"TaskSubtype": "Email"})
    assert (status, code) == (400, "INVALID_FIELD_FOR_INSERT_UPDATE")


def test_event_is_an_activity_with_who_and_what(sf_client):
    contact = sf_client.Contact.create({"LastName": "Lee", "Email": "lee@example.com"})["id"]
    account = sf_client.Account.create({"Name": "Acme"})["id"]
    ev = sf_client.Event.create({"Subject": "Demo", "StartDateTime": "2026-01-05T10:00:00Z",
                                 "EndDateTime": "2026-01-05T11:00:00Z", "WhoId": contact,
                                 "WhatId": account})["id"]
    assert ev.startswith("00U")
    rows = sf_client.query("SELECT Id, Who.Type, What.Type, Who.Name, EventSubtype "
                           f"FROM Event WHERE Id = '{ev}'")["records"]
    assert rows[0]["Who"]["Type"] == "Contact"
    assert rows[0]["Who"]["Name"] == "Lee"
    assert rows[0]["What"]["Type"] == "Account"
    assert rows[0]["EventSubtype"] == "Event"


def test_what_type_filters_a_query(sf_client, sf):
    account = sf_client.Account.create({"Name": "Acme"})["id"]
    opp = sf_client.Opportunity.create({"Name": "Big", "StageName": "Prospecting",
                                        "CloseDate": "2026-12-01"})["id"]
    on_account = sf_client.Task.create({"Subject": "a", "WhatId": account})["id"]
    sf_client.Task.create({"Subject": "o", "WhatId": opp})
    rows = sf_client.query("SELECT Id FROM Task WHERE What.Type = 'Account'")
    assert _ids(rows) == {on_account}


def test_archived_activities_come_back_only_from_query_all(sf_client, sf):
    live = sf_client.Task.create({"Subject": "now"})["id"]
    old = sf.control.insert("Task", [{"Subject": "long ago", "Status": "Completed",
                                      "IsArchived": True}])[0]
    deleted = sf_client.Task.create({"Subject": "gone"})["id"]
    sf_client.Task.delete(deleted)
    assert _ids(sf_client.query("SELECT Id FROM Task")) == {live}
    every = sf_client.query_all("SELECT Id, IsArchived, IsDeleted FROM Task",
                                include_deleted=True)
    assert _ids(every) == {live, old, deleted}
    flags = {r["Id"]: (r["IsArchived"], r["IsDeleted"]) for r in every["records"]}
    assert flags[old] == (True, False)
    assert flags[deleted] == (False, True)


def test_is_archived_cannot_be_written(sf_client):
    status, code, _ = sf_error(sf_client.Task.create, {"Subject": "x", "IsArchived": True})
    assert (status, code) == (400, "INVALID_FIELD_FOR_INSERT_UPDATE")
