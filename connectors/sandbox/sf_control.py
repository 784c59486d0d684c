"""The control API of the Salesforce emulator and its client, `SandboxControl`.

Tests and the demo arrange data and faults with it; it is not part of Salesforce's API, does
not count as API usage and binds 127.0.0.1 only.

Control API (JSON, under ``/__sandbox/``; not counted as API usage; binds 127.0.0.1 only):

=============================  =============================================================
``POST reset``                 empty org (keeps the integration user, client and the handle's
                               session); body ``{"daily_limit": n}`` optional
``POST seed``                  ``{"seed": 1, "contacts": 1000}``: load `seed.generate` data
``POST records``               ``{"object", "records": [...]}`` raw insert bypassing
                               validation; records may set Id, CreatedDate, LastModifiedDate,
                               SystemModstamp, IsDeleted and ``_ref``/``_account_ref``/
                               ``_contact_ref``/``_opportunity_ref``; answers ``{"ids",
                               "refs"}``
``POST records/update``        ``{"object", "id", "fields", "SystemModstamp"?}`` raw update
``POST records/delete``        ``{"object", "ids", "at"?}`` delete (to the recycle bin)
``POST limits``                ``{"daily_limit"?, "used"?}``
``GET usage``                  ``{"used", "limit"}``
``POST sessions``              ``{"ttl_seconds"?: float|null, "expire_all"?: bool}``
``POST picklists``             ``{"mode": "disabled"|"enabled"|"customized", "countries":
                               {"add": [{value,label}], "rename": {"IT": "Italia"},
                               "deactivate": ["RU"]}, "states": {"add": [{country,value,
                               label}], "rename": {"IT/MI": "Milan"}, "deactivate": [...]}}``
``POST duplicate-rules``       ``{"rules": [{"object": "Contact", "field": "Email"}]}``
``POST validation-rules``      ``{"rules": [{"object", "field", "operator", "value"?,
                               "message"}]}``; operator: blank, not_blank, equals,
                               not_equals, matches, not_matches, longer_than; the rule
                               errors when the condition holds
``POST multicurrency``         ``{"currencies": ["USD", "EUR"]}``: multiple currencies on
                               (adds CurrencyIsoCode; the first is the corporate currency)
``POST readonly-fields``       ``{"fields": ["Contact.Title"]}`` (FLS read-only for the
                               integration user)
``POST permissions``           ``{"manage_permission_sets": false}``: the integration user
                               lacks "Manage Profiles and Permission Sets" (sf_permissions)
``POST convert-lead``          ``{"lead_id", "account_id"?, "create_opportunity"?}``
``POST merge``                 ``{"object", "master", "merged": [ids], "fields"?}`` (sf_merge)
``POST purge-deleted``         ``{"before": iso}`` empties the recycle bin of what was
                               deleted earlier, or ``{"retention_days": n}`` (15) sets how
                               long it keeps records: purged rows leave queryAll, getDeleted
                               earlier than that answers INVALID_REPLICATION_DATE
``POST faults``                ``{"seed": 0, "rules": {"*" | "query*" | ...: {"500": p, "503":
                               p, "429": p, "timeout": p, "expired_session": p, "lock": p,
                               "record_lock": p}}, "times": n|null, "timeout_seconds": 3,
                               "retry_after": 1}``; patterns are fnmatch'd against the path
                               after ``/services/data/vXX.X/``; ``times`` caps faults injected
``POST bulk2``                  ``{"polls_in_progress"?: n, "fail_after"?: n|null,
                               "used_records"?: n, "used_query_jobs"?: n}``: Bulk API 2.0
                               jobs' timing, a failing next ingest job, allocation used
``GET state``                  record counts per object and the picklist mode
=============================  =============================================================
"""

from __future__ import annotations

import random
import time
from datetime import date
from typing import TYPE_CHECKING, Any

import requests
from werkzeug.wrappers import Request, Response

