"""Companies, Deals and Tickets tabs: registry-driven, exactly the engine's controls, value
mappings, and the Lead field of contact mappings."""

import re

import pytest
from django.urls import reverse

from syncadmin.audit.models import AuditEntry
from syncadmin.integration import choices as c
from syncadmin.integration.models import FieldMapping, ObjectSync, ValueMapping
from syncadmin.sync import objects

HX = {"HTTP_HX_REQUEST": "true"}
STANDARD = objects.standard_keys()
CONTROLS = {"enabled", "direction", "conflict_app", "sf_deletion", "hs_filter", "sf_filter"}


def _tab(account, key):
    return reverse(objects.get(key).settings_tab, kwargs={"account_id": account.pk})


def _units(body):
    return set(re.findall(r'data-unit="([^"]+)"', body))


# ---- the registry drives the tabs ----------------------------------------------------------


def test_object_tabs_come_from_the_registry():
    assert STANDARD == ["companies", "deals", "tickets"]
    for key in STANDARD:
        assert reverse(objects.get(key).settings_tab, kwargs={"account_id": 1}) == \
            f"/a/1/settings/{key}/"


def test_object_choices_agree_with_the_registry():
    assert [v for v in c.SyncObject.values if v != "custom"] == objects.keys()


@pytest.mark.django_db
def test_nav_lists_every_registry_object_with_its_label(admin_client, account):
    body = admin_client.get(_tab(account, "deals")).content.decode()
    nav = body[body.index('<nav class="tabs"'):body.index("</nav>")]
    for spec in objects.all_specs():
        assert f'href="{_tab(account, spec.key)}"' in nav and str(spec.label) in nav
    assert f'href="{_tab(account, "deals")}" aria-current="page"' in nav


@pytest.mark.django_db
def test_unknown_object_has_no_tab(admin_client, account):
    url = reverse("integration:mappings", kwargs={"account_id": account.pk, "object": "ships"})
    assert admin_client.get(url).status_code == 404


# ---- the controls -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("key", STANDARD)
def test_tab_shows_exactly_the_controls_the_engine_reads(admin_client, account, key):
    spec = objects.get(key)
    body = admin_client.get(_tab(account, key)).content.decode()
    assert _units(body) == CONTROLS
    assert "When the Salesforce record is deleted" in body
    assert "Deleting a record in HubSpot never deletes anything in Salesforce." in body
    assert f"{spec.label} field mappings" in body
    assert reverse("integration:mappings", kwargs={"account_id": account.pk,
                                                   "object": key}) in body
    # Filter fields are dropdowns of the catalogue (built-in lists: not connected).
    assert '<select name="hs_filter_field"' in body and '<select name="sf_filter_field"' in body
    assert f'value="{spec.mappings[0].hs_property}"' in body
    assert f'value="{spec.mappings[0].sf_field}"' in body
    assert ("by domain" in body) == (key == "companies")


@pytest.mark.django_db
def test_companies_tab_explains_matching_by_name_or_domain(admin_client, account):
    body = admin_client.get(_tab(account, "companies")).content.decode()
    assert "by company name, or by domain" in body
    assert "used only when it is mapped to the Salesforce Website field" in body
    assert "www. and any path are stripped" in body
    assert "Website URL property is never used" in body
    assert "Domain matching is on" in body  # the Recommended setup maps domain ⇄ Website
    FieldMapping.objects.filter(account=account, object="companies",
                                hs_property="domain").update(enabled=False)
    body = admin_client.get(_tab(account, "companies")).content.decode()
    assert "Domain matching is off" in body


# (field, posted data, expected saved value)
CHANGES = [
    ("enabled", {"enabled": "on"}, True),
    ("direction", {"direction": "to_salesforce"}, "to_salesforce"),
    ("conflict_app", {"conflict_app": "hubspot"}, "hubspot"),
    ("sf_deletion", {"sf_deletion": "delete"}, "delete"),
    ("hs_filter", {"hs_filter_field": "name", "hs_filter_operator": "known"},
     {"field": "name", "operator": "known"}),
    ("sf_filter", {"sf_filter_field": "Name", "sf_filter_operator": "contains",
                   "sf_filter_value": "Acme"},
     {"field": "Name", "operator": "contains", "value": "Acme"}),
]


