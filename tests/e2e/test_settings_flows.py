"""The settings flows in Chromium with the real engine: connecting a sandbox org and a HubSpot
portal through the emulators' own OAuth pages, the Advanced setup wizard through to a finished
initial sync run by a real Celery worker, and a Contacts-tab change that persists and shows in
the audit log. Results on the remote side are read only through simple-salesforce and
hubspot-api-client. Screenshots (1280×800) go to build/screenshots/flow-settings-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.sync.helpers import hs_contacts, people, sf_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def https_page(browser) -> Iterator:
    """A page whose context accepts the emulators' local CA (their login and consent pages
    are HTTPS with a certificate Chromium does not know; the live server itself is http)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US",
                                  ignore_https_errors=True)
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()


def _url(live_server, name, account, **kw):
    return live_server.url + reverse(name, kwargs={"account_id": account.pk, **kw})


def _shot(page, screenshot_dir: Path, slug: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"flow-settings-{slug}.png"))


def test_connect_a_sandbox_org_and_a_hubspot_portal_through_the_oauth_pages(
        https_page, login, live_server, account, make_member, sf, hs, settings, tmp_path,
        screenshot_dir):
    page = https_page
    bundle = tmp_path / "ca-bundle.pem"
    bundle.write_text(Path(sf.ca_file).read_text() + Path(hs.ca_file).read_text())
    settings.REMOTE_CA_FILE = str(bundle)  # the account has no CA of its own yet
    settings.SALESFORCE_CLIENT_ID = sf.client_id
    settings.SALESFORCE_CLIENT_SECRET = sf.client_secret
    settings.SALESFORCE_LOGIN_URL = sf.login_url
    settings.SALESFORCE_SANDBOX_LOGIN_URL = sf.sandbox_login_url
    settings.HUBSPOT_CLIENT_ID, settings.HUBSPOT_CLIENT_SECRET = hs.client_id, hs.client_secret
    settings.HUBSPOT_AUTH_URL = hs.url + "/oauth/authorize"
    settings.HUBSPOT_API_HOST = hs.url

    login(page, make_member(account, "admin", username="ann").username)
    page.goto(_url(live_server, "integration:contacts", account))
    header = page.locator(".integration-header")
    expect(header).to_contain_text("No Salesforce org is connected yet.")
    header.get_by_role("link", name="Connect Salesforce").click()
    page.wait_for_url("**/connect/")
    # Ticking the sandbox box reloads the page (data-autosubmit) with the sandbox login link.
    with page.expect_navigation():
        page.get_by_label("Yes, this will connect to a sandbox").check()
    assert page.get_by_label("Yes, this will connect to a sandbox").is_checked()
    _shot(page, screenshot_dir, "connect-sandbox-ticked")
    page.locator("#sf-login").click()
    page.wait_for_url(sf.sandbox_login_url + "/services/oauth2/authorize?**")
    assert page.url.startswith(sf.sandbox_login_url + "/services/oauth2/authorize?")
    assert not page.url.startswith(sf.login_url)
    expect(page.locator("h1")).to_have_text("Salesforce Sandbox login (emulator)")
    _shot(page, screenshot_dir, "sf-sandbox-login")
    page.fill("input[name=username]", sf.username)
    page.fill("input[name=password]", sf.password)
    page.get_by_role("button", name="Log in and Allow").click()
    page.wait_for_url(live_server.url + "/**")
    expect(page.get_by_text(f"Salesforce is connected as {sf.username}.")).to_be_visible()
    # Sync is not on yet, so the app continues with the setup wizard.
    assert page.url.endswith(reverse("integration:setup", kwargs={"account_id": account.pk}))

    page.goto(_url(live_server, "integration:contacts", account))
    header = page.locator(".integration-header")
    expect(header.locator(".ih-user")).to_contain_text(sf.username)
    expect(header.locator(".ih-user code")).to_have_text(sf.org.org_id)
    expect(header.locator(".badge.warn")).to_have_text("Sandbox")
    _shot(page, screenshot_dir, "header-connected")
    account.refresh_from_db()
    assert (account.sf_org_id, account.sf_is_sandbox, account.sf_login_url) == (
        sf.org.org_id, True, sf.sandbox_login_url)

    # HubSpot: Actions → Connect HubSpot → the emulator's consent page → back.
    header.locator("details.menu summary").click()
    header.get_by_role("link", name="Connect HubSpot").click()
    page.wait_for_url("**/connect/")
    page.locator("#hs-login").click()
    page.wait_for_url(hs.url + "/oauth/authorize?**")
    expect(page.locator("h1")).to_have_text(f"Connect HubSpot portal {hs.portal_id}")
    _shot(page, screenshot_dir, "hs-consent")
    page.get_by_role("button", name="Grant access").click()
    page.wait_for_url(_url(live_server, "accounts:connect", account))
    expect(page.get_by_text(f"HubSpot portal {hs.portal_id} is connected.")).to_be_visible()
    hs_card = page.locator("section.card", has=page.get_by_role("heading", name="HubSpot"))
    expect(hs_card.locator(".badge.ok")).to_have_text("Connected")
    expect(hs_card.locator("code")).to_have_text(str(hs.portal_id))
    _shot(page, screenshot_dir, "connected-both")
    account.refresh_from_db()
    assert account.hubspot_portal_id == str(hs.portal_id)
    assert account.credentials.hs_access_token and account.credentials.sf_access_token


