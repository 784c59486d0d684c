"""HubSpot's "Recommended setup": the settings rows every new account starts with."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from syncadmin.accounts.models import Account, Credentials
from syncadmin.integration import choices as c
from syncadmin.integration.models import (
    ApiSettings,
    ContactSettings,
    FieldMapping,
    ObjectSync,
    SfActivitySetting,
    TimelineEventSetting,
)

T = c.FieldType
# (object, hs_property, sf_field, sf_lead_field, type, required, rule)
STANDARD_MAPPINGS: list[tuple[str, str, str, str, str, bool, str]] = [
    ("contacts", "email", "Email", "Email", T.TEXT, True, c.SyncRule.TWO_WAY),
    ("contacts", "firstname", "FirstName", "FirstName", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("contacts", "lastname", "LastName", "LastName", T.TEXT, True, c.SyncRule.PREFER_SF),
    ("contacts", "phone", "Phone", "Phone", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("contacts", "jobtitle", "Title", "Title", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("contacts", "company", "", "Company", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("contacts", "city", "MailingCity", "City", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("contacts", "state", "MailingState", "State", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("contacts", "country", "MailingCountry", "Country", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("companies", "name", "Name", "", T.TEXT, True, c.SyncRule.PREFER_SF),
    ("companies", "domain", "Website", "", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("companies", "phone", "Phone", "", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("companies", "city", "BillingCity", "", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("companies", "country", "BillingCountry", "", T.TEXT, False, c.SyncRule.PREFER_SF),
    ("companies", "industry", "Industry", "", T.PICKLIST, False, c.SyncRule.PREFER_SF),
    ("deals", "dealname", "Name", "", T.TEXT, True, c.SyncRule.PREFER_SF),
    ("deals", "amount", "Amount", "", T.NUMBER, False, c.SyncRule.PREFER_SF),
    ("deals", "closedate", "CloseDate", "", T.DATE, True, c.SyncRule.PREFER_SF),
    ("deals", "dealstage", "StageName", "", T.PICKLIST, True, c.SyncRule.PREFER_SF),
    ("tickets", "subject", "Subject", "", T.TEXT, True, c.SyncRule.PREFER_SF),
    ("tickets", "content", "Description", "", T.TEXT, False, c.SyncRule.PREFER_SF),
]

OBJECTS = [
    (c.SyncObject.COMPANIES, "Account", "companies"),
    (c.SyncObject.DEALS, "Opportunity", "deals"),
    (c.SyncObject.TICKETS, "Case", "tickets"),
]


def create_recommended_settings(account: Account) -> None:
    """Idempotent: creates whatever settings rows the account lacks, with the defaults."""
    with transaction.atomic():
        Credentials.objects.get_or_create(account=account)
        ContactSettings.objects.get_or_create(account=account)
        ApiSettings.objects.get_or_create(account=account)
        for obj, sf_object, hs_object in OBJECTS:
            ObjectSync.objects.get_or_create(
                account=account, object=obj, sf_object=sf_object,
                defaults={"hs_object": hs_object},
            )
        existing = set(FieldMapping.objects.filter(account=account).values_list(
            "object", "hs_property"))
        FieldMapping.objects.bulk_create([
            FieldMapping(
                account=account, object=obj, hs_property=hs, sf_field=sf, sf_lead_field=lead,
                field_type=ftype, required=req, sync_rule=rule,
            )
            for obj, hs, sf, lead, ftype, req, rule in STANDARD_MAPPINGS
            if (obj, hs) not in existing
        ])
        have_events = set(account.timeline_events.values_list("event", flat=True))
        TimelineEventSetting.objects.bulk_create([
            TimelineEventSetting(account=account, event=e)
            for e in c.TimelineEvent.values if e not in have_events
        ])
        have_kinds = set(account.sf_activities.values_list("kind", flat=True))
        SfActivitySetting.objects.bulk_create([
            SfActivitySetting(account=account, kind=k)
            for k in c.SfActivityKind.values if k not in have_kinds
        ])


@receiver(post_save, sender=Account)
def _new_account(sender: type, instance: Account, created: bool, **kwargs: Any) -> None:
    if created and not kwargs.get("raw"):
        create_recommended_settings(instance)