@pytest.mark.django_db
@pytest.mark.parametrize("key", STANDARD)
@pytest.mark.parametrize(("field", "data", "expected"), CHANGES)
def test_each_control_autosaves_and_is_audited(admin_client, account, key, field, data,
                                               expected):
    spec = objects.get(key)
    data = {k: spec.mappings[0].hs_property if v == "name" else
            spec.mappings[0].sf_field if v == "Name" else v for k, v in data.items()}
    if isinstance(expected, dict):
        expected = {k: data[f"{field}_{k}"] for k in expected}
    r = admin_client.post(_tab(account, key), {"_field": field, **data}, **HX)
    assert r.status_code == 200, r.content[:800]
    body = r.content.decode()
    assert "Saved" in body and f'data-unit="{field}"' in body and "<html" not in body
    row = ObjectSync.objects.get(account=account, object=key)
    assert getattr(row, field) == expected
    entry = AuditEntry.objects.get(account=account, action="change")
    assert list(entry.changes) == [field]


BAD = [
    ("direction", {"direction": "sideways"}, "Select a valid choice"),
    ("sf_deletion", {"sf_deletion": "explode"}, "Select a valid choice"),
    ("conflict_app", {"conflict_app": "excel"}, "Select a valid choice"),
    ("hs_filter", {"hs_filter_field": "no_such_property", "hs_filter_operator": "known"},
     "Select a valid choice"),
    ("sf_filter", {"sf_filter_field": "No_Such__c", "sf_filter_operator": "known"},
     "Select a valid choice"),
    ("sf_filter", {"sf_filter_field": "Name", "sf_filter_operator": "eq"},
     "This operator needs a value."),
    ("hs_filter", {"hs_filter_field": "", "hs_filter_operator": "eq",
                   "hs_filter_value": "x"}, "A filter needs a field."),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "data", "message"), BAD)
def test_bad_input_is_refused_with_the_error_and_nothing_is_lost(admin_client, account, field,
                                                                 data, message):
    row = ObjectSync.objects.get(account=account, object="deals")
    row.enabled = True
    row.hs_filter = {"field": "dealname", "operator": "known"}
    row.sf_filter = {"field": "Amount", "operator": "known"}
    row.save()
    audited = AuditEntry.objects.filter(account=account).count()
    r = admin_client.post(_tab(account, "deals"), {"_field": field, **data}, **HX)
    assert r.status_code == 422
    assert message in r.content.decode()
    fresh = ObjectSync.objects.get(pk=row.pk)
    assert (fresh.enabled, fresh.direction, fresh.conflict_app, fresh.sf_deletion,
            fresh.hs_filter, fresh.sf_filter) == (
        True, "two_way", "salesforce", "nothing", {"field": "dealname", "operator": "known"},
        {"field": "Amount", "operator": "known"})
    assert AuditEntry.objects.filter(account=account).count() == audited


@pytest.mark.django_db
def test_a_saved_filter_field_missing_from_the_catalogue_stays_listed(admin_client, account):
    ObjectSync.objects.filter(account=account, object="tickets").update(
        sf_filter={"field": "Legacy__c", "operator": "known"})
    body = admin_client.get(_tab(account, "tickets")).content.decode()
    assert '<option value="Legacy__c" selected>' in body


@pytest.mark.django_db
def test_turning_on_deletion_shows_a_dry_run_first(admin_client, account):
    from syncadmin.sync.models import RecordLink

    RecordLink.objects.create(account=account, object="companies", hs_id="1", sf_id="001X",
                              sf_object="Account", label="Acme Inc", status="deleted_sf")
    url = _tab(account, "companies")
    r = admin_client.post(url, {"_field": "sf_deletion", "sf_deletion": "delete"}, **HX)
    assert r.status_code == 200 and "Dry run" in r.content.decode()
    assert "Acme Inc" in r.content.decode()
    assert ObjectSync.objects.get(account=account, object="companies").sf_deletion == "nothing"
    r = admin_client.post(url, {"_field": "sf_deletion", "sf_deletion": "delete",
                                "_confirm": "1"}, **HX)
    assert r.status_code == 200
    assert ObjectSync.objects.get(account=account, object="companies").sf_deletion == "delete"


