"""Field mappings (add with type check, toggle, dry run), the setup wizard, header actions."""

import time

import pytest
from django.urls import reverse

from syncadmin.audit.models import AuditEntry
from syncadmin.integration.models import (
    FieldMapping,
    ObjectSync,
    SfActivitySetting,
    TimelineEventSetting,
)

HX = {"HTTP_HX_REQUEST": "true"}


def _add_url(account, obj="contacts"):
    return reverse("integration:mapping_add", kwargs={"account_id": account.pk, "object": obj})


@pytest.mark.django_db
def test_mapping_add_refuses_an_incompatible_type_with_the_reason(admin_client, account):
    data = {"hs_property": "hs_email_optout", "sf_field": "FirstName", "sync_rule": "prefer_sf",
            "conflict_app": "salesforce", "enabled": "on"}
    response = admin_client.post(_add_url(account), data, **HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert "cannot sync with a HubSpot checkbox property" in body
    assert not FieldMapping.objects.filter(account=account, hs_property="hs_email_optout").exists()
    ref = admin_client.post(_add_url(account), {**data, "hs_property": "mobilephone",
                                                "sf_field": "AccountId"})
    assert ref.status_code == 400 and b"reference (lookup)" in ref.content


@pytest.mark.django_db
def test_mapping_add_saves_a_compatible_pair(admin_client, account):
    data = {"hs_property": "mobilephone", "sf_field": "MobilePhone", "sync_rule": "two_way",
            "conflict_app": "hubspot", "enabled": "on"}
    response = admin_client.post(_add_url(account), data, **HX)
    assert response.status_code == 204
    assert response["HX-Redirect"].endswith("/mappings/contacts/")
    m = FieldMapping.objects.get(account=account, object="contacts", hs_property="mobilephone")
    assert (m.sf_field, m.custom, m.conflict_app, m.field_type) == (
        "MobilePhone", True, "hubspot", "text")
    again = admin_client.post(_add_url(account), data, **HX)
    assert again.status_code == 422 and b"already mapped" in again.content
    page = admin_client.get(reverse("integration:mappings", kwargs={
        "account_id": account.pk, "object": "contacts"}))
    assert b"mobilephone" in page.content and b'class="req"' in page.content


@pytest.mark.django_db
def test_mapping_panel_lists_the_builtin_catalogue(admin_client, account):
    panel = admin_client.get(_add_url(account, "deals"), **HX)
    body = panel.content.decode()
    assert "side-panel" in body and "<html" not in body
    assert 'value="Amount"' in body and 'value="dealstage"' in body


@pytest.mark.django_db
def test_mapping_toggle_and_required_refusal(admin_client, account):
    phone = FieldMapping.objects.get(account=account, object="contacts", hs_property="phone")
    url = reverse("integration:mapping_toggle", kwargs={"account_id": account.pk, "pk": phone.pk})
    r = admin_client.post(url, {}, **HX)
    assert r.status_code == 200 and b"Saved" in r.content
    phone.refresh_from_db()
    assert not phone.enabled
    assert AuditEntry.objects.filter(account=account, action="change").count() == 1
    email = FieldMapping.objects.get(account=account, object="contacts", hs_property="email")
    url = reverse("integration:mapping_toggle", kwargs={"account_id": account.pk, "pk": email.pk})
    r = admin_client.post(url, {}, **HX)
    assert r.status_code == 422 and b"required" in r.content
    email.refresh_from_db()
    assert email.enabled


@pytest.mark.django_db
def test_rule_change_to_always_use_salesforce_shows_a_dry_run(admin_client, account):
    from syncadmin.sync.models import RecordLink

    RecordLink.objects.create(account=account, object="contacts", hs_id="1", sf_id="003X",
                              sf_object="Contact", label="ann@x.io",
                              snapshot={"email": "ann@x.io", "phone": ""})
    phone = FieldMapping.objects.get(account=account, object="contacts", hs_property="phone")
    url = reverse("integration:mapping_edit", kwargs={"account_id": account.pk, "pk": phone.pk})
    data = {"sync_rule": "always_sf", "conflict_app": "salesforce", "enabled": "on"}
    preview = admin_client.post(url, data, **HX)
    assert b"Dry run" in preview.content and b"ann@x.io" in preview.content
    phone.refresh_from_db()
    assert phone.sync_rule == "prefer_sf"
    applied = admin_client.post(url, {**data, "confirm": "on"}, **HX)
    assert applied.status_code == 204
    phone.refresh_from_db()
    assert phone.sync_rule == "always_sf"


@pytest.mark.django_db(transaction=True)
def test_wizard_advanced_path_end_to_end(admin_client, connected, sf, hs, sf_client, hs_client,
                                         celery_worker_process):
    """The real start_initial_sync: the job goes through Redis to a worker process."""
    from syncadmin.sync.models import SyncRun
    from tests.sync.helpers import hs_contacts, people, sf_rows

    account = connected
    account.sync_enabled = False  # freshly connected: finishing setup turns sync on
    account.save(update_fields=["sync_enabled"])
    sf.control.insert("Contact", people("Sf", 2))
    hs.control.load({"contacts": [{"email": "hub0@example.com", "lastname": "Hub"}]})
    celery_worker_process.start()
    u = lambda name, **kw: reverse(f"integration:{name}",  # noqa: E731
                                   kwargs={"account_id": account.pk, **kw})
    assert admin_client.post(u("setup"), {"path": "advanced"})["Location"] == u("setup_contacts")
    r = admin_client.post(u("setup_contacts"), {"inclusion_list_id": "9",
                                                "sf_to_hs_create": "create_update"})
    assert r["Location"] == u("setup_activities")
    r = admin_client.post(u("setup_activities"), {
        "sf_task_sync": "on", "sync-form_submission": "on", "type-form_submission": "Call"})
    assert r["Location"] == u("setup_objects")
    r = admin_client.post(u("setup_objects"), {"rule-firstname": "always_sf",
                                               "rule-email": "two_way"})
    assert r["Location"] == u("setup_objects_tab", object="companies")
    r = admin_client.post(u("setup_objects_tab", object="companies"), {"enabled": "on"})
    assert r["Location"] == u("setup_objects_tab", object="deals")
    r = admin_client.post(u("setup_objects_tab", object="deals"), {})
    assert r["Location"] == u("setup_review")
    # Reload and "Change" keep the state.
    review = admin_client.get(u("setup_review"))
    assert b"List 9" in review.content and b"Form submissions" in review.content
    assert b"Finish setup and begin syncing" in review.content
    r = admin_client.post(u("setup_contacts") + "?next=review",
                          {"inclusion_list_id": "", "sf_to_hs_create": "create_update"})
    assert r["Location"] == u("setup_review")
    assert b"All contacts" in admin_client.get(u("setup_review")).content
    done = admin_client.post(u("setup_finish"))
    assert done.status_code == 302
    assert done["Location"] == reverse("health:dashboard", kwargs={"account_id": account.pk})
    account.refresh_from_db()
    assert account.sync_enabled
    run = SyncRun.objects.get(account=account)
    assert run.kind == SyncRun.Kind.FULL
    deadline = time.monotonic() + 30
    while not run.finished_at and time.monotonic() < deadline:
        time.sleep(0.2)
        run.refresh_from_db()
    assert run.status == "succeeded", (run.status, run.message)
    emails = {"sf0@example.com", "sf1@example.com", "hub0@example.com"}
    assert emails <= {(c.get("email") or "").lower() for c in hs_contacts(hs_client)}
    assert emails <= {(r["Email"] or "").lower() for obj in ("Contact", "Lead")
                      for r in sf_rows(sf_client, obj)}
    assert SfActivitySetting.objects.get(account=account, kind="tasks").enabled
    ev = TimelineEventSetting.objects.get(account=account, event="form_submission")
    assert ev.enabled and ev.sf_task_type == "Call"
    assert ObjectSync.objects.get(account=account, object="companies").enabled
    assert not ObjectSync.objects.get(account=account, object="deals").enabled
    rules = dict(FieldMapping.objects.filter(account=account, object="contacts")
                 .values_list("hs_property", "sync_rule"))
    assert rules["firstname"] == "always_sf" and rules["email"] == "two_way"
    assert AuditEntry.objects.filter(account=account, target__startswith="Setup finished").exists()


@pytest.mark.django_db
def test_wizard_recommended_path_and_shared_org_warning(admin_client, account, other_account):
    account.sf_org_id = other_account.sf_org_id = "00D000000000001"
    account.save()
    other_account.save()
    u = lambda name: reverse(f"integration:{name}",  # noqa: E731
                             kwargs={"account_id": account.pk})
    start = admin_client.get(u("setup"))
    assert b"same Salesforce org" in start.content
    r = admin_client.post(u("setup"), {"path": "recommended"})
    assert r["Location"] == u("setup_review")
    review = admin_client.get(u("setup_review"))
    assert b"Do nothing" in review.content  # A6: no automatic contact creation


@pytest.mark.django_db
def test_viewer_cannot_run_the_wizard(viewer_client, account):
    url = reverse("integration:setup", kwargs={"account_id": account.pk})
    assert viewer_client.post(url, {"path": "recommended"}).status_code == 403
    url = reverse("integration:setup_finish", kwargs={"account_id": account.pk})
    assert viewer_client.post(url).status_code == 403


@pytest.mark.django_db
def test_turn_off_sync_needs_confirmation_and_is_audited(admin_client, account):
    account.sync_enabled = True
    account.save()
    url = reverse("integration:sync_off", kwargs={"account_id": account.pk})
    page = admin_client.get(url)
    assert b"Turn off sync?" in page.content
    account.refresh_from_db()
    assert account.sync_enabled  # a GET changes nothing
    admin_client.post(url)
    account.refresh_from_db()
    assert not account.sync_enabled
    assert AuditEntry.objects.filter(account=account, target="Sync turned off").exists()
    admin_client.post(reverse("integration:sync_on", kwargs={"account_id": account.pk}))
    account.refresh_from_db()
    assert account.sync_enabled


@pytest.mark.django_db
def test_delete_connection_needs_the_typed_account_name(admin_client, account):
    account.sf_org_id, account.sf_instance_url, account.sf_username = "00D1", "https://x", "u@x"
    account.save()
    creds = account.credentials
    creds.sf_access_token = "tok-123456789"
    creds.save()
    url = reverse("integration:connection_delete", kwargs={"account_id": account.pk})
    wrong = admin_client.post(url, {"confirm_name": "acme"})
    assert wrong.status_code == 400 and b"exactly" in wrong.content
    account.refresh_from_db()
    assert account.sf_org_id == "00D1"
    assert admin_client.post(url, {"confirm_name": "Acme"}).status_code == 302
    account.refresh_from_db()
    account.credentials.refresh_from_db()
    assert (account.sf_org_id, account.sf_instance_url, account.credentials.sf_access_token) == (
        "", "", "")
    assert FieldMapping.objects.filter(account=account).exists()  # nothing else lost
