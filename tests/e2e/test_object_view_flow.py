"""The seed's flow for deleted records (issue 17, H6; data-sync-connect-and-use.it.txt):
Object view → the number in the Failed column → a right-hand panel listing those records →
Actions → "Resync deleted records in HubSpot" → "Resync all", in Chromium against the real
engine and a real worker. Results are read back through hubspot-api-client."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.sync.helpers import hs_contacts

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_failed_number_opens_the_panel_and_its_actions_resync_deleted_records(
        page, login, live_server, connected, sf, hs_client, via_worker, make_member,
        screenshot_dir):
    from syncadmin.sync.models import LinkStatus, RecordLink, SyncRun

    sf.control.insert("Contact", [{"LastName": f"P{i}", "Email": f"p{i}@example.com"}
                                  for i in range(3)])
    assert via_worker(connected, "full").status == "succeeded"
    gone = next(c for c in hs_contacts(hs_client) if c["email"] == "p1@example.com")
    hs_client.crm.contacts.basic_api.archive(gone["id"])
    assert via_worker(connected, "poll").status == "succeeded"
    assert RecordLink.objects.get(account=connected, email="p1@example.com"
                                  ).status == LinkStatus.DELETED_HS

    login(page, make_member(connected, "admin").username)
    page.goto(live_server.url + reverse("health:objects", kwargs={"account_id": connected.pk}))
    row = page.locator('tr[data-object="contacts"]')
    expect(row.get_by_test_id("failed")).to_have_text("1")  # deleted on one side = failed
    row.get_by_test_id("failed").click()

    panel = page.get_by_test_id("failed-panel")
    expect(panel).to_be_visible()
    expect(page).to_have_url(re.compile(r"/objects/contacts/failed/$"))  # reload and back work
    expect(panel.get_by_test_id("failed-record")).to_have_count(1)
    expect(panel.get_by_test_id("failed-record")).to_contain_text("Deleted in HubSpot")
    panel.locator("summary", has_text="Actions").click()
    action = panel.get_by_role("link", name="Resync deleted records in HubSpot (1)")
    expect(action).to_be_visible()  # not clipped by the panel (defect 10)
    page.screenshot(path=str(screenshot_dir / "flow-object-view-failed-panel.png"))
    action.click()
    confirm = page.get_by_test_id("resync-confirm")
    expect(confirm).to_contain_text("Recreate 1 contacts deleted in HubSpot")
    confirm.get_by_role("button", name="Resync all").click()
    expect(page.locator("#failed-notice")).to_contain_text("Restoring 1 deleted record in HubSpot.")

    run = SyncRun.objects.filter(account=connected, kind="resync").latest("id")
    page.goto(live_server.url + reverse("health:runs", kwargs={"account_id": connected.pk}))
    expect(page.locator(f"#run-{run.pk} .badge")).to_have_text("Succeeded", timeout=20_000)
    emails = sorted(c["email"] for c in hs_contacts(hs_client))
    assert emails == ["p0@example.com", "p1@example.com", "p2@example.com"]

    # A reload of the panel's own URL shows the page with the panel open, now empty.
    page.goto(live_server.url + reverse("health:object_failed", kwargs={
        "account_id": connected.pk, "object": "contacts"}))
    expect(page.get_by_test_id("failed-panel")).to_contain_text("No failed records.")
    assert page.request.get(live_server.url + reverse("health:object_failed", kwargs={
        "account_id": connected.pk, "object": "nope"})).status == 404


def test_export_takes_the_filters_chosen_on_the_page(page, login, live_server, account,
                                                     make_member):
    """Issue 17, defect 4: filters changed after the page loaded (htmx) reach the export."""
    from syncadmin.sync.models import SyncRun

    login(page, make_member(account, "admin").username)
    page.goto(live_server.url + reverse("health:records", kwargs={"account_id": account.pk}))
    with page.expect_response(re.compile(r"/records/\?.*status=failed")):
        page.select_option("select[name=status]", "failed")
    with page.expect_response(re.compile(r"/records/\?.*period=24h")):
        page.select_option("select[name=period]", "24h")
    page.locator("summary", has_text="More").click()
    page.get_by_role("button", name="Export (CSV)").click()
    page.wait_for_load_state()
    run = SyncRun.objects.filter(account=account, kind="export").latest("id")
    assert run.params["filters"] == {"object": "", "status": "failed", "period": "24h"}