@pytest.mark.django_db
def test_whole_form_post_without_javascript(admin_client, account):
    r = admin_client.post(_tab(account, "tickets"), {
        "enabled": "on", "direction": "to_hubspot", "conflict_app": "hubspot",
        "sf_deletion": "delete", "sf_filter_field": "Status", "sf_filter_operator": "neq",
        "sf_filter_value": "Closed"})
    assert r.status_code == 302
    row = ObjectSync.objects.get(account=account, object="tickets")
    assert (row.enabled, row.direction, row.sf_deletion, row.sf_filter) == (
        True, "to_hubspot", "delete", {"field": "Status", "operator": "neq", "value": "Closed"})
    bad = admin_client.post(_tab(account, "tickets"), {"direction": "nowhere"})
    assert bad.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize("key", STANDARD)
def test_viewers_see_but_cannot_change(viewer_client, account, key):
    page = viewer_client.get(_tab(account, key))
    assert page.status_code == 200
    assert "hx-post" not in page.content.decode()
    r = viewer_client.post(_tab(account, key), {"_field": "enabled", "enabled": "on"}, **HX)
    assert r.status_code == 403
    assert not ObjectSync.objects.get(account=account, object=key).enabled


# ---- value mappings -----------------------------------------------------------------------


def _rows(account, obj, prop):
    return list(ValueMapping.objects.filter(account=account, object=obj, hs_property=prop)
                .order_by("id"))


@pytest.mark.django_db
def test_deals_tab_shows_the_stage_table_with_defaults(admin_client, account):
    body = admin_client.get(_tab(account, "deals")).content.decode()
    assert "Deal stage ⇄ Opportunity stage" in body and "Pipeline: Sales Pipeline" in body
    rows = _rows(account, "deals", "dealstage")
    assert len(rows) == 10
    won = next(r for r in rows if r.hs_value == "closedwon")
    assert won.sf_value == "Closed Won" and won.pipeline == "default"
    assert f'id="value-{won.pk}"' in body
    assert "— not mapped —" in body and "+ Add a Salesforce value for this stage" in body
    assert not AuditEntry.objects.filter(account=account).exists()  # defaults: no admin's act
    admin_client.get(_tab(account, "deals"))
    assert len(_rows(account, "deals", "dealstage")) == 10  # made once


@pytest.mark.django_db
def test_tickets_tab_shows_status_and_priority_tables(admin_client, account):
    body = admin_client.get(_tab(account, "tickets")).content.decode()
    assert "Ticket status ⇄ Case status" in body and "Priority ⇄ Case priority" in body
    status = {(r.pipeline, r.hs_value): r.sf_value
              for r in _rows(account, "tickets", "hs_pipeline_stage")}
    assert status == {("0", "1"): "New", ("0", "2"): "Working", ("0", "3"): "Escalated",
                      ("0", "4"): "Closed"}
    prio = [(r.pipeline, r.hs_value, r.sf_value)
            for r in _rows(account, "tickets", "hs_ticket_priority")]
    assert prio == [("", "LOW", "Low"), ("", "MEDIUM", "Medium"), ("", "HIGH", "High"),
                    ("", "URGENT", "High")]


@pytest.mark.django_db
def test_companies_tab_has_no_value_tables(admin_client, account):
    body = admin_client.get(_tab(account, "companies")).content.decode()
    assert "value-table" not in body
    assert not ValueMapping.objects.filter(account=account).exists()


def _value_url(account, name, **kw):
    return reverse(f"integration:{name}", kwargs={"account_id": account.pk, **kw})


