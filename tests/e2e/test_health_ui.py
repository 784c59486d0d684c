"""Sync Health in a real browser: usage numbers from the ledger, allocation refusals, the
error panel, the object/record views and job history. Saves screenshots (1280×800)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def acme(transactional_db):
    from syncadmin.accounts.models import Account
    from syncadmin.sync.models import RecordLink, SyncError, SyncRun
    from syncadmin.usage.ledger import DbLedger
    from syncadmin.usage.models import OrgLimit

    account = Account.objects.create(name="Acme", sf_instance_url="https://acme.my.salesforce.com",
                                     hubspot_portal_id="4242")
    now = dt.datetime.now(dt.UTC)
    ledger = DbLedger(account)
    # 24 hours of calls with a busier afternoon, plus older days for the 7-day chart.
    for hours_ago in range(0, 24 * 7):
        at = now - dt.timedelta(hours=hours_ago, minutes=7)
        calls = 40 + (hours_ago * 37) % 90 + (120 if hours_ago < 3 else 0)
        ledger.record("salesforce", "/services/data/v60.0/composite", at.timestamp(), n=calls)
        ledger.record("hubspot", "/crm/v3/objects/contacts/batch/upsert", at.timestamp(), n=5)
    OrgLimit.objects.create(account=account, used=31_250, max=100_000)
    names = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov",
             "Ken Thompson", "Margaret Hamilton", "Donald Knuth", "Frances Allen", "John Backus"]
    links = RecordLink.objects.bulk_create([
        RecordLink(account=account, object=["contacts", "contacts", "companies", "deals"][i % 4],
                   hs_id=str(1000 + i), sf_id=f"003Hs00000{i:08d}", label=names[i % 10],
                   email=f"{names[i % 10].split()[0].lower()}{i}@example.com",
                   status="in_sync" if i % 9 else "excluded",
                   excluded_reason="" if i % 9 else "no_email" if i % 4 < 2 else "filtered",
                   synced_at=now - dt.timedelta(minutes=i))
        for i in range(60)
    ])
    RecordLink.objects.bulk_create([
        RecordLink(account=account, object="contacts", hs_id=str(5000 + i), label=f"Gone {i}",
                   status="deleted_hs") for i in range(3)])
    specs = [("picklist_value", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
              "Country: bad value for restricted picklist field: Italia"),
             ("invalid_email", "INVALID_EMAIL_ADDRESS", "Email: invalid email address: ada@"),
             ("required_field", "REQUIRED_FIELD_MISSING", "Required fields are missing: [Company]")]
    errors = []
    for i, lnk in enumerate(links[:18]):
        kind, code, msg = specs[i % 3]
        errors.append(SyncError(account=account, link=lnk, object=lnk.object, kind=kind,
                                direction="to_sf" if i % 2 else "to_hs", record_label=lnk.label,
                                hs_id=lnk.hs_id, sf_id=lnk.sf_id, code=code, message=msg))
    errors.append(SyncError(account=account, link=links[0], object="contacts",
                            kind="invalid_email", direction="to_sf", record_label=links[0].label,
                            hs_id=links[0].hs_id, sf_id=links[0].sf_id,
                            code="INVALID_EMAIL_ADDRESS", message="Email: invalid email address"))
    SyncError.objects.bulk_create(errors)
    SyncRun.objects.create(account=account, kind="poll", status="succeeded", sf_calls=3,
                           hs_calls=2, finished_at=now,
                           counts={"contacts": {"to_hs": {"created": 4, "updated": 9}}})
    SyncRun.objects.create(account=account, kind="full", status="running", progress_done=420,
                           progress_total=1000, sf_calls=41, hs_calls=12)
    return account


def _url(live_server, name, account, **kw):
    return live_server.url + reverse(name, kwargs={"account_id": account.pk, **kw})


def test_sync_health_usage_allocation_and_error_panel(page, login, live_server, acme,
                                                      make_member, screenshot_dir):
    from syncadmin.integration.models import ApiSettings
    from syncadmin.usage.models import ApiUsage

    ApiSettings.objects.filter(account=acme).update(allocation=30_000)
    cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=24)).replace(second=0, microsecond=0)
    expected = sum(ApiUsage.objects.filter(account=acme, remote="salesforce",
                                           minute__gte=cutoff).values_list("calls", flat=True))
    login(page, make_member(acme, "admin", username="ann").username)
    page.goto(_url(live_server, "health:dashboard", acme))
    used = page.get_by_test_id("used").inner_text()
    assert int(used.replace(",", "")) == expected
    remaining = page.get_by_test_id("remaining").inner_text()
    assert int(remaining.replace(",", "")) == 30_000 - expected
    assert page.get_by_test_id("sf-limit").inner_text() == "100,000"
    assert page.locator("svg.chart rect.bar").count() == 24
    page.screenshot(path=str(screenshot_dir / "health-dashboard.png"))

    def update() -> None:
        with page.expect_response(lambda r: r.request.method == "POST"):
            page.get_by_role("button", name="Update").click()

    field = page.locator("input[name=allocation]")
    for value, message in [("0", "at least 1"), ("-5", "at least 1"),
                           ("100001", "above the Salesforce limit of 100,000")]:
        field.fill(value)
        update()
        page.locator("#allocation-error").get_by_text(message).wait_for()
        field = page.locator("input[name=allocation]")
        assert field.input_value() == value  # nothing typed is lost
        if value == "100001":
            page.screenshot(path=str(screenshot_dir / "health-allocation-refused.png"))
    # A number field cannot hold "abc"; make it a text field to send it anyway.
    field.evaluate("el => el.type = 'text'")
    field.fill("abc")
    update()
    page.locator("#allocation-error").get_by_text("whole number").wait_for()
    assert ApiSettings.objects.get(account=acme).allocation == 30_000

    field = page.locator("input[name=allocation]")
    field.fill("45000")
    update()
    page.get_by_text("Allocation updated.").wait_for()
    assert page.get_by_test_id("remaining").inner_text().replace(",", "") == str(45_000 - expected)
    assert ApiSettings.objects.get(account=acme).allocation == 45_000

    # Chart: 7 days.
    page.get_by_role("link", name="7 days").click()
    expect(page.locator("svg.chart rect.bar")).to_have_count(168)

    # Error cards → panel.
    card = page.locator('.error-card[data-kind="invalid_email"]')
    assert card.get_by_test_id("errors").inner_text() == "7"
    assert card.get_by_test_id("records").inner_text() == "7"
    card.click()
    panel = page.get_by_test_id("panel")
    panel.get_by_role("heading", name="Invalid email").wait_for()
    assert "How to fix" in panel.inner_text()
    assert "Correct the email address" in panel.inner_text()
    assert "7 current errors" in panel.inner_text()
    assert panel.locator(".remote-msg").first.inner_text().startswith("INVALID_EMAIL_ADDRESS")
    sf_link = panel.get_by_role("link", name="Open in Salesforce").first
    assert sf_link.get_attribute("href").startswith(
        "https://acme.my.salesforce.com/lightning/r/Contact/003Hs")
    assert page.url.endswith("/errors/invalid_email/")
    page.screenshot(path=str(screenshot_dir / "health-error-panel.png"))
    # Actions → Resync deleted records in HubSpot → confirmation.
    panel.locator("summary", has_text="Actions").click()
    panel.get_by_role("link", name="Resync deleted records in HubSpot").click()
    page.get_by_test_id("resync-confirm").get_by_text("Recreate 3 contacts").wait_for()
    page.screenshot(path=str(screenshot_dir / "health-resync-confirm.png"))
    # Reload keeps the panel open (hx-push-url + full page on a plain GET).
    page.reload()
    page.get_by_test_id("panel").get_by_role("heading", name="Invalid email").wait_for()


def test_object_record_and_job_views(page, login, live_server, acme, make_member,
                                     screenshot_dir):
    login(page, make_member(acme, "viewer", username="vera").username)
    page.goto(_url(live_server, "health:objects", acme))
    contacts = page.locator('tr[data-object="contacts"]')
    assert contacts.get_by_test_id("failed").inner_text() == "13"  # 10 with errors + 3 deleted
    contacts.locator(".chip").first.hover()
    page.screenshot(path=str(screenshot_dir / "health-objects.png"))
    contacts.get_by_test_id("failed").click()  # the seed's flow: a panel of those records
    panel = page.get_by_test_id("failed-panel")
    expect(panel).to_contain_text("13 failed records")
    panel.locator("summary", has_text="Actions").click()
    panel.get_by_role("link", name="Open in the record view").click()
    page.wait_for_url("**/records/?object=contacts&status=failed")
    assert "13 records" in page.locator("#record-table").inner_text()
    page.select_option("select[name=status]", "")
    expect(page.locator("#record-table")).to_contain_text("33 records")
    page.screenshot(path=str(screenshot_dir / "health-records.png"))
    page.goto(_url(live_server, "health:runs", acme))
    assert page.locator("progress").count() == 1
    page.screenshot(path=str(screenshot_dir / "health-runs.png"))
