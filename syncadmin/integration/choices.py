"""Every settings choice with its label, in one place (FEATURES A4, D, E, F, G, H)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SfToHsCreate(models.TextChoices):
    CREATE_UPDATE = "create_update", _("Create or update the contact")
    NOTHING = "nothing", _("Do nothing")


class HsToSfObject(models.TextChoices):
    CONTACT = "contact", _("Create or update a contact")
    LEAD = "lead", _("Create or update a lead")


class DeletionRule(models.TextChoices):
    DELETE = "delete", _("Delete the contact")
    NOTHING = "nothing", _("Do nothing")


class ObjectDeletionRule(models.TextChoices):
    DELETE = "delete", _("Delete the HubSpot record")
    NOTHING = "nothing", _("Do nothing")


class LifecycleRule(models.TextChoices):
    UPDATE = "update", _("Update the contact's lifecycle stage")
    NOTHING = "nothing", _("Do nothing")


class SfPicklistMode(models.TextChoices):
    DISABLED = "disabled", _("State and country picklists disabled")
    ENABLED = "enabled", _("State and country picklists enabled")
    CUSTOMIZED = "customized", _("State and country picklists enabled and customized")


class HsStateCountryMode(models.TextChoices):
    MATCH = "match", _("Match Salesforce default state/country values when syncing")
    AS_IS = "as_is", _("Sync HubSpot state/country values to Salesforce")


class SyncObject(models.TextChoices):
    """The model field's choices: the registry's keys (syncadmin.sync.objects) plus custom
    objects, kept equal to it by a test. Lists of objects come from the registry."""

    CONTACTS = "contacts", _("Contacts")
    COMPANIES = "companies", _("Companies")
    DEALS = "deals", _("Deals")
    TICKETS = "tickets", _("Tickets")
    CUSTOM = "custom", _("Custom objects")


class Direction(models.TextChoices):
    TWO_WAY = "two_way", _("Two-way")
    TO_HUBSPOT = "to_hubspot", _("Only to HubSpot")
    TO_SALESFORCE = "to_salesforce", _("Only to Salesforce")


class App(models.TextChoices):
    HUBSPOT = "hubspot", _("HubSpot")
    SALESFORCE = "salesforce", _("Salesforce")


class SyncRule(models.TextChoices):
    PREFER_SF = "prefer_sf", _("Prefer Salesforce unless blank")
    ALWAYS_SF = "always_sf", _("Always use Salesforce")
    TWO_WAY = "two_way", _("Two-way")
    NONE = "none", _("Don't sync")


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOL = "bool", _("Checkbox")
    PICKLIST = "picklist", _("Picklist / enumeration")
    REFERENCE = "reference", _("Reference")


class TimelineEvent(models.TextChoices):
    FORM_SUBMISSION = "form_submission", _("Form submissions")
    MARKETING_EMAIL_SENT = "marketing_email_sent", _("Marketing email sent")
    MARKETING_EMAIL_OPENED = "marketing_email_opened", _("Marketing email opened")
    MARKETING_EMAIL_CLICKED = "marketing_email_clicked", _("Marketing email clicked")
    SALES_EMAIL_SENT = "sales_email_sent", _("Sales email sent")
    SALES_EMAIL_OPENED = "sales_email_opened", _("Sales email opened")
    SALES_EMAIL_CLICKED = "sales_email_clicked", _("Sales email clicked")
    MEETING_BOOKED = "meeting_booked", _("Meetings booked")
    CALL_MADE = "call_made", _("Calls made")
    NOTE = "note", _("Notes")
    CONTENT_VIEWED = "content_viewed", _("Sales content viewed")
    TASK_CREATED = "task_created", _("Tasks created")
    INTEGRATION_EVENT = "integration_event", _("Events from installed integrations")


class SfTaskType(models.TextChoices):
    NONE = "", _("-- No task type --")
    CALL = "Call", _("Call")
    EMAIL = "Email", _("Email")
    MEETING = "Meeting", _("Meeting")
    OTHER = "Other", _("Other")


class SfActivityKind(models.TextChoices):
    TASKS = "tasks", _("Tasks")
    EMAILS = "emails", _("Emails")
    CALLS = "calls", _("Calls")
    MEETINGS = "meetings", _("Meetings")


class ActivityDeletion(models.TextChoices):
    DELETE = "delete", _("Delete activity")
    NOTHING = "nothing", _("Do nothing")


class FilterOperator(models.TextChoices):
    EQ = "eq", _("is equal to")
    NEQ = "neq", _("is not equal to")
    CONTAINS = "contains", _("contains")
    KNOWN = "known", _("is known")
    UNKNOWN = "unknown", _("is unknown")
