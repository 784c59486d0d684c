"""A contact's associatedcompanyid mirrors its Primary company association (read-only since
2019, HubSpot developer changelog), and changing it modifies the contact: that is how a sync
sees a company association changed in HubSpot."""

from __future__ import annotations

import time

from hubspot.crm.associations.v4 import AssociationSpec


def _contact(hs_client, cid):
    return hs_client.crm.contacts.basic_api.get_by_id(
        cid, properties=["associatedcompanyid", "lastmodifieddate"]).properties


def test_primary_company_association_sets_and_clears_associatedcompanyid(hs, hs_client):
    ids = hs.control.load({"contacts": [{"email": "a@x.com"}],
                           "companies": [{"name": "A"}, {"name": "B"}]})
    cid, (co_a, co_b) = ids["contacts"][0], ids["companies"]
    before = _contact(hs_client, cid)
    assert not before.get("associatedcompanyid")
    time.sleep(0.01)
    v4 = hs_client.crm.associations.v4.basic_api
    primary = [AssociationSpec(association_category="HUBSPOT_DEFINED", association_type_id=1)]
    v4.create("contacts", cid, "companies", co_a, primary)
    after = _contact(hs_client, cid)
    assert after["associatedcompanyid"] == co_a
    assert after["lastmodifieddate"] > before["lastmodifieddate"]

    v4.create_default("contacts", cid, "companies", co_b)  # not primary: no change
    assert _contact(hs_client, cid)["associatedcompanyid"] == co_a
    v4.archive("contacts", cid, "companies", co_a)
    assert not _contact(hs_client, cid).get("associatedcompanyid")


def test_associatedcompanyid_cannot_be_written(hs, hs_client):
    from hubspot.crm.contacts import ApiException, SimplePublicObjectInput

    [cid] = hs.control.load({"contacts": [{"email": "b@x.com"}]})["contacts"]
    try:
        hs_client.crm.contacts.basic_api.update(
            cid, SimplePublicObjectInput(properties={"associatedcompanyid": "123"}))
    except ApiException as exc:
        assert exc.status == 400
    assert not _contact(hs_client, cid).get("associatedcompanyid")
