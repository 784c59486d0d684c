"""Contacts' fields: which Salesforce fields and HubSpot properties are read, and the
canonical values (HubSpot's terms) both sides are compared in (D7: country and state)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from connectors.salesforce import select_in_soqls
from syncadmin.accounts.models import Account
from syncadmin.integration.models import ContactSettings, FieldMapping
from syncadmin.sync import geo, rules

SF_EXT_ID = "HubSpot_Id__c"  # external-ID field carrying the HubSpot id on Lead and Contact
HS_SF_ID = "salesforce_id"  # unique HubSpot property carrying the Salesforce id
SF_OBJECTS = ("Contact", "Lead")
# Opportunity changes move contacts' lifecycle stages, through contact roles only (D5).
LIFECYCLE_STREAMS = {
    "Opportunity": "Id, IsClosed, IsWon, IsDeleted",
    "OpportunityContactRole": "Id, ContactId, OpportunityId, IsDeleted",
}
# Watermark keys: one per object, side and stream (a Deals sync also reads Opportunity).
STREAM_KEYS = {"Contact": "contacts:Contact", "Lead": "contacts:Lead",
               "Opportunity": "contacts:lifecycle:Opportunity",
               "OpportunityContactRole": "contacts:lifecycle:OpportunityContactRole"}
LAG = dt.timedelta(seconds=3)  # a transaction can commit with an earlier timestamp
APPLY_CHUNK = 5_000
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
FAR_FUTURE = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
# Leads need a company; HubSpot's own integration sends this when the contact has none.
LEAD_COMPANY_PLACEHOLDER = "[not provided]"
ADDRESS = ("country", "state")


def query_in(sf: Any, sobject: str, fields: str, key: str, values: Iterable[str]
             ) -> Iterable[list[dict[str, Any]]]:
    """Pages of `sobject` rows whose `key` is one of `values`, in URI-sized chunks."""
    names = [f.strip() for f in fields.split(",")]
    for soql in select_in_soqls(sobject, names, key, sorted(set(values))):
        yield from sf.query(soql)


def policy_of(settings_row: ContactSettings) -> rules.ContactPolicy:
    names = rules.ContactPolicy.__dataclass_fields__
    return rules.ContactPolicy(**{n: getattr(settings_row, n) for n in names})


def mappings_of(account: Account) -> list[rules.Mapping]:
    return [
        rules.Mapping(
            hs_property=m.hs_property, sf_field=m.sf_field, sf_lead_field=m.sf_lead_field,
            rule=m.sync_rule, conflict_app=m.conflict_app, enabled=m.enabled,
            field_type=m.field_type,
        )
        for m in FieldMapping.objects.filter(account=account, object="contacts")
    ]


def label(sf_values: dict[str, Any] | None, hs_values: dict[str, Any] | None) -> str:
    v = {**(hs_values or {}), **{k: x for k, x in (sf_values or {}).items() if x}}
    name = " ".join(str(v.get(k) or "") for k in ("firstname", "lastname")).strip()
    email = v.get("email") or ""
    return (f"{name} <{email}>" if name and email else name or str(email))[:255]


class ContactFields:
    """The enabled mappings of one account and the conversions they imply."""

    def __init__(self, policy: rules.ContactPolicy, mappings: list[rules.Mapping],
                 sf: Any) -> None:
        self.policy, self.mappings, self.sf = policy, mappings, sf
        self.extra_contact_fields: set[str] = set()  # AccountId, when companies sync (E2)
        self._custom_picklists: tuple[dict[str, str], dict[str, dict[str, str]]] | None = None

    def sf_fields(self, sf_object: str) -> list[str]:
        names = {"Id", "SystemModstamp", "IsDeleted", "Email", SF_EXT_ID}
        if sf_object == "Lead":
            names |= {"IsConverted", "ConvertedContactId"}
        else:
            names |= self.extra_contact_fields
        for m in self.mappings:
            if m.hs_property in ADDRESS:
                continue
            name = m.sf_name(sf_object)
            if name:
                names.add(name)
        prefix = "Mailing" if sf_object == "Contact" else ""
        if any(m.hs_property in ADDRESS for m in self.mappings):
            names |= {f"{prefix}Country", f"{prefix}State"}
            if self.policy.sf_picklist_mode != "disabled":
                names |= {f"{prefix}CountryCode", f"{prefix}StateCode"}
        return sorted(names)

    def hs_properties(self) -> list[str]:
        props = {m.hs_property for m in self.mappings}
        return sorted(props | {"email", HS_SF_ID, "lifecyclestage", "hs_object_id"})

    def canonical_sf(self, sf_object: str, row: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for m in self.mappings:
            if m.hs_property in ADDRESS:
                continue
            name = m.sf_name(sf_object)
            if name:
                values[m.hs_property] = row.get(name)
        if any(m.hs_property in ADDRESS for m in self.mappings):
            address = geo.from_salesforce_address(
                row, sf_object=sf_object, sf_mode=self.policy.sf_picklist_mode
            )
            for key in ADDRESS:
                if any(m.hs_property == key for m in self.mappings):
                    values[key] = address.get(key)
        return values

    def canonical_hs(self, props: dict[str, Any]) -> dict[str, Any]:
        return {m.hs_property: props.get(m.hs_property) for m in self.mappings}

    def to_sf_fields(self, sf_object: str, values: dict[str, Any]) -> dict[str, Any]:
        """Canonical values → Salesforce field names (raises geo.PicklistError)."""
        out: dict[str, Any] = {}
        for m in self.mappings:
            if m.hs_property not in values or m.hs_property in ADDRESS:
                continue
            name = m.sf_name(sf_object)
            if name:
                value = values[m.hs_property]
                out[name] = None if value == "" else value
        address = {k: values[k] for k in ADDRESS if k in values}
        if address:
            customs, states = self.custom_picklists()
            out.update(geo.to_salesforce_address(
                address, sf_object=sf_object, sf_mode=self.policy.sf_picklist_mode,
                hs_mode=self.policy.hs_state_country_mode,
                custom_countries=customs or None, custom_states=states or None,
            ))
        return out

    def custom_picklists(self) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        """The org's own CountryCode/StateCode picklists, for the customized mode."""
        if self.policy.sf_picklist_mode != "customized":
            return {}, {}
        if self._custom_picklists is None:
            describe = self.sf.describe("Contact")
            countries: dict[str, str] = {}
            states: dict[str, dict[str, str]] = {}
            for f in describe.get("fields", []):
                if f["name"] == "MailingCountryCode":
                    countries = {p["value"]: p["label"] for p in f.get("picklistValues", [])
                                 if p.get("active", True)}
                elif f["name"] == "MailingStateCode":
                    for p in f.get("picklistValues", []):
                        country = p.get("country") or (p["value"].split("-")[0] if "-" in p[
                            "value"] else "")
                        states.setdefault(country, {})[p["value"]] = p["label"]
            self._custom_picklists = (countries, states)
        return self._custom_picklists
