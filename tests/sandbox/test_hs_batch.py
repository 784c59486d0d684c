"""Batch endpoints: limits, 207 partial results, upsert `new` flags."""

from __future__ import annotations

from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
)

from tests.fixtures.hs import api_error


def test_batch_create_read_update_archive(hs_client):
    b = hs_client.crm.contacts.batch_api
    created = b.create(BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{"properties": {"email": f"b{i}@x.com", "firstname": f"B{i}"}}
                for i in range(3)]))
    ids = sorted(r.id for r in created.results)
    assert created.status == "COMPLETE" and len(ids) == 3

    read = b.read(BatchReadInputSimplePublicObjectId(
        inputs=[{"id": "b1@x.com"}, {"id": "b2@x.com"}], id_property="email",
        properties=["firstname"], properties_with_history=[]))
    assert sorted(r.properties["firstname"] for r in read.results) == ["B1", "B2"]

    upd = b.update(BatchInputSimplePublicObjectBatchInput(
        inputs=[{"id": i, "properties": {"city": "Oslo"}} for i in ids]))
    assert {r.properties["city"] for r in upd.results} == {"Oslo"}

    b.archive(BatchInputSimplePublicObjectId(inputs=[{"id": i} for i in ids]))
    assert hs_client.crm.contacts.basic_api.get_page().results == []


def test_batch_read_missing_ids_is_207(hs_client):
    b = hs_client.crm.contacts.batch_api
    c = b.create(BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{"properties": {"email": "r@x.com"}}])).results[0]
    res = b.read(BatchReadInputSimplePublicObjectId(
        inputs=[{"id": c.id}, {"id": "424242"}], properties=[], properties_with_history=[]))
    assert [r.id for r in res.results] == [c.id]
    assert res.num_errors == 1
    err = res.errors[0]
    assert err.category == "OBJECT_NOT_FOUND" and err.context == {"ids": ["424242"]}


def test_more_than_100_inputs_is_400(hs_client):
    b = hs_client.crm.contacts.batch_api
    status, body, _ = api_error(b.create, BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{"properties": {}} for _ in range(101)]))
    assert status == 400 and body["category"] == "VALIDATION_ERROR"
    assert "101" in body["message"]
    ok = b.create(BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{"properties": {}} for _ in range(100)]))
    assert len(ok.results) == 100


def test_partial_success_with_trace_ids_is_207_and_applies_good_inputs(hs_client):
    b = hs_client.crm.contacts.batch_api
    res = b.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
        {"idProperty": "email", "id": "good@x.com", "properties": {"firstname": "G"},
         "objectWriteTraceId": "0"},
        {"idProperty": "email", "id": "bad@", "properties": {}, "objectWriteTraceId": "1"},
        {"idProperty": "email", "id": "opt@x.com", "properties": {"lifecyclestage": "nope"},
         "objectWriteTraceId": "2"},
    ]))
    assert [r.object_write_trace_id for r in res.results] == ["0"]
    assert res.results[0].new is True
    codes = {e.context["objectWriteTraceId"][0]: e.errors[0].code for e in res.errors}
    assert codes == {"1": "INVALID_EMAIL", "2": "INVALID_OPTION"}
    got = hs_client.crm.contacts.basic_api.get_by_id("good@x.com", id_property="email",
                                                    properties=["firstname"])
    assert got.properties["firstname"] == "G"


def test_without_trace_ids_an_invalid_input_fails_the_whole_batch(hs_client):
    b = hs_client.crm.contacts.batch_api
    status, body, _ = api_error(b.create, BatchInputSimplePublicObjectBatchInputForCreate(
        inputs=[{"properties": {"email": "fine@x.com"}}, {"properties": {"email": "bad"}}]))
    assert status == 400 and body["errors"][0]["code"] == "INVALID_EMAIL"
    assert hs_client.crm.contacts.basic_api.get_page().results == []


def test_upsert_reports_new_flag_and_updates_existing(hs_client):
    b = hs_client.crm.contacts.batch_api
    first = b.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
        {"idProperty": "email", "id": "u1@x.com", "properties": {"firstname": "One"}}]))
    assert first.results[0].new is True
    again = b.upsert(BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
        {"idProperty": "email", "id": "U1@x.com", "properties": {"firstname": "Uno"}},
        {"idProperty": "email", "id": "u2@x.com", "properties": {"firstname": "Two"}}]))
    by_email = {r.properties["email"]: r for r in again.results}
    assert by_email["u1@x.com"].new is False and by_email["u1@x.com"].id == first.results[0].id
    assert by_email["u1@x.com"].properties["firstname"] == "Uno"
    assert by_email["u2@x.com"].new is True


def test_upsert_by_non_unique_property_is_rejected(hs_client):
    status, body, _ = api_error(
        hs_client.crm.contacts.batch_api.upsert,
        BatchInputSimplePublicObjectBatchInputUpsert(inputs=[
            {"idProperty": "firstname", "id": "x", "properties": {}}]))
    assert status == 400 and "not a unique property" in body["message"]


def test_duplicate_ids_in_update_are_rejected(hs_client):
    status, body, _ = api_error(
        hs_client.crm.contacts.batch_api.update,
        BatchInputSimplePublicObjectBatchInput(inputs=[
            {"id": "1", "properties": {}}, {"id": "1", "properties": {}}]))
    assert status == 400 and "Duplicate IDs" in body["message"]


def test_batch_update_missing_id_with_trace_is_207(hs_client):
    b = hs_client.crm.contacts.batch_api
    c = hs_client.crm.contacts.basic_api.create({"properties": {"email": "m@x.com"}})
    res = b.update(BatchInputSimplePublicObjectBatchInput(inputs=[
        {"id": c.id, "properties": {"city": "Rome"}, "objectWriteTraceId": "a"},
        {"id": "777777", "properties": {"city": "Rome"}, "objectWriteTraceId": "b"}]))
    assert [r.id for r in res.results] == [c.id]
    assert res.errors[0].category == "OBJECT_NOT_FOUND"
    assert res.errors[0].context["ids"] == ["777777"]


def test_concurrent_upserts_create_no_duplicates(hs):
    from concurrent.futures import ThreadPoolExecutor

    from connectors.hubspot import make_client

    def work(n):
        client = make_client(hs.url, hs.token, hs.ca_file)
        res = client.crm.contacts.batch_api.upsert(BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[{"idProperty": "email", "id": f"t{(n * 7 + j) % 40}@x.com",
                     "properties": {"firstname": str(n)}} for j in range(20)]))
        return [r.id for r in res.results]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(16)))
    ids = {i for r in results for i in r}
    assert len(ids) == 40
    assert len(hs.portal.stores["contacts"].records) == 40
