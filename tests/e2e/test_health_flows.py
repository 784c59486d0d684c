"""Sync Health flows in a real browser against the REAL engine (issue 8).

Each test connects an account to fresh Salesforce and HubSpot emulators, runs syncs as
Celery jobs in a real worker process (on the test database and a per-test Redis database),
then drives the pages in Chromium. Data is arranged through the emulators' control APIs and
results are read back only through the real clients (simple-salesforce, hubspot-api-client).
Screenshots (1280×800) go to build/screenshots/flow-*.png.
"""

from __future__ import annotations

import csv
import re
from collections import Counter

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.sync.helpers import hs_contacts, sf_rows

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

JOB_TIMEOUT_MS = 20_000


def _url(live_server, name: str, account, **kw) -> str:
    return live_server.url + reverse(name, kwargs={"account_id": account.pk, **kw})


def _sign_in_admin(page, login, account, make_member) -> None:
    login(page, make_member(account, "admin").username)
    expect(page).not_to_have_url(re.compile(r"/login/"))


def _number(text: str) -> int:
    return int(text.strip().replace(",", ""))


def _sf_emails(sf_client) -> Counter:
    """Every live lead and contact in the org, counted by email (lower case)."""
    return Counter((r["Email"] or "").lower()
                   for obj in ("Contact", "Lead") for r in sf_rows(sf_client, obj))


def _hs_emails(hs_client) -> Counter:
    return Counter((c.get("email") or "").lower() for c in hs_contacts(hs_client))


def _wait_for_run_in_history(page, live_server, account, run) -> None:
    """Job history: the run's row polls itself (every 2 s) until the job is over."""
    page.goto(_url(live_server, "health:runs", account))
    row = page.locator(f"#run-{run.pk}")
    expect(row.locator(".badge")).to_have_text("Succeeded", timeout=JOB_TIMEOUT_MS)


# --- 1. Usage: "Used (24 h)" is what the Salesforce org counted; allocation refusals ----------

def test_usage_equals_the_calls_salesforce_counted_and_allocation_is_checked(
        page, login, live_server, connected, sf, hs, via_worker, make_member, screenshot_dir):
    from syncadmin.integration.models import ApiSettings

    sf.control.insert("Contact", [
        {"LastName": f"Person{i}", "FirstName": f"Use{i}", "Email": f"use{i}@example.com"}
        for i in range(3)])
    hs.control.load({"contacts": [{"email": "hsonly@example.com", "lastname": "Only"}]})
    run = via_worker(connected, "full")
    assert run.status == "succeeded", run.message
    counted = sf.control.usage()  # nothing else has called the org: only the engine
    assert counted["used"] > 0

    _sign_in_admin(page, login, connected, make_member)
    page.goto(_url(live_server, "health:dashboard", connected))
    expect(page.locator(".kpi", has=page.get_by_test_id("used"))).to_contain_text(
        "Used (24 h)")
    assert _number(page.get_by_test_id("used").inner_text()) == counted["used"]
    allocation = ApiSettings.objects.get(account=connected).allocation
    assert _number(page.get_by_test_id("remaining").inner_text()) == max(
        allocation - counted["used"], 0)
    limit = counted["limit"]
    assert _number(page.get_by_test_id("sf-limit").inner_text()) == limit
    page.screenshot(path=str(screenshot_dir / "flow-usage.png"))

    def update(value: str) -> None:
        field = page.locator("input[name=allocation]")
        if not value.lstrip("-").isdigit():
            field.evaluate("el => el.type = 'text'")  # a number field cannot hold "abc"
        field.fill(value)
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.get_by_role("button", name="Update").click()

    for value, message in [
            ("0", "The allocation must be at least 1 API call per 24 hours."),
            ("-5", "The allocation must be at least 1 API call per 24 hours."),
            ("abc", "Enter a whole number of API calls, such as 25000."),
            (str(limit + 1), f"The allocation cannot be above the Salesforce limit of "
                             f"{limit:,} calls per 24 hours.")]:
        update(value)
        expect(page.locator("#allocation-error")).to_have_text(message)
        field = page.locator("input[name=allocation]")
        # What was typed comes back (a number field shows "abc" as empty, its value stays).
        assert field.get_attribute("value") == value
        if value != "abc":
            assert field.input_value() == value
        assert ApiSettings.objects.get(account=connected).allocation == allocation
        if value == str(limit + 1):
            page.screenshot(path=str(screenshot_dir / "flow-allocation-refused.png"))

    new_value = min(limit, 12_345)
    update(str(new_value))
    expect(page.get_by_role("status")).to_have_text("Allocation updated.")
    expect(page.locator("#allocation-error")).to_have_count(0)
    assert ApiSettings.objects.get(account=connected).allocation == new_value
    assert _number(page.get_by_test_id("remaining").inner_text()) == max(
        new_value - counted["used"], 0)
    page.reload()  # saved, not only shown
    assert page.locator("input[name=allocation]").input_value() == str(new_value)
    assert _number(page.get_by_test_id("used").inner_text()) == counted["used"]
    page.screenshot(path=str(screenshot_dir / "flow-allocation-saved.png"))

    # Job history: the full sync's own count of Salesforce calls is the org's count too.
    page.get_by_role("link", name="Job history").click()
    sf_calls = page.locator(f"#run-{run.pk} td.num").first
    assert _number(sf_calls.inner_text()) == counted["used"]


