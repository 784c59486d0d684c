"""Value mappings on the Deals and Tickets tabs (deal stage, ticket priority) followed by the
REAL engine, the unmapped-value error card and its panel's fix, and the record view's
associations panel (H8), in Chromium; the same rules as test_object_flows.py (settings via
the UI, data via the emulators' control APIs, syncs through a real Celery worker, results
through the real clients or the page).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.object_helpers import (
    CLOSE,
    TAB,
    object_row,
    open_tab,
    run,
    shot,
    sign_in,
    sync_on,
    url,
    value_row,
)
from tests.sync.helpers import past_read_lag
from tests.sync.objects_helpers import api, hs_all, hs_assoc, hs_get

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


# --- 5. Deals: an edited stage mapping is followed; an unmapped stage is an error card -------

def test_deal_stage_mapping_edit_is_followed_and_an_unmapped_stage_is_an_error(
        page, login, live_server, connected, sf, sf_client, hs_client, via_worker,
        make_member, screenshot_dir):
    big, odd = sf.control.insert("Opportunity", [
        {"Name": "Big deal", "StageName": "Prospecting", "CloseDate": CLOSE},
        {"Name": "Odd deal", "StageName": "Prospecting", "CloseDate": CLOSE}])
    sign_in(page, login, connected, make_member)
    open_tab(page, live_server, connected, "deals")
    sync_on(page)
    run(via_worker, connected, "full")
    deals = {r["dealname"]: r for r in hs_all(hs_client, "deals")}
    assert {n: d["dealstage"] for n, d in deals.items()} == {
        "Big deal": "appointmentscheduled", "Odd deal": "appointmentscheduled"}

    open_tab(page, live_server, connected, "deals")
    table = "vm-deals-dealstage-default"
    # The defaults: Negotiation/Review is Contract Sent's, Id. Decision Makers Presentation
    # Scheduled's. Give Presentation Scheduled's row Negotiation/Review instead.
    contract, _row = value_row(page, table, "Contract Sent")
    expect(contract).to_have_value("Negotiation/Review")
    select, row = value_row(page, table, "Presentation Scheduled")
    expect(select).to_have_value("Id. Decision Makers")
    select.select_option("Negotiation/Review")
    expect(row.get_by_text("Saved")).to_be_visible()
    shot(page, screenshot_dir, "deals-stage-edited")

    sf.control.update("Opportunity", big, {"StageName": "Negotiation/Review"})
    sf.control.update("Opportunity", odd, {"StageName": "Id. Decision Makers"})
    past_read_lag()
    run(via_worker, connected)
    # The first row with the Salesforce value wins: now Presentation Scheduled's.
    assert hs_get(hs_client, "deals", deals["Big deal"]["id"])["dealstage"] == (
        "presentationscheduled")
    # Id. Decision Makers has no row left: the deal does not change and an error says why.
    assert hs_get(hs_client, "deals", deals["Odd deal"]["id"])["dealstage"] == (
        "appointmentscheduled")

    page.goto(url(live_server, "health:dashboard", connected))
    card = page.locator('.error-card[data-kind="picklist_value"]')
    expect(card).to_contain_text("Picklist value not allowed")
    expect(card.get_by_test_id("records")).to_have_text("1")
    card.click()
    panel = page.get_by_test_id("panel")
    expect(panel).to_contain_text("1 current error")
    item = panel.locator(".error-list li")
    expect(item).to_contain_text("Odd deal")
    expect(item.locator(".remote-msg")).to_contain_text("VALUE_NOT_MAPPED")
    expect(item.locator(".remote-msg")).to_contain_text("'Id. Decision Makers'")
    expect(item.locator(".remote-msg")).to_contain_text("map it on the object's tab")
    fix = item.get_by_test_id("value-fix")
    expect(fix).to_contain_text("map it on the Deals tab, then retry")
    shot(page, screenshot_dir, "deals-unmapped-panel")
    row = object_row(page, live_server, connected, "deals")
    expect(row.get_by_test_id("failed")).to_have_text("1")
    expect(row).to_contain_text("Picklist value not allowed")

    # The fix the panel names: map the value on the Deals tab, then retry.
    page.goto(url(live_server, "health:errors", connected, kind="picklist_value"))
    page.get_by_test_id("value-fix").get_by_role("link", name="Open the Deals tab").click()
    page.wait_for_url(url(live_server, TAB["deals"], connected))
    stage = page.locator(f'#{table} tbody[data-stage="qualifiedtobuy"]')
    stage.get_by_role("button", name="+ Add a Salesforce value for this stage").click()
    expect(stage.locator("select")).to_have_count(3)  # its two default rows and the new one
    page.reload()  # the new row is saved (and its select wired up for autosave)
    new = stage.locator("select").last
    expect(new).to_have_value("")
    new.select_option("Id. Decision Makers")
    expect(stage.get_by_text("Saved")).to_be_visible()
    page.goto(url(live_server, "health:errors", connected, kind="picklist_value"))
    page.get_by_test_id("panel").get_by_role("button", name="Retry these records").click()
    expect(page.locator("#cards")).to_contain_text("No sync errors.", timeout=20_000)
    assert hs_get(hs_client, "deals", deals["Odd deal"]["id"])["dealstage"] == "qualifiedtobuy"


# --- 6. Tickets: an edited priority mapping is followed --------------------------------------

def test_ticket_priority_mapping_edit_is_followed(
        page, login, live_server, connected, sf, hs_client, via_worker, make_member,
        screenshot_dir):
    [case] = sf.control.insert("Case", [{"Subject": "Slow VPN", "Status": "New",
                                         "Priority": "Low"}])
    sign_in(page, login, connected, make_member)
    open_tab(page, live_server, connected, "tickets")
    sync_on(page)
    table = "vm-tickets-hs_ticket_priority-none"
    # Defaults: High is HubSpot's High (first) and Urgent. Give High's row Medium instead.
    select, row = value_row(page, table, "High")
    expect(select).to_have_value("High")
    expect(value_row(page, table, "Urgent")[0]).to_have_value("High")
    select.select_option("Medium")
    expect(row.get_by_text("Saved")).to_be_visible()
    shot(page, screenshot_dir, "tickets-priority-edited")
    run(via_worker, connected, "full")
    [ticket] = hs_all(hs_client, "tickets")
    assert ticket["hs_ticket_priority"] == "LOW"

    sf.control.update("Case", case, {"Priority": "High"})
    past_read_lag()
    run(via_worker, connected)
    assert hs_get(hs_client, "tickets", ticket["id"])["hs_ticket_priority"] == "URGENT"


# --- 7. H8: a deal's associations panel shows its company and contacts, both sides ----------

def test_deal_associations_panel_shows_company_and_contacts_with_links(
        page, login, live_server, connected, sf, hs_client, via_worker, make_member,
        screenshot_dir):
    [acc] = sf.control.insert("Account", [{"Name": "Initech"}])
    peter, samir = sf.control.insert("Contact", [
        {"FirstName": "Peter", "LastName": "Gibbons", "Email": "peter@initech.example",
         "AccountId": acc},
        {"FirstName": "Samir", "LastName": "Nagheenanajar", "Email": "samir@initech.example",
         "AccountId": acc}])
    [opp] = sf.control.insert("Opportunity", [{"Name": "TPS reports", "StageName": "Prospecting",
                                               "CloseDate": CLOSE, "AccountId": acc}])
    sf.control.insert("OpportunityContactRole", [{"OpportunityId": opp, "ContactId": peter},
                                                 {"OpportunityId": opp, "ContactId": samir}])
    sign_in(page, login, connected, make_member)
    for obj in ("companies", "deals"):
        open_tab(page, live_server, connected, obj)
        sync_on(page)
    run(via_worker, connected, "full")
    [deal] = hs_all(hs_client, "deals")
    [company] = hs_all(hs_client, "companies")
    contacts = {c.properties["email"]: c.id for c in api(hs_client, "contacts").get_page(
        limit=10, properties=["email"]).results}
    assert hs_assoc(hs_client, "deals", deal["id"], "companies") == [company["id"]]
    assert hs_assoc(hs_client, "deals", deal["id"], "contacts") == sorted(contacts.values())

    page.goto(url(live_server, "health:records", connected) + "?object=deals")
    expect(page.locator("#record-table")).to_contain_text("1 record")
    page.get_by_test_id("associations-link").click()
    panel = page.get_by_test_id("associations")
    expect(panel.get_by_test_id("assoc-record")).to_have_text("TPS reports")
    expect(panel.locator(".assoc-links").first.get_by_role(
        "link", name="Open in HubSpot")).to_have_attribute("href", re.compile(deal["id"]))
    expect(panel.locator(".assoc-links").first.get_by_role(
        "link", name="Open in Salesforce")).to_have_attribute("href", re.compile(opp))
    comp = panel.locator('li[data-kind="deal_company"]')
    expect(comp).to_have_count(1)
    expect(comp.get_by_test_id("assoc-other")).to_have_text("Initech")
    expect(comp.get_by_role("link", name="Open in HubSpot")).to_have_attribute(
        "href", re.compile(rf"/{company['id']}$"))
    expect(comp.get_by_role("link", name="Open in Salesforce")).to_have_attribute(
        "href", re.compile(acc))
    people = panel.locator('li[data-kind="deal_contact"]')
    expect(people).to_have_count(2)
    for sf_id, email in ((peter, "peter@initech.example"), (samir, "samir@initech.example")):
        li = people.filter(has=page.locator(f'a[href*="{sf_id}"]'))
        expect(li).to_have_count(1)
        expect(li.get_by_role("link", name="Open in HubSpot")).to_have_attribute(
            "href", re.compile(rf"/{contacts[email]}$"))
    shot(page, screenshot_dir, "deal-associations")
    # Following the company opens its own panel: the deal and both contacts are there.
    comp.get_by_test_id("assoc-other").click()
    expect(panel.get_by_test_id("assoc-record")).to_have_text("Initech")
    expect(panel.locator('li[data-kind="deal_company"]')).to_contain_text("TPS reports")
    expect(panel.locator('li[data-kind="contact_company"]')).to_have_count(2)
