"""The seed's CRM objects on top of its people: accounts, opportunities with contact roles,
cases, HubSpot companies, deals and tickets with their associations, and Shipment__c records
(a custom object). `seed.generate` calls these; the module docstring of `seed` says what each
option makes.
"""

from __future__ import annotations

import random
from typing import Any

from connectors.sandbox.seed import (
    _ASCII,
    CASE_SUBJECTS,
    COMPANY_SUFFIXES,
    COMPANY_WORDS_A,
    COMPANY_WORDS_B,
    FIRST_NAMES,
    LAST_NAMES,
    LEAD_SOURCES,
    PLACES,
    TITLES,
    SeedData,
    _slug,
    _slug_keep_dots,
)

# ---- CRM objects on top of the people (accounts, opportunities, cases, companies, ...) ----

# The Opportunity StageName picklist of a new org (sf_schema.STAGES), weighted towards open.
OPP_STAGES = (
    ("Prospecting", 14), ("Qualification", 12), ("Needs Analysis", 10),
    ("Value Proposition", 9), ("Id. Decision Makers", 7), ("Perception Analysis", 6),
    ("Proposal/Price Quote", 8), ("Negotiation/Review", 8), ("Closed Won", 14),
    ("Closed Lost", 12),
)
OPP_TYPES = ("New Business", "Existing Business")
OPP_PRODUCTS = ("Platform licence", "Renewal", "Upgrade", "Services", "Expansion", "Pilot",
                "Support plan", "Training")
ROLES = ("Decision Maker", "Economic Buyer", "Evaluator", "Influencer", "Technical Buyer",
         "Business User", "Other")
# Account.Industry (the emulated org's picklist) -> HubSpot's company industry value.
INDUSTRIES = {
    "Technology": "COMPUTER_SOFTWARE", "Manufacturing": "MACHINERY", "Retail": "RETAIL",
    "Finance": "FINANCIAL_SERVICES", "Banking": "BANKING", "Healthcare": "HOSPITAL_HEALTH_CARE",
    "Education": "EDUCATION_MANAGEMENT", "Telecommunications": "TELECOMMUNICATIONS",
    "Agriculture": "FARMING",
}
# HubSpot's default deal pipeline, weighted towards open stages.
DEAL_STAGES = (
    ("appointmentscheduled", 16), ("qualifiedtobuy", 14), ("presentationscheduled", 12),
    ("decisionmakerboughtin", 10), ("contractsent", 10), ("closedwon", 20), ("closedlost", 18),
)
TICKET_STAGES = (("1", 35), ("2", 20), ("3", 20), ("4", 25))
CASE_STATUSES = (("New", 30), ("Working", 30), ("Escalated", 10), ("Closed", 30))
CASE_BODIES = ("The customer reports the problem since the last release.",
               "Happens for several users; screenshots attached.",
               "Asked for a call back tomorrow morning.",
               "Urgent: blocks month-end closing.")


def _weighted(rnd: random.Random, table: tuple[tuple[str, int], ...], n: int) -> list[str]:
    return rnd.choices([v for v, _ in table], weights=[w for _, w in table], k=n)


