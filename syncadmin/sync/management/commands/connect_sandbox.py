"""Create (or reconnect) an account with the Recommended setup, connected to the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from connectors.oauth import salesforce_identity
from syncadmin.accounts.models import Account
from syncadmin.integration.models import ContactSettings, ObjectSync
from syncadmin.sync import activity_switches, objects


def load_sandbox(state_dir: str | Path) -> dict[str, Any]:
    path = Path(state_dir) / "sandbox.json"
    if not path.exists():
        raise CommandError(f"{path} not found: start `python manage.py sandbox` first.")
    return json.loads(path.read_text())


def connect(account: Account, info: dict[str, Any]) -> None:
    user = salesforce_identity(info["salesforce"], info["sf_session_id"], info["ca"])
    account.sf_instance_url = info["salesforce"]
    account.sf_login_url = info.get("salesforce_sandbox_login", info["salesforce_login"])
    account.sf_is_sandbox = True
    account.sf_org_id = user.organization_id[:18]
    account.sf_user_id = user.user_id[:18]
    account.sf_user_name = user.name
    account.sf_username = user.preferred_username
    account.hubspot_host = info["hubspot"]
    account.hubspot_portal_id = str(info.get("hs_portal_id", ""))
    account.tls_ca_file = info["ca"]
    account.save()
    creds = account.credentials
    creds.sf_access_token = info["sf_session_id"]
    creds.hs_access_token = info["hs_token"]
    creds.save()


def enable_custom_objects(account: Account, keys: list[str]) -> None:
    """`custom:API_NAME`: the object must exist in the org (its describeGlobal) (E3)."""
    if not keys:
        return
    from syncadmin.sync.remote import salesforce_for

    in_org = {o["name"] for o in salesforce_for(account).sobjects() if o.get("custom")}
    for key in keys:
        name = objects.custom.sf_object_of(key)
        if name not in in_org:
            raise CommandError(f"{name!r} is not a custom object of the connected Salesforce "
                               f"org; it has: {', '.join(sorted(in_org)) or 'none'}")
        row, _ = ObjectSync.objects.get_or_create(
            account=account, object="custom", sf_object=name,
            defaults={"direction": "to_hubspot", "conflict_app": "salesforce"})
        row.enabled = True
        row.save()


class Command(BaseCommand):
    help = "Create or reconnect account NAME to the sandbox described by DIR/sandbox.json."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--account", required=True)
        parser.add_argument("--state-dir", default=str(settings.SANDBOX_STATE_DIR))
        parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                            help="A contact setting, e.g. hs_to_sf_object=contact")
        parser.add_argument("--off", action="store_true", help="Leave sync turned off.")
        parser.add_argument("--enable", action="append", default=[], metavar="OBJECT",
                            help="Turn an object's sync on (repeatable): "
                                 + ", ".join(objects.standard_keys())
                                 + ", custom:API_NAME (a custom object of the org, e.g. "
                                   "custom:Shipment__c); activities (every timeline event "
                                   "and Salesforce activity kind), or one of: "
                                 + ", ".join(activity_switches.names()[1:]))

    def handle(self, *args: Any, account: str, state_dir: str, set: list[str], off: bool,
               enable: list[str], **options: Any) -> None:
        customs = [name for name in enable if objects.custom.is_custom(name)]
        enable = [name for name in enable if name not in customs]
        try:
            events, kinds = activity_switches.parse(
                [n for n in enable if activity_switches.is_activity(n)])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        enable = [name for name in enable if not activity_switches.is_activity(name)]
        unknown = [name for name in enable if name not in objects.standard_keys()]
        if unknown:
            raise CommandError(f"Unknown object {unknown[0]!r} in --enable; known: "
                               f"{', '.join(objects.standard_keys())}")
        info = load_sandbox(state_dir)
        obj, _ = Account.objects.get_or_create(name=account)
        connect(obj, info)
        contacts = ContactSettings.objects.get(account=obj)
        names = {f.name for f in ContactSettings._meta.get_fields()}
        for item in set:
            key, sep, value = item.partition("=")
            if not sep or key not in names or key in ("id", "account"):
                raise CommandError(f"Unknown contact setting {key!r} in --set {item!r}")
            field = ContactSettings._meta.get_field(key)
            setattr(contacts, key, field.to_python(value))  # type: ignore[union-attr]
        try:
            contacts.full_clean()
        except ValidationError as exc:
            raise CommandError(f"Invalid settings: {exc.message_dict}") from exc
        contacts.save()
        for name in enable:
            row = ObjectSync.objects.get(account=obj, object=name)
            row.enabled = True
            row.save()
        enable_custom_objects(obj, customs)
        activity_switches.enable(obj, events, kinds)
        obj.sync_enabled = not off
        obj.save(update_fields=["sync_enabled"])
        self.stdout.write(json.dumps({"account": obj.name, "id": obj.pk,
                                      "sf_org_id": obj.sf_org_id,
                                      "hs_portal_id": obj.hubspot_portal_id}))