def test_advanced_wizard_runs_the_initial_sync_with_a_real_worker(
        page, login, live_server, connected, make_member, sf, hs, sf_client, hs_client,
        celery_worker_process, screenshot_dir):
    account = connected
    account.sync_enabled = False  # freshly connected: sync starts when setup is finished
    account.save(update_fields=["sync_enabled"])
    sf.control.insert("Contact", people("Sfonly", 3))
    hs.control.load({"contacts": [{"email": p["Email"], "firstname": p["FirstName"],
                                   "lastname": p["LastName"]} for p in people("Hubonly", 2)]})
    celery_worker_process.start()
    login(page, make_member(account, "admin", username="ann").username)

    page.goto(_url(live_server, "integration:setup", account))
    page.get_by_text("Advanced setup").click()
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/setup/contacts/")
    page.select_option("select[name=inclusion_list_id]", "")
    expect(page.locator("select[name=inclusion_list_id] option:checked")).to_have_text(
        "All contacts")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/setup/activities/")
    row = page.locator("tr", has_text="Form submissions")
    row.locator("input[name=sync-form_submission]").check(force=True)
    row.locator("select[name=type-form_submission]").select_option("Call")
    _shot(page, screenshot_dir, "wizard-activities")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/setup/objects/")
    page.select_option("select[name=rule-phone]", "two_way")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/setup/objects/companies/")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/setup/objects/deals/")
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/setup/review/")
    review = page.locator(".wizard")
    expect(review).to_contain_text("All contacts")
    expect(review).to_contain_text("Form submissions")
    expect(review.locator("p.small").first).to_contain_text("phone: Two-way")
    _shot(page, screenshot_dir, "wizard-review")

    # HubSpot answers the sync's first CRM call with a 429 (Retry-After: 3 s), as a busy portal
    # does: the engine waits and carries on, so the running job stays visible for a moment.
    hs.control.faults([{"path": "/crm/*", "p429": 1.0, "times": 1, "retry_after": 3}])
    page.get_by_role("button", name="Finish setup and begin syncing").click()
    page.wait_for_url(_url(live_server, "health:dashboard", account))
    expect(page.get_by_text("Setup finished: the initial sync has started.")).to_be_visible()
    _shot(page, screenshot_dir, "health-after-finish")
    # The job's progress bar is on Sync Health → Job history; its row polls (htmx) until the
    # job ends, then shows the outcome without a reload.
    page.locator("nav.subnav").get_by_role("link", name="Job history").click()
    page.wait_for_url(_url(live_server, "health:runs", account))
    run_row = page.locator("tbody tr", has_text="Initial / full sync")
    expect(run_row.locator("progress")).to_be_visible()
    expect(run_row.locator(".badge")).to_have_text(re.compile("Queued|Running"))
    _shot(page, screenshot_dir, "job-history-running")
    expect(run_row.locator(".badge")).to_have_text("Succeeded", timeout=20_000)
    expect(run_row.locator("progress")).to_have_count(0)
    expect(run_row).to_contain_text("created 5")
    assert hs.control.usage()["rejected"] == 1  # the one injected 429, waited out
    _shot(page, screenshot_dir, "job-history-finished")

    from syncadmin.integration.models import FieldMapping, TimelineEventSetting

    account.refresh_from_db()
    assert account.sync_enabled
    ev = TimelineEventSetting.objects.get(account=account, event="form_submission")
    assert ev.enabled and ev.sf_task_type == "Call"
    assert FieldMapping.objects.get(account=account, object="contacts",
                                    hs_property="phone").sync_rule == "two_way"
    # Both sides, read back through the real clients.
    hs_emails = {(c.get("email") or "").lower() for c in hs_contacts(hs_client)}
    sf_emails = {(r["Email"] or "").lower() for obj in ("Contact", "Lead")
                 for r in sf_rows(sf_client, obj)}
    seeded = {p["Email"] for p in people("Sfonly", 3) + people("Hubonly", 2)}
    assert seeded <= hs_emails
    assert seeded <= sf_emails


def test_contacts_setting_change_persists_and_shows_in_the_audit_log(
        page, login, live_server, account, make_member, screenshot_dir):
    login(page, make_member(account, "admin", username="ann").username)
    page.goto(_url(live_server, "integration:contacts", account))
    select = page.locator("select[name=sf_picklist_mode]")
    before = select.input_value()
    assert before != "customized"
    before_label = select.locator("option:checked").inner_text().strip()
    select.select_option("customized")
    page.locator('[data-unit="sf_picklist_mode"]').get_by_text("Saved").wait_for()
    after_label = select.locator("option:checked").inner_text().strip()
    page.reload()
    assert page.locator("select[name=sf_picklist_mode]").input_value() == "customized"
    _shot(page, screenshot_dir, "contacts-persisted")

    page.locator("nav.tabs").get_by_role("link", name="Audit log").click()
    page.wait_for_url("**/audit/")
    # The field's label and the values' labels, with the object (issue 17, defect 5).
    row = page.locator("tbody tr", has_text="Salesforce state/country picklists").first
    expect(row.locator("td").nth(1)).to_have_text("ann")
    expect(row.locator("td").nth(2)).to_have_text("Contacts")
    change = row.locator("td").nth(4)
    text = change.inner_text()
    assert "→" in text and "sf_picklist_mode" not in text
    old, new = (s.strip() for s in text.split(":", 1)[1].split("→"))
    assert old == before_label and new == after_label, text
    _shot(page, screenshot_dir, "audit-log")