@pytest.mark.django_db
def test_value_edit_autosaves_and_is_audited(admin_client, account):
    admin_client.get(_tab(account, "deals"))
    row = next(r for r in _rows(account, "deals", "dealstage")
               if r.hs_value == "contractsent")
    r = admin_client.post(_value_url(account, "value_mapping", pk=row.pk),
                          {"sf_value": "Proposal/Price Quote"}, **HX)
    assert r.status_code == 200
    body = r.content.decode()
    assert "Saved" in body and body.lstrip().startswith(f'<tr id="value-{row.pk}"')
    row.refresh_from_db()
    assert row.sf_value == "Proposal/Price Quote"
    entry = AuditEntry.objects.get(account=account, action="change")
    assert entry.changes == {"sf_value": ["Negotiation/Review", "Proposal/Price Quote"]}
    assert "Contract Sent" in entry.target
    r = admin_client.post(_value_url(account, "value_mapping", pk=row.pk), {"sf_value": ""},
                          **HX)
    assert r.status_code == 200
    row.refresh_from_db()
    assert row.sf_value == ""  # "— not mapped —"


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "message"), [
    ("Won Somehow", "Choose a Salesforce value from the list."),
    ("Prospecting", "already mapped to that Salesforce value"),
])
def test_value_edit_refuses_bad_values(admin_client, account, value, message):
    admin_client.get(_tab(account, "deals"))
    rows = [r for r in _rows(account, "deals", "dealstage")
            if r.hs_value == "appointmentscheduled"]
    second = rows[1]  # the stage's rows: Prospecting, Qualification
    r = admin_client.post(_value_url(account, "value_mapping", pk=second.pk),
                          {"sf_value": value}, **HX)
    assert r.status_code == 422 and message in r.content.decode()
    second.refresh_from_db()
    assert second.sf_value == "Qualification"
    assert not AuditEntry.objects.filter(account=account).exists()


@pytest.mark.django_db
def test_add_and_remove_rows_of_a_stage(admin_client, account):
    admin_client.get(_tab(account, "tickets"))
    add = {"object": "tickets", "hs_property": "hs_pipeline_stage", "pipeline": "0",
           "hs_value": "3"}
    r = admin_client.post(_value_url(account, "value_mapping_add"), add, **HX)
    assert r.status_code == 200
    assert 'class="value-table" id="vm-tickets-hs_pipeline_stage-0"' in r.content.decode()
    stage = [r for r in _rows(account, "tickets", "hs_pipeline_stage") if r.hs_value == "3"]
    assert [s.sf_value for s in stage] == ["Escalated", ""]
    assert stage[1].hs_label == "Waiting on us"
    assert AuditEntry.objects.filter(account=account, action="create").count() == 1
    # A second empty row for the same stage is refused: fill the first one.
    again = admin_client.post(_value_url(account, "value_mapping_add"), add, **HX)
    assert again.status_code == 422 and "choose its value first" in again.content.decode()
    r = admin_client.post(_value_url(account, "value_mapping", pk=stage[1].pk),
                          {"sf_value": "Working"}, **HX)
    assert r.status_code == 200  # Working now maps onto two HubSpot statuses
    r = admin_client.post(_value_url(account, "value_mapping_remove", pk=stage[1].pk), **HX)
    assert r.status_code == 200
    assert not ValueMapping.objects.filter(pk=stage[1].pk).exists()
    assert AuditEntry.objects.filter(account=account, action="delete").count() == 1
    # The last row of a stage stays.
    last = admin_client.post(_value_url(account, "value_mapping_remove", pk=stage[0].pk),
                             **HX)
    assert last.status_code == 422 and "at least one row" in last.content.decode()
    assert ValueMapping.objects.filter(pk=stage[0].pk).exists()
    unknown = admin_client.post(_value_url(account, "value_mapping_add"),
                                {**add, "hs_value": "99"}, **HX)
    assert unknown.status_code == 422
    wrong = admin_client.post(_value_url(account, "value_mapping_add"),
                              {**add, "hs_property": "subject"}, **HX)
    assert wrong.status_code == 404


@pytest.mark.django_db
def test_value_mappings_work_without_javascript(admin_client, account):
    admin_client.get(_tab(account, "tickets"))
    row = next(r for r in _rows(account, "tickets", "hs_ticket_priority")
               if r.hs_value == "URGENT")
    r = admin_client.post(_value_url(account, "value_mapping", pk=row.pk), {"sf_value": "Low"})
    assert r.status_code == 302 and r["Location"] == _tab(account, "tickets")
    row.refresh_from_db()
    assert row.sf_value == "Low"


