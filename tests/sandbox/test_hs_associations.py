"""Associations v4 and associations on object reads."""

from __future__ import annotations

from hubspot.crm.associations.v4 import (
    AssociationSpec,
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
)

from tests.fixtures.hs import api_error


def make(hs):
    ids = hs.control.load({"contacts": [{"email": "a@x.com"}, {"email": "b@x.com"}],
                           "companies": [{"name": "Acme"}], "deals": [{"dealname": "D"}]})
    return ids["contacts"], ids["companies"][0], ids["deals"][0]


def test_default_and_labelled_associations(hs, hs_client):
    (c1, c2), co, deal = make(hs)
    v4 = hs_client.crm.associations.v4
    res = v4.basic_api.create_default("contacts", c1, "companies", co)
    assert res.results[0].association_spec.association_type_id == 279
    pair = v4.basic_api.create("contacts", c2, "companies", co, [
        AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)])
    assert pair.labels == ["Primary"] and str(pair.to_object_id) == co

    page = v4.basic_api.get_page("companies", co, "contacts")
    got = {str(r.to_object_id): {t.type_id for t in r.association_types} for r in page.results}
    assert got == {c1: {280}, c2: {2}}

    contact = hs_client.crm.contacts.basic_api.get_by_id(c2, associations=["companies"])
    assert contact.associations["companies"].results[0].id == co

    v4.basic_api.archive("contacts", c1, "companies", co)
    assert [str(r.to_object_id) for r in
            v4.basic_api.get_page("companies", co, "contacts").results] == [c2]


def test_batch_create_read_archive(hs, hs_client):
    (c1, c2), co, deal = make(hs)
    batch = hs_client.crm.associations.v4.batch_api
    spec = [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 3}]
    created = batch.create("deals", "contacts", BatchInputPublicAssociationMultiPost(inputs=[
        {"from": {"id": deal}, "to": {"id": c1}, "types": spec},
        {"from": {"id": deal}, "to": {"id": c2}, "types": spec}]))
    assert len(created.results) == 2
    read = batch.get_page("contacts", "deals", BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": c1}, {"id": co}]))
    assert [r._from.id for r in read.results] == [c1]
    assert read.errors[0].sub_category == "crm.associations.NO_ASSOCIATIONS_FOUND"
    batch.archive("deals", "contacts", BatchInputPublicAssociationMultiArchive(
        inputs=[{"from": {"id": deal}, "to": [{"id": c1}]}]))
    read = batch.get_page("deals", "contacts", BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": deal}]))
    assert [str(t.to_object_id) for t in read.results[0].to] == [c2]


def test_association_errors(hs, hs_client):
    (c1, _), co, deal = make(hs)
    v4 = hs_client.crm.associations.v4
    status, body, _ = api_error(v4.basic_api.create_default, "contacts", c1, "companies",
                                "999999")
    assert status == 400 and body["subCategory"] == "crm.associations.INVALID_OBJECT_IDS"
    status, body, _ = api_error(v4.basic_api.create, "contacts", c1, "companies", co, [
        AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=3)])
    assert status == 400 and body["subCategory"] == "crm.associations.INVALID_ASSOCIATION_TYPE"
    res = v4.batch_api.create("deals", "companies", BatchInputPublicAssociationMultiPost(inputs=[
        {"from": {"id": deal}, "to": {"id": co},
         "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}]},
        {"from": {"id": deal}, "to": {"id": "1"},
         "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 5}]}]))
    assert len(res.results) == 1 and res.results[0].labels == ["Primary"]