# --- 2. Error card → panel → fix in Salesforce → Retry these records → card gone -------------

def test_validation_rule_card_panel_fix_and_retry(
        page, login, live_server, connected, sf, hs, sf_client, via_worker, make_member,
        screenshot_dir):
    sf.control.validation_rules([{"object": "Lead", "field": "Title", "operator": "blank",
                                  "message": "Title is required for leads"}])
    hs.control.load({"contacts": [{"email": "vip@example.com", "firstname": "Vera",
                                   "lastname": "Vip"}]})
    run = via_worker(connected, "full")
    assert run.status == "succeeded", run.message
    assert sf_rows(sf_client, "Lead") == []

    _sign_in_admin(page, login, connected, make_member)
    page.goto(_url(live_server, "health:dashboard", connected))
    card = page.locator('.error-card[data-kind="validation_rule"]')
    expect(card.get_by_test_id("errors")).to_have_text("1")
    expect(card.get_by_test_id("records")).to_have_text("1")
    card.click()
    panel = page.get_by_test_id("panel")
    expect(panel.get_by_role("heading", name="Validation rule")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/errors/validation_rule/$"))
    item = panel.locator(".error-list li")
    expect(item).to_have_count(1)
    expect(item.locator(".error-rec strong")).to_have_text("Vera Vip <vip@example.com>")
    expect(item).to_contain_text("HubSpot → Salesforce")
    expect(item.locator(".remote-msg")).to_contain_text("Title is required for leads")
    expect(panel.locator(".fix")).to_contain_text("How to fix")
    expect(panel.locator(".fix")).to_contain_text(
        "Read the rule's message, fix the record or relax the rule for the integration user.")
    expect(panel).to_contain_text("1 current error")
    page.screenshot(path=str(screenshot_dir / "flow-error-panel.png"))

    sf.control.validation_rules([])  # the admin relaxes the rule in Salesforce
    panel.get_by_role("button", name="Retry these records").click()
    expect(page.locator("#panel-notice")).to_contain_text("Retrying 1 record.")
    page.screenshot(path=str(screenshot_dir / "flow-retry-started.png"))
    # The cards poll every 2 s while the retry runs; the fixed record drops out.
    expect(card).to_have_count(0, timeout=JOB_TIMEOUT_MS)
    expect(page.locator("#cards")).to_contain_text("No sync errors.")
    # The open panel refreshes itself when the job ends: the fixed record is gone there too.
    expect(page.locator("[data-testid=panel]")).to_contain_text("0 current errors",
                                                               timeout=JOB_TIMEOUT_MS)
    page.screenshot(path=str(screenshot_dir / "flow-retry-done.png"))

    leads = sf_rows(sf_client, "Lead", "Id, Email, LastName, HubSpot_Id__c")
    assert [(r["Email"], r["LastName"]) for r in leads] == [("vip@example.com", "Vip")]
    assert leads[0]["HubSpot_Id__c"]


# --- 3. Restore records deleted in Salesforce and in HubSpot ---------------------------------

def test_resync_deleted_records_in_both_apps(
        page, login, live_server, connected, sf, hs, sf_client, hs_client, via_worker,
        make_member, screenshot_dir):
    from syncadmin.sync.models import LinkStatus, RecordLink, SyncRun

    sf.control.insert("Contact", [
        {"LastName": "Bianchi", "FirstName": "Anna", "Email": "anna@example.com",
         "Title": "CFO"},
        {"LastName": "Bruno", "FirstName": "Bea", "Email": "bea@example.com"}])
    # A HubSpot contact that a Salesforce validation rule refuses: an error card to open.
    sf.control.validation_rules([{"object": "Lead", "field": "Title", "operator": "blank",
                                  "message": "Title is required for leads"}])
    hs.control.load({"contacts": [{"email": "vip@example.com", "lastname": "Vip"}]})
    assert via_worker(connected, "full").status == "succeeded"
    emails = {"anna@example.com", "bea@example.com"}
    assert set(_hs_emails(hs_client)) == emails | {"vip@example.com"}

    anna = next(r for r in sf_rows(sf_client, "Contact") if r["Email"] == "anna@example.com")
    sf_client.Contact.delete(anna["Id"])  # contacts' sf_deletion is "Do nothing"
    assert via_worker(connected, "poll").status == "succeeded"
    bea = next(c for c in hs_contacts(hs_client) if c["email"] == "bea@example.com")
    hs_client.crm.contacts.basic_api.archive(bea["id"])
    assert via_worker(connected, "poll").status == "succeeded"
    assert "anna@example.com" not in _sf_emails(sf_client)
    assert "bea@example.com" not in _hs_emails(hs_client)
    statuses = dict(RecordLink.objects.filter(account=connected).values_list("email", "status"))
    assert statuses["anna@example.com"] == LinkStatus.DELETED_SF
    assert statuses["bea@example.com"] == LinkStatus.DELETED_HS

    _sign_in_admin(page, login, connected, make_member)
    # Salesforce: error card → panel → Actions → Resync deleted records in Salesforce.
    page.goto(_url(live_server, "health:dashboard", connected))
    page.locator('.error-card[data-kind="validation_rule"]').click()
    panel = page.get_by_test_id("panel")
    panel.locator("summary", has_text="Actions").click()
    panel.get_by_role("link", name="Resync deleted records in Salesforce").click()
    confirm = page.get_by_test_id("resync-confirm")
    expect(confirm).to_contain_text("Recreate 1 contacts deleted in Salesforce")
    page.screenshot(path=str(screenshot_dir / "flow-resync-sf-confirm.png"))
    confirm.get_by_role("button", name="Resync all").click()
    expect(page.locator("#panel-notice")).to_contain_text(
        "Restoring 1 deleted record in Salesforce.")
    sf_run = SyncRun.objects.filter(account=connected, kind="resync").latest("id")
    _wait_for_run_in_history(page, live_server, connected, sf_run)

    # HubSpot: Record view → More → Restore all deleted records → review → Restore all 1.
    page.goto(_url(live_server, "health:records", connected))
    page.locator("summary", has_text="More").click()
    page.get_by_role("link", name="Restore all deleted records").click()
    page.select_option("select[name=object]", "contacts")
    page.select_option("select[name=destination]", "hubspot")
    page.get_by_role("button", name="Review before restoring").click()
    expect(page.get_by_role("heading", name="1 record will be restored in HubSpot")).to_be_visible()
    rows = page.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("bea@example.com")
    expect(rows.first).to_contain_text("Deleted in HubSpot")
    page.screenshot(path=str(screenshot_dir / "flow-restore-review.png"))
    page.get_by_role("button", name="Restore all 1").click()
    page.wait_for_url(re.compile(r"/health/$"))  # back on Sync Health, with a message
    expect(page.get_by_role("status").first).to_have_text(
        "Restoring 1 deleted record in HubSpot.")
    hs_run = SyncRun.objects.filter(account=connected, kind="resync").latest("id")
    assert hs_run.pk != sf_run.pk and hs_run.params["destination"] == "hubspot"
    _wait_for_run_in_history(page, live_server, connected, hs_run)
    page.screenshot(path=str(screenshot_dir / "flow-resync-history.png"))

    # Both records are back on both sides, once each.
    sf_counts, hs_counts = _sf_emails(sf_client), _hs_emails(hs_client)
    for email in emails:
        assert sf_counts[email] == 1, sf_counts
        assert hs_counts[email] == 1, hs_counts
    assert hs_counts["vip@example.com"] == 1 and "vip@example.com" not in sf_counts
    restored = {r["Email"]: r for r in sf_rows(
        sf_client, "Contact", "Id, Email, FirstName, Title, HubSpot_Id__c")}
    assert (restored["anna@example.com"]["FirstName"],
            restored["anna@example.com"]["Title"]) == ("Anna", "CFO")
    by_mail = {c["email"]: c for c in hs_contacts(hs_client)}
    for email in emails:  # the two sides point at each other again
        assert restored[email]["HubSpot_Id__c"] == by_mail[email]["id"]
        assert by_mail[email]["salesforce_id"] == restored[email]["Id"]


# --- 4. Record view → More → Export (CSV, XLSX) → download ------------------------------------

def test_export_records_as_csv_and_xlsx(
        page, login, live_server, connected, sf, via_worker, make_member, screenshot_dir,
        tmp_path):
    from openpyxl import load_workbook

    people = [{"LastName": f"Person{i}", "FirstName": f"Exp{i}", "Email": f"exp{i}@example.com"}
              for i in range(4)]
    sf.control.insert("Contact", people)
    assert via_worker(connected, "full").status == "succeeded"
    emails = {p["Email"] for p in people}

    _sign_in_admin(page, login, connected, make_member)
    page.goto(_url(live_server, "health:records", connected))
    expect(page.locator("#record-table")).to_contain_text("4 records")

    files = {}
    for fmt in ("csv", "xlsx"):
        page.locator("summary", has_text="More").click()
        page.get_by_role("button", name=f"Export ({fmt.upper()})").click()
        page.wait_for_load_state()
        expect(page.get_by_role("status").first).to_contain_text("Export started")
        export = page.locator(".exports li").first  # the newest export
        expect(export).to_contain_text(f"Export {fmt.upper()}")
        link = export.get_by_test_id("download")
        expect(link).to_have_text("Download (4 records)", timeout=JOB_TIMEOUT_MS)
        with page.expect_download() as info:
            link.click()
        download = info.value
        assert download.suggested_filename.endswith(f".{fmt}")
        files[fmt] = tmp_path / download.suggested_filename
        download.save_as(files[fmt])
    page.screenshot(path=str(screenshot_dir / "flow-export.png"))

    with files["csv"].open(newline="", encoding="utf-8") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert {r["Email"] for r in csv_rows} == emails and len(csv_rows) == 4
    assert {r["Sync status"] for r in csv_rows} == {"In sync"}
    assert all(r["HubSpot ID"] and r["Salesforce ID"] for r in csv_rows)

    sheet = load_workbook(files["xlsx"], read_only=True)["Records"]
    header, *xlsx_rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    as_dicts = [dict(zip(header, r, strict=True)) for r in xlsx_rows]
    assert {r["Email"] for r in as_dicts} == emails and len(as_dicts) == 4
    assert sorted((r["Email"], r["HubSpot ID"], r["Salesforce ID"]) for r in as_dicts) == sorted(
        (r["Email"], r["HubSpot ID"], r["Salesforce ID"]) for r in csv_rows)
