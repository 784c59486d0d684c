"""The rest of the standard fields a new org describes on Lead, Contact, Account, Opportunity
and Case (issue 15, point 6): `sf_objects` has those the sync reads and writes; these make
describe as long as a real org's, so a client that lists or maps fields meets the read-only,
calculated and reference fields it will meet there (MasterRecordId, LastActivityDate, the
second addresses, PhotoUrl …). Field names, types and lengths are those of the Object
Reference (https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/
object_reference/sforce_api_objects_contact.htm and the pages of the other objects).

Not here: fields of features the emulator lacks (Individual, Jigsaw / Data.com, campaigns,
price books, geolocation compound fields); each object's compound ``Address`` and ``Name``
fields.
"""

from __future__ import annotations

from connectors.sandbox.sf_schema import FieldDef, _pl

SALUTATIONS = ["Mr.", "Ms.", "Mrs.", "Dr.", "Prof."]
RATINGS = ["Hot", "Warm", "Cold"]


def _ro(name: str, ftype: str, label: str = "", length: int = 0, *,
        nillable: bool = True) -> FieldDef:
    """A field the API reads but never writes (system-maintained)."""
    return FieldDef(name, ftype, label, length, createable=False, updateable=False,
                    nillable=nillable)


def _flag(name: str, label: str = "", *, writable: bool = True) -> FieldDef:
    return FieldDef(name, "boolean", label, nillable=False, defaulted=True,
                    createable=writable, updateable=writable)


def _ref(name: str, target: str, relationship: str, *, writable: bool = True) -> FieldDef:
    return FieldDef(name, "reference", "", 18, createable=writable, updateable=writable,
                    reference_to=[target], relationship_name=relationship)


def _second_address(prefix: str) -> list[FieldDef]:
    return [FieldDef(f"{prefix}Street", "textarea", length=255),
            FieldDef(f"{prefix}City", "string", length=40),
            FieldDef(f"{prefix}State", "string", length=80),
            FieldDef(f"{prefix}PostalCode", "string", length=20),
            FieldDef(f"{prefix}Country", "string", length=80)]


def _activity_dates() -> list[FieldDef]:
    return [_ro("LastActivityDate", "date"), _ro("LastViewedDate", "datetime"),
            _ro("LastReferencedDate", "datetime")]


def extra_fields() -> dict[str, list[FieldDef]]:
    return {
        "Lead": [
            _ref("MasterRecordId", "Lead", "MasterRecord", writable=False),
            FieldDef("Salutation", "picklist", picklist=_pl(SALUTATIONS)),
            FieldDef("Website", "url", length=255),
            FieldDef("Fax", "phone", length=40),
            FieldDef("Rating", "picklist", picklist=_pl(RATINGS)),
            FieldDef("AnnualRevenue", "currency"),
            FieldDef("NumberOfEmployees", "int", "Employees"),
            _flag("IsUnreadByOwner", "Unread By Owner"),
            FieldDef("EmailBouncedReason", "string", length=255),
            FieldDef("EmailBouncedDate", "datetime"),
            _ro("PhotoUrl", "url", "Photo URL", 255),
            *_activity_dates(),
        ],
        "Contact": [
            _ref("MasterRecordId", "Contact", "MasterRecord", writable=False),
            FieldDef("Salutation", "picklist", picklist=_pl(SALUTATIONS)),
            *_second_address("Other"),
            FieldDef("Fax", "phone", "Business Fax", 40),
            FieldDef("HomePhone", "phone", length=40),
            FieldDef("OtherPhone", "phone", length=40),
            FieldDef("AssistantPhone", "phone", "Asst. Phone", 40),
            _ref("ReportsToId", "Contact", "ReportsTo"),
            FieldDef("AssistantName", "string", "Assistant's Name", 40),
            _ro("LastCURequestDate", "datetime", "Last Stay-in-Touch Request Date"),
            _ro("LastCUUpdateDate", "datetime", "Last Stay-in-Touch Save Date"),
            FieldDef("EmailBouncedReason", "string", length=255),
            FieldDef("EmailBouncedDate", "datetime"),
            _ro("IsEmailBounced", "boolean", nillable=False),
            _ro("PhotoUrl", "url", "Photo URL", 255),
            *_activity_dates(),
        ],
        "Account": [
            _ref("MasterRecordId", "Account", "MasterRecord", writable=False),
            _ref("ParentId", "Account", "Parent"),
            *_second_address("Shipping"),
            FieldDef("Fax", "phone", "Account Fax", 40),
            FieldDef("AccountNumber", "string", length=40),
            FieldDef("Sic", "string", "SIC Code", 20),
            FieldDef("SicDesc", "string", "SIC Description", 80),
            FieldDef("Site", "string", "Account Site", 80),
            FieldDef("TickerSymbol", "string", length=20),
            FieldDef("Ownership", "picklist",
                     picklist=_pl(["Public", "Private", "Subsidiary", "Other"])),
            FieldDef("Rating", "picklist", "Account Rating", picklist=_pl(RATINGS)),
            FieldDef("AccountSource", "picklist",
                     picklist=_pl(["Web", "Phone Inquiry", "Partner Referral",
                                   "Purchased List", "Other"])),
            _ro("PhotoUrl", "url", "Photo URL", 255),
            *_activity_dates(),
        ],
        "Opportunity": [
            _flag("IsPrivate", "Private"),
            FieldDef("NextStep", "string", length=255),
            _ro("ExpectedRevenue", "currency", "Expected Amount"),
            FieldDef("TotalOpportunityQuantity", "double", "Quantity"),
            _ro("HasOpportunityLineItem", "boolean", "Has Line Item", nillable=False),
            _ro("HasOpenActivity", "boolean", nillable=False),
            _ro("HasOverdueTask", "boolean", nillable=False),
            _ro("FiscalQuarter", "int"),
            _ro("FiscalYear", "int"),
            _ro("Fiscal", "string", "Fiscal Period", 6),
            _ro("LastStageChangeDate", "datetime"),
            *_activity_dates(),
        ],
        "Case": [
            _ref("MasterRecordId", "Case", "MasterRecord", writable=False),
            _ref("ParentId", "Case", "Parent"),
            FieldDef("SuppliedName", "string", "Name", 80),
            FieldDef("SuppliedEmail", "email", "Email Address", 80),
            FieldDef("SuppliedPhone", "string", "Phone", 40),
            FieldDef("SuppliedCompany", "string", "Company", 80),
            FieldDef("Type", "picklist",
                     picklist=_pl(["Mechanical", "Electrical", "Electronic", "Structural",
                                   "Other"])),
            FieldDef("Reason", "picklist", "Case Reason",
                     picklist=_pl(["Installation", "Equipment Complexity", "Performance",
                                   "Breakdown", "Equipment Design", "Feedback", "Other"])),
            _flag("IsEscalated", "Escalated"),
            _ro("ClosedDate", "datetime"),
            _ro("IsClosedOnCreate", "boolean", "Closed When Created", nillable=False),
            FieldDef("Comments", "textarea", "Internal Comments", 4000),
            _ro("ContactPhone", "phone", "Contact Phone", 40),
            _ro("ContactMobile", "phone", "Contact Mobile", 40),
            _ro("ContactEmail", "email", "Contact Email", 80),
            _ro("ContactFax", "phone", "Contact Fax", 40),
            *_activity_dates()[1:],
        ],
    }


def extend(objects: dict[str, list[FieldDef]]) -> None:
    for obj, extra in extra_fields().items():
        have = {f.name for f in objects[obj]}
        objects[obj].extend(f for f in extra if f.name not in have)
