"""Settings defaults (Recommended setup), choices, validation and the audit log."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from syncadmin.audit.models import AuditEntry
from syncadmin.integration import choices as c
from syncadmin.integration.forms import ContactSettingsForm
from syncadmin.integration.models import (
    ContactSettings,
    FieldMapping,
    ObjectSync,
    SfActivitySetting,
    TimelineEventSetting,
)


@pytest.mark.django_db
def test_new_account_gets_recommended_setup(account):
    contacts = account.contacts
    assert contacts.sf_to_hs_create == c.SfToHsCreate.CREATE_UPDATE
    assert contacts.hs_to_sf_object == c.HsToSfObject.LEAD
    assert contacts.sf_deletion == c.DeletionRule.NOTHING
    assert contacts.lifecycle == c.LifecycleRule.UPDATE
    assert contacts.inclusion_list_id == ""
    assert contacts.only_with_email is True
    assert contacts.sf_picklist_mode == c.SfPicklistMode.DISABLED
    assert contacts.hs_state_country_mode == c.HsStateCountryMode.MATCH
    assert account.api.allocation == 50_000
    objects = {o.object: o for o in ObjectSync.objects.filter(account=account)}
    assert set(objects) == {"companies", "deals", "tickets"}
    assert not any(o.enabled for o in objects.values())
    assert TimelineEventSetting.objects.filter(account=account).count() == len(c.TimelineEvent)
    assert not TimelineEventSetting.objects.filter(account=account, enabled=True).exists()
    assert SfActivitySetting.objects.filter(account=account).count() == 4
    email = FieldMapping.objects.get(account=account, object="contacts", hs_property="email")
    assert email.required and email.sf_field == "Email"
    # Prefer Salesforce is the default sync type of standard properties (A4).
    lastname = FieldMapping.objects.get(account=account, object="contacts", hs_property="lastname")
    assert lastname.sync_rule == c.SyncRule.PREFER_SF
    # Defaults are not an admin's change.
    assert not AuditEntry.objects.filter(account=account).exists()


CONTACT_CHOICE_FIELDS = {
    "sf_to_hs_create": c.SfToHsCreate,
    "hs_to_sf_object": c.HsToSfObject,
    "sf_deletion": c.DeletionRule,
    "lifecycle": c.LifecycleRule,
    "sf_picklist_mode": c.SfPicklistMode,
    "hs_state_country_mode": c.HsStateCountryMode,
    "direction": c.Direction,
    "conflict_app": c.App,
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [(f, v) for f, enum in CONTACT_CHOICE_FIELDS.items() for v in enum.values],
)
def test_every_contact_choice_round_trips_through_the_form(account, field, value):
    data = {f.name: f.value() for f in ContactSettingsForm(instance=account.contacts)}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data[field] = value
    form = ContactSettingsForm(data, instance=account.contacts)
    assert form.is_valid(), form.errors
    form.save()
    assert getattr(ContactSettings.objects.get(account=account), field) == value


@pytest.mark.django_db
def test_bad_choice_gets_a_field_level_message(admin_client, account):
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    response = admin_client.post(url, {"sf_to_hs_create": "explode", "hs_to_sf_object": "lead"})
    assert response.status_code == 400
    assert "sf_to_hs_create" in response.context["form"].errors
    assert b"not one of the available choices" in response.content


@pytest.mark.django_db
def test_impossible_combinations_are_refused(account):
    custom = ObjectSync(account=account, object="custom", sf_object="Project",
                        direction="two_way")
    with pytest.raises(ValidationError) as err:
        custom.full_clean()
    assert set(err.value.message_dict) >= {"sf_object", "direction"}

    bad_filter = ObjectSync(account=account, object="companies", sf_object="Account2",
                            hs_filter={"field": "country", "operator": "eq", "value": ""})
    with pytest.raises(ValidationError) as err:
        bad_filter.full_clean()
    assert "hs_filter" in err.value.message_dict

    email = FieldMapping.objects.get(account=account, object="contacts", hs_property="email")
    email.sync_rule = c.SyncRule.NONE
    with pytest.raises(ValidationError) as err:
        email.full_clean()
    assert "enabled" in err.value.message_dict

    contacts = account.contacts
    contacts.direction = c.Direction.TO_HUBSPOT
    contacts.inclusion_list_id = "12"
    with pytest.raises(ValidationError):
        contacts.full_clean()


@pytest.mark.django_db
def test_changes_through_the_ui_are_audited(admin_client, account):
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    data = {f.name: f.value() for f in ContactSettingsForm(instance=account.contacts)}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["sf_deletion"] = "delete"
    response = admin_client.post(url, data)
    assert response.status_code == 302
    entry = AuditEntry.objects.get(account=account, action="change")
    assert entry.changes == {"sf_deletion": ["nothing", "delete"]}
    assert entry.user.username.startswith("admin")
    # Saving again without a change writes nothing.
    admin_client.post(url, {**data})
    assert AuditEntry.objects.filter(account=account, action="change").count() == 1
    log = admin_client.get(reverse("integration:audit", kwargs={"account_id": account.pk}))
    # The field's label and the values' labels, not their codes (issue 17, defect 5).
    from django.utils.html import escape

    from syncadmin.integration.models import ContactSettings

    html = log.content.decode()
    label = str(ContactSettings._meta.get_field("sf_deletion").verbose_name)
    rule = dict(ContactSettings._meta.get_field("sf_deletion").flatchoices)
    assert escape(label[:1].upper() + label[1:]) in html
    assert f"{escape(str(rule['nothing']))} → {escape(str(rule['delete']))}" in html
    assert "sf_deletion" not in html[html.index("<tbody>"):]


@pytest.mark.django_db
def test_user_supplied_values_are_escaped(admin_client, account):
    mapping = FieldMapping.objects.get(account=account, object="contacts", hs_property="phone")
    mapping.sf_field = "<script>alert(1)</script>"
    mapping.save()
    log = admin_client.get(reverse("integration:audit", kwargs={"account_id": account.pk}))
    assert b"<script>alert(1)</script>" not in log.content
    assert b"&lt;script&gt;" in log.content


@pytest.mark.django_db
def test_deleting_an_account_takes_its_settings_and_log_along(admin_client, account):
    mapping = FieldMapping.objects.get(account=account, object="contacts", hs_property="phone")
    mapping.delete()  # a single settings row deleted: audited
    assert AuditEntry.objects.filter(account=account, action="delete").count() == 1
    account.delete()  # the whole account: no audit row can outlive it
    assert not AuditEntry.objects.exists()
    assert not FieldMapping.objects.exists()
