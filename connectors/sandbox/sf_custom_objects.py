"""Custom objects of the Salesforce emulator's org beyond Project__c: Shipment__c, with
lookups to Contact and Account, for the custom object sync (FEATURES E3) and its demo.

A custom object's API name ends in `__c`, its records' ids start with a key prefix of its
own ("a01"), its custom fields end in `__c`, and a lookup's relationship name ends in `__r`
(Object Reference, "Custom Objects"; SOQL and SOSL Reference, "Relationship Names for Custom
Objects and Custom Fields"). Name is a standard field of every custom object.
"""

from __future__ import annotations

from connectors.sandbox.sf_schema import FieldDef, _pl, _system_fields

SHIPMENT = "Shipment__c"
PREFIX = "a01"
LABELS = ("Shipment", "Shipments")
STATUSES = ["Booked", "In transit", "Delivered", "Returned"]
# (child object, lookup field) -> (relationshipName, cascadeDelete, restrictedDelete)
RELATIONSHIPS = {
    (SHIPMENT, "Contact__c"): ("Shipments__r", False, False),
    (SHIPMENT, "Account__c"): ("Shipments__r", False, False),
}


def shipment_fields() -> list[FieldDef]:
    return _system_fields() + [
        FieldDef("Name", "string", "Shipment Number", 80),
        FieldDef("Status__c", "picklist", "Status", custom=True, picklist=_pl(STATUSES),
                 restricted=True),
        FieldDef("Weight_Kg__c", "double", "Weight (kg)", custom=True),
        FieldDef("Shipped_On__c", "date", "Shipped On", custom=True),
        FieldDef("Tracking_Url__c", "url", "Tracking URL", 255, custom=True),
        FieldDef("Contact__c", "reference", "Contact", 18, custom=True,
                 reference_to=["Contact"], relationship_name="Contact__r"),
        FieldDef("Account__c", "reference", "Account", 18, custom=True,
                 reference_to=["Account"], relationship_name="Account__r"),
    ]


def extend(objects: dict[str, list[FieldDef]]) -> None:
    objects[SHIPMENT] = shipment_fields()
