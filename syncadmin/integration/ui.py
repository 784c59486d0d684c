"""What the settings pages show: sections, fields and the help-centre notes next to them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NOTES: dict[str, list[Promise]] = {
    "sf_to_hs_create": [
        _("When a new Salesforce lead or contact is created, a matching HubSpot contact is "
          "created or deduplicated even if that contact is not in the inclusion list. Later "
          "updates of that contact or lead do not sync while it stays outside the list."),
        _("Only records with a unique, valid email address create HubSpot contacts."),
    ],
    "hs_to_sf_object": [
        _("Existing Salesforce records are updated, not duplicated. Converted leads are "
          "followed to their contact."),
    ],
    "sf_deletion": [
        _("When a HubSpot contact is deleted, Salesforce contacts and leads are not deleted."),
    ],
    "lifecycle": [
        _("This setting never moves a contact's lifecycle stage backward: a Customer does not "
          "become an Opportunity because its Salesforce contact has an open opportunity."),
        _("A HubSpot contact's lifecycle stage does not affect Salesforce: setting it to "
          "Customer does not convert the matching Salesforce lead."),
        _("The Salesforce contact must be associated with the opportunity through contact "
          "roles. Custom relationship fields and opportunities without contact roles do not "
          "trigger lifecycle stage changes."),
    ],
    "company_lifecycle_sync": [
        _("With company lifecycle stage sync on, the other HubSpot contacts associated with "
          "the same company have their lifecycle stage updated too."),
    ],
    "inclusion_list_id": [
        _("Only contacts in the inclusion list sync from HubSpot to Salesforce. With no "
          "inclusion list, all HubSpot contacts sync. Choosing a list saves it at once."),
    ],
    "only_with_email": [
        _("Untick to also sync contacts without an email address where the other side "
          "allows it."),
    ],
    "sf_picklist_mode": [
        _("Decide whether HubSpot's default state and country values are converted to pass "
          "Salesforce's state and country picklist validation."),
    ],
    "hs_state_country_mode": [
        _("With matching on, values such as “Italy”, “IT” or “italia” become the value "
          "Salesforce accepts (ISO 3166 codes and names, or the org's customized picklist)."),
    ],
    "direction": [],
    "conflict_app": [
        _("When a record changed on both sides, the value from this app wins. A blank value "
          "in the preferred app never overwrites data in the other."),
    ],
    "enabled": [],
}

LEAD_WARNING = _(
    "Salesforce leads have no account, and the integration deduplicates companies by their "
    "associated contacts, not by domain. When a HubSpot contact is first created as a "
    "Salesforce lead without an account, creating an account manually or converting the lead "
    "to a contact in Salesforce later creates a duplicate company in HubSpot. We recommend "
    "turning off “Automatically create and associate companies with contacts” in HubSpot, or "
    "syncing HubSpot contacts to Salesforce as contacts."
)

CONTACT_SECTIONS: list[tuple[Promise, Promise | None, list[str]]] = [
    (_("Contact creation and updates"), None, ["sf_to_hs_create", "hs_to_sf_object"]),
    (_("Contact deletion"), None, ["sf_deletion"]),
    (_("Lifecycle stage"), None, ["lifecycle", "company_lifecycle_sync"]),
    (_("Limit what syncs"), None, ["inclusion_list_id", "only_with_email"]),
    (_("State and country matching"),
     _("Decide how state and country values are matched between the two systems."),
     ["sf_picklist_mode", "hs_state_country_mode"]),
    (_("Sync direction and conflicts"), None, ["direction", "conflict_app"]),
]


@dataclass
class Unit:
    """One autosaving row: one form field, or a group of them (a filter)."""

    name: str
    label: Any
    fields: list[forms.BoundField]
    notes: list[Any] = field(default_factory=list)
    warning: Any = None
    saved: bool = False
    dryrun: Any = None
    pending: str = ""

    @property
    def errors(self) -> list[str]:
        out: list[str] = []
        for bf in self.fields:
            out.extend(str(e) for e in bf.errors)
        return out

    @property
    def is_checkbox(self) -> bool:
        return len(self.fields) == 1 and isinstance(self.fields[0].field.widget,
                                                     forms.CheckboxInput)


GROUPS = {
    "hs_filter": (_("Limit the initial sync: HubSpot records where"),
                  ["hs_filter_field", "hs_filter_operator", "hs_filter_value"]),
    "sf_filter": (_("Limit the initial sync: Salesforce records where"),
                  ["sf_filter_field", "sf_filter_operator", "sf_filter_value"]),
}
FILTER_NOTE = _("Only records that match the filter sync initially; after the initial sync, "
                "synced records keep syncing. Leave the field blank for no filter.")


def unit_fields(name: str) -> list[str]:
    return GROUPS[name][1] if name in GROUPS else [name]


def make_unit(form: forms.BaseForm, name: str) -> Unit:
    if name in GROUPS:
        label, names = GROUPS[name]
        return Unit(name, label, [form[n] for n in names], [FILTER_NOTE])
    bf = form[name]
    notes = getattr(form, "unit_notes", {}).get(name)  # a form's own notes win
    unit = Unit(name, bf.label, [bf], list(NOTES.get(name, []) if notes is None else notes))
    if name == "hs_to_sf_object" and bf.value() == "lead":
        unit.warning = LEAD_WARNING
    return unit
