"""Field type compatibility between a Salesforce field and a HubSpot property (FEATURES F3).

Pure functions: no I/O, no Django models. The raw types are the ones the remotes report
(Salesforce describe `type`, HubSpot property `type`); they are normalised to FieldType values
first, then the pair is checked against one table.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from syncadmin.integration.choices import FieldType

_SF_TYPES = {
    "string": FieldType.TEXT, "textarea": FieldType.TEXT, "email": FieldType.TEXT,
    "phone": FieldType.TEXT, "url": FieldType.TEXT, "encryptedstring": FieldType.TEXT,
    "combobox": FieldType.TEXT,
    "picklist": FieldType.PICKLIST, "multipicklist": FieldType.PICKLIST,
    "double": FieldType.NUMBER, "currency": FieldType.NUMBER, "int": FieldType.NUMBER,
    "percent": FieldType.NUMBER, "long": FieldType.NUMBER,
    "date": FieldType.DATE, "datetime": FieldType.DATETIME,
    "boolean": FieldType.BOOL,
    "reference": FieldType.REFERENCE, "id": FieldType.REFERENCE,
}
_HS_TYPES = {
    "string": FieldType.TEXT, "phone_number": FieldType.TEXT,
    "number": FieldType.NUMBER,
    "date": FieldType.DATE, "datetime": FieldType.DATETIME,
    "bool": FieldType.BOOL, "boolean": FieldType.BOOL,
    "enumeration": FieldType.PICKLIST,
}
# Types with no meaningful counterpart (compound address, geolocation, time of day, blobs).
UNSUPPORTED = {"address", "location", "time", "base64", "anyType", "complexvalue", "json"}

# (Salesforce type, HubSpot type) pairs that may be mapped.
_COMPATIBLE = {
    (FieldType.TEXT, FieldType.TEXT), (FieldType.TEXT, FieldType.PICKLIST),
    (FieldType.PICKLIST, FieldType.PICKLIST), (FieldType.PICKLIST, FieldType.TEXT),
    (FieldType.NUMBER, FieldType.NUMBER), (FieldType.NUMBER, FieldType.TEXT),
    (FieldType.DATE, FieldType.DATE), (FieldType.DATE, FieldType.DATETIME),
    (FieldType.DATETIME, FieldType.DATETIME), (FieldType.DATETIME, FieldType.DATE),
    (FieldType.BOOL, FieldType.BOOL),
}


def normalize_sf_type(raw: str) -> str | None:
    """A Salesforce describe type as a FieldType value (None: unknown or unsupported)."""
    if raw in FieldType.values:
        return raw
    return _SF_TYPES.get((raw or "").lower())


def normalize_hs_type(raw: str) -> str | None:
    """A HubSpot property type as a FieldType value (None: unknown or unsupported)."""
    if raw in FieldType.values:
        return raw
    return _HS_TYPES.get((raw or "").lower())


def type_label(ftype: str | None) -> str:
    if ftype in FieldType.values:
        return str(FieldType(ftype).label)
    return _("unsupported type")


def incompatibility(sf_type: str, hs_type: str) -> str | None:
    """Why a Salesforce field of `sf_type` cannot map to a HubSpot property of `hs_type`.

    None when the pair is compatible. Accepts raw remote types or FieldType values.
    """
    sf, hs = normalize_sf_type(sf_type), normalize_hs_type(hs_type)
    if sf == FieldType.REFERENCE or hs == FieldType.REFERENCE:
        return _("Salesforce reference (lookup) fields hold the IDs of other records and "
                 "cannot be mapped to a property. Sync the related object and its "
                 "association instead.")
    if sf is None:
        return _("The Salesforce field type “%(type)s” is not supported for syncing.") % {
            "type": sf_type}
    if hs is None:
        return _("The HubSpot property type “%(type)s” is not supported for syncing.") % {
            "type": hs_type}
    if (sf, hs) in _COMPATIBLE:
        return None
    return _("A Salesforce %(sf)s field cannot sync with a HubSpot %(hs)s property: the "
             "values would be rejected or lose their meaning. Choose a %(ok)s property.") % {
        "sf": type_label(sf).lower(), "hs": type_label(hs).lower(),
        "ok": " / ".join(sorted(type_label(b).lower() for a, b in _COMPATIBLE if a == sf)),
    }


def mapping_type(sf_type: str, hs_type: str) -> str:
    """The FieldType stored on a compatible mapping (the Salesforce side's)."""
    return normalize_sf_type(sf_type) or FieldType.TEXT
