"""Defaults of a new HubSpot portal in the emulator: the standard object types, their
default properties (`Prop` and the per-type tables) and the timestamp helpers (`now_ms`,
`iso`, `parse_ms`) that `Prop` and `hs_store` share. Data only; no HTTP, no records.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

# (plural name, objectTypeId, singular, label)
OBJECT_TYPES: list[tuple[str, str, str, str]] = [
    ("contacts", "0-1", "contact", "Contact"),
    ("companies", "0-2", "company", "Company"),
    ("deals", "0-3", "deal", "Deal"),
    ("tickets", "0-5", "ticket", "Ticket"),
    ("tasks", "0-27", "task", "Task"),
    ("notes", "0-46", "note", "Note"),
    ("meetings", "0-47", "meeting", "Meeting"),
    ("calls", "0-48", "call", "Call"),
    ("emails", "0-49", "email", "Email"),
    ("p_projects", "2-1234", "p_project", "Project"),
]

LIFECYCLE = ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead",
             "opportunity", "customer", "evangelist", "other"]
DEAL_STAGES = ["appointmentscheduled", "qualifiedtobuy", "presentationscheduled",
               "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"]
LEAD_STATUS = ["NEW", "OPEN", "IN_PROGRESS", "OPEN_DEAL", "UNQUALIFIED", "ATTEMPTED_TO_CONTACT",
               "CONNECTED", "BAD_TIMING"]

DEFAULT_PROPS: dict[str, list[str]] = {
    "contacts": ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate",
                 "lastname"],
    "companies": ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
    "deals": ["amount", "closedate", "createdate", "dealname", "dealstage",
              "hs_lastmodifieddate", "hs_object_id", "pipeline"],
    "tickets": ["content", "createdate", "hs_lastmodifieddate", "hs_object_id", "hs_pipeline",
                "hs_pipeline_stage", "hs_ticket_category", "hs_ticket_priority", "subject"],
}


def now_ms() -> int:
    import time

    return int(time.time() * 1000)


@lru_cache(maxsize=8192)  # records written in the same millisecond share their stamps
def iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{ms % 1000:03d}Z"
    )


def parse_ms(value: Any) -> int | None:
    """Epoch millis or ISO-8601 (date or datetime) -> epoch millis, None if unparseable."""
    if value is None:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    s = str(value).strip()
    if not s:
        return None
    if re.fullmatch(r"-?\d+", s):
        return int(s)
    try:
        dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


@dataclass
class Prop:
    name: str
    label: str
    type: str = "string"  # string number date datetime enumeration bool
    field_type: str = "text"
    group: str = "contactinformation"
    options: list[str] = field(default_factory=list)
    unique: bool = False
    read_only: bool = False
    calculated: bool = False
    hubspot_defined: bool = True
    description: str = ""
    created_ms: int = field(default_factory=now_ms)

    def to_api(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "description": self.description,
            "groupName": self.group,
            "options": [
                {"label": o.replace("_", " ").title() if self.type != "bool" else o.title(),
                 "value": o, "displayOrder": i, "hidden": False}
                for i, o in enumerate(self.options)
            ],
            "displayOrder": -1,
            "calculated": self.calculated,
            "externalOptions": False,
            "hasUniqueValue": self.unique,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only,
            },
            "formField": not self.read_only,
            "createdAt": iso(self.created_ms),
            "updatedAt": iso(self.created_ms),
            "archived": False,
        }


def _base_props(plural: str) -> list[Prop]:
    grp = {"contacts": "contactinformation", "companies": "companyinformation",
           "deals": "dealinformation", "tickets": "ticketinformation"}.get(plural,
                                                                          "information")
    ps = [
        Prop("hs_object_id", "Record ID", "number", "number", grp, read_only=True,
             unique=True),
        Prop("createdate", "Create Date", "datetime", "date", grp),
        Prop("hs_lastmodifieddate", "Last Modified Date", "datetime", "date", grp,
             read_only=True),
        Prop("hubspot_owner_id", "Owner", "enumeration", "select", grp),
        Prop("hs_createdate", "Object create date/time", "datetime", "date", grp,
             read_only=True),
        # Set by merges (hs_merge): the ids merged into this record, ";"-separated.
        Prop("hs_merged_object_ids", "Merged record IDs", "enumeration", "checkbox", grp,
             read_only=True),
    ]
    return ps


def default_properties(plural: str) -> list[Prop]:
    ps = _base_props(plural)
    g = ps[0].group
    s = "string"

    def t(name: str, label: str, typ: str = s, ft: str = "text", **kw: Any) -> Prop:
        return Prop(name, label, typ, ft, g, **kw)

    if plural == "contacts":
        ps += [
            t("email", "Email", unique=True),
            t("hs_additional_emails", "Additional email addresses", read_only=True),
            t("firstname", "First Name"), t("lastname", "Last Name"),
            t("phone", "Phone Number", ft="phonenumber"), t("mobilephone", "Mobile Phone Number"),
            t("jobtitle", "Job Title"), t("company", "Company Name"), t("website", "Website URL"),
            t("address", "Street Address"), t("city", "City"), t("state", "State/Region"),
            t("country", "Country/Region"), t("zip", "Postal Code"),
            t("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", options=LIFECYCLE),
            t("hs_lead_status", "Lead Status", "enumeration", "radio", options=LEAD_STATUS),
            t("lastmodifieddate", "Last Modified Date", "datetime", "date", read_only=True),
            # Mirrors the primary company association; read-only since 2019
            # (developers.hubspot.com/changelog/2019-01-24-update-the-associatedcompanyid-
            # contact-property-will-become-read-only-on-april-26th).
            t("associatedcompanyid", "Primary Associated Company ID", "number", "number",
              read_only=True),
            t("hs_email_optout", "Unsubscribed from all email", "bool", "booleancheckbox",
              options=["true", "false"]),
            t("numemployees", "Number of Employees", "number", "number"),
            t("date_of_birth", "Date of birth", "date", "date"),
            t("num_notes", "Number of Sales Activities", "number", "number", read_only=True,
              calculated=True),
        ]
    elif plural == "companies":
        ps += [
            t("name", "Company name"), t("domain", "Company Domain Name"), t("city", "City"),
            t("state", "State/Region"), t("country", "Country/Region"), t("phone", "Phone Number"),
            t("industry", "Industry"), t("numberofemployees", "Number of Employees", "number",
                                         "number"),
            t("annualrevenue", "Annual Revenue", "number", "number"),
            t("lifecyclestage", "Lifecycle Stage", "enumeration", "radio", options=LIFECYCLE),
        ]
    elif plural == "deals":
        ps += [
            t("dealname", "Deal Name"), t("amount", "Amount", "number", "number"),
            t("closedate", "Close Date", "datetime", "date"),
            t("dealstage", "Deal Stage", "enumeration", "radio", options=DEAL_STAGES),
            t("pipeline", "Pipeline", "enumeration", "select", options=["default"]),
            # The portal's currencies (Settings → Account defaults → Currencies).
            t("deal_currency_code", "Currency", "enumeration", "select",
              options=["USD", "EUR", "GBP", "DKK", "PLN"]),
            t("description", "Deal Description", ft="textarea"),
        ]
    elif plural == "tickets":
        ps += [
            t("subject", "Ticket name"), t("content", "Ticket description", ft="textarea"),
            t("hs_pipeline", "Pipeline", "enumeration", "select", options=["0"]),
            t("hs_pipeline_stage", "Ticket status", "enumeration", "select",
              options=["1", "2", "3", "4"]),
            t("hs_ticket_priority", "Priority", "enumeration", "select",
              options=["LOW", "MEDIUM", "HIGH", "URGENT"]),
            t("hs_ticket_category", "Category", "enumeration", "checkbox",
              options=["PRODUCT_ISSUE", "BILLING_ISSUE", "FEATURE_REQUEST", "GENERAL_INQUIRY"]),
        ]
    elif plural in ("tasks", "notes", "meetings", "calls", "emails"):
        ps += [
            t("hs_timestamp", "Activity date", "datetime", "date"),
            t("hs_body_preview", "Body preview", read_only=True, calculated=True),
        ]
        extra = {
            "tasks": [t("hs_task_subject", "Task Title"), t("hs_task_body", "Notes", ft="textarea"),
                      t("hs_task_status", "Task Status", "enumeration", "select",
                        options=["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED",
                                 "DEFERRED"]),
                      t("hs_task_priority", "Priority", "enumeration", "select",
                        options=["NONE", "LOW", "MEDIUM", "HIGH"])],
            "notes": [t("hs_note_body", "Note body", ft="textarea")],
            "meetings": [t("hs_meeting_title", "Meeting name"),
                         t("hs_meeting_body", "Meeting description", ft="textarea"),
                         t("hs_meeting_start_time", "Start Time", "datetime", "date"),
                         t("hs_meeting_end_time", "End Time", "datetime", "date")],
            "calls": [t("hs_call_title", "Call Title"), t("hs_call_body", "Call notes",
                                                          ft="textarea"),
                      t("hs_call_duration", "Call duration", "number", "number")],
            "emails": [t("hs_email_subject", "Email subject"),
                       t("hs_email_text", "Email body", ft="textarea"),
                       t("hs_email_direction", "Email direction", "enumeration", "select",
                         options=["EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"])],
        }
        ps += extra[plural]
    elif plural == "p_projects":
        ps += [
            t("project_name", "Project name"),
            t("project_code", "Project code", unique=True, hubspot_defined=False),
            t("budget", "Budget", "number", "number", hubspot_defined=False),
            t("status", "Status", "enumeration", "select",
              options=["planned", "active", "done"], hubspot_defined=False),
        ]
    return ps
