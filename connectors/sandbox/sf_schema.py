"""Object and field metadata of the Salesforce emulator (what describe answers).

Field specs are compact tuples turned into `FieldDef`s; `describe_field` renders the JSON shape
Salesforce's `/sobjects/X/describe/` returns. State and country picklists come from pycountry.
The field tables of the standard objects are in `sf_objects`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import pycountry

API_VERSION = "59.0"

KEY_PREFIXES = {
    "Lead": "00Q",
    "Contact": "003",
    "Account": "001",
    "Opportunity": "006",
    "OpportunityContactRole": "00K",
    "Case": "500",
    "Task": "00T",
    "Event": "00U",
    "User": "005",
    "Project__c": "a00",
    "Shipment__c": "a01",
    "PermissionSet": "0PS",  # sf_permissions
    "PermissionSetAssignment": "0Pa",
    "FieldPermissions": "01k",
}
PREFIX_TO_OBJECT = {v: k for k, v in KEY_PREFIXES.items()}

# StageName -> (IsClosed, IsWon, Probability, ForecastCategoryName): the OpportunityStage
# defaults of a new org (Setup > Opportunity Stages; the picklist value order is the same).
STAGES = {
    "Prospecting": (False, False, 10, "Pipeline"),
    "Qualification": (False, False, 10, "Pipeline"),
    "Needs Analysis": (False, False, 20, "Pipeline"),
    "Value Proposition": (False, False, 50, "Pipeline"),
    "Id. Decision Makers": (False, False, 60, "Pipeline"),
    "Perception Analysis": (False, False, 70, "Pipeline"),
    "Proposal/Price Quote": (False, False, 75, "Pipeline"),
    "Negotiation/Review": (False, False, 90, "Pipeline"),
    "Closed Won": (True, True, 100, "Closed"),
    "Closed Lost": (True, False, 0, "Omitted"),
}
LEAD_STATUSES = [
    "Open - Not Contacted",
    "Working - Contacted",
    "Closed - Converted",
    "Closed - Not Converted",
]
SOAP_TYPES = {
    "id": "tns:ID",
    "reference": "tns:ID",
    "string": "xsd:string",
    "email": "xsd:string",
    "phone": "xsd:string",
    "picklist": "xsd:string",
    "textarea": "xsd:string",
    "url": "xsd:string",
    "combobox": "xsd:string",
    "boolean": "xsd:boolean",
    "date": "xsd:date",
    "datetime": "xsd:dateTime",
    "double": "xsd:double",
    "currency": "xsd:double",
    "percent": "xsd:double",
    "int": "xsd:int",
}
TEXT_TYPES = {"string", "email", "phone", "picklist", "textarea", "url", "combobox"}
NUMBER_TYPES = {"double", "currency", "percent", "int"}


@dataclass
class FieldDef:
    name: str
    type: str
    label: str = ""
    length: int = 0
    required: bool = False  # nillable False and createable: REQUIRED_FIELD_MISSING when absent
    createable: bool = True
    updateable: bool = True
    nillable: bool = True
    external_id: bool = False
    unique: bool = False
    case_sensitive: bool = False
    picklist: list[dict] | None = None
    restricted: bool = False
    reference_to: list[str] = field(default_factory=list)
    relationship_name: str | None = None
    custom: bool = False
    defaulted: bool = False
    calculated: bool = False
    controller: str | None = None
    auto_number: bool = False

    def __post_init__(self) -> None:
        if not self.label:
            self.label = _label(self.name)
        if self.type == "picklist" and self.picklist is None:
            self.picklist = []


def is_long_text(f: FieldDef) -> bool:
    """A long text area (Description, a LongTextArea custom field): SOQL can select it but
    neither filter nor sort by it."""
    return f.type == "textarea" and f.length > 255


def _label(name: str) -> str:
    if name.endswith("__c"):
        name = name[:-3]
    if name.endswith("Id") and len(name) > 2:
        return _label(name[:-2]) + " ID"
    out = []
    for i, ch in enumerate(name):
        if ch == "_":
            out.append(" ")
            continue
        if i and ch.isupper() and not name[i - 1].isupper() and name[i - 1] != "_":
            out.append(" ")
        out.append(ch)
    return "".join(out)


def _pl(values: list[str], default: str | None = None) -> list[dict]:
    return [
        {"value": v, "label": v, "active": True, "defaultValue": v == default, "validFor": None}
        for v in values
    ]


def _system_fields(owner: bool = True) -> list[FieldDef]:
    fs = [
        FieldDef("Id", "id", "Record ID", 18, createable=False, updateable=False, nillable=False),
        FieldDef(
            "IsDeleted",
            "boolean",
            "Deleted",
            createable=False,
            updateable=False,
            nillable=False,
            defaulted=True,
        ),
        FieldDef(
            "CreatedDate",
            "datetime",
            createable=False,
            updateable=False,
            nillable=False,
            defaulted=True,
        ),
        FieldDef(
            "CreatedById",
            "reference",
            "Created By ID",
            18,
            createable=False,
            updateable=False,
            nillable=False,
            reference_to=["User"],
            relationship_name="CreatedBy",
            defaulted=True,
        ),
        FieldDef(
            "LastModifiedDate",
            "datetime",
            createable=False,
            updateable=False,
            nillable=False,
            defaulted=True,
        ),
        FieldDef(
            "LastModifiedById",
            "reference",
            "Last Modified By ID",
            18,
            createable=False,
            updateable=False,
            nillable=False,
            reference_to=["User"],
            relationship_name="LastModifiedBy",
            defaulted=True,
        ),
        FieldDef(
            "SystemModstamp",
            "datetime",
            "System Modstamp",
            createable=False,
            updateable=False,
            nillable=False,
            defaulted=True,
        ),
    ]
    if owner:
        fs.append(
            FieldDef(
                "OwnerId",
                "reference",
                "Owner ID",
                18,
                nillable=False,
                defaulted=True,
                reference_to=["User"],
                relationship_name="Owner",
            )
        )
    return fs


def base_objects() -> dict[str, list[FieldDef]]:
    """Fresh field lists per object (mutable: the Tooling API appends custom fields); the
    tables are in `sf_objects`, which imports this module."""
    from connectors.sandbox import sf_objects

    return sf_objects.base_objects()


OBJECT_LABELS = {
    "Lead": ("Lead", "Leads"),
    "Contact": ("Contact", "Contacts"),
    "Account": ("Account", "Accounts"),
    "Opportunity": ("Opportunity", "Opportunities"),
    "OpportunityContactRole": ("Opportunity Contact Role", "Opportunity Contact Role"),
    "Case": ("Case", "Cases"),
    "Task": ("Task", "Tasks"),
    "Event": ("Event", "Events"),
    "User": ("User", "Users"),
    "Project__c": ("Project", "Projects"),
    "Shipment__c": ("Shipment", "Shipments"),
    "PermissionSet": ("Permission Set", "Permission Sets"),
    "PermissionSetAssignment": ("Permission Set Assignment", "Permission Set Assignments"),
    "FieldPermissions": ("Field Permissions", "Field Permissions"),
}

# ---------------------------------------------------------------- states and countries

STATE_COUNTRIES = ("US", "CA", "IT", "AU", "MX", "BR", "IN", "IE")


def default_countries() -> list[dict]:
    out = []
    for c in pycountry.countries:
        label = getattr(c, "common_name", None) or c.name
        out.append({"value": c.alpha_2, "label": label, "active": True})
    out.sort(key=lambda d: d["label"])
    return out


def default_states() -> list[dict]:
    out = []
    for cc in STATE_COUNTRIES:
        seen = set()
        for s in sorted(pycountry.subdivisions.get(country_code=cc), key=lambda s: s.name):
            code = s.code.split("-", 1)[1]
            if code in seen:
                continue
            seen.add(code)
            out.append({"value": code, "label": s.name, "active": True, "country": cc})
    return out


def valid_for(country_index: int) -> str:
    """Salesforce's dependent-picklist bitmap: bit i (MSB first) set = valid for value i."""
    buf = bytearray(country_index // 8 + 1)
    buf[country_index // 8] |= 0x80 >> (country_index % 8)
    return base64.b64encode(bytes(buf)).decode()


def describe_field(f: FieldDef, picklist: list[dict] | None = None) -> dict[str, Any]:
    ftype = f.type
    length = f.length if ftype in TEXT_TYPES or ftype in ("id", "reference") else 0
    if ftype == "picklist" and not length:
        length = 255
    values = picklist if picklist is not None else (f.picklist or [])
    return {
        "name": f.name,
        "label": f.label,
        "type": ftype,
        "soapType": SOAP_TYPES.get(ftype, "xsd:string"),
        "length": length,
        "byteLength": length * 3,
        "digits": 9 if ftype == "int" else 0,
        "precision": 18 if ftype in ("double", "currency", "percent") else 0,
        "scale": 2 if ftype in ("double", "currency", "percent") else 0,
        "nillable": f.nillable and not f.required,
        "createable": f.createable,
        "updateable": f.updateable,
        "defaultedOnCreate": f.defaulted,
        "calculated": f.calculated,
        "autoNumber": f.auto_number,
        "custom": f.custom or f.name.endswith("__c"),
        "externalId": f.external_id,
        "unique": f.unique,
        "caseSensitive": f.case_sensitive,
        "idLookup": f.name == "Id" or f.external_id or f.name in ("Email", "Name", "Username"),
        "filterable": not is_long_text(f),
        "sortable": not is_long_text(f),
        "groupable": ftype not in ("textarea", "double", "currency", "percent", "datetime"),
        "nameField": f.name == "Name",
        "picklistValues": [
            {k: v.get(k) for k in ("active", "defaultValue", "label", "validFor", "value")}
            | {"defaultValue": bool(v.get("defaultValue"))}
            for v in values
        ],
        "restrictedPicklist": f.restricted,
        "dependentPicklist": f.controller is not None,
        "controllerName": f.controller,
        "referenceTo": list(f.reference_to),
        "relationshipName": f.relationship_name,
        "defaultValue": None,
        "inlineHelpText": None,
        "htmlFormatted": False,
        "permissionable": f.nillable and not f.required and f.createable,
    }
