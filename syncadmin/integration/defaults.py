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
from syncadmin.sync import objects
from syncadmin.sync.objects import MappingDefault


def standard_mappings() -> list[tuple[str, MappingDefault]]:
    """(object, default mapping) for every object in the registry."""
    return [(spec.key, m) for spec in objects.all_specs() for m in spec.mappings]


def create_recommended_settings(account: Account) -> None:
    """Idempotent: creates whatever settings rows the account lacks, with the defaults."""
    with transaction.atomic():
        Credentials.objects.get_or_create(account=account)
        ContactSettings.objects.get_or_create(account=account)
        ApiSettings.objects.get_or_create(account=account)
        for spec in objects.all_specs():
            if spec.key == "contacts":
                continue  # the Contacts tab has its own settings (ContactSettings)
            ObjectSync.objects.get_or_create(
                account=account, object=spec.key, sf_object=spec.sf_object,
                defaults={"hs_object": spec.hs_type},
            )
        existing = set(FieldMapping.objects.filter(account=account).values_list(
            "object", "hs_property"))
        FieldMapping.objects.bulk_create([
            FieldMapping(
                account=account, object=obj, hs_property=m.hs_property, sf_field=m.sf_field,
                sf_lead_field=m.sf_lead_field, field_type=m.field_type, required=m.required,
                sync_rule=m.rule,
            )
            for obj, m in standard_mappings()
            if (obj, m.hs_property) not in existing
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