@pytest.mark.django_db
def test_viewers_cannot_change_value_mappings(viewer_client, account):
    body = viewer_client.get(_tab(account, "deals")).content.decode()
    assert "hx-post" not in body and "Add a Salesforce value" not in body
    row = _rows(account, "deals", "dealstage")[0]
    for name, kw, data in [("value_mapping", {"pk": row.pk}, {"sf_value": "Closed Won"}),
                           ("value_mapping_remove", {"pk": row.pk}, {}),
                           ("value_mapping_add", {}, {"object": "deals",
                                                      "hs_property": "dealstage",
                                                      "pipeline": "default",
                                                      "hs_value": "closedwon"})]:
        assert viewer_client.post(_value_url(account, name, **kw), data, **HX).status_code \
            == 403
    row.refresh_from_db()
    assert row.sf_value == "Prospecting"
    assert len(_rows(account, "deals", "dealstage")) == 10


@pytest.mark.django_db
def test_value_mappings_of_another_account_are_not_reachable(admin_client, account,
                                                             other_account):
    ValueMapping.objects.create(account=other_account, object="deals", hs_property="dealstage",
                                pipeline="default", hs_value="closedwon", sf_value="Closed Won")
    theirs = ValueMapping.objects.get(account=other_account)
    r = admin_client.post(_value_url(account, "value_mapping", pk=theirs.pk),
                          {"sf_value": "Closed Lost"}, **HX)
    assert r.status_code == 404


# ---- query counts -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(("key", "first", "again"), [
    ("companies", 6, 6), ("deals", 8, 7), ("tickets", 8, 7),
])
def test_tab_query_counts(admin_client, account, key, first, again,
                          django_assert_num_queries):
    """Session, user, membership, the ObjectSync row, the memberships of the switcher, and:
    companies the domain mapping check; deals and tickets which value maps exist and their
    rows (the first visit also saves the defaults, in one statement)."""
    with django_assert_num_queries(first):
        assert admin_client.get(_tab(account, key)).status_code == 200
    with django_assert_num_queries(again):
        assert admin_client.get(_tab(account, key)).status_code == 200


@pytest.mark.django_db
def test_value_edit_query_count(admin_client, account, django_assert_num_queries):
    admin_client.get(_tab(account, "deals"))
    row = _rows(account, "deals", "dealstage")[0]
    with django_assert_num_queries(7):
        admin_client.post(_value_url(account, "value_mapping", pk=row.pk),
                          {"sf_value": "Needs Analysis"}, **HX)


# ---- the Lead field of contact mappings (D, F3) -----------------------------------------


def _add(client, account, data, obj="contacts"):
    url = reverse("integration:mapping_add", kwargs={"account_id": account.pk, "object": obj})
    base = {"sync_rule": "prefer_sf", "conflict_app": "salesforce", "enabled": "on"}
    return client.post(url, {**base, **data}, **HX)


@pytest.mark.django_db
def test_contact_mapping_panel_offers_lead_fields_and_says_leads_are_the_default(
        admin_client, account):
    url = reverse("integration:mapping_add", kwargs={"account_id": account.pk,
                                                     "object": "contacts"})
    body = admin_client.get(url, **HX).content.decode()
    assert 'name="sf_lead_field"' in body
    assert 'value="Company"' in body  # a Lead-only field
    assert "Leads are the default HubSpot → Salesforce target" in body
    deals = admin_client.get(reverse("integration:mapping_add", kwargs={
        "account_id": account.pk, "object": "deals"}), **HX).content.decode()
    assert "sf_lead_field" not in deals


@pytest.mark.django_db
@pytest.mark.parametrize(("data", "lead"), [
    ({"hs_property": "hs_lead_status", "sf_field": "LeadSource", "sf_lead_field": ""},
     "LeadSource"),  # same API name: the Lead has it
    ({"hs_property": "zip", "sf_field": "MailingPostalCode", "sf_lead_field": ""}, ""),
    ({"hs_property": "mobilephone", "sf_field": "MobilePhone", "sf_lead_field": "Phone"},
     "Phone"),
    ({"hs_property": "hs_lead_status", "sf_field": "LeadSource", "sf_lead_field": "-"}, ""),
])
def test_contact_mapping_saves_its_lead_field(admin_client, account, data, lead):
    r = _add(admin_client, account, data)
    assert r.status_code == 204, r.content.decode()[:2000]
    m = FieldMapping.objects.get(account=account, object="contacts",
                                 hs_property=data["hs_property"])
    assert (m.sf_field, m.sf_lead_field) == (data["sf_field"], lead)
    assert AuditEntry.objects.filter(account=account, action="create").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("lead", "message"), [
    ("NumberOfEmployees", "cannot sync with a HubSpot date property"),
    ("Nope__c", "Select a valid choice"),
])
def test_contact_mapping_refuses_a_bad_lead_field(admin_client, account, lead, message):
    r = _add(admin_client, account, {"hs_property": "date_of_birth", "sf_field": "Birthdate",
                                     "sf_lead_field": lead})
    assert r.status_code == 422 and message in r.content.decode()
    assert not FieldMapping.objects.filter(account=account, hs_property="date_of_birth").exists()


