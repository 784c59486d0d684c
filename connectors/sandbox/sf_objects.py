"""The standard objects of a new org and their fields: the tables behind `sf_schema`.

Lead, Contact, Account, Opportunity, OpportunityContactRole, Case, Task, User and the
Project__c custom object, with the system fields every object has; Task's subtypes and Event
come from `sf_activities`, Shipment__c from `sf_custom_objects`, the standard fields a sync
does not touch from `sf_standard_fields`.
"""

from __future__ import annotations

from connectors.sandbox.sf_schema import (
    LEAD_STATUSES,
    STAGES,
    FieldDef,
    _pl,
    _system_fields,
)


def _address(prefix: str) -> list[FieldDef]:
    p = prefix
    return [
        FieldDef(f"{p}Street", "textarea", length=255),
        FieldDef(f"{p}City", "string", length=40),
        FieldDef(f"{p}State", "string", length=80),
        FieldDef(f"{p}StateCode", "picklist", restricted=True, controller=f"{p}CountryCode"),
        FieldDef(f"{p}PostalCode", "string", length=20),
        FieldDef(f"{p}Country", "string", length=80),
        FieldDef(f"{p}CountryCode", "picklist", restricted=True),
    ]


LEAD_SOURCES = ["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Trade Show", "Other"]
INDUSTRIES = [
    "Agriculture",
    "Banking",
    "Education",
    "Finance",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Technology",
    "Telecommunications",
    "Other",
]


