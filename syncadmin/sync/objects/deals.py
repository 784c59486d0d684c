"""Deals ⇄ Salesforce Opportunities (FEATURES E1, E2): stage mapped per pipeline."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from syncadmin.sync.objects.base import AssociationSpec, MappingDefault, ObjectSpec

M = MappingDefault
DEAL_COMPANY = AssociationSpec(
    key="deal_company", owner="deals", target="companies", sf_field="AccountId",
    label=_("Deal ⇄ company"),
)
DEAL_CONTACT = AssociationSpec(
    key="deal_contact", owner="deals", target="contacts", junction="OpportunityContactRole",
    junction_owner="OpportunityId", junction_target="ContactId", label=_("Deal ⇄ contacts"),
)

SPEC = ObjectSpec(
    key="deals", label=_("Deals"), label_singular=_("Deal"), hs_type="deals",
    hs_type_id="0-3",
    sf_objects=("Opportunity",), match="none", identifier=_("nothing (every deal syncs)"),
    mappings=(
        M("dealname", "Name", required=True),
        M("amount", "Amount", field_type="number"),
        M("closedate", "CloseDate", field_type="date", required=True),
        M("dealstage", "StageName", field_type="picklist", required=True),
    ),
    optional_mappings=(M("deal_currency_code", "CurrencyIsoCode", field_type="picklist",
                         rule="two_way"),),
    associations=(DEAL_COMPANY, DEAL_CONTACT),
    depends_on=("companies", "contacts"),
    sf_label_field="Name", hs_label_property="dealname",
    hs_extra_properties=("pipeline",),
    settings_tab="integration:deals", ui_order=30,
)
