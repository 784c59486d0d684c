"""A5: a Salesforce field mapped to a HubSpot property the portal lacks gets that property
created, of the matching type, before the first write."""

from __future__ import annotations

import pytest

from syncadmin.integration.models import FieldMapping
from syncadmin.sync.service import run_account
from tests.sync.helpers import by_email, hs_contacts

pytestmark = pytest.mark.django_db(transaction=True)


def test_missing_mapped_properties_are_created_with_the_salesforce_type(
        connected, sf, hs_client):
    FieldMapping.objects.create(account=connected, object="contacts", hs_property="department",
                                sf_field="Department", field_type="text", custom=True)
    FieldMapping.objects.create(account=connected, object="contacts",
                                hs_property="sf_lead_source", sf_field="LeadSource",
                                sf_lead_field="LeadSource", field_type="picklist",
                                custom=True)
    sf.control.insert("Contact", [{"LastName": "Neri", "Email": "neri@example.com",
                                   "Department": "Finance", "LeadSource": "Web"}])
    run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message

    props = {p.name: p for p in hs_client.crm.properties.core_api.get_all("contacts").results}
    assert props["department"].type == "string"
    assert props["department"].group_name == "contactinformation"
    source = props["sf_lead_source"]
    assert (source.type, source.field_type) == ("enumeration", "select")
    assert "Web" in {o.value for o in source.options}
    contact = by_email(hs_contacts(hs_client, props=("email", "department", "sf_lead_source")))
    assert contact["neri@example.com"]["department"] == "Finance"
    assert contact["neri@example.com"]["sf_lead_source"] == "Web"
