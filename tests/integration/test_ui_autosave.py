"""Autosave of every Contacts-tab setting through htmx, errors, dry runs, other tabs."""

import pytest
from django.urls import reverse

from syncadmin.audit.models import AuditEntry
from syncadmin.integration import choices as c
from syncadmin.integration.models import (
    ContactSettings,
    ObjectSync,
    SfActivitySetting,
    TimelineEventSetting,
)

HX = {"HTTP_HX_REQUEST": "true"}

# (field, a value different from the Recommended default)
CONTACT_CHANGES = [
    ("sf_to_hs_create", c.SfToHsCreate.NOTHING),
    ("hs_to_sf_object", c.HsToSfObject.CONTACT),
    ("sf_deletion", c.DeletionRule.DELETE),
    ("lifecycle", c.LifecycleRule.NOTHING),
    ("company_lifecycle_sync", True),
    ("inclusion_list_id", "42"),
    ("sf_picklist_mode", c.SfPicklistMode.CUSTOMIZED),
    ("hs_state_country_mode", c.HsStateCountryMode.AS_IS),
    ("only_with_email", False),
    ("direction", c.Direction.TO_SALESFORCE),
    ("conflict_app", c.App.HUBSPOT),
]


def _post(client, url, field, value, **extra):
    data = {"_field": field, **extra}
    if value is True:
        data[field] = "on"
    elif value is not False:
        data[field] = value
    return client.post(url, data, **HX)


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), CONTACT_CHANGES)
def test_each_contact_setting_autosaves_and_is_audited(admin_client, account, field, value):
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    response = _post(admin_client, url, field, value, _confirm="1")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Saved" in body and f'data-unit="{field}"' in body
    assert "<html" not in body  # a partial, not the page
    assert getattr(ContactSettings.objects.get(account=account), field) == value
    entry = AuditEntry.objects.get(account=account, action="change")
    assert list(entry.changes) == [field]


@pytest.mark.django_db
def test_bad_value_gets_a_field_level_message_and_changes_nothing(admin_client, account):
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    response = _post(admin_client, url, "sf_deletion", "explode")
    assert response.status_code == 422
    assert "not one of the available choices" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert ContactSettings.objects.get(account=account).sf_deletion == c.DeletionRule.NOTHING
    assert not AuditEntry.objects.filter(account=account, action="change").exists()


@pytest.mark.django_db
def test_contradiction_is_refused_next_to_the_field(admin_client, account):
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    _post(admin_client, url, "inclusion_list_id", "7")
    response = _post(admin_client, url, "direction", c.Direction.TO_HUBSPOT)
    assert response.status_code == 422
    assert "inclusion list" in response.content.decode()
    assert ContactSettings.objects.get(account=account).direction == c.Direction.TWO_WAY


@pytest.mark.django_db
def test_unknown_field_is_rejected(admin_client, account):
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    assert _post(admin_client, url, "account_id", "3").status_code == 400


@pytest.mark.django_db
def test_viewer_autosave_is_forbidden(viewer_client, account):
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    assert _post(viewer_client, url, "sf_deletion", "delete").status_code == 403
    assert ContactSettings.objects.get(account=account).sf_deletion == "nothing"


@pytest.mark.django_db
def test_lead_switch_shows_a_dry_run_before_saving(admin_client, account):
    from syncadmin.sync.models import RecordLink

    contacts = account.contacts
    contacts.hs_to_sf_object = c.HsToSfObject.CONTACT
    contacts.save()
    RecordLink.objects.create(account=account, object="contacts", hs_id="1", label="ann@x.io",
                              snapshot={"email": "ann@x.io"})
    RecordLink.objects.create(account=account, object="contacts", hs_id="2", sf_id="003A",
                              sf_object="Contact", label="bob@x.io")
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    preview = _post(admin_client, url, "hs_to_sf_object", "lead")
    body = preview.content.decode()
    # ann has no Salesforce record: not a "synced record" (issue 17, defect 9).
    assert "1 HubSpot contact without a Salesforce record would be created as a Lead" in body
    assert "synced record" not in body and "ann@x.io" in body
    assert "bob@x.io" not in body
    assert ContactSettings.objects.get(account=account).hs_to_sf_object == "contact"
    applied = _post(admin_client, url, "hs_to_sf_object", "lead", _confirm="1")
    assert "Saved" in applied.content.decode()
    # The lead warning of D3 is shown with the lead choice.
    assert "duplicate company" in applied.content.decode()
    assert ContactSettings.objects.get(account=account).hs_to_sf_object == "lead"