@pytest.mark.django_db
def test_editing_a_contact_mapping_changes_its_lead_field(admin_client, account):
    phone = FieldMapping.objects.get(account=account, object="contacts", hs_property="phone")
    url = reverse("integration:mapping_edit", kwargs={"account_id": account.pk, "pk": phone.pk})
    body = admin_client.get(url, **HX).content.decode()
    assert '<option value="Phone" selected>' in body.replace(" · phone", "") or \
        re.search(r'<option value="Phone" selected>', body)
    r = admin_client.post(url, {"sync_rule": "prefer_sf", "conflict_app": "salesforce",
                                "enabled": "on", "sf_lead_field": "-"}, **HX)
    assert r.status_code == 204
    phone.refresh_from_db()
    assert phone.sf_lead_field == ""
    entry = AuditEntry.objects.get(account=account, action="change")
    assert entry.changes == {"sf_lead_field": ["Phone", ""]}


@pytest.mark.django_db
def test_viewer_cannot_add_a_mapping(viewer_client, account):
    r = _add(viewer_client, account, {"hs_property": "zip", "sf_field": "MailingPostalCode"})
    assert r.status_code == 403


# ---- the catalogue reads the org's picklists and the portal's pipelines -------------------


@pytest.mark.django_db
def test_catalogue_falls_back_to_the_builtin_lists_when_not_connected(account):
    from syncadmin.integration import catalogue

    assert catalogue.sf_picklist(account, "Case", "Priority") == [
        ("High", "High"), ("Medium", "Medium"), ("Low", "Low")]
    assert [p["id"] for p in catalogue.hs_pipelines(account, "tickets")] == ["0"]
    assert catalogue.sf_picklist(account, "Case", "Nothing") == []


@pytest.mark.django_db
def test_value_tables_use_the_orgs_picklist_and_the_portals_pipelines(admin_client, connected,
                                                                      sf_client, hs):
    from syncadmin.integration import catalogue

    account = connected
    stages = catalogue.sf_picklist(account, "Opportunity", "StageName")
    assert ("Closed Won", "Closed Won") in stages
    pipelines = catalogue.hs_pipelines(account, "deals")
    assert pipelines and all({"id", "label", "stages"} <= set(p) for p in pipelines)
    body = admin_client.get(_tab(account, "deals")).content.decode()
    assert f"Pipeline: {pipelines[0]['label']}" in body
    rows = _rows(account, "deals", "dealstage")
    assert {r.pipeline for r in rows} == {p["id"] for p in pipelines}
    assert {r.sf_value for r in rows} == {v for v, _l in stages}
    won = [r for r in rows if r.hs_value == "closedwon"]
    assert won and won[0].sf_value == "Closed Won"


@pytest.mark.django_db
def test_changing_the_conflict_app_moves_every_mapping_of_the_object(admin_client, account):
    from syncadmin.integration.models import FieldMapping, ObjectSync

    row = ObjectSync.objects.get(account=account, object="companies")
    row.conflict_app = "hubspot"
    row.save()
    apps = set(FieldMapping.objects.filter(account=account, object="companies")
               .values_list("conflict_app", flat=True))
    assert apps == {"hubspot"}
    others = set(FieldMapping.objects.filter(account=account, object="deals")
                 .values_list("conflict_app", flat=True))
    assert others == {"salesforce"}
    contacts = account.contacts
    contacts.conflict_app = "hubspot"
    contacts.save()
    assert set(FieldMapping.objects.filter(account=account, object="contacts")
               .values_list("conflict_app", flat=True)) == {"hubspot"}
