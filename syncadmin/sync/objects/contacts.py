"""Contacts ⇄ Salesforce Contacts and Leads (FEATURES D). Their rules are in sync/rules.py."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from syncadmin.sync.objects.base import AssociationSpec, MappingDefault, ObjectSpec

M = MappingDefault
CONTACT_COMPANY = AssociationSpec(
    key="contact_company", owner="contacts", target="companies", sf_field="AccountId",
    label=_("Contact ⇄ company"),
)

SPEC = ObjectSpec(
    key="contacts", label=_("Contacts"), label_singular=_("Contact"), hs_type="contacts",
    hs_type_id="0-1",
    sf_objects=("Contact", "Lead"), match="email", identifier=_("an email address"),
    mappings=(
        M("email", "Email", required=True, rule="two_way", sf_lead_field="Email"),
        M("firstname", "FirstName", sf_lead_field="FirstName"),
        M("lastname", "LastName", required=True, sf_lead_field="LastName"),
        M("phone", "Phone", sf_lead_field="Phone"),
        M("jobtitle", "Title", sf_lead_field="Title"),
        M("company", "", sf_lead_field="Company"),
        M("city", "MailingCity", sf_lead_field="City"),
        M("state", "MailingState", sf_lead_field="State"),
        M("country", "MailingCountry", sf_lead_field="Country"),
    ),
    associations=(CONTACT_COMPANY,),
    depends_on=("companies",),
    sf_label_field="Name", hs_label_property="email",
    settings_tab="integration:contacts", ui_order=10,
)