@pytest.mark.django_db
def test_contacts_page_shows_the_notes_and_the_create_list_link(admin_client, account):
    page = admin_client.get(reverse("integration:contacts", kwargs={"account_id": account.pk}))
    body = page.content.decode()
    assert "Create inclusion list" in body
    assert "even if that contact is not in the inclusion list" in body
    assert "duplicate company" in body  # default is lead: the warning shows
    assert 'name="sf_picklist_mode"' in body and 'name="hs_state_country_mode"' in body


@pytest.mark.django_db
def test_object_tab_autosaves_switch_and_filter(admin_client, account):
    url = reverse("integration:companies", kwargs={"account_id": account.pk})
    r = admin_client.post(url, {"_field": "enabled", "enabled": "on"}, **HX)
    assert r.status_code == 200 and "Saved" in r.content.decode()
    row = ObjectSync.objects.get(account=account, object="companies")
    assert row.enabled
    bad = admin_client.post(url, {"_field": "hs_filter", "hs_filter_field": "country",
                                  "hs_filter_operator": "eq", "hs_filter_value": ""}, **HX)
    assert bad.status_code == 422 and "needs a value" in bad.content.decode()
    ok = admin_client.post(url, {"_field": "hs_filter", "hs_filter_field": "country",
                                 "hs_filter_operator": "eq", "hs_filter_value": "IT"}, **HX)
    assert ok.status_code == 200
    row.refresh_from_db()
    assert row.hs_filter == {"field": "country", "operator": "eq", "value": "IT"}
    assert row.enabled  # the other fields kept their values


@pytest.mark.django_db
def test_object_tab_works_without_javascript(admin_client, account):
    url = reverse("integration:deals", kwargs={"account_id": account.pk})
    r = admin_client.post(url, {"enabled": "on", "direction": "two_way",
                                "conflict_app": "hubspot", "sf_deletion": "nothing"})
    assert r.status_code == 302
    row = ObjectSync.objects.get(account=account, object="deals")
    assert row.enabled and row.conflict_app == "hubspot"


@pytest.mark.django_db
def test_timeline_row_and_sf_activity_autosave(admin_client, account):
    ev = TimelineEventSetting.objects.get(account=account, event="form_submission")
    url = reverse("integration:activities", kwargs={"account_id": account.pk})
    r = admin_client.post(url, {"_row": ev.pk, f"ev{ev.pk}-enabled": "on",
                                f"ev{ev.pk}-sf_task_type": "Email"}, **HX)
    assert r.status_code == 200 and "Saved" in r.content.decode()
    ev.refresh_from_db()
    assert ev.enabled and ev.sf_task_type == "Email"
    bad = admin_client.post(url, {"_row": ev.pk, f"ev{ev.pk}-sf_task_type": "Fax"}, **HX)
    assert bad.status_code == 422
    ev.refresh_from_db()
    assert ev.sf_task_type == "Email"
    kind_url = reverse("integration:sf_activity", kwargs={"account_id": account.pk,
                                                          "kind": "calls"})
    r = admin_client.post(kind_url, {"_field": "deletion", "deletion": "delete",
                                     "_confirm": "1"}, **HX)
    assert r.status_code == 200
    assert SfActivitySetting.objects.get(account=account, kind="calls").deletion == "delete"
    assert admin_client.get(reverse("integration:sf_activity", kwargs={
        "account_id": account.pk, "kind": "faxes"})).status_code == 404


@pytest.mark.django_db
def test_custom_object_add_is_validated(admin_client, account):
    """Not connected: nothing can be picked (the org's describe is the only source), and a
    typed name is refused. An added object's tab saves only what the engine reads (E3)."""
    url = reverse("integration:custom_objects", kwargs={"account_id": account.pk})
    bad = admin_client.post(url, {"new-sf_object": "Project__c"})
    assert bad.status_code == 400
    assert "Connect Salesforce to choose from its custom objects." in bad.content.decode()
    assert not ObjectSync.objects.filter(account=account, object="custom").exists()
    row = ObjectSync.objects.create(account=account, object="custom", sf_object="Project__c",
                                    direction="to_hubspot")
    item = reverse("integration:custom_object", kwargs={"account_id": account.pk, "pk": row.pk})
    r = admin_client.post(item, {"_field": "direction", "direction": "two_way"}, **HX)
    assert r.status_code == 400  # no such setting: custom objects sync one way
    r = admin_client.post(item, {"_field": "sf_deletion", "sf_deletion": "delete",
                                 "_confirm": "1"}, **HX)
    assert r.status_code == 200
    row.refresh_from_db()
    assert (row.sf_deletion, row.direction) == ("delete", "to_hubspot")