def _objects(data: SeedData, seed: int, *, accounts: int, opportunities: int, roles: int,
             cases: int, companies: int, deals: int, tickets: int) -> None:
    rnd = random.Random(f"objects-{seed}")
    sf, hs, assoc = data.sf, data.hs, data.hs_associations
    for k in ("ticket_company", "deal_company_primary", "ticket_company_primary"):
        assoc.setdefault(k, [])
    both = min(accounts, companies) // 2
    pool = accounts + companies - both
    tlds = ("com", "com", "com", "io", "it", "pl", "dk", "de", "co.uk")

    # Company identities: pool[0:accounts] are Accounts, pool[0:both] + pool[accounts:] companies.
    names: list[str] = []
    variants: list[str] = []  # the same company under another legal suffix
    domains: list[str] = []
    places = [rnd.choice(PLACES) for _ in range(pool)]
    industry_names = list(INDUSTRIES)
    industries = [rnd.choice(industry_names) for _ in range(pool)]
    combos = [(a, b) for a in COMPANY_WORDS_A for b in COMPANY_WORDS_B]
    rnd.shuffle(combos)
    for i in range(pool):
        a, b = combos[i % len(combos)]
        gen = i // len(combos)  # names stay unique: a number only once the words run out
        suffix = rnd.choice(COMPANY_SUFFIXES)
        base = f"{a} {b}" + (f" {gen + 1}" if gen else "")
        names.append(f"{base} {suffix}" if suffix else base)
        variants.append(base if suffix else f"{base} Inc.")
        domains.append(f"{_slug(a)}-{_slug(b)}{gen or ''}.{rnd.choice(tlds)}")

    def people(i: int, n: int) -> list[tuple[str, str, str, str]]:
        out = []
        for j in range(n):
            first, last = rnd.choice(FIRST_NAMES), rnd.choice(LAST_NAMES)
            local = _slug_keep_dots(f"{first}.{last}".lower().translate(_ASCII))
            out.append((first, last, f"{local}.{j}@{domains[i]}", rnd.choice(TITLES)))
        return out

    staff: dict[int, list[tuple[str, str, str, str]]] = {}
    min_people = max(1, roles)

    # Salesforce Accounts and their Contacts.
    new_accounts: list[str] = []
    account_people: dict[str, list[str]] = {}
    for i in range(accounts):
        city, state, _s, country, _c = places[i]
        ref = f"xacc{i}"
        web = rnd.random()
        website = (f"https://www.{domains[i]}/" if web < 0.8 else
                   f"http://{domains[i]}" if web < 0.9 else f"https://www.{domains[i]}/en/home")
        sf["Account"].append({
            "_ref": ref, "Name": names[i], "Website": website, "Industry": industries[i],
            "BillingCity": city, "BillingState": state or None, "BillingCountry": country,
            "Phone": f"+1 555 {100 + i % 900} {1000 + (i * 7) % 9000}",
            "NumberOfEmployees": rnd.randrange(5, 5000),
        })
        new_accounts.append(ref)
        staff[i] = people(i, max(min_people, rnd.randrange(1, 4)))
        refs = account_people[ref] = []
        for j, (first, last, email, title) in enumerate(staff[i]):
            cref = f"xcon{i}_{j}"
            sf["Contact"].append({
                "_ref": cref, "_account_ref": ref, "FirstName": first, "LastName": last,
                "Email": email, "Title": title, "MailingCity": city,
                "MailingState": state or None, "MailingCountry": country,
            })
            refs.append(cref)

    # HubSpot companies and their contacts (shared ones mirror the Account and its people).
    new_companies: list[int] = []
    company_people: dict[int, list[int]] = {}
    hs_ids = list(range(both)) + list(range(accounts, pool))
    for i in hs_ids:
        city, state, _s, country, _c = places[i]
        name, domain = names[i], domains[i]
        if i < both and i % 3 == 1:  # same name, another domain
            domain = domain.rsplit(".", 1)[0] + "-group.com"
        elif i < both and i % 3 == 2:  # same domain, a variant of the name
            name = variants[i]
        cidx = len(hs["companies"])
        hs["companies"].append({"name": name, "domain": domain, "city": city,
                                "state": state or None, "country": country,
                                "industry": INDUSTRIES[industries[i]]})
        hs["companies"][-1] = {k: v for k, v in hs["companies"][-1].items() if v}
        new_companies.append(cidx)
        crowd = staff.get(i) if i < both else None
        if crowd is None:
            crowd = people(i, rnd.randrange(1, 3))
        members = company_people[cidx] = []
        for first, last, email, title in crowd:
            hidx = len(hs["contacts"])
            hs["contacts"].append({"email": email, "firstname": first, "lastname": last,
                                   "jobtitle": title, "city": city, "country": country,
                                   "company": name, "lifecyclestage": "customer"})
            assoc["contact_company"].append((hidx, cidx))
            members.append(hidx)

    # Where opportunities/cases and deals/tickets go when no new Account/company was asked.
    if not new_accounts:
        for c in sf.get("Contact", []):
            if c.get("_account_ref"):
                account_people.setdefault(c["_account_ref"], []).append(c["_ref"])
        new_accounts = [a["_ref"] for a in sf.get("Account", [])]
        for a in new_accounts:
            account_people.setdefault(a, [])
    if not new_companies:
        for hidx, cidx in assoc.get("contact_company", []):
            company_people.setdefault(cidx, []).append(hidx)
        new_companies = list(range(len(hs.get("companies", []))))
        for cidx in new_companies:
            company_people.setdefault(cidx, [])
    acc_name = {a["_ref"]: a["Name"] for a in sf.get("Account", [])}

    # Opportunities and contact roles.
    if new_accounts:
        stages = _weighted(rnd, OPP_STAGES, opportunities)
        for n in range(opportunities):
            acc = new_accounts[rnd.randrange(len(new_accounts))]
            stage = stages[n]
            closed = stage.startswith("Closed")
            year = 2025 if closed else 2026
            ref = f"xopp{n}"
            sf["Opportunity"].append({
                "_ref": ref, "_account_ref": acc,
                "Name": f"{acc_name[acc]} - {rnd.choice(OPP_PRODUCTS)}",
                "StageName": stage, "Amount": float(rnd.randrange(2, 400) * 250),
                "CloseDate": f"{year}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
                "Type": rnd.choice(OPP_TYPES), "LeadSource": rnd.choice(LEAD_SOURCES),
            })
            contact_refs = account_people[acc]
            for j, p in enumerate(rnd.sample(contact_refs, min(roles, len(contact_refs)))):
                sf["OpportunityContactRole"].append({
                    "_opportunity_ref": ref, "_contact_ref": p, "Role": rnd.choice(ROLES),
                    "IsPrimary": j == 0})
        statuses = _weighted(rnd, CASE_STATUSES, cases)
        with_people = [a for a in new_accounts if account_people[a]]
        for n in range(cases if with_people else 0):
            acc = with_people[rnd.randrange(len(with_people))]
            sf["Case"].append({
                "_ref": f"xcase{n}", "_account_ref": acc,
                "_contact_ref": rnd.choice(account_people[acc]),
                "Subject": rnd.choice(CASE_SUBJECTS), "Description": rnd.choice(CASE_BODIES),
                "Status": statuses[n], "Priority": rnd.choice(("High", "Medium", "Medium", "Low")),
                "Origin": rnd.choice(("Phone", "Email", "Web")),
            })

    # Deals and tickets.
    if new_companies:
        dstages = _weighted(rnd, DEAL_STAGES, deals)
        for n in range(deals):
            cidx = new_companies[rnd.randrange(len(new_companies))]
            stage = dstages[n]
            year = 2025 if stage.startswith("closed") else 2026
            didx = len(hs["deals"])
            hs["deals"].append({
                "dealname": f"{hs['companies'][cidx].get('name', 'Deal')} - "
                            f"{rnd.choice(OPP_PRODUCTS)}",
                "amount": str(rnd.randrange(2, 400) * 250),
                "closedate": f"{year}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
                             "T00:00:00.000Z",
                "pipeline": "default", "dealstage": stage,
            })
            assoc["deal_company"].append((didx, cidx))
            assoc["deal_company_primary"].append((didx, cidx))
            members = company_people[cidx]
            for hp in rnd.sample(members, min(len(members), rnd.randrange(1, 3))):
                assoc["deal_contact"].append((didx, hp))
        tstages = _weighted(rnd, TICKET_STAGES, tickets)
        with_members = [c for c in new_companies if company_people[c]]
        for n in range(tickets if with_members else 0):
            cidx = with_members[rnd.randrange(len(with_members))]
            tidx = len(hs["tickets"])
            hs["tickets"].append({
                "subject": rnd.choice(CASE_SUBJECTS), "content": rnd.choice(CASE_BODIES),
                "hs_pipeline": "0", "hs_pipeline_stage": tstages[n],
                "hs_ticket_priority": rnd.choice(("LOW", "MEDIUM", "MEDIUM", "HIGH", "URGENT")),
            })
            assoc["ticket_contact"].append((tidx, rnd.choice(company_people[cidx])))
            assoc["ticket_company"].append((tidx, cidx))
            assoc["ticket_company_primary"].append((tidx, cidx))