def base_objects() -> dict[str, list[FieldDef]]:
    """Fresh field lists per object (mutable: the Tooling API appends custom fields)."""
    name_calc = FieldDef(
        "Name", "string", "Full Name", 121, createable=False, updateable=False, calculated=True
    )
    objects: dict[str, list[FieldDef]] = {
        "Lead": _system_fields()
        + [
            FieldDef("FirstName", "string", length=40),
            FieldDef("LastName", "string", length=80, required=True, nillable=False),
            name_calc,
            FieldDef("Company", "string", length=255, required=True, nillable=False),
            FieldDef("Title", "string", length=128),
            FieldDef("Email", "email", length=80),
            FieldDef("Phone", "phone", length=40),
            FieldDef("MobilePhone", "phone", length=40),
            *_address(""),
            FieldDef(
                "Status",
                "picklist",
                picklist=_pl(LEAD_STATUSES, "Open - Not Contacted"),
                nillable=False,
                defaulted=True,
            ),
            FieldDef("LeadSource", "picklist", picklist=_pl(LEAD_SOURCES)),
            FieldDef("Industry", "picklist", picklist=_pl(INDUSTRIES)),
            FieldDef("Description", "textarea", length=32000),
            FieldDef(
                "HasOptedOutOfEmail", "boolean", "Email Opt Out", nillable=False, defaulted=True
            ),
            FieldDef(
                "IsConverted",
                "boolean",
                "Converted",
                createable=False,
                updateable=False,
                nillable=False,
                defaulted=True,
            ),
            FieldDef("ConvertedDate", "date", createable=False, updateable=False),
            FieldDef(
                "ConvertedAccountId",
                "reference",
                length=18,
                createable=False,
                updateable=False,
                reference_to=["Account"],
                relationship_name="ConvertedAccount",
            ),
            FieldDef(
                "ConvertedContactId",
                "reference",
                length=18,
                createable=False,
                updateable=False,
                reference_to=["Contact"],
                relationship_name="ConvertedContact",
            ),
            FieldDef(
                "ConvertedOpportunityId",
                "reference",
                length=18,
                createable=False,
                updateable=False,
                reference_to=["Opportunity"],
                relationship_name="ConvertedOpportunity",
            ),
        ],
        "Contact": _system_fields()
        + [
            FieldDef(
                "AccountId",
                "reference",
                length=18,
                reference_to=["Account"],
                relationship_name="Account",
            ),
            FieldDef("FirstName", "string", length=40),
            FieldDef("LastName", "string", length=80, required=True, nillable=False),
            FieldDef(
                "Name",
                "string",
                "Full Name",
                121,
                createable=False,
                updateable=False,
                calculated=True,
            ),
            FieldDef("Email", "email", length=80),
            FieldDef("Phone", "phone", "Business Phone", 40),
            FieldDef("MobilePhone", "phone", length=40),
            FieldDef("Title", "string", length=128),
            FieldDef("Department", "string", length=80),
            *_address("Mailing"),
            FieldDef("LeadSource", "picklist", picklist=_pl(LEAD_SOURCES)),
            FieldDef("Birthdate", "date"),
            FieldDef("Description", "textarea", length=32000),
            FieldDef(
                "HasOptedOutOfEmail", "boolean", "Email Opt Out", nillable=False, defaulted=True
            ),
        ],
        "Account": _system_fields()
        + [
            FieldDef("Name", "string", "Account Name", 255, required=True, nillable=False),
            FieldDef("Website", "url", length=255),
            FieldDef("Phone", "phone", "Account Phone", 40),
            FieldDef("Industry", "picklist", picklist=_pl(INDUSTRIES)),
            FieldDef(
                "Type",
                "picklist",
                "Account Type",
                picklist=_pl(
                    ["Prospect", "Customer - Direct", "Customer - Channel", "Partner", "Other"]
                ),
            ),
            *_address("Billing"),
            FieldDef("NumberOfEmployees", "int", "Employees"),
            FieldDef("AnnualRevenue", "currency"),
            FieldDef("Description", "textarea", length=32000),
        ],
        "Opportunity": _system_fields()
        + [
            FieldDef("Name", "string", "Opportunity Name", 120, required=True, nillable=False),
            FieldDef(
                "AccountId",
                "reference",
                length=18,
                reference_to=["Account"],
                relationship_name="Account",
            ),
            FieldDef(
                "StageName",
                "picklist",
                "Stage",
                picklist=_pl(list(STAGES)),
                required=True,
                nillable=False,
            ),  # not a restricted picklist in a default org: unknown stages save (not closed)
            FieldDef("Amount", "currency"),
            FieldDef("CloseDate", "date", required=True, nillable=False),
            FieldDef("Probability", "percent", "Probability (%)", defaulted=True),
            FieldDef(
                "IsClosed",
                "boolean",
                "Closed",
                createable=False,
                updateable=False,
                nillable=False,
                calculated=True,
            ),
            FieldDef(
                "IsWon",
                "boolean",
                "Won",
                createable=False,
                updateable=False,
                nillable=False,
                calculated=True,
            ),
            FieldDef(
                "ForecastCategoryName",
                "picklist",
                "Forecast Category",
                picklist=_pl(["Pipeline", "Best Case", "Commit", "Omitted", "Closed"]),
                defaulted=True,
            ),
            FieldDef(
                "Type",
                "picklist",
                "Opportunity Type",
                picklist=_pl(["Existing Business", "New Business"]),
            ),
            FieldDef("LeadSource", "picklist", picklist=_pl(LEAD_SOURCES)),
            FieldDef("Description", "textarea", length=32000),
        ],
        "OpportunityContactRole": _system_fields(owner=False)
        + [
            FieldDef(
                "OpportunityId",
                "reference",
                length=18,
                required=True,
                nillable=False,
                updateable=False,
                reference_to=["Opportunity"],
                relationship_name="Opportunity",
            ),
            FieldDef(
                "ContactId",
                "reference",
                length=18,
                required=True,
                nillable=False,
                reference_to=["Contact"],
                relationship_name="Contact",
            ),
            FieldDef(
                "Role",
                "picklist",
                picklist=_pl(
                    [
                        "Business User",
                        "Decision Maker",
                        "Economic Buyer",
                        "Economic Decision Maker",
                        "Evaluator",
                        "Influencer",
                        "Technical Buyer",
                        "Other",
                    ]
                ),
            ),
            FieldDef("IsPrimary", "boolean", "Primary", nillable=False, defaulted=True),
        ],
        "Case": _system_fields()
        + [
            FieldDef(
                "CaseNumber",
                "string",
                "Case Number",
                30,
                createable=False,
                updateable=False,
                auto_number=True,
                nillable=False,
            ),
            FieldDef("Subject", "string", length=255),
            FieldDef(
                "Status",
                "picklist",
                picklist=_pl(["New", "Working", "Escalated", "Closed"], "New"),
                defaulted=True,
            ),
            FieldDef("Origin", "picklist", "Case Origin", picklist=_pl(["Phone", "Email", "Web"])),
            FieldDef(
                "Priority",
                "picklist",
                picklist=_pl(["High", "Medium", "Low"], "Medium"),
                defaulted=True,
            ),
            FieldDef(
                "AccountId",
                "reference",
                length=18,
                reference_to=["Account"],
                relationship_name="Account",
            ),
            FieldDef(
                "ContactId",
                "reference",
                length=18,
                reference_to=["Contact"],
                relationship_name="Contact",
            ),
            FieldDef(
                "IsClosed",
                "boolean",
                "Closed",
                createable=False,
                updateable=False,
                nillable=False,
                calculated=True,
            ),
            FieldDef("Description", "textarea", length=32000),
        ],
        "Task": _system_fields()
        + [
            FieldDef("Subject", "combobox", length=255),
            FieldDef(
                "Status",
                "picklist",
                picklist=_pl(
                    [
                        "Not Started",
                        "In Progress",
                        "Completed",
                        "Waiting on someone else",
                        "Deferred",
                    ],
                    "Not Started",
                ),
                nillable=False,
                defaulted=True,
            ),
            FieldDef(
                "Priority",
                "picklist",
                picklist=_pl(["High", "Normal", "Low"], "Normal"),
                nillable=False,
                defaulted=True,
            ),
            FieldDef("ActivityDate", "date", "Due Date Only"),
            FieldDef(
                "WhoId",
                "reference",
                "Name ID",
                18,
                reference_to=["Contact", "Lead"],
                relationship_name="Who",
            ),
            FieldDef(
                "WhatId",
                "reference",
                "Related To ID",
                18,
                reference_to=["Account", "Opportunity", "Case", "Project__c"],
                relationship_name="What",
            ),
            FieldDef(
                "IsClosed",
                "boolean",
                "Closed",
                createable=False,
                updateable=False,
                nillable=False,
                calculated=True,
            ),
            FieldDef("Description", "textarea", "Comments", 32000),
        ],
        "User": _system_fields(owner=False)
        + [
            FieldDef("Username", "string", length=80, required=True, nillable=False, unique=True),
            FieldDef("FirstName", "string", length=40),
            FieldDef("LastName", "string", length=80, required=True, nillable=False),
            FieldDef(
                "Name",
                "string",
                "Full Name",
                121,
                createable=False,
                updateable=False,
                calculated=True,
            ),
            FieldDef("Email", "email", length=128, required=True, nillable=False),
            FieldDef("Alias", "string", length=8, required=True, nillable=False),
            FieldDef("IsActive", "boolean", "Active", nillable=False, defaulted=True),
        ],
        "Project__c": _system_fields()
        + [
            FieldDef("Name", "string", "Project Name", 80),
            FieldDef(
                "Status__c",
                "picklist",
                "Status",
                custom=True,
                picklist=_pl(["Planned", "Active", "Done"]),
                restricted=True,
            ),
            FieldDef("Budget__c", "currency", "Budget", custom=True),
            FieldDef("Start_Date__c", "date", "Start Date", custom=True),
            FieldDef(
                "Account__c",
                "reference",
                "Account",
                18,
                custom=True,
                reference_to=["Account"],
                relationship_name="Account__r",
            ),
        ],
    }
    from connectors.sandbox import sf_activities  # Task subtypes, IsArchived, Event

    sf_activities.extend(objects)
    from connectors.sandbox import sf_custom_objects  # Shipment__c

    sf_custom_objects.extend(objects)
    from connectors.sandbox import sf_standard_fields  # the rest of describe's fields

    sf_standard_fields.extend(objects)
    from connectors.sandbox import sf_permissions  # PermissionSet, FieldPermissions …

    sf_permissions.extend(objects)
    return objects
