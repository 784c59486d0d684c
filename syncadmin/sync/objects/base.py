"""The shape of an object spec: what the pipeline needs to know to sync one kind of record.

A spec is data (DESIGN.md decision 11). The pipeline reads changes, links rows, plans and
writes for any spec; the few rules that are an object's own (domain matching for companies,
stage mapping for deals) live in the spec's module as pure functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise

SF_EXT_ID = "HubSpot_Id__c"  # external-ID field carrying the HubSpot id on every SF object
HS_SF_ID = "salesforce_id"  # unique HubSpot property carrying the Salesforce id


@dataclass(frozen=True)
class MappingDefault:
    """A standard mapping every new account starts with (HubSpot's Recommended setup)."""

    hs_property: str
    sf_field: str
    field_type: str = "text"
    required: bool = False
    rule: str = "prefer_sf"
    sf_lead_field: str = ""


@dataclass(frozen=True)
class AssociationSpec:
    """An association the owning object carries in Salesforce (E2).

    Single-valued ones are a lookup field on the owner's SF record (`sf_field`); multi-valued
    ones go through a junction object (`junction`, with `junction_owner`/`junction_target`
    lookups). On the HubSpot side they are v4 associations between `hs_from` and `hs_to`.
    """

    key: str  # "contact_company"
    owner: str  # object key that owns it: "contacts"
    target: str  # object key it points to: "companies"
    sf_field: str = ""  # Contact.AccountId
    junction: str = ""  # OpportunityContactRole
    junction_owner: str = ""  # OpportunityId
    junction_target: str = ""  # ContactId
    label: str | Promise = ""

    @property
    def multi(self) -> bool:
        return bool(self.junction)


@dataclass(frozen=True)
class ObjectSpec:
    key: str  # the RecordLink.object value and the settings' object key
    label: str | Promise
    label_singular: str | Promise
    hs_type: str  # HubSpot object type ("companies")
    sf_objects: tuple[str, ...]  # ("Account",); contacts: ("Contact", "Lead")
    match: str  # initial matching: "email" | "name_or_domain" | "none"
    identifier: str | Promise  # what a record needs to sync (for the "Excluded" tip)
    mappings: tuple[MappingDefault, ...] = ()
    # Added at the object's first sync when the org has the Salesforce field (CurrencyIsoCode
    # exists only where multiple currencies are on).
    optional_mappings: tuple[MappingDefault, ...] = ()
    associations: tuple[AssociationSpec, ...] = ()
    depends_on: tuple[str, ...] = ()
    sf_label_field: str = "Name"  # a readable name for links
    hs_label_property: str = "name"
    # Extra fields read on each side whatever the mappings (stage, pipeline …).
    sf_extra_fields: tuple[str, ...] = ()
    hs_extra_properties: tuple[str, ...] = ()
    # Required SF fields filled when HubSpot creates a record and the mapping gave none.
    sf_create_defaults: dict[str, Any] = field(default_factory=dict)
    settings_tab: str = ""  # URL name of the object's settings tab
    # HubSpot's objectTypeId ("0-1" contacts, "0-2" companies …): record URLs in the app use it.
    hs_type_id: str = ""
    ui_order: int = 0
    # Syncs Salesforce → HubSpot only and never writes to Salesforce (custom objects, E3):
    # HubSpot's changes are not read and the org gets no id field.
    one_way: bool = False

    @property
    def sf_object(self) -> str:
        return self.sf_objects[0]

    def watermark_stream(self, sf_object: str | None = None) -> str:
        """One watermark per object, side and stream (a Deals sync and the contacts'
        lifecycle stream both read Opportunity, but never share a key)."""
        return f"{self.key}:{sf_object}" if sf_object else self.key
