"""Deterministic demo/test data shared by the Salesforce and HubSpot emulators.

`generate(seed, contacts)` returns the same `SeedData` for the same arguments (it only uses
`random.Random(seed)`). `contacts` is the total number of people:

* ~40 % exist only in Salesforce (half as Leads, half as Contacts under an Account),
* ~40 % exist only in HubSpot,
* ~20 % exist on both sides with the same email (case/whitespace varied on the HubSpot side).

About 3 % of the people carry dirty data: malformed emails and over-long last names (on the
HubSpot side, since Salesforce itself would refuse them), country spellings such as "Italia",
"IT", "U.S.A." (both sides), and a few people have no email at all.

`SeedData.sf` maps a Salesforce object name to field dicts *without* Id. Relations use
temporary keys the SF loader resolves: every record has `_ref`; children point to parents with
`_account_ref`, `_contact_ref`, `_opportunity_ref`. `SeedData.hs` maps a HubSpot object type to
plain property dicts (no underscore keys); associations between them are listed by index in
`SeedData.hs_associations` ("contact_company", "deal_company", "deal_contact",
"ticket_contact": lists of (from_index, to_index)).

`generate(..., accounts=, opportunities=, contact_roles_per_opportunity=, cases=,
companies=, deals=, tickets=)` adds CRM objects on top (all default 0, and a separate random
stream, so the people data above is unchanged whatever they are):

* Salesforce: `accounts` Accounts (Name, Website like https://www.example.com/, Industry,
  billing address), each with 1-3 Contacts (AccountId; at least `contact_roles_per_opportunity`);
  `opportunities` Opportunities over those Accounts (StageName from the org's default picklist,
  Amount, CloseDate: closed ones in the past, open ones ahead, Type, LeadSource), each with
  `contact_roles_per_opportunity` OpportunityContactRoles (first one IsPrimary) on Contacts of
  its Account (fewer when the Account has fewer); `cases` Cases with AccountId + ContactId,
  Subject, Description, Status, Priority, Origin.
* HubSpot: `companies` companies (name, domain, city, country, industry) with 1-2 contacts
  each; `deals` deals (dealname, amount, closedate, pipeline "default", dealstage) associated
  to one company (also as Primary) and one or two of its contacts; `tickets` tickets (subject,
  content, hs_pipeline "0", hs_pipeline_stage, hs_ticket_priority) associated to a contact and
  its company (also as Primary).
* Matching: the first half of min(accounts, companies) companies exist on both sides; of those,
  a third share name and domain, a third only the name (the HubSpot domain differs) and a third
  only the domain (the HubSpot name is a variant); their contacts share emails. The rest exist
  on one side only.
When `accounts` (or `companies`) is 0, opportunities and cases (deals and tickets) go to the
Accounts (companies) of the people data instead, if any.
Association keys added to `hs_associations`: "contact_company", "deal_company", "deal_contact",
"ticket_contact", "ticket_company", plus "deal_company_primary" and "ticket_company_primary"
(the Primary label as well as the unlabelled default type).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


def _words(s: str) -> tuple[str, ...]:
    return tuple(s.split())


FIRST_NAMES = _words(
    "James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Nancy Daniel Lisa "
    "Matthew Betty Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily "
    "Andrew Donna Joshua Michelle Kenneth Carol Kevin Amanda Brian Dorothy George Melissa "
    "Marco Giulia Luca Francesca Alessandro Chiara Matteo Sofia Lorenzo Aurora Piotr Anna "
    "Krzysztof Agnieszka Tomasz Katarzyna Lars Mette Søren Freja Mads Ida Hans Greta Jürgen "
    "Léa Hugo Chloé Mateo Lucía Pablo Aiko Hiroshi Priya Arjun Wei Mei Olu Amara"
)

LAST_NAMES = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter "
    "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Kowalski Nowak "
    "Wiśniewski Wójcik Kowalczyk Jensen Nielsen Hansen Pedersen Andersen Larsen Müller "
    "Schmidt Schneider Fischer Dubois Moreau Laurent Fernández Tanaka Suzuki Patel Sharma "
    "Chen Wang O'Brien McDonald"
)

COMPANY_WORDS_A = _words(
    "Acme Globex Initech Umbrella Stark Wayne Wonka Hooli Vandelay Soylent Cyberdyne Tyrell "
    "Aperture Massive Dynamic Blue Red Green Silver Golden North South East West Alpine "
    "Coastal Summit Pioneer Vertex Nimbus Orbit Quantum Apex Atlas Beacon Cedar Delta Ember "
    "Falcon Granite Harbor Iris Juniper Keystone Lumen Maple Nova Oak Prism Quartz Ridge "
    "Sierra Tidal Unity Vista Willow Zenith Adriatica Baltica Nordisk Vistula Lombarda"
)

COMPANY_WORDS_B = _words(
    "Labs Systems Industries Logistics Analytics Foods Energy Robotics Health Media Software "
    "Partners Consulting Dynamics Networks Solutions Capital Ventures Works Biotech Motors "
    "Textiles Design Cloud Data Security Supply Marine Aero Pharma"
)

COMPANY_SUFFIXES = ("Inc.", "LLC", "Ltd", "GmbH", "S.r.l.", "S.p.A.", "sp. z o.o.", "A/S", "")

TITLES = (
    "CEO",
    "CTO",
    "CFO",
    "VP Sales",
    "VP Marketing",
    "Head of Operations",
    "Sales Manager",
    "Account Executive",
    "Marketing Manager",
    "Software Engineer",
    "Office Manager",
    "Procurement Lead",
    "Product Manager",
    "Customer Success Manager",
    "Director of IT",
)

# (city, state label, state code, country label, country code)
PLACES = (
    ("San Francisco", "California", "CA", "United States", "US"),
    ("New York", "New York", "NY", "United States", "US"),
    ("Austin", "Texas", "TX", "United States", "US"),
    ("Chicago", "Illinois", "IL", "United States", "US"),
    ("Boston", "Massachusetts", "MA", "United States", "US"),
    ("Seattle", "Washington", "WA", "United States", "US"),
    ("Toronto", "Ontario", "ON", "Canada", "CA"),
    ("Vancouver", "British Columbia", "BC", "Canada", "CA"),
    ("Milano", "Milano", "MI", "Italy", "IT"),
    ("Roma", "Roma", "RM", "Italy", "IT"),
    ("Torino", "Torino", "TO", "Italy", "IT"),
    ("Bologna", "Bologna", "BO", "Italy", "IT"),
    ("Warszawa", "", "", "Poland", "PL"),
    ("Kraków", "", "", "Poland", "PL"),
    ("København", "", "", "Denmark", "DK"),
    ("Aarhus", "", "", "Denmark", "DK"),
    ("Berlin", "", "", "Germany", "DE"),
    ("München", "", "", "Germany", "DE"),
    ("London", "", "", "United Kingdom", "GB"),
    ("Paris", "", "", "France", "FR"),
)

DIRTY_COUNTRIES = ("Italia", "IT", "Italy ", "Deutschland", "U.S.A.", "USA", "italy")

LEAD_STATUSES = ("Open - Not Contacted", "Working - Contacted", "Closed - Not Converted")
LEAD_SOURCES = ("Web", "Phone Inquiry", "Partner Referral", "Trade Show", "Other")
STAGES = ("Prospecting", "Qualification", "Negotiation/Review", "Closed Won", "Closed Lost")
HS_STAGES = {
    "Prospecting": "appointmentscheduled",
    "Qualification": "qualifiedtobuy",
    "Negotiation/Review": "contractsent",
    "Closed Won": "closedwon",
    "Closed Lost": "closedlost",
}
LIFECYCLE = (
    "subscriber",
    "lead",
    "marketingqualifiedlead",
    "salesqualifiedlead",
    "opportunity",
    "customer",
)
CASE_SUBJECTS = (
    "Cannot log in",
    "Invoice question",
    "Feature request",
    "Data export failing",
    "Password reset",
    "Integration error",
    "Billing address change",
    "Slow dashboard",
)
TASK_SUBJECTS = ("Call", "Send quote", "Follow up", "Email", "Demo", "Renewal discussion")


@dataclass
class SeedData:
    sf: dict[str, list[dict]] = field(default_factory=dict)
    hs: dict[str, list[dict]] = field(default_factory=dict)
    hs_associations: dict[str, list[tuple[int, int]]] = field(default_factory=dict)


def _date(rnd: random.Random) -> str:
    return f"2026-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"


def _slug(s: str) -> str:
    out = []
    for ch in s.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
    return "".join(out) or "x"


_ASCII = str.maketrans(
    {
        "ø": "o",
        "ö": "o",
        "ó": "o",
        "ü": "u",
        "é": "e",
        "è": "e",
        "í": "i",
        "ś": "s",
        "ń": "n",
        "ł": "l",
        "ą": "a",
        "ę": "e",
        "ż": "z",
        "ź": "z",
        "ć": "c",
        "á": "a",
        "'": "",
    }
)


def _email_local(first: str, last: str, rnd: random.Random, n: int) -> str:
    f = first.lower().translate(_ASCII)
    la = last.lower().translate(_ASCII)
    style = rnd.randrange(4)
    if style == 0:
        local = f"{f}.{la}"
    elif style == 1:
        local = f"{f[0]}{la}"
    elif style == 2:
        local = f"{f}_{la}"
    else:
        local = f"{f}{la[:3]}"
    return f"{_slug_keep_dots(local)}{n}"


def _slug_keep_dots(s: str) -> str:
    return "".join(ch for ch in s if (ch.isascii() and ch.isalnum()) or ch in "._")


def _company(rnd: random.Random, i: int) -> dict:
    a = rnd.choice(COMPANY_WORDS_A)
    b = rnd.choice(COMPANY_WORDS_B)
    suffix = rnd.choice(COMPANY_SUFFIXES)
    name = f"{a} {b}" + (f" {suffix}" if suffix else "")
    if i >= len(COMPANY_WORDS_A) * len(COMPANY_WORDS_B) // 4:
        name = f"{name} {i}"
    tld = rnd.choice(("com", "com", "io", "it", "pl", "dk", "de", "co.uk"))
    domain = f"{_slug(a)}{_slug(b)}{i}.{tld}"
    place = rnd.choice(PLACES)
    return {"name": name, "domain": domain, "place": place, "ref": f"acc{i}"}


def generate(seed: int, contacts: int, *, accounts: int = 0, opportunities: int = 0,
             contact_roles_per_opportunity: int = 0, cases: int = 0, companies: int = 0,
             deals: int = 0, tickets: int = 0, shipments: int = 0) -> SeedData:
    """Generate `contacts` people (plus companies, deals, cases, tasks) deterministically,
    then the CRM objects the keyword counts ask for (see the module docstring)."""
    data = _people(seed, contacts)
    from connectors.sandbox.seed_objects import _objects, _shipments

    if any((accounts, opportunities, cases, companies, deals, tickets)):
        _objects(data, seed, accounts=accounts, opportunities=opportunities,
                 roles=contact_roles_per_opportunity, cases=cases, companies=companies,
                 deals=deals, tickets=tickets)
    if shipments:
        _shipments(data, seed, shipments)
    return data


def _people(seed: int, contacts: int) -> SeedData:
    rnd = random.Random(seed)
    n_companies = max(1, contacts // 6)
    companies = [_company(rnd, i) for i in range(n_companies)]

    sf: dict[str, list[dict]] = {
        k: []
        for k in (
            "Account",
            "Lead",
            "Contact",
            "Opportunity",
            "OpportunityContactRole",
            "Case",
            "Task",
        )
    }
    hs: dict[str, list[dict]] = {k: [] for k in ("contacts", "companies", "deals", "tickets")}
    assoc: dict[str, list[tuple[int, int]]] = {
        "contact_company": [],
        "deal_company": [],
        "deal_contact": [],
        "ticket_contact": [],
    }
    sf_account_of: dict[int, str] = {}  # company index -> account ref
    hs_company_of: dict[int, int] = {}  # company index -> hs company index
    account_contacts: dict[str, list[str]] = {}
    hs_company_contacts: dict[int, list[int]] = {}

    def sf_account(ci: int) -> str:
        ref = sf_account_of.get(ci)
        if ref is None:
            c = companies[ci]
            city, state, _scode, country, _ccode = c["place"]
            ref = c["ref"]
            sf["Account"].append(
                {
                    "_ref": ref,
                    "Name": c["name"],
                    "Website": f"https://www.{c['domain']}",
                    "BillingCity": city,
                    "BillingState": state or None,
                    "BillingCountry": country,
                    "Industry": rnd.choice(
                        (
                            "Technology",
                            "Manufacturing",
                            "Retail",
                            "Finance",
                            "Healthcare",
                            "Education",
                        )
                    ),
                }
            )
            sf_account_of[ci] = ref
            account_contacts[ref] = []
        return ref

    def hs_company(ci: int) -> int:
        idx = hs_company_of.get(ci)
        if idx is None:
            c = companies[ci]
            city, state, _scode, country, _ccode = c["place"]
            idx = len(hs["companies"])
            hs["companies"].append(
                {
                    "name": c["name"],
                    "domain": c["domain"],
                    "city": city,
                    "state": state,
                    "country": country,
                }
            )
            hs_company_of[ci] = idx
            hs_company_contacts[idx] = []
        return idx

    dirty_every = 33  # ~3 %
    for i in range(contacts):
        first = rnd.choice(FIRST_NAMES)
        last = rnd.choice(LAST_NAMES)
        ci = rnd.randrange(n_companies)
        comp = companies[ci]
        email = f"{_email_local(first, last, rnd, i)}@{comp['domain']}"
        city, state, scode, country, ccode = (
            comp["place"] if rnd.random() < 0.6 else (rnd.choice(PLACES))
        )
        phone = f"+1 555 {rnd.randrange(100, 999)} {rnd.randrange(1000, 9999)}"
        title = rnd.choice(TITLES)
        bucket = rnd.random()
        side = "sf" if bucket < 0.4 else ("hs" if bucket < 0.8 else "both")
        dirty = i % dirty_every == 7
        no_email = i % 97 == 13
        sf_email: str | None = email
        hs_email: str | None = email
        hs_last = last
        sf_country, hs_country = country, country
        if dirty:
            kind = (i // dirty_every) % 4
            if kind == 0:
                hs_email = rnd.choice(
                    (
                        f"{first.lower()}@",
                        f"{first.lower()} {last.lower()}@x.com",
                        f"{first.lower()}@@{comp['domain']}",
                    )
                )
            elif kind == 1:
                hs_last = (last + " ") * (90 // (len(last) + 1) + 1)
                hs_last = hs_last.strip()
            elif kind == 2:
                sf_country = rnd.choice(DIRTY_COUNTRIES)
            else:
                hs_country = rnd.choice(DIRTY_COUNTRIES)
        if no_email:
            sf_email = hs_email = None

        if side in ("sf", "both"):
            as_lead = side == "sf" and rnd.random() < 0.5
            ref = f"p{i}"
            if as_lead:
                sf["Lead"].append(
                    {
                        "_ref": ref,
                        "FirstName": first,
                        "LastName": last,
                        "Email": sf_email,
                        "Phone": phone,
                        "Title": title,
                        "Company": comp["name"],
                        "City": city,
                        "State": state or None,
                        "Country": sf_country,
                        "Status": rnd.choice(LEAD_STATUSES),
                        "LeadSource": rnd.choice(LEAD_SOURCES),
                    }
                )
            else:
                acc = sf_account(ci)
                sf["Contact"].append(
                    {
                        "_ref": ref,
                        "_account_ref": acc,
                        "FirstName": first,
                        "LastName": last,
                        "Email": sf_email,
                        "Phone": phone,
                        "Title": title,
                        "MailingCity": city,
                        "MailingState": state or None,
                        "MailingCountry": sf_country,
                        "LeadSource": rnd.choice(LEAD_SOURCES),
                    }
                )
                account_contacts[acc].append(ref)
        if side in ("hs", "both"):
            e = hs_email
            if side == "both" and e:
                v = rnd.randrange(3)
                e = e.upper() if v == 0 else (f" {e} " if v == 1 else e.capitalize())
            hidx = len(hs["contacts"])
            props = {
                "email": e,
                "firstname": first,
                "lastname": hs_last,
                "phone": phone,
                "jobtitle": title,
                "city": city,
                "state": state,
                "country": hs_country,
                "company": comp["name"],
                "lifecyclestage": rnd.choice(LIFECYCLE),
            }
            hs["contacts"].append({k: v for k, v in props.items() if v not in (None, "")})
            cidx = hs_company(ci)
            assoc["contact_company"].append((hidx, cidx))
            hs_company_contacts[cidx].append(hidx)

    # Opportunities, contact roles, cases and tasks on the Salesforce side.
    opp_n = 0
    for acc in list(account_contacts):
        people = account_contacts[acc]
        for _ in range(rnd.randrange(0, 3)):
            stage = rnd.choice(STAGES)
            ref = f"opp{opp_n}"
            opp_n += 1
            sf["Opportunity"].append(
                {
                    "_ref": ref,
                    "_account_ref": acc,
                    "Name": f"{acc.upper()} deal {opp_n}",
                    "StageName": stage,
                    "Amount": float(rnd.randrange(1, 200) * 500),
                    "CloseDate": f"2026-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
                }
            )
            if people:
                for j, p in enumerate(rnd.sample(people, min(len(people), rnd.randrange(1, 3)))):
                    sf["OpportunityContactRole"].append(
                        {
                            "_opportunity_ref": ref,
                            "_contact_ref": p,
                            "Role": rnd.choice(("Decision Maker", "Economic Buyer", "Influencer")),
                            "IsPrimary": j == 0,
                        }
                    )
        for p in people:
            if rnd.random() < 0.15:
                sf["Case"].append(
                    {
                        "_ref": f"case{len(sf['Case'])}",
                        "_account_ref": acc,
                        "_contact_ref": p,
                        "Subject": rnd.choice(CASE_SUBJECTS),
                        "Status": rnd.choice(("New", "Working", "Escalated", "Closed")),
                        "Origin": rnd.choice(("Web", "Phone", "Email")),
                        "Priority": rnd.choice(("Low", "Medium", "High")),
                    }
                )
            if rnd.random() < 0.25:
                sf["Task"].append(
                    {
                        "_ref": f"task{len(sf['Task'])}",
                        "_contact_ref": p,
                        "Subject": rnd.choice(TASK_SUBJECTS),
                        "Status": rnd.choice(("Not Started", "In Progress", "Completed")),
                        "Priority": rnd.choice(("Normal", "High")),
                        "ActivityDate": _date(rnd),
                    }
                )

    # Deals and tickets on the HubSpot side.
    for cidx, members in hs_company_contacts.items():
        for _ in range(rnd.randrange(0, 3)):
            stage = rnd.choice(STAGES)
            didx = len(hs["deals"])
            hs["deals"].append(
                {
                    "dealname": f"{hs['companies'][cidx]['name']} deal {didx}",
                    "amount": str(rnd.randrange(1, 200) * 500),
                    "closedate": f"2026-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}"
                    "T00:00:00.000Z",
                    "dealstage": HS_STAGES[stage],
                    "pipeline": "default",
                }
            )
            assoc["deal_company"].append((didx, cidx))
            if members:
                assoc["deal_contact"].append((didx, rnd.choice(members)))
        for member in members:
            if rnd.random() < 0.1:
                tidx = len(hs["tickets"])
                hs["tickets"].append(
                    {
                        "subject": rnd.choice(CASE_SUBJECTS),
                        "content": "Reported by the customer.",
                        "hs_pipeline": "0",
                        "hs_pipeline_stage": rnd.choice(("1", "2", "3", "4")),
                        "hs_ticket_priority": rnd.choice(("LOW", "MEDIUM", "HIGH")),
                    }
                )
                assoc["ticket_contact"].append((tidx, member))

    return SeedData(sf=sf, hs=hs, hs_associations=assoc)
