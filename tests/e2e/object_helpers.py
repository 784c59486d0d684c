"""Helpers of the object-tab browser flows (test_object_flows.py, test_object_values_flows.py)."""

from __future__ import annotations

import re

from django.urls import reverse
from playwright.sync_api import expect

TAB = {"companies": "integration:companies", "deals": "integration:deals",
       "tickets": "integration:tickets"}
CLOSE = "2026-06-30"


def url(live_server, name: str, account, **kw) -> str:
    return live_server.url + reverse(name, kwargs={"account_id": account.pk, **kw})


def shot(page, screenshot_dir, slug: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"flow-objects-{slug}.png"))


def sign_in(page, login, account, make_member) -> None:
    login(page, make_member(account, "admin", username="ann").username)
    expect(page).not_to_have_url(re.compile(r"/login/"))


def unit(page, name: str):
    return page.locator(f'[data-unit="{name}"]')


def saved(page, name: str) -> None:
    expect(unit(page, name).get_by_text("Saved")).to_be_visible()


def open_tab(page, live_server, account, obj: str) -> None:
    page.goto(url(live_server, TAB[obj], account))
    expect(page.locator('nav.tabs a[aria-current="page"]')).to_have_text(obj.capitalize())


def sync_on(page) -> None:
    """Object tab: the "Sync on" switch autosaves."""
    box = unit(page, "enabled").locator("input[type=checkbox]")
    expect(box).not_to_be_checked()
    page.get_by_label("Sync on").check(force=True)
    saved(page, "enabled")
    expect(box).to_be_checked()


def choose(page, name: str, value: str) -> None:
    """An autosaving select of an object tab: choose, wait for "Saved"."""
    unit(page, name).locator("select").select_option(value)
    saved(page, name)


def run(via_worker, account, kind: str = "poll"):
    run = via_worker(account, kind)
    assert run.status == "succeeded", run.message
    return run


def object_row(page, live_server, account, obj: str):
    page.goto(url(live_server, "health:objects", account))
    return page.locator(f'tr[data-object="{obj}"]')


def value_row(page, table_id: str, hs_label: str):
    """One row (by its HubSpot value's label) of a value-mapping table on an object tab."""
    label = page.get_by_label(f"Salesforce value for {hs_label}", exact=True)
    return page.locator(f"#{table_id}").locator(label), page.locator(f"#{table_id} tr",
                                                                      has=label)
