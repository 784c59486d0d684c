"""The settings tabs in a real browser: autosave, mapping refusal, viewer, language, screenshots."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db):
    from syncadmin.accounts.models import Account

    return Account.objects.create(name="Acme")


def _url(live_server, name, account, **kw):
    return live_server.url + reverse(name, kwargs={"account_id": account.pk, **kw})


def test_contacts_setting_autosaves_and_shows_saved(page, login, live_server, acme, make_member):
    login(page, make_member(acme, "admin", username="ann").username)
    page.goto(_url(live_server, "integration:contacts", acme))
    page.select_option("select[name=sf_picklist_mode]", "customized")
    unit = page.locator('[data-unit="sf_picklist_mode"]')
    unit.get_by_text("Saved").wait_for()
    acme.contacts.refresh_from_db()
    assert acme.contacts.sf_picklist_mode == "customized"
    # The lead warning follows the HubSpot → Salesforce choice.
    page.select_option("select[name=hs_to_sf_object]", "contact")
    page.locator('[data-unit="hs_to_sf_object"]').get_by_text("Saved").wait_for()
    assert "duplicate company" not in page.locator('[data-unit="hs_to_sf_object"]').inner_text()
    # Reload keeps the tab and the value.
    page.reload()
    assert page.locator("select[name=hs_to_sf_object]").input_value() == "contact"
    assert page.locator('nav.tabs a[aria-current="page"]').inner_text() == "Contacts"


def test_custom_mapping_with_incompatible_type_is_refused(page, login, live_server, acme,
                                                         make_member):
    login(page, make_member(acme, "admin", username="ann").username)
    page.goto(_url(live_server, "integration:mappings", acme, object="contacts"))
    page.get_by_role("link", name="+ Add mapping").click()
    panel = page.locator(".side-panel")
    panel.wait_for()
    assert "/mappings/contacts/add/" in page.url  # the panel has its own URL
    panel.locator("select[name=hs_property]").select_option("hs_email_optout")
    panel.locator("select[name=sf_field]").select_option("FirstName")
    panel.get_by_role("button", name="Save").click()
    # The contact field and the lead field (same name by default) are both refused.
    page.get_by_text("cannot sync with a HubSpot checkbox property").first.wait_for()
    from syncadmin.integration.models import FieldMapping

    assert not FieldMapping.objects.filter(account=acme, hs_property="hs_email_optout").exists()
    panel = page.locator(".side-panel")
    panel.locator("select[name=sf_field]").select_option("HasOptedOutOfEmail")
    panel.get_by_role("button", name="Save").click()
    page.wait_for_url("**/mappings/contacts/")
    page.get_by_text("hs_email_optout", exact=True).wait_for()
    assert FieldMapping.objects.filter(account=acme, hs_property="hs_email_optout").exists()


def test_viewer_cannot_change_anything(page, login, live_server, acme, make_member):
    login(page, make_member(acme, "viewer", username="vic").username)
    for name, kw in [("integration:contacts", {}), ("integration:companies", {}),
                     ("integration:activities", {}),
                     ("integration:mappings", {"object": "contacts"})]:
        page.goto(_url(live_server, name, acme, **kw))
        controls = page.locator("main select, main input[type=checkbox], main input[type=text]")
        assert controls.count() > 0
        for i in range(controls.count()):
            assert controls.nth(i).is_disabled(), (name, i)
    assert page.get_by_role("link", name="+ Add mapping").count() == 0


def test_switching_to_italian_translates_the_contacts_tab(page, login, live_server, acme,
                                                          make_member):
    login(page, make_member(acme, "admin", username="ann").username)
    page.goto(_url(live_server, "integration:contacts", acme))
    with page.expect_navigation():
        page.select_option("select#lang", "it")
    page.goto(_url(live_server, "integration:contacts", acme))
    page.get_by_text("Creazione e aggiornamento dei contatti").wait_for()
    assert page.locator("html").get_attribute("lang") == "it"
    assert page.locator('nav.tabs a[aria-current="page"]').inner_text() == "Contatti"


TABS = [
    ("features", "integration:features", {}),
    ("contacts", "integration:contacts", {}),
    ("companies", "integration:companies", {}),
    ("deals", "integration:deals", {}),
    ("tickets", "integration:tickets", {}),
    ("custom-objects", "integration:custom_objects", {}),
    ("activities", "integration:activities", {}),
    ("mappings-contacts", "integration:mappings", {"object": "contacts"}),
    ("mapping-add-panel", "integration:mapping_add", {"object": "deals"}),
    ("audit", "integration:audit", {}),
    ("setup-start", "integration:setup", {}),
    ("setup-activities", "integration:setup_activities", {}),
    ("setup-objects", "integration:setup_objects", {}),
    ("setup-review", "integration:setup_review", {}),
    ("sync-off", "integration:sync_off", {}),
    ("connect", "accounts:connect", {}),
]


def test_screenshots_of_every_tab(page, login, live_server, acme, make_member, screenshot_dir):
    from syncadmin.integration.models import ObjectSync

    acme.sf_org_id, acme.sf_user_name, acme.sf_username = (
        "00D5g000001AbCdEAK", "Integration User", "integration@acme.example")
    acme.sf_instance_url, acme.sf_is_sandbox, acme.sync_enabled = "https://x", True, True
    acme.save()
    ObjectSync.objects.create(account=acme, object="custom", sf_object="Project__c",
                              hs_object="projects", direction="to_hubspot")
    login(page, make_member(acme, "admin", username="ann").username)
    for slug, name, kw in TABS:
        page.goto(_url(live_server, name, acme, **kw))
        page.screenshot(path=str(screenshot_dir / f"settings-{slug}.png"))
    page.goto(_url(live_server, "integration:contacts", acme))
    page.locator("details.menu summary").click()
    page.screenshot(path=str(screenshot_dir / "settings-actions-menu.png"))
