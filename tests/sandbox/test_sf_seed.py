"""The deterministic seed data shared by both emulators."""

from __future__ import annotations

import time

from connectors.sandbox.seed import generate


def _emails(rows: list[dict], key: str) -> set[str]:
    return {r[key].strip().lower() for r in rows if r.get(key)}


def test_deterministic_and_seed_sensitive() -> None:
    assert generate(4, 300) == generate(4, 300)
    assert generate(4, 300) != generate(5, 300)


def test_split_between_the_two_sides() -> None:
    d = generate(1, 5000)
    sf_people = len(d.sf["Lead"]) + len(d.sf["Contact"])
    hs_people = len(d.hs["contacts"])
    both = _emails(d.sf["Contact"] + d.sf["Lead"], "Email") & _emails(d.hs["contacts"], "email")
    assert 0.55 * 5000 < sf_people < 0.65 * 5000  # 40 % only SF + 20 % both
    assert 0.55 * 5000 < hs_people < 0.65 * 5000
    assert 0.17 * 5000 < len(both) < 0.23 * 5000
    # Shared people differ in case or whitespace on the HubSpot side, sometimes.
    raw_hs = {r["email"] for r in d.hs["contacts"] if r.get("email")}
    assert any(e != e.strip().lower() for e in raw_hs)
    assert 0.15 * sf_people < len(d.sf["Lead"]) < 0.45 * sf_people


def test_relations_use_refs() -> None:
    d = generate(2, 1000)
    accounts = {a["_ref"] for a in d.sf["Account"]}
    contacts = {c["_ref"] for c in d.sf["Contact"]}
    opps = {o["_ref"] for o in d.sf["Opportunity"]}
    assert all(c["_account_ref"] in accounts for c in d.sf["Contact"])
    assert all(o["_account_ref"] in accounts for o in d.sf["Opportunity"])
    assert all(
        r["_opportunity_ref"] in opps and r["_contact_ref"] in contacts
        for r in d.sf["OpportunityContactRole"]
    )
    assert all("Id" not in r for rows in d.sf.values() for r in rows)
    assert all(not k.startswith("_") for rows in d.hs.values() for r in rows for k in r)
    assert {a[1] for a in d.hs_associations["contact_company"]} <= set(
        range(len(d.hs["companies"]))
    )
    deal = d.hs["deals"][0]
    assert (
        deal["pipeline"] == "default"
        and {"dealname", "amount", "closedate", "dealstage"} <= deal.keys()
    )


def test_dirty_data_is_present() -> None:
    d = generate(3, 3000)
    hs = d.hs["contacts"]
    bad_emails = [
        r for r in hs if r.get("email") and (" " in r["email"].strip() or r["email"].endswith("@"))
    ]
    long_names = [r for r in hs if len(r["lastname"]) > 80]
    countries = {r.get("country") for r in hs} | {r.get("MailingCountry") for r in d.sf["Contact"]}
    assert bad_emails and long_names
    assert countries & {"Italia", "IT", "Deutschland", "U.S.A."}
    no_email = [r for r in d.sf["Contact"] + d.sf["Lead"] if not r.get("Email")]
    assert 0 < len(no_email) < 0.03 * 3000


def test_sizes_generate_fast() -> None:
    assert len(generate(1, 10).sf) == 7
    t = time.perf_counter()
    generate(1, 20_000)
    assert time.perf_counter() - t < 2.0
