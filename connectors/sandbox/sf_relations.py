"""Parent-to-child relationships of the Salesforce emulator: describe's `childRelationships`,
the child relationship names SOQL subqueries use, and what deleting a parent does.

Deleting a record cascades as in a real org: an Account takes its Contacts, Opportunities
and (through them) their OpportunityContactRoles and Tasks to the recycle bin; an Opportunity
or a Contact takes its contact roles and Tasks. An Account or Contact with a related Case can't
be deleted: "If any of the following conditions apply, you can't delete an account: A case is
related to the account" (Salesforce Help, Guidelines for Deleting Accounts,
https://help.salesforce.com/HTViewHelpDoc?id=account_del.htm&language=en_US, which also lists
Contacts and Opportunities among the related items moved to the Recycle Bin with the account).
"""

from __future__ import annotations

from typing import Any

from connectors.sandbox.sf_schema import FieldDef

# (child object, lookup field) -> (relationshipName, cascadeDelete, restrictedDelete)
CHILD_RELATIONSHIPS: dict[tuple[str, str], tuple[str, bool, bool]] = {
    ("Contact", "AccountId"): ("Contacts", True, False),
    ("Opportunity", "AccountId"): ("Opportunities", True, False),
    ("Case", "AccountId"): ("Cases", False, True),
    ("Case", "ContactId"): ("Cases", False, True),
    ("OpportunityContactRole", "OpportunityId"): ("OpportunityContactRoles", True, False),
    ("OpportunityContactRole", "ContactId"): ("OpportunityContactRoles", True, False),
    ("Task", "WhatId"): ("Tasks", True, False),
    ("Task", "WhoId"): ("Tasks", True, False),
    ("Event", "WhatId"): ("Events", True, False),
    ("Event", "WhoId"): ("Events", True, False),
    ("Project__c", "Account__c"): ("Projects__r", False, False),
    ("Shipment__c", "Contact__c"): ("Shipments__r", False, False),
    ("Shipment__c", "Account__c"): ("Shipments__r", False, False),
}


def children_of(fields: dict[str, list[FieldDef]], parent: str) -> list[tuple[str, FieldDef, str]]:
    """(child object, lookup field, relationship name) for every child relationship of parent."""
    out = []
    for child, fdefs in fields.items():
        for f in fdefs:
            rel = CHILD_RELATIONSHIPS.get((child, f.name))
            if rel and parent in f.reference_to:
                out.append((child, f, rel[0]))
    return out


def child_relationship(
    fields: dict[str, list[FieldDef]], parent: str, name: str
) -> tuple[str, FieldDef, str] | None:
    for child, f, rel in children_of(fields, parent):
        if rel.lower() == name.lower():
            return child, f, rel
    return None


def describe_children(fields: dict[str, list[FieldDef]], parent: str) -> list[dict[str, Any]]:
    """The `childRelationships` entries of `/sobjects/{parent}/describe/`."""
    out = []
    for child, f, rel in children_of(fields, parent):
        _, cascade, restricted = CHILD_RELATIONSHIPS[(child, f.name)]
        out.append(
            {
                "cascadeDelete": cascade,
                "childSObject": child,
                "deprecatedAndHidden": False,
                "field": f.name,
                "junctionIdListNames": [],
                "junctionReferenceTo": [],
                "relationshipName": rel,
                "restrictedDelete": restricted,
            }
        )
    return sorted(out, key=lambda d: (d["childSObject"], d["field"]))


def delete_targets(org: Any, obj: str, rec: dict) -> list[tuple[str, dict]]:
    """Records (children first, `rec` last) that deleting `rec` moves to the recycle bin.

    Raises DELETE_FAILED when a restricted child (a Case) points at one of them."""
    from connectors.sandbox.salesforce import ApiError

    out: list[tuple[str, dict]] = []
    seen: set[str] = set()

    def visit(o: str, r: dict) -> None:
        if r["Id"] in seen:
            return
        seen.add(r["Id"])
        for child, f, _rel in children_of(org.fields, o):
            _, cascade, restricted = CHILD_RELATIONSHIPS[(child, f.name)]
            if not (cascade or restricted):
                continue
            recs = org.recs[child]
            kids = [recs[i] for i in org.live[child] if recs[i].get(f.name) == r["Id"]]
            if restricted and kids:
                label = r.get("Name") or r["Id"]
                numbers = ", ".join(k.get("CaseNumber") or k["Id"] for k in kids)
                raise ApiError(
                    400,
                    "DELETE_FAILED",
                    f"Your attempt to delete {label} could not be completed because it is "
                    f"associated with the following cases.: {numbers}\n",
                )
            for k in kids:
                visit(child, k)
        out.append((o, r))

    visit(obj, rec)
    return out
