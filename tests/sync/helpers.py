"""Reading both sides back through the real clients, as a user of the real APIs could."""

from __future__ import annotations

import time

from simple_salesforce import Salesforce


def sf_rows(sf_client: Salesforce, obj: str, fields: str = "Id, Email, LastName",
            where: str = "") -> list[dict]:
    soql = f"SELECT {fields} FROM {obj}" + (f" WHERE {where}" if where else "")
    return sf_client.query_all(soql)["records"]


def hs_contacts(hs_client, props=("email", "firstname", "lastname", "phone", "jobtitle",
                                  "salesforce_id", "lifecyclestage", "country", "state")):
    out, after = [], None
    while True:
        page = hs_client.crm.contacts.basic_api.get_page(limit=100, after=after,
                                                         properties=list(props))
        out += [r.properties | {"id": r.id} for r in page.results]
        if not page.paging or not page.paging.next:
            return out
        after = page.paging.next.after


def by_email(contacts: list[dict]) -> dict[str, dict]:
    return {(c.get("email") or "").lower(): c for c in contacts}


def people(prefix: str, n: int, start: int = 0) -> list[dict]:
    return [{"FirstName": f"{prefix}{i}", "LastName": f"Person{i}",
             "Email": f"{prefix.lower()}{i}@example.com"} for i in range(start, start + n)]


def past_read_lag() -> None:
    """Timestamps have millisecond precision: let the clock move past the last write."""
    time.sleep(0.01)
