"""Object names and record URLs in both systems, from the object registry (DESIGN.md 11).

Sync Health never spells out an object: labels, Salesforce objects and HubSpot type ids
come from `syncadmin.sync.objects`. A key the registry does not know (a custom object, an
object removed since) still renders: its key as the label, and no links.
"""

from __future__ import annotations

from typing import Any

from syncadmin.sync import objects
from syncadmin.sync.objects import ObjectSpec

# Salesforce id key prefixes of the standard objects the registry syncs: the panel's errors
# carry an id but not always the object (contacts are a Contact or a Lead).
SF_KEY_PREFIXES = {"001": "Account", "003": "Contact", "00Q": "Lead", "006": "Opportunity",
                   "500": "Case"}


def spec_for(key: str) -> ObjectSpec | None:
    try:
        return objects.get(key)
    except KeyError:
        return None


def object_label(key: str, singular: bool = False) -> Any:
    spec = spec_for(key)
    if spec is None:
        return key
    return spec.label_singular if singular else spec.label


def object_keys() -> list[str]:
    """Every registry object's key, in the registry's order."""
    return [s.key for s in objects.all_specs()]


def object_choices() -> list[tuple[str, Any]]:
    """Every registry object as (key, plural label), in the registry's order."""
    return [(s.key, s.label) for s in objects.all_specs()]


def custom_object_choices(account: Any) -> list[tuple[str, str]]:
    """The account's custom objects (E3) as (key, label), for the record view's filter."""
    from syncadmin.integration.models import ObjectSync

    names = (ObjectSync.objects.filter(account=account, object="custom")
             .exclude(sf_object="").order_by("sf_object").values_list("sf_object", flat=True))
    return [(objects.custom.key_for(n), n) for n in names]


def hs_url(portal: str, obj: str, hs_id: str | None) -> str:
    """`https://app.hubspot.com/contacts/{portal}/record/{objectTypeId}/{id}`."""
    spec = spec_for(obj)
    if not (portal and hs_id and spec and spec.hs_type_id):
        return ""
    return f"https://app.hubspot.com/contacts/{portal}/record/{spec.hs_type_id}/{hs_id}"


def sf_object_of(obj: str, sf_id: str | None, sf_object: str = "") -> str:
    """The record's Salesforce object: the link's own, else told by the id's key prefix,
    else the spec's first one."""
    spec = spec_for(obj)
    if spec is None:
        return sf_object
    if sf_object in spec.sf_objects:
        return sf_object
    by_prefix = SF_KEY_PREFIXES.get((sf_id or "")[:3], "")
    return by_prefix if by_prefix in spec.sf_objects else spec.sf_object


def sf_url(instance_url: str, obj: str, sf_id: str | None, sf_object: str = "") -> str:
    """`{instance}/lightning/r/{SfObject}/{id}/view`."""
    if not (instance_url and sf_id):
        return ""
    name = sf_object_of(obj, sf_id, sf_object)
    if not name:
        return ""
    return f"{instance_url.rstrip('/')}/lightning/r/{name}/{sf_id}/view"