from connectors.sandbox import sf_merge, soql
from connectors.sandbox.sf_common import ApiError, _json, norm_id
from connectors.sandbox.sf_limits import DataApiGate
from connectors.sandbox.sf_store import OrgStore
from connectors.sandbox.sf_tooling import set_picklists

if TYPE_CHECKING:
    from connectors.sandbox.salesforce import Org


class LeadConversionMixin(OrgStore):
    """Lead conversion (``convert-lead``): the Contact, Account and Opportunity it makes."""

    def convert_lead(
        self, lead_id: str, account_id: str | None = None, create_opportunity: bool = False
    ) -> dict:
        lead = self.get_live("Lead", lead_id)
        if lead.get("IsConverted"):
            raise ApiError(400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        if account_id:
            acc = norm_id(account_id)
            self.get_live("Account", acc)
        else:
            acc = self.raw_insert(
                "Account",
                {
                    "Name": lead.get("Company") or lead.get("LastName"),
                    "BillingCity": lead.get("City"),
                    "BillingState": lead.get("State"),
                    "BillingStateCode": lead.get("StateCode"),
                    "BillingCountry": lead.get("Country"),
                    "BillingCountryCode": lead.get("CountryCode"),
                    "Industry": lead.get("Industry"),
                },
            )
        contact = self.raw_insert(
            "Contact",
            {
                "AccountId": acc,
                "FirstName": lead.get("FirstName"),
                "LastName": lead.get("LastName"),
                "Email": lead.get("Email"),
                "Phone": lead.get("Phone"),
                "MobilePhone": lead.get("MobilePhone"),
                "Title": lead.get("Title"),
                "MailingStreet": lead.get("Street"),
                "MailingCity": lead.get("City"),
                "MailingState": lead.get("State"),
                "MailingStateCode": lead.get("StateCode"),
                "MailingPostalCode": lead.get("PostalCode"),
                "MailingCountry": lead.get("Country"),
                "MailingCountryCode": lead.get("CountryCode"),
                "LeadSource": lead.get("LeadSource"),
                "Description": lead.get("Description"),
            },
        )
        opp = None
        if create_opportunity:
            opp = self.raw_insert(
                "Opportunity",
                {
                    "Name": f"{lead.get('Company') or lead.get('LastName')}-",
                    "AccountId": acc,
                    "StageName": "Prospecting",
                    "CloseDate": (date.today()).isoformat(),
                    "LeadSource": lead.get("LeadSource"),
                },
            )
        self.raw_update(
            "Lead",
            lead["Id"],
            {
                "IsConverted": True,
                "Status": "Closed - Converted",
                "ConvertedContactId": contact,
                "ConvertedAccountId": acc,
                "ConvertedOpportunityId": opp,
                "ConvertedDate": date.today().isoformat(),
            },
        )
        return {
            "lead_id": lead["Id"],
            "contact_id": contact,
            "account_id": acc,
            "opportunity_id": opp,
        }


class ControlMixin(DataApiGate):
    """``/__sandbox/...``."""

    def control(self, request: Request, rel: str) -> Response:
        org = self.org
        body = request.get_json(silent=True) or {}
        try:
            with org.lock:
                out = self._control(request.method, rel, body)
        except ApiError as e:
            return _json(e.status, e.body())
        except (KeyError, ValueError, TypeError) as e:
            return _json(400, {"error": f"{type(e).__name__}: {e}"})
        if out is None:
            return _json(404, {"error": f"unknown control endpoint {request.method} {rel}"})
        return _json(200, out)

    def _control(self, method: str, rel: str, body: dict) -> Any:
        org = self.org
        if method == "GET" and rel == "usage":
            return {"used": org.used, "limit": org.daily_limit}
        if method == "GET" and rel == "state":
            return {
                "counts": {
                    o: sum(1 for r in org.recs[o].values() if not r["IsDeleted"]) for o in org.recs
                },
                "picklist_mode": org.picklist_mode,
                "used": org.used,
            }
        if method != "POST":
            return None
        if rel == "reset":
            keep = {t: s for t, s in org.sessions.items() if s.expires_at is None}
            org.reset()
            org.sessions.update(keep)
            if "daily_limit" in body:
                org.daily_limit = int(body["daily_limit"])
            return {"ok": True}
        if rel == "seed":
            objects = {
                k: int(body[k])
                for k in ("accounts", "opportunities", "contact_roles_per_opportunity", "cases",
                          "shipments")
                if body.get(k)
            }
            return {
                "loaded": org.load_seed(
                    int(body.get("seed", 0)), int(body.get("contacts", 100)), **objects
                )
            }
        if rel == "merge":  # sf_merge: a user merging duplicates (REST has no merge)
            return sf_merge.merge_control(org, body)
        if rel == "records":
            obj = _control_object(org, body)
            ids = [org.raw_insert(obj, r) for r in body.get("records", [])]
            return {"ids": ids, "refs": {k: v for k, v in org.refs.items()}}
        if rel == "records/update":
            obj = _control_object(org, body)
            org.raw_update(obj, body["id"], body.get("fields", {}), body.get("SystemModstamp"))
            return {"ok": True}
        if rel == "records/delete":
            obj = _control_object(org, body)
            for rid in body.get("ids", []):
                org.delete(obj, rid)
                if body.get("at"):
                    at = soql.canonical_datetime(body["at"])
                    rec = org.recs[obj][norm_id(rid)]
                    org.deleted_log[obj][-1] = (at, rec["Id"])
                    org.deleted_log[obj].sort()
                    org.raw_update(obj, rid, {}, at)
            return {"ok": True}
        if rel == "limits":
            if body.get("daily_limit") is not None:
                org.daily_limit = int(body["daily_limit"])
            if body.get("used") is not None:
                org.used = int(body["used"])
            return {"used": org.used, "limit": org.daily_limit}
        if rel == "sessions":
            if "ttl_seconds" in body:
                org.session_ttl = body["ttl_seconds"]
            if body.get("expire_all"):
                for s in org.sessions.values():
                    s.expires_at = time.time() - 1
            return {"ok": True, "ttl_seconds": org.session_ttl}
        if rel == "picklists":
            return set_picklists(org, body)
        if rel == "duplicate-rules":
            org.duplicate_rules = list(body.get("rules", []))
            return {"ok": True}
        if rel == "validation-rules":
            org.validation_rules = list(body.get("rules", []))
            return {"ok": True}
        if rel == "multicurrency":
            return org.enable_multicurrency(list(body.get("currencies") or ["USD"]))
        if rel == "permissions":  # sf_permissions: what the integration user may manage
            if "manage_permission_sets" in body:
                org.fls.can_manage = bool(body["manage_permission_sets"])
            return {"ok": True, "manage_permission_sets": org.fls.can_manage,
                    "guarded": sorted(f"{o}.{f}" for o, f in org.fls.guarded)}
        if rel == "readonly-fields":
            pairs = set()
            for item in body.get("fields", []):
                o, _, f = item.partition(".")
                pairs.add((o, f))
            org.readonly = pairs
            return {"ok": True}
        if rel == "convert-lead":
            return org.convert_lead(
                body["lead_id"], body.get("account_id"), bool(body.get("create_opportunity"))
            )
        if rel == "purge-deleted":
            gone = (org.set_retention(int(body["retention_days"])) if "retention_days" in body
                    else org.purge_deleted(soql.canonical_datetime(body["before"])))
            return {"ok": True, "purged": gone,
                    "earliestDateAvailable": org.earliest_deleted_available()}
        if rel == "bulk2":
            return org.bulk2.control(body)
        if rel == "faults":
            org.faults = {
                k: body[k]
                for k in ("rules", "times", "timeout_seconds", "retry_after")
                if k in body
            }
            org.fault_rng = random.Random(int(body.get("seed", 0)))
            org.fault_count = 0
            return {"ok": True}
        return None


def _control_object(org: Org, body: dict) -> str:
    obj = org.object_name(str(body.get("object", "")))
    if obj is None:
        raise ValueError(f"unknown object {body.get('object')!r}")
    return obj


class SandboxControl:
    """A small client of the control API (arranging data and faults only)."""

    def __init__(self, url: str, ca_file: str) -> None:
        self.url = url.rstrip("/") + "/__sandbox/"
        self.session = requests.Session()
        self.session.verify = ca_file
        self.session.trust_env = False

    def _post(self, path: str, body: dict | None = None) -> Any:
        r = self.session.post(self.url + path, json=body or {}, timeout=60)
        if r.status_code != 200:
            raise RuntimeError(f"control {path}: {r.status_code} {r.text}")
        return r.json()

    def reset(self, **body: Any) -> Any:
        return self._post("reset", body)

    def seed(self, seed: int, contacts: int, **objects: int) -> dict:
        return self._post("seed", {"seed": seed, "contacts": contacts, **objects})

    def insert(self, obj: str, records: list[dict]) -> list[str]:
        return self._post("records", {"object": obj, "records": records})["ids"]

    def update(self, obj: str, rid: str, fields: dict, modstamp: str | None = None) -> None:
        self._post(
            "records/update",
            {"object": obj, "id": rid, "fields": fields, "SystemModstamp": modstamp},
        )

    def delete(self, obj: str, ids: list[str], at: str | None = None) -> None:
        self._post("records/delete", {"object": obj, "ids": ids, "at": at})

    def set_limits(self, daily_limit: int | None = None, used: int | None = None) -> dict:
        return self._post("limits", {"daily_limit": daily_limit, "used": used})

    def usage(self) -> dict:
        return self.session.get(self.url + "usage", timeout=30).json()

    def state(self) -> dict:
        return self.session.get(self.url + "state", timeout=30).json()

    def sessions(self, **body: Any) -> Any:
        return self._post("sessions", body)

    def picklists(self, mode: str, **custom: Any) -> Any:
        return self._post("picklists", {"mode": mode, **custom})

    def duplicate_rules(self, rules: list[dict]) -> Any:
        return self._post("duplicate-rules", {"rules": rules})

    def validation_rules(self, rules: list[dict]) -> Any:
        return self._post("validation-rules", {"rules": rules})

    def multicurrency(self, currencies: list[str]) -> Any:
        return self._post("multicurrency", {"currencies": currencies})

    def readonly_fields(self, fields: list[str]) -> Any:
        return self._post("readonly-fields", {"fields": fields})

    def convert_lead(self, lead_id: str, **kw: Any) -> dict:
        return self._post("convert-lead", {"lead_id": lead_id, **kw})

    def merge(self, obj: str, master: str, merged: list[str], **fields: Any) -> dict:
        """Merge `merged` into `master` as Salesforce's merge() does (sf_merge)."""
        return self._post("merge", {"object": obj, "master": master, "merged": merged,
                                    "fields": fields})

    def permissions(self, **body: Any) -> dict:
        return self._post("permissions", body)

    def purge_deleted(self, before: str | None = None, *,
                      retention_days: int | None = None) -> Any:
        body = {"before": before} if retention_days is None else \
            {"retention_days": retention_days}
        return self._post("purge-deleted", body)

    def faults(self, rules: dict, seed: int = 0, **kw: Any) -> Any:
        return self._post("faults", {"rules": rules, "seed": seed, **kw})

    def clear_faults(self) -> Any:
        return self._post("faults", {})

    def bulk2(self, **body: Any) -> Any:
        """``polls_in_progress``, ``fail_after``, ``used_records``, ``used_query_jobs``."""
        return self._post("bulk2", body)
