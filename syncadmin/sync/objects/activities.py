"""Activities (FEATURES G1–G5), declared as data like the other objects.

Two families, kept apart from the record objects of the registry (`objects.all_specs()`)
because they are not records that sync both ways: a HubSpot timeline event becomes a
Salesforce Task and never comes back, and a Salesforce activity becomes a HubSpot engagement
keyed by its Salesforce id. Their settings are the Activities tab's rows (TimelineEventSetting,
SfActivitySetting); the pipeline is `syncadmin.sync.pipeline.activities`.

- `TIMELINE`: one `TimelineSource` per HubSpot timeline event (the model's choice names):
  where HubSpot keeps it and which time window (G2) applies.
- `SF_KINDS`: one `SfKindSpec` per Salesforce activity kind (G5): Task subtypes or Event,
  the HubSpot engagement type, and the default property mappings.
"""

from __future__ import annotations

from dataclasses import dataclass

from syncadmin.sync.objects.base import MappingDefault

LINK_OBJECT = "activities"  # RecordLink.object of a Salesforce activity ⇄ HubSpot engagement
TASK_EVENT_ID = "HubSpot_Event_Id__c"  # external id on Task: the HubSpot event a task is
EVENT_ID_LABEL = "HubSpot Event Id"

# Time windows (G2), relative to when the contact's sync began.
AFTER_SYNC = "after_sync"  # only what happened after it (no backfill)
DAYS_30 = "30_days"  # within 30 days before it, and anything after
ONE_YEAR = "one_year"  # within a year before it, and anything after
ANY_TIME = "any_time"  # no window


@dataclass(frozen=True)
class TimelineSource:
    event: str  # TimelineEvent value
    source: str  # "email_events" | "forms" | "engagements" | "events"
    hs_kind: str  # email event type, engagement object type, or events v3 eventType
    window: str
    subject: str  # the task's subject prefix (Salesforce-side text, not UI)
    sales: bool = False  # G4 applies (an engagement may have several contacts)

    @property
    def stream(self) -> str:
        return f"activities:{self.event}"


TIMELINE: tuple[TimelineSource, ...] = (
    TimelineSource("form_submission", "forms", "", ONE_YEAR, "Form submission"),
    TimelineSource("marketing_email_sent", "email_events", "SENT", DAYS_30,
                   "Marketing email sent"),
    TimelineSource("marketing_email_opened", "email_events", "OPEN", DAYS_30,
                   "Marketing email opened"),
    TimelineSource("marketing_email_clicked", "email_events", "CLICK", DAYS_30,
                   "Marketing email clicked"),
    TimelineSource("sales_email_sent", "engagements", "emails", AFTER_SYNC, "Sales email sent",
                   sales=True),
    TimelineSource("sales_email_opened", "events", "e_sales_email_open", AFTER_SYNC,
                   "Sales email opened"),
    TimelineSource("sales_email_clicked", "events", "e_sales_email_click", AFTER_SYNC,
                   "Sales email clicked"),
    TimelineSource("meeting_booked", "engagements", "meetings", AFTER_SYNC, "Meeting",
                   sales=True),
    TimelineSource("call_made", "engagements", "calls", ANY_TIME, "Call", sales=True),
    TimelineSource("note", "engagements", "notes", AFTER_SYNC, "Note", sales=True),
    TimelineSource("content_viewed", "events", "e_document_viewed", AFTER_SYNC,
                   "Sales content viewed"),
    TimelineSource("task_created", "engagements", "tasks", AFTER_SYNC, "Task", sales=True),
    # Installed integrations write custom events ("pe<portal>_<name>"): every one of them.
    TimelineSource("integration_event", "events", "pe", ANY_TIME, "Integration event"),
)

# What each engagement type's subject and body are (HubSpot's property names).
ENGAGEMENT_TEXT: dict[str, tuple[str, str]] = {
    "emails": ("hs_email_subject", "hs_email_text"),
    "meetings": ("hs_meeting_title", "hs_meeting_body"),
    "calls": ("hs_call_title", "hs_call_body"),
    "notes": ("", "hs_note_body"),
    "tasks": ("hs_task_subject", "hs_task_body"),
}


@dataclass(frozen=True)
class SfKindSpec:
    kind: str  # SfActivityKind value
    sf_object: str  # "Task" | "Event"
    subtypes: tuple[str | None, ...]  # TaskSubtype values of this kind (Task only)
    hs_type: str
    date_field: str  # the Salesforce field giving the engagement's hs_timestamp
    mappings: tuple[MappingDefault, ...]
    # Salesforce picklist value -> HubSpot option, per HubSpot property.
    values: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    def value_map(self, hs_property: str) -> dict[str, str]:
        return dict(next((v for p, v in self.values if p == hs_property), ()))


M = MappingDefault
SF_KINDS: tuple[SfKindSpec, ...] = (
    SfKindSpec("tasks", "Task", ("Task", None, "Cadence", "LinkedIn"), "tasks", "ActivityDate",
               (M("hs_task_subject", "Subject"), M("hs_task_body", "Description"),
                M("hs_task_status", "Status", field_type="picklist"),
                M("hs_task_priority", "Priority", field_type="picklist")),
               values=(("hs_task_status", (("Not Started", "NOT_STARTED"),
                                           ("In Progress", "IN_PROGRESS"),
                                           ("Completed", "COMPLETED"),
                                           ("Waiting on someone else", "WAITING"),
                                           ("Deferred", "DEFERRED"))),
                       ("hs_task_priority", (("High", "HIGH"), ("Normal", "MEDIUM"),
                                             ("Low", "LOW"))))),
    SfKindSpec("emails", "Task", ("Email", "ListEmail"), "emails", "ActivityDate",
               (M("hs_email_subject", "Subject"), M("hs_email_text", "Description"))),
    SfKindSpec("calls", "Task", ("Call",), "calls", "ActivityDate",
               (M("hs_call_title", "Subject"), M("hs_call_body", "Description"))),
    SfKindSpec("meetings", "Event", (), "meetings", "StartDateTime",
               (M("hs_meeting_title", "Subject"), M("hs_meeting_body", "Description"),
                M("hs_meeting_start_time", "StartDateTime", field_type="datetime"),
                M("hs_meeting_end_time", "EndDateTime", field_type="datetime"))),
)

# Owners are never synced (G5): neither side's owner field may be mapped.
OWNER_FIELDS = frozenset({"ownerid", "hubspot_owner_id", "hs_created_by", "createdbyid"})


def timeline(event: str) -> TimelineSource:
    return next(t for t in TIMELINE if t.event == event)


def sf_kind(kind: str) -> SfKindSpec:
    return next(k for k in SF_KINDS if k.kind == kind)


def kind_of_row(sf_object: str, subtype: str | None) -> str | None:
    """Which kind a Salesforce activity row is (None: a subtype no kind syncs)."""
    for spec in SF_KINDS:
        if spec.sf_object == sf_object and (sf_object == "Event" or subtype in spec.subtypes):
            return spec.kind
    return None