SHIPMENT_STATUSES = (("Booked", 20), ("In transit", 30), ("Delivered", 45), ("Returned", 5))


def _shipments(data: SeedData, seed: int, n: int) -> None:
    """Shipment__c records (a custom object, E3), each to a Contact and its Account."""
    rnd = random.Random(f"shipments-{seed}")
    people = [c for c in data.sf.get("Contact", []) if c.get("_ref")]
    statuses = _weighted(rnd, SHIPMENT_STATUSES, n)
    rows = data.sf.setdefault("Shipment__c", [])
    for i in range(n):
        rec: dict[str, Any] = {
            "_ref": f"shipment{i}", "Name": f"SHP-{100_000 + i}", "Status__c": statuses[i],
            "Weight_Kg__c": round(rnd.uniform(0.2, 80), 1),
            "Shipped_On__c": f"2026-{rnd.randrange(1, 12):02d}-{rnd.randrange(1, 28):02d}",
            "Tracking_Url__c": f"https://track.example.com/SHP-{100_000 + i}",
        }
        if people:
            person = people[i % len(people)] if i < len(people) else rnd.choice(people)
            rec["_contact_ref"] = person["_ref"]
            if person.get("_account_ref"):
                rec["_account_ref"] = person["_account_ref"]
        rows.append(rec)
