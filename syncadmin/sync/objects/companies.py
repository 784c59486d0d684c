"""Companies ⇄ Salesforce Accounts (FEATURES E1, H2): matched by name or by domain."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _

from syncadmin.sync.objects.base import MappingDefault, ObjectSpec

M = MappingDefault

SPEC = ObjectSpec(
    key="companies", label=_("Companies"), label_singular=_("Company"), hs_type="companies",
    hs_type_id="0-2",
    sf_objects=("Account",), match="name_or_domain", identifier=_("a name or a domain"),
    mappings=(
        M("name", "Name", required=True),
        M("domain", "Website"),
        M("phone", "Phone"),
        M("city", "BillingCity"),
        M("country", "BillingCountry"),
        M("industry", "Industry", field_type="picklist"),
    ),
    sf_label_field="Name", hs_label_property="name",
    settings_tab="integration:companies", ui_order=20,
)

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.I)


def normalize_domain(value: Any) -> str:
    """`https://www.Example.com/about` → `example.com`. HubSpot keeps a bare domain, Salesforce
    a website URL; matching and writing go through this (the seed: the domain is used only
    when mapped; HubSpot's website URL property is never used)."""
    if not value:
        return ""
    text = _SCHEME.sub("", str(value).strip().lower())
    text = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    return text[4:] if text.startswith("www.") else text


def normalize_name(value: Any) -> str:
    return " ".join(str(value or "").split()).casefold()


def match_keys(name: Any, domain: Any) -> list[tuple[str, str]]:
    """The keys a company matches on at the initial sync: its name and its domain."""
    keys = []
    if normalize_name(name):
        keys.append(("name", normalize_name(name)))
    if normalize_domain(domain):
        keys.append(("domain", normalize_domain(domain)))
    return keys
