"""Org setup: custom fields (``tooling/sobjects/CustomField/``), multiple currencies and
state and country picklists (the control API's ``multicurrency`` and ``picklists``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from connectors.sandbox.sf_common import ApiError, _b62, sf18
from connectors.sandbox.sf_schema import FieldDef, default_countries, default_states
from connectors.sandbox.sf_store import OrgStore

if TYPE_CHECKING:
    from connectors.sandbox.salesforce import Org


class ToolingMixin(OrgStore):
    """Changes to the org's metadata."""

    def enable_multicurrency(self, currencies: list[str]) -> dict:
        """Turning multiple currencies on adds CurrencyIsoCode to currency-bearing objects;
        without it the field does not exist and naming it is INVALID_FIELD.
        https://help.salesforce.com/s/articleView?id=sf.admin_enable_multicurrency.htm
        (the first currency is the corporate one, the default of new records)."""
        for obj in ("Account", "Opportunity", "Case", "Contact", "Lead"):
            if self.field(obj, "CurrencyIsoCode") is None:
                fd = FieldDef("CurrencyIsoCode", "picklist", "Currency ISO Code", 3,
                              picklist=[{"value": c, "label": c, "active": True,
                                         "defaultValue": i == 0, "validFor": None}
                                        for i, c in enumerate(currencies)],
                              restricted=True, defaulted=True)
                self.fields[obj].append(fd)
                for r in self.recs[obj].values():
                    r.setdefault("CurrencyIsoCode", currencies[0])
        self.default_currency = currencies[0]
        self._invalidate()
        return {"ok": True, "currencies": currencies}

    def create_custom_field(self, body: dict) -> str:
        full = body.get("FullName") or ""
        meta = body.get("Metadata") or {}
        obj_name, _, fname = full.partition(".")
        obj = self.object_name(obj_name)
        if obj is None or not fname:
            raise ApiError(400, "INVALID_FIELD", f"Invalid FullName: {full}", ["FullName"])
        if not fname.endswith("__c") or not re.match(r"^[A-Za-z][A-Za-z0-9_]*__c$", fname):
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                "The API name must end with __c and contain only letters, digits and underscores",
                ["FullName"],
            )
        if any(f.name.lower() == fname.lower() for f in self.fields[obj]):  # seen or not
            raise ApiError(
                400,
                "DUPLICATE_DEVELOPER_NAME",
                f"duplicate value found: DeveloperName duplicates value on record with id: {fname}",
                ["DeveloperName"],
            )
        types = {
            "Text": "string",
            "Email": "email",
            "Phone": "phone",
            "Number": "double",
            "Checkbox": "boolean",
            "Date": "date",
            "DateTime": "datetime",
            "Currency": "currency",
            "LongTextArea": "textarea",
            "Url": "url",
        }
        mtype = meta.get("type")
        if mtype not in types:
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"Unsupported or missing Metadata.type: {mtype}",
                ["type"],
            )
        length = int(meta.get("length") or (255 if mtype == "Text" else 0))
        if mtype == "Text" and not 1 <= length <= 255:
            raise ApiError(
                400, "FIELD_INTEGRITY_EXCEPTION", "Length must be between 1 and 255", ["length"]
            )
        fd = FieldDef(
            fname,
            types[mtype],
            meta.get("label") or fname[:-3].replace("_", " "),
            length=length
            if mtype in ("Text", "LongTextArea")
            else (
                80 if mtype == "Email" else 40 if mtype == "Phone" else 255 if mtype == "Url" else 0
            ),
            external_id=bool(meta.get("externalId")),
            unique=bool(meta.get("unique")),
            case_sensitive=bool(meta.get("caseSensitive")),
            custom=True,
            required=bool(meta.get("required")),
        )
        self.fields[obj].append(fd)
        self.fls.guarded.add((obj, fd.name))  # no one may see it until granted
        for r in self.recs[obj].values():
            r.setdefault(fd.name, False if fd.type == "boolean" else None)
        if fd.external_id or fd.unique:
            self.ext[obj][fd.name] = {}
        self._invalidate()
        self.custom_field_ids += 1
        return sf18("00N5g00000" + _b62(self.custom_field_ids, 5))


def set_picklists(org: Org, body: dict) -> dict:
    mode = body.get("mode", org.picklist_mode)
    if mode not in ("disabled", "enabled", "customized"):
        raise ValueError(f"unknown picklist mode {mode}")
    org.picklist_mode = mode
    org.countries = default_countries()
    org.states = default_states()
    if mode == "customized":
        c = body.get("countries") or {}
        for item in c.get("add", []):
            org.countries.append(
                {"value": item["value"], "label": item["label"], "active": True}
            )
        for code, label in (c.get("rename") or {}).items():
            for x in org.countries:
                if x["value"] == code:
                    x["label"] = label
        for code in c.get("deactivate", []):
            for x in org.countries:
                if x["value"] == code:
                    x["active"] = False
        s = body.get("states") or {}
        for item in s.get("add", []):
            org.states.append(
                {
                    "value": item["value"],
                    "label": item["label"],
                    "country": item["country"],
                    "active": True,
                }
            )
        for key, label in (s.get("rename") or {}).items():
            cc, _, code = key.partition("/")
            for x in org.states:
                if x["country"] == cc and x["value"] == code:
                    x["label"] = label
        for key in s.get("deactivate", []):
            cc, _, code = key.partition("/")
            for x in org.states:
                if x["country"] == cc and x["value"] == code:
                    x["active"] = False
    org._invalidate()
    return {"ok": True, "mode": mode}
