"""The sync rules, as pure functions (DESIGN decision 5; FEATURES D, F, H): one import for
the field-level rules (field_rules.py: normalisation and `plan_fields`, shared by every
object) and the contacts' record-level ones (contact_rules.py: D1–D8, H5). Nothing here does
I/O or touches the database.
"""

from __future__ import annotations

from syncadmin.sync.contact_rules import (
    DUPLICATE_EMAIL,
    INVALID_EMAIL,
    LIFECYCLE_ORDER,
    NO_EMAIL,
    ContactPolicy,
    company_lifecycle_propagation,
    exclusion_reason,
    follow_conversion,
    hs_to_sf_allowed,
    hs_to_sf_target,
    is_later_stage,
    is_valid_email,
    lifecycle_from_opportunities,
    normalize_email,
    on_hs_deleted,
    on_sf_deleted,
    sf_to_hs_allowed,
)
from syncadmin.sync.field_rules import (
    ALWAYS_SF,
    HUBSPOT,
    PREFER_SF,
    RULE_NONE,
    SALESFORCE,
    TO_HUBSPOT,
    TO_SALESFORCE,
    TWO_WAY,
    FieldPlan,
    Mapping,
    Values,
    is_blank,
    normalize_value,
    plan_fields,
    values_equal,
)

__all__ = [
    "ALWAYS_SF",
    "ContactPolicy",
    "DUPLICATE_EMAIL",
    "FieldPlan",
    "HUBSPOT",
    "INVALID_EMAIL",
    "LIFECYCLE_ORDER",
    "Mapping",
    "NO_EMAIL",
    "PREFER_SF",
    "RULE_NONE",
    "SALESFORCE",
    "TO_HUBSPOT",
    "TO_SALESFORCE",
    "TWO_WAY",
    "Values",
    "company_lifecycle_propagation",
    "exclusion_reason",
    "follow_conversion",
    "hs_to_sf_allowed",
    "hs_to_sf_target",
    "is_blank",
    "is_later_stage",
    "is_valid_email",
    "lifecycle_from_opportunities",
    "normalize_email",
    "normalize_value",
    "on_hs_deleted",
    "on_sf_deleted",
    "plan_fields",
    "sf_to_hs_allowed",
    "values_equal",
]
