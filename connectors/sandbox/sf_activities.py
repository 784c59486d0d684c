"""Activities in the Salesforce emulator: Task's subtype and archive flag, and Event.

What the real objects do that the emulator keeps (Object Reference, Task and Event,
https://developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/
sforce_api_objects_task.htm and .../sforce_api_objects_event.htm):

- `TaskSubtype` (Task, Email, ListEmail, Cadence, Call, LinkedIn) and `EventSubtype` (Event)
  are set on create and cannot be updated ("Properties: Create, Filter, Group, Nillable,
  Sort" — no Update); a task created through the API without one is a plain Task.
- `IsArchived` is read-only: Salesforce archives events that ended more than a year ago and
  closed tasks due more than a year ago. "query() doesn't return archived activities; use
  queryAll() to see them" (Task, IsArchived), as with deleted records. The control API's raw
  insert sets it (`/__sandbox/records` with `"IsArchived": true`).
- `WhoId` points at a Contact or a Lead and `WhatId` at an Account, Opportunity, Case or custom
  object: polymorphic lookups whose relationships (`Who`, `What`) answer `Type` with the
  referenced record's object name (SOQL and SOSL Reference, "Understanding Relationship Fields
  and Polymorphic Fields": `SELECT Id, What.Type FROM Event WHERE What.Type IN ('Account',
  'Opportunity')`). soql_exec resolves `Who.Type`/`What.Type` with `polymorphic_type`.

Emails logged by Einstein Activity Capture are not stored as Task records at all, so the
emulator has nothing to show for them (and a sync reading Task never sees them).
"""

from __future__ import annotations

from typing import Any

from connectors.sandbox.sf_schema import FieldDef, _pl, _system_fields

ACTIVITY_OBJECTS = ("Task", "Event")
EVENT_PREFIX = "00U"
TASK_SUBTYPES = ["Task", "Email", "ListEmail", "Cadence", "Call", "LinkedIn"]
TASK_TYPES = ["Call", "Email", "Meeting", "Other"]
WHAT_TARGETS = ["Account", "Opportunity", "Case", "Project__c"]


def _archived() -> FieldDef:
    return FieldDef("IsArchived", "boolean", "Archived", createable=False, updateable=False,
                    nillable=False, defaulted=True)


def task_fields() -> list[FieldDef]:
    """Fields base_objects' Task lacks."""
    return [
        FieldDef("TaskSubtype", "picklist", "Task Subtype", picklist=_pl(TASK_SUBTYPES, "Task"),
                 updateable=False, restricted=True, defaulted=True),
        FieldDef("Type", "picklist", "Type", picklist=_pl(TASK_TYPES)),
        FieldDef("CompletedDateTime", "datetime", "Completed Date/Time", createable=False,
                 updateable=False),
        _archived(),
    ]


def event_fields() -> list[FieldDef]:
    return _system_fields() + [
        FieldDef("Subject", "combobox", length=255),
        FieldDef("StartDateTime", "datetime", "Start"),
        FieldDef("EndDateTime", "datetime", "End"),
        FieldDef("ActivityDateTime", "datetime", "Due Date Time"),
        FieldDef("ActivityDate", "date", "Due Date Only"),
        FieldDef("DurationInMinutes", "int", "Duration"),
        FieldDef("IsAllDayEvent", "boolean", "All-Day Event", nillable=False, defaulted=True),
        FieldDef("Location", "string", length=255),
        FieldDef("EventSubtype", "picklist", "Event Subtype", picklist=_pl(["Event"], "Event"),
                 updateable=False, restricted=True, defaulted=True),
        FieldDef("Type", "picklist", "Type", picklist=_pl(TASK_TYPES)),
        FieldDef("WhoId", "reference", "Name ID", 18, reference_to=["Contact", "Lead"],
                 relationship_name="Who"),
        FieldDef("WhatId", "reference", "Related To ID", 18, reference_to=list(WHAT_TARGETS),
                 relationship_name="What"),
        FieldDef("Description", "textarea", "Description", 32000),
        _archived(),
    ]


def extend(objects: dict[str, list[FieldDef]]) -> None:
    """Adds the activity fields and Event to base_objects' result."""
    have = {f.name for f in objects["Task"]}
    objects["Task"] += [f for f in task_fields() if f.name not in have]
    objects["Event"] = event_fields()


def hidden_from_query(obj: str, rec: dict[str, Any]) -> bool:
    """query() leaves archived activities out; queryAll() returns them."""
    return obj in ACTIVITY_OBJECTS and bool(rec.get("IsArchived"))


def polymorphic_type(lookup: FieldDef, parent_object: str) -> str | None:
    """`Who.Type`/`What.Type`: the object name of the record a polymorphic lookup points at."""
    if len(lookup.reference_to) > 1:
        return parent_object
    return None
