"""Salesforce fields and HubSpot properties for the mapping dropdowns (FEATURES F3).

Read from the remotes through the adapters when the account is connected, cached for ten
minutes; a built-in list of standard fields/properties otherwise, or when the remote fails
(then with a notice for the page). A remote is never called without a time limit.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from syncadmin.accounts.models import Account
from syncadmin.sync import objects

log = logging.getLogger(__name__)

CACHE_SECONDS = 600
REMOTE_TIMEOUT = 8.0
Entry = tuple[str, str, str]  # (name, label, type)



def sf_object_for(object_key: str) -> str:
    """The Salesforce object of a registry object (contacts: Contact; Lead is its second)."""
    return objects.get(object_key).sf_object


def hs_object_for(object_key: str) -> str:
    return objects.get(object_key).hs_type


BUILTIN_SF: dict[str, list[Entry]] = {
    "Contact": [
        ("Email", "Email", "email"), ("FirstName", "First Name", "string"),
        ("LastName", "Last Name", "string"), ("Phone", "Business Phone", "phone"),
        ("MobilePhone", "Mobile Phone", "phone"), ("Title", "Title", "string"),
        ("Department", "Department", "string"), ("MailingCity", "Mailing City", "string"),
        ("MailingState", "Mailing State/Province", "string"),
        ("MailingCountry", "Mailing Country", "string"),
        ("MailingPostalCode", "Mailing Zip/Postal Code", "string"),
        ("LeadSource", "Lead Source", "picklist"), ("Birthdate", "Birthdate", "date"),
        ("HasOptedOutOfEmail", "Email Opt Out", "boolean"),
        ("DoNotCall", "Do Not Call", "boolean"), ("AccountId", "Account ID", "reference"),
        ("OwnerId", "Owner ID", "reference"), ("Description", "Description", "textarea"),
        ("LastActivityDate", "Last Activity", "date"),
    ],
    "Lead": [
        ("Email", "Email", "email"), ("FirstName", "First Name", "string"),
        ("LastName", "Last Name", "string"), ("Company", "Company", "string"),
        ("Phone", "Phone", "phone"), ("Title", "Title", "string"), ("City", "City", "string"),
        ("State", "State/Province", "string"), ("Country", "Country", "string"),
        ("Status", "Lead Status", "picklist"), ("LeadSource", "Lead Source", "picklist"),
        ("NumberOfEmployees", "Employees", "int"), ("AnnualRevenue", "Annual Revenue", "currency"),
        ("IsConverted", "Converted", "boolean"), ("OwnerId", "Owner ID", "reference"),
    ],
    "Account": [
        ("Name", "Account Name", "string"), ("Website", "Website", "url"),
        ("Phone", "Account Phone", "phone"), ("BillingCity", "Billing City", "string"),
        ("BillingCountry", "Billing Country", "string"), ("Industry", "Industry", "picklist"),
        ("NumberOfEmployees", "Employees", "int"), ("AnnualRevenue", "Annual Revenue", "currency"),
        ("Type", "Account Type", "picklist"), ("Description", "Description", "textarea"),
        ("ParentId", "Parent Account ID", "reference"), ("OwnerId", "Owner ID", "reference"),
    ],
    "Opportunity": [
        ("Name", "Opportunity Name", "string"), ("Amount", "Amount", "currency"),
        ("CloseDate", "Close Date", "date"), ("StageName", "Stage", "picklist"),
        ("Probability", "Probability (%)", "percent"), ("Type", "Type", "picklist"),
        ("LeadSource", "Lead Source", "picklist"), ("IsClosed", "Closed", "boolean"),
        ("NextStep", "Next Step", "string"), ("Description", "Description", "textarea"),
        ("AccountId", "Account ID", "reference"), ("OwnerId", "Owner ID", "reference"),
    ],
    "Case": [
        ("Subject", "Subject", "string"), ("Description", "Description", "textarea"),
        ("Status", "Status", "picklist"), ("Priority", "Priority", "picklist"),
        ("Origin", "Case Origin", "picklist"), ("IsEscalated", "Escalated", "boolean"),
        ("ClosedDate", "Closed Date", "datetime"), ("ContactId", "Contact ID", "reference"),
    ],
}

BUILTIN_HS: dict[str, list[Entry]] = {
    "contacts": [
        ("email", "Email", "string"), ("firstname", "First Name", "string"),
        ("lastname", "Last Name", "string"), ("phone", "Phone Number", "string"),
        ("mobilephone", "Mobile Phone Number", "string"), ("jobtitle", "Job Title", "string"),
        ("company", "Company Name", "string"), ("city", "City", "string"),
        ("state", "State/Region", "string"), ("country", "Country/Region", "string"),
        ("zip", "Postal Code", "string"), ("lifecyclestage", "Lifecycle Stage", "enumeration"),
        ("hs_lead_status", "Lead Status", "enumeration"),
        ("date_of_birth", "Date of birth", "date"), ("hs_email_optout", "Unsubscribed",
                                                     "bool"),
        ("numemployees", "Number of Employees", "number"),
        ("annualrevenue", "Annual Revenue", "number"), ("createdate", "Create Date",
                                                        "datetime"),
        ("notes_last_updated", "Last Activity Date", "datetime"),
    ],
    "companies": [
        ("name", "Company name", "string"), ("domain", "Company Domain Name", "string"),
        ("website", "Website URL", "string"), ("phone", "Phone Number", "string"),
        ("city", "City", "string"), ("country", "Country/Region", "string"),
        ("industry", "Industry", "enumeration"), ("type", "Type", "enumeration"),
        ("numberofemployees", "Number of Employees", "number"),
        ("annualrevenue", "Annual Revenue", "number"), ("description", "Description", "string"),
        ("is_public", "Is Public", "bool"),
    ],
    "deals": [
        ("dealname", "Deal Name", "string"), ("amount", "Amount", "number"),
        ("closedate", "Close Date", "datetime"), ("dealstage", "Deal Stage", "enumeration"),
        ("dealtype", "Deal Type", "enumeration"), ("description", "Deal Description", "string"),
        ("hs_deal_stage_probability", "Deal probability", "number"),
        ("hs_is_closed", "Is Deal Closed?", "bool"), ("hs_next_step", "Next step", "string"),
    ],
    "tickets": [
        ("subject", "Ticket name", "string"), ("content", "Ticket description", "string"),
        ("hs_pipeline_stage", "Ticket status", "enumeration"),
        ("hs_ticket_priority", "Priority", "enumeration"), ("source_type", "Source",
                                                             "enumeration"),
        ("closed_date", "Close date", "datetime"),
    ],
}


def _call(fn: Callable[[], Any]) -> Any:
    """Runs a remote call with a hard time limit (whatever the adapter's own timeout)."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(fn).result(timeout=REMOTE_TIMEOUT)
    finally:
        pool.shutdown(wait=False)


def _lookup(key: str, connected: bool, remote: Callable[[], list[Any]],
            builtin: list[Any]) -> tuple[list[Any], str | None]:
    if not connected:
        return builtin, None
    cached = cache.get(key)
    if cached is not None:
        return cached, None
    try:
        entries = _call(remote)
    except Exception:  # any remote failure: the built-in list, with a notice
        log.warning("catalogue lookup %s failed", key, exc_info=True)
        return builtin, _("The remote system could not be reached; showing the standard "
                          "fields only. Try again in a moment.")
    cache.set(key, entries, CACHE_SECONDS)
    return entries, None


def sf_fields_with_notice(account: Account, sobject: str) -> tuple[list[Entry], str | None]:
    def remote() -> list[Entry]:
        from syncadmin.sync.remote import salesforce_for

        describe = salesforce_for(account).describe(sobject)
        return sorted(
            (str(f["name"]), str(f.get("label") or f["name"]), str(f.get("type", "string")))
            for f in describe.get("fields", [])
        )

    return _lookup(f"catalogue:sf:{account.pk}:{sobject}", account.sf_connected, remote,
                   BUILTIN_SF.get(sobject, []))


def hs_properties_with_notice(account: Account, object_type: str
                              ) -> tuple[list[Entry], str | None]:
    def remote() -> list[Entry]:
        from syncadmin.sync.remote import hubspot_for

        props = hubspot_for(account).properties(object_type)
        return sorted(
            (str(p.get("name", name)), str(p.get("label") or name), str(p.get("type", "string")))
            for name, p in props.items()
        )

    return _lookup(f"catalogue:hs:{account.pk}:{object_type}", account.hs_connected, remote,
                   BUILTIN_HS.get(object_type, []))


def sf_custom_objects(account: Account) -> tuple[list[tuple[str, str]], str | None]:
    """(API name, label) of the org's custom objects, for the Custom objects tab (E3);
    none when not connected (nothing can be picked then), with a notice when unreachable."""
    def remote() -> list[tuple[str, str]]:
        from syncadmin.sync.remote import salesforce_for

        return sorted((str(o["name"]), str(o.get("label") or o["name"]))
                      for o in salesforce_for(account).sobjects()
                      if o.get("custom") and str(o.get("name", "")).endswith("__c"))

    return _lookup(f"catalogue:sf-custom:{account.pk}", account.sf_connected, remote, [])


def sf_fields(account: Account, sobject: str) -> list[Entry]:
    """(name, label, type) of a Salesforce object's fields."""
    return sf_fields_with_notice(account, sobject)[0]


def hs_properties(account: Account, object_type: str) -> list[Entry]:
    """(name, label, type) of a HubSpot object's properties."""
    return hs_properties_with_notice(account, object_type)[0]


def hs_lists(account: Account) -> list[tuple[str, str]]:
    """(id, name) of the portal's active lists for the inclusion-list dropdown; [] if unknown."""
    if not account.hs_connected:
        return []
    key = f"catalogue:hs-lists:{account.pk}"
    cached = cache.get(key)
    if cached is not None:
        return cached

    def remote() -> list[tuple[str, str]]:
        from syncadmin.sync.remote import hubspot_for

        adapter: Any = hubspot_for(account)
        lists = adapter.lists() if hasattr(adapter, "lists") else []
        return [(str(x.get("listId") or x.get("id")), str(x.get("name", ""))) for x in lists]

    try:
        entries = _call(remote)
    except Exception:
        log.warning("inclusion lists lookup failed", exc_info=True)
        return []
    cache.set(key, entries, CACHE_SECONDS)
    return entries


# Picklists of the mapped values (FEATURES E1): (value, label) in picklist order.
BUILTIN_PICKLISTS: dict[tuple[str, str], list[tuple[str, str]]] = {
    ("Opportunity", "StageName"): [(v, v) for v in (
        "Prospecting", "Qualification", "Needs Analysis", "Value Proposition",
        "Id. Decision Makers", "Perception Analysis", "Proposal/Price Quote",
        "Negotiation/Review", "Closed Won", "Closed Lost")],
    ("Case", "Status"): [(v, v) for v in ("New", "Working", "Escalated", "Closed")],
    ("Case", "Priority"): [(v, v) for v in ("High", "Medium", "Low")],
}

# HubSpot's default pipelines, used until the portal's own can be read.
BUILTIN_PIPELINES: dict[str, list[dict[str, Any]]] = {
    "deals": [{"id": "default", "label": "Sales Pipeline", "stages": [
        {"id": sid, "label": label, "metadata": meta} for sid, label, meta in (
            ("appointmentscheduled", "Appointment Scheduled",
             {"isClosed": "false", "probability": "0.2"}),
            ("qualifiedtobuy", "Qualified To Buy", {"isClosed": "false", "probability": "0.4"}),
            ("presentationscheduled", "Presentation Scheduled",
             {"isClosed": "false", "probability": "0.6"}),
            ("decisionmakerboughtin", "Decision Maker Bought-In",
             {"isClosed": "false", "probability": "0.8"}),
            ("contractsent", "Contract Sent", {"isClosed": "false", "probability": "0.9"}),
            ("closedwon", "Closed Won", {"isClosed": "true", "probability": "1.0"}),
            ("closedlost", "Closed Lost", {"isClosed": "true", "probability": "0.0"}),
        )]}],
    "tickets": [{"id": "0", "label": "Support Pipeline", "stages": [
        {"id": sid, "label": label, "metadata": {"ticketState": state}}
        for sid, label, state in (("1", "New", "OPEN"), ("2", "Waiting on contact", "OPEN"),
                                  ("3", "Waiting on us", "OPEN"), ("4", "Closed", "CLOSED"))]}],
}


def sf_picklist_with_notice(account: Account, sobject: str, field: str
                            ) -> tuple[list[tuple[str, str]], str | None]:
    def remote() -> list[tuple[str, str]]:
        from syncadmin.sync.remote import salesforce_for

        describe = salesforce_for(account).describe(sobject)
        for f in describe.get("fields", []):
            if f.get("name") == field:
                return [(str(v["value"]), str(v.get("label") or v["value"]))
                        for v in f.get("picklistValues") or [] if v.get("active", True)]
        return []

    return _lookup(f"catalogue:sf-picklist:{account.pk}:{sobject}:{field}",
                   account.sf_connected, remote,
                   list(BUILTIN_PICKLISTS.get((sobject, field), [])))


def sf_picklist(account: Account, sobject: str, field: str) -> list[tuple[str, str]]:
    """(value, label) of a Salesforce picklist's active values, from the describe."""
    return sf_picklist_with_notice(account, sobject, field)[0]


def _pipeline(p: Any) -> dict[str, Any]:
    stages = p.get("stages") or []
    return {"id": str(p.get("id", "")), "label": str(p.get("label") or p.get("id", "")),
            "stages": [{"id": str(s.get("id", "")), "label": str(s.get("label") or s.get("id")),
                        "metadata": dict(s.get("metadata") or {})} for s in stages]}


def hs_pipelines_with_notice(account: Account, object_type: str
                             ) -> tuple[list[dict[str, Any]], str | None]:
    builtin = [_pipeline(p) for p in BUILTIN_PIPELINES.get(object_type, [])]

    def remote() -> list[dict[str, Any]]:
        from syncadmin.sync.remote import hubspot_for

        adapter: Any = hubspot_for(account)
        if not hasattr(adapter, "pipelines"):  # an adapter without pipelines yet
            return builtin
        return [_pipeline(p) for p in adapter.pipelines(object_type)] or builtin

    return _lookup(f"catalogue:hs-pipelines:{account.pk}:{object_type}", account.hs_connected,
                   remote, builtin)


def hs_pipelines(account: Account, object_type: str) -> list[dict[str, Any]]:
    """The portal's pipelines of deals or tickets: [{"id", "label", "stages": [{"id",
    "label", "metadata"}]}]; HubSpot's default pipeline when they cannot be read."""
    return hs_pipelines_with_notice(account, object_type)[0]
