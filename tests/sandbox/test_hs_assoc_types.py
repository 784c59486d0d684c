"""Default association type ids and v4 batch read/archive answers, through hubspot-api-client."""

from __future__ import annotations

import pytest
from hubspot.crm.associations.v4 import (
    BatchInputPublicAssociationMultiArchive,
    BatchInputPublicAssociationMultiPost,
    BatchInputPublicFetchAssociationsBatchRequest,
)

# (from, to, default type id, inverse, Primary type id, Primary inverse) as HubSpot documents
TYPES = [
    ("contacts", "companies", 279, 280, 1, 2),
    ("deals", "companies", 341, 342, 5, 6),
    ("deals", "contacts", 3, 4, None, None),
    ("tickets", "contacts", 16, 15, None, None),
    ("tickets", "companies", 339, 340, 26, 25),
]


def _ids(hs):
    rows = {"contacts": [{"email": "a@x.com"}], "companies": [{"name": "A"}],
            "deals": [{"dealname": "D"}],
            "tickets": [{"subject": "T", "hs_pipeline": "0", "hs_pipeline_stage": "1"}]}
    return {k: v[0] for k, v in hs.control.load(rows).items()}


@pytest.mark.parametrize(("a", "b", "t", "inv", "primary", "pinv"), TYPES)
def test_default_and_primary_type_ids(hs, hs_client, a, b, t, inv, primary, pinv):
    ids = _ids(hs)
    v4 = hs_client.crm.associations.v4
    res = v4.basic_api.create_default(a, ids[a], b, ids[b])
    assert res.results[0].association_spec.association_type_id == t
    back = v4.basic_api.get_page(b, ids[b], a).results
    assert {x.type_id for x in back[0].association_types} == {inv}
    if primary is None:
        return
    v4.batch_api.create(a, b, BatchInputPublicAssociationMultiPost(inputs=[
        {"from": {"id": ids[a]}, "to": {"id": ids[b]},
         "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": primary}]}]))
    read = v4.batch_api.get_page(b, a, BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": ids[b]}]))
    types = {(x.type_id, x.label) for x in read.results[0].to[0].association_types}
    assert types == {(inv, None), (pinv, "Primary")}


def test_batch_read_reports_ids_without_associations_as_errors(hs, hs_client):
    ids = _ids(hs)
    v4 = hs_client.crm.associations.v4
    v4.basic_api.create_default("deals", ids["deals"], "companies", ids["companies"])
    body = BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": ids["deals"]}, {"id": "987654"}])
    read = v4.batch_api.get_page("deals", "companies", body)
    assert [r._from.id for r in read.results] == [ids["deals"]]
    assert read.num_errors == 1
    e = read.errors[0]
    assert e.sub_category == "crm.associations.NO_ASSOCIATIONS_FOUND"
    assert e.context == {"fromObjectId": ["987654"]}


def test_batch_archive_and_labels_archive(hs, hs_client):
    ids = _ids(hs)
    v4 = hs_client.crm.associations.v4
    t, c = ids["tickets"], ids["companies"]
    v4.basic_api.create_default("tickets", t, "companies", c)
    v4.batch_api.create("tickets", "companies", BatchInputPublicAssociationMultiPost(inputs=[
        {"from": {"id": t}, "to": {"id": c},
         "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 26}]}]))
    v4.batch_api.archive_labels("tickets", "companies", BatchInputPublicAssociationMultiPost(
        inputs=[{"from": {"id": t}, "to": {"id": c},
                 "types": [{"associationCategory": "HUBSPOT_DEFINED",
                            "associationTypeId": 26}]}]))
    left = v4.basic_api.get_page("tickets", t, "companies").results
    assert [x.type_id for x in left[0].association_types] == [339]
    assert v4.batch_api.archive("tickets", "companies", BatchInputPublicAssociationMultiArchive(
        inputs=[{"from": {"id": t}, "to": [{"id": c}]}])) is None
    assert v4.basic_api.get_page("tickets", t, "companies").results == []


def test_association_batch_limits_are_1000_reads_and_2000_writes(hs, hs_client):
    v4 = hs_client.crm.associations.v4.batch_api
    reads = BatchInputPublicFetchAssociationsBatchRequest(
        inputs=[{"id": str(i)} for i in range(1001)])
    with pytest.raises(Exception) as too_many:  # noqa: B017 - the SDK's ApiException
        v4.get_page("contacts", "companies", reads)
    assert too_many.value.status == 400 and "limit is 1000" in too_many.value.body
    writes = BatchInputPublicAssociationMultiPost(inputs=[
        {"from": {"id": str(i)}, "to": {"id": "1"}, "types": [
            {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 279}]}
        for i in range(2001)])
    with pytest.raises(Exception) as too_many:  # noqa: B017
        v4.create("contacts", "companies", writes)
    assert too_many.value.status == 400 and "limit is 2000" in too_many.value.body
