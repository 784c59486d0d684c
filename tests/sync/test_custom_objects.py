"""Custom objects (FEATURES E3) end to end through the real clients: picked from the org's
describe, the HubSpot schema created by the app, records and associations arriving one way,
an SF edit and an SF deletion following, nothing written to Salesforce.
"""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from syncadmin.integration.models import FieldMapping, ObjectSync
from syncadmin.sync.models import LinkStatus, RecordLink
from syncadmin.sync.service import run_account
from tests.sync.helpers import past_read_lag

pytestmark = pytest.mark.django_db(transaction=True)

KEY = "custom:Shipment__c"


def add_shipments(account, enabled=True, **fields) -> ObjectSync:
    return ObjectSync.objects.create(account=account, object="custom", sf_object="Shipment__c",
                                     direction="to_hubspot", enabled=enabled, **fields)


def schema(hs_client, name="shipment"):
    [found] = [s for s in hs_client.crm.schemas.core_api.get_all().results if s.name == name]
    return found


def hs_records(hs_client, object_type, props=("name", "status", "weight_kg", "shipped_on",
                                              "tracking_url", "salesforce_id")):
    page = hs_client.crm.objects.basic_api.get_page(object_type, limit=100,
                                                    properties=list(props))
    return {r.properties["salesforce_id"]: r for r in page.results}


def test_custom_object_schema_records_associations_and_edits_arrive(
        connected, sf, sf_client, hs_client, via_worker):
    row = add_shipments(connected)
    [contact] = sf.control.insert("Contact", [{"LastName": "Rossi",
                                               "Email": "rossi@example.com"}])
    [shipment, loose] = sf.control.insert("Shipment__c", [
        {"Name": "SHP-1", "Status__c": "In transit", "Weight_Kg__c": 12.5,
         "Shipped_On__c": "2026-11-02", "Tracking_Url__c": "https://t.example/1",
         "Contact__c": contact},
        {"Name": "SHP-2", "Status__c": "Booked"},
    ])
    run = via_worker(connected, "full")
    assert run.status == "succeeded", run.message

    # The app made the HubSpot object, with a property per mapped field.
    made = schema(hs_client)
    props = {p.name: p.type for p in made.properties}
    assert props["status"] == "enumeration" and props["weight_kg"] == "number"
    assert props["shipped_on"] == "date" and props["salesforce_id"] == "string"
    row.refresh_from_db()
    assert row.hs_object == made.object_type_id and row.lookups == {
        "Contact__c": "contacts", "Account__c": "companies"}
    mapped = set(FieldMapping.objects.filter(account=connected, object=KEY)
                 .values_list("hs_property", "sf_field"))
    assert ("status", "Status__c") in mapped and ("name", "Name") in mapped

    records = hs_records(hs_client, made.object_type_id)
    assert set(records) == {shipment, loose}
    got = records[shipment].properties
    assert (got["name"], got["status"], float(got["weight_kg"]), got["shipped_on"]) == (
        "SHP-1", "In transit", 12.5, "2026-11-02")
    # The lookup to the synced contact became an association (companies sync is off).
    hs_contact = RecordLink.objects.get(account=connected, object="contacts").hs_id
    assoc = hs_client.crm.associations.v4.basic_api.get_page(
        made.object_type_id, records[shipment].id, "contacts")
    assert [str(a.to_object_id) for a in assoc.results] == [hs_contact]
    assert RecordLink.objects.filter(account=connected, object=KEY,
                                     status=LinkStatus.IN_SYNC).count() == 2

    # Nothing is written to Salesforce: no id field was created on the custom object.
    names = {f["name"] for f in sf_client.Shipment__c.describe()["fields"]}
    assert "HubSpot_Id__c" not in names

    # An SF edit arrives; a HubSpot edit does not go back (one way).
    sf_client.Shipment__c.update(shipment, {"Status__c": "Delivered"})
    hs_client.crm.objects.basic_api.update(made.object_type_id, records[loose].id,
                                           {"properties": {"name": "Renamed in HubSpot"}})
    past_read_lag()
    run = via_worker(connected, "poll")
    assert run.status == "succeeded", run.message
    records = hs_records(hs_client, made.object_type_id)
    assert records[shipment].properties["status"] == "Delivered"
    assert sf_client.Shipment__c.get(loose)["Name"] == "SHP-2"


