"""Tickets ⇄ Salesforce Cases (FEATURES E1, E2): status and priority mapped."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from syncadmin.sync.objects.base import AssociationSpec, MappingDefault, ObjectSpec

M = MappingDefault
TICKET_CONTACT = AssociationSpec(
    key="ticket_contact", owner="tickets", target="contacts", sf_field="ContactId",
    label=_("Ticket ⇄ contact"),
)
TICKET_COMPANY = AssociationSpec(
    key="ticket_company", owner="tickets", target="companies", sf_field="AccountId",
    label=_("Ticket ⇄ company"),
)

SPEC = ObjectSpec(
    key="tickets", label=_("Tickets"), label_singular=_("Ticket"), hs_type="tickets",
    hs_type_id="0-5",
    sf_objects=("Case",), match="none", identifier=_("nothing (every ticket syncs)"),
    mappings=(
        M("subject", "Subject", required=True),
        M("content", "Description"),
        M("hs_pipeline_stage", "Status", field_type="picklist", required=True),
        M("hs_ticket_priority", "Priority", field_type="picklist"),
    ),
    associations=(TICKET_CONTACT, TICKET_COMPANY),
    depends_on=("companies", "contacts"),
    sf_label_field="Subject", hs_label_property="subject",
    hs_extra_properties=("hs_pipeline",),
    settings_tab="integration:tickets", ui_order=40,
)