def test_deletion_in_salesforce_follows_the_objects_setting(connected, sf, hs_client):
    add_shipments(connected, sf_deletion="delete")
    [keep, gone] = sf.control.insert("Shipment__c", [{"Name": "SHP-1"}, {"Name": "SHP-2"}])
    run_account(connected, kind="full")
    object_type = schema(hs_client).object_type_id
    assert set(hs_records(hs_client, object_type)) == {keep, gone}

    sf.control.delete("Shipment__c", [gone])
    past_read_lag()
    run_account(connected)
    assert set(hs_records(hs_client, object_type)) == {keep}
    assert RecordLink.objects.get(account=connected, object=KEY,
                                  sf_id=gone).status == LinkStatus.DELETED_SF

    # "Do nothing": the HubSpot record stays.
    ObjectSync.objects.filter(account=connected, object="custom").update(sf_deletion="nothing")
    sf.control.delete("Shipment__c", [keep])
    past_read_lag()
    run_account(connected)
    assert set(hs_records(hs_client, object_type)) == {keep}


def test_second_run_makes_no_set_up_call_and_a_killed_set_up_is_resumed(connected, sf,
                                                                         hs_client):
    row = add_shipments(connected)
    sf.control.insert("Shipment__c", [{"Name": "SHP-1"}])
    run_account(connected, kind="full")
    first = schema(hs_client).object_type_id
    # As if the run had died after creating the schema, before saving its id.
    ObjectSync.objects.filter(pk=row.pk).update(hs_object="", lookups={})
    result = run_account(connected)
    assert result.status == "succeeded", result.message
    row.refresh_from_db()
    assert row.hs_object == first  # found by name, not created twice
    assert len(hs_client.crm.schemas.core_api.get_all().results) == 1
    idle = run_account(connected)
    assert idle.sf_calls == 1, idle.counts  # set-up done: one composite poll, no describe
    assert result.counts[KEY]["to_hs"]["failed"] == 0


def test_tab_offers_the_orgs_custom_objects_only_and_one_way(connected, client, make_member):
    client.force_login(make_member(connected, "admin"))
    url = reverse("integration:custom_objects", kwargs={"account_id": connected.pk})
    page = client.get(url).content.decode()
    assert 'value="Shipment__c"' in page and 'value="Project__c"' in page
    assert "Only to Salesforce" not in page and "Two-way" not in page

    bad = client.post(url, {"new-sf_object": "Bogus__c"})
    assert bad.status_code == 400
    assert "Bogus__c is not a custom object of the connected Salesforce org" in (
        bad.content.decode())
    assert not ObjectSync.objects.filter(account=connected, object="custom").exists()

    assert client.post(url, {"new-sf_object": "Shipment__c"}).status_code == 302
    row = ObjectSync.objects.get(account=connected, object="custom")
    assert (row.sf_object, row.direction, row.enabled) == ("Shipment__c", "to_hubspot", False)
    again = client.get(url).content.decode()
    assert 'value="Shipment__c"' not in again  # added ones are not offered twice
    assert f"/mappings/{KEY}/" in again


def test_connect_sandbox_enables_a_custom_object_or_says_it_does_not_exist(connected, sf, hs,
                                                                          tmp_path):
    info = {"salesforce": sf.url, "salesforce_login": sf.login_url,
            "salesforce_sandbox_login": sf.sandbox_login_url, "sf_session_id": sf.session_id,
            "hubspot": hs.url, "hs_token": hs.token, "ca": connected.tls_ca_file}
    (tmp_path / "sandbox.json").write_text(json.dumps(info))
    out = StringIO()
    call_command("connect_sandbox", account="cli", state_dir=str(tmp_path),
                 enable=["custom:Shipment__c"], stdout=out)
    row = ObjectSync.objects.get(account__name="cli", object="custom")
    assert (row.sf_object, row.enabled, row.direction) == ("Shipment__c", True, "to_hubspot")
    with pytest.raises(CommandError, match="'Nope__c' is not a custom object"):
        call_command("connect_sandbox", account="cli", state_dir=str(tmp_path),
                     enable=["custom:Nope__c"], stdout=out)


def test_mapping_panel_of_a_custom_object_offers_one_way_rules_only(connected, sf, client,
                                                                    make_member):
    add_shipments(connected)
    run_account(connected, kind="full")  # the schema exists: its properties can be chosen
    client.force_login(make_member(connected, "admin"))
    page = client.get(reverse("integration:mappings", kwargs={"account_id": connected.pk,
                                                              "object": KEY})).content.decode()
    assert "Status__c" in page and "Tracking_Url__c" in page
    panel = client.get(reverse("integration:mapping_add", kwargs={
        "account_id": connected.pk, "object": KEY})).content.decode()
    assert 'value="always_sf"' in panel and 'value="two_way"' not in panel
    assert 'name="conflict_app"' not in panel
    assert client.get(reverse("integration:mappings", kwargs={
        "account_id": connected.pk, "object": "custom:Nope__c"})).status_code == 404
