"""The store of one emulated org: records, indexes, metadata and the undo journal.

`OrgStore` keeps every record (deleted ones too, until the recycle bin is purged) by object
and id, with the indexes the queries need (SystemModstamp order, live ids, external ids,
emails), the field definitions (`sf_schema`) and the describe results built from them,
computed fields (Name, IsClosed, Opportunity stage values, CaseNumber), the raw writes the
control API and the seed use (no validation), and record serialization. Transactions
journal writes so that ``allOrNone`` requests can roll back.

The resource modules add the operations on top as mixins (`salesforce.Org`): record writes
(`sf_records`), queries and replication (`sf_query`), tooling (`sf_tooling`), sessions
(`sf_auth`) and lead conversion (`sf_control`).
"""

from __future__ import annotations

import bisect
import contextlib
import random
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from connectors.sandbox import soql
from connectors.sandbox.seed import generate
from connectors.sandbox.sf_bulk2 import Bulk2
from connectors.sandbox.sf_common import (
    ADDRESS_PREFIXES,
    DEMO_USERNAME,
    ApiError,
    Session,
    _b62,
    norm_id,
    sf18,
)
from connectors.sandbox.sf_permissions import FieldSecurity
from connectors.sandbox.sf_relations import describe_children
from connectors.sandbox.sf_schema import (
    API_VERSION,
    KEY_PREFIXES,
    OBJECT_LABELS,
    PREFIX_TO_OBJECT,
    STAGES,
    FieldDef,
    base_objects,
    default_countries,
    default_states,
    describe_field,
    valid_for,
)


class OrgStore:
    """Records, indexes and metadata of one org. All access goes through `lock`."""

    def __init__(self, daily_limit: int = 100_000, instance_url: str = "") -> None:
        self.lock = threading.RLock()
        self.instance_url = instance_url
        self.org_id = sf18("00D5g000004Kq" + "AB")
        self.client_id = "3MVG9sandbox" + secrets.token_hex(12)
        self.client_secret = secrets.token_hex(16).upper()
        self.sessions: dict[str, Session] = {}
        self.refresh_tokens: dict[str, tuple[str, str]] = {}  # token -> (host, client_id)
        self.codes: dict[str, tuple[str, str, str, float]] = {}
        self.session_ttl: float | None = 7200.0
        self.daily_limit = daily_limit
        self.used = 0
        self._clock_last = 0
        self.reset()

    # ----------------------------------------------------------------- state lifecycle

    def reset(self) -> None:
        with self.lock:
            self.fields: dict[str, list[FieldDef]] = base_objects()
            self.recs: dict[str, dict[str, dict]] = {o: {} for o in self.fields}
            self.stamps: dict[str, list[tuple[str, str]]] = {o: [] for o in self.fields}
            # Live (not deleted) records: ids in insertion order and a SystemModstamp index.
            self.live: dict[str, dict[str, None]] = {o: {} for o in self.fields}
            self.live_stamps: dict[str, list[tuple[str, str]]] = {o: [] for o in self.fields}
            # Unique and external-id fields: value key -> ids holding it (several only for a
            # non-unique external id, which upserts and GETs answer with 300).
            self.ext: dict[str, dict[str, dict[str, dict[str, None]]]] = {
                o: {} for o in self.fields}
            self.emails: dict[str, dict[str, set[str]]] = {o: {} for o in self.fields}
            self.deleted_log: dict[str, list[tuple[str, str]]] = {o: [] for o in self.fields}
            self.counters: dict[str, int] = {}
            self.refs: dict[str, str] = {}
            self.cursors: OrderedDict[str, dict] = OrderedDict()
            self.cursor_seq = getattr(self, "cursor_seq", 0)
            self.custom_field_ids = 0
            self.picklist_mode = "enabled"
            self.countries = default_countries()
            self.states = default_states()
            self.duplicate_rules: list[dict] = []
            self.validation_rules: list[dict] = []
            self.readonly: set[tuple[str, str]] = set()
            self.purged_before: str | None = None
            self.retention_days = 15  # the recycle bin's (and getDeleted's) reach
            self.fls = FieldSecurity()  # custom fields the Tooling API made (sf_permissions)
            self.enforce_fls = False  # True while the data API serves a request
            self.faults: dict[str, Any] = {}
            self.fault_rng = random.Random(0)
            self.fault_count = 0
            self.case_number = 1000
            self._journal: list[tuple] | None = None
            self.bulk2 = Bulk2(self)  # Bulk API 2.0 jobs and allocations
            self._invalidate()
            for o in self.fields:
                self.ext[o] = {f.name: {} for f in self.fields[o] if f.external_id or f.unique}
            self.created = self.now()
            self.user_id = self.raw_insert(
                "User",
                {
                    "Username": DEMO_USERNAME,
                    "FirstName": "Integration",
                    "LastName": "User",
                    "Email": "integration@syncadmin.example",
                    "Alias": "integ",
                    "IsActive": True,
                },
            )

    def _invalidate(self) -> None:
        self._fmap: dict[tuple[str, bool], dict[str, FieldDef]] = {}
        self._describe: dict[tuple[str, bool], dict] = {}
        if hasattr(self, "fls"):
            self.fls.changed()
        self._country_by_code: dict[str, dict] = {
            c["value"]: c for c in self.countries if c.get("active", True)
        }
        self._country_by_label = {
            c["label"].strip().lower(): c for c in self.countries if c.get("active", True)
        }
        self._state_by_code: dict[tuple[str, str], dict] = {}
        self._state_by_label: dict[tuple[str, str], dict] = {}
        for s in self.states:
            if s.get("active", True):
                self._state_by_code[(s["country"], s["value"])] = s
                self._state_by_label[(s["country"], s["label"].strip().lower())] = s

    def now(self) -> str:
        ms = int(time.time() * 1000)
        ms = max(ms, self._clock_last)
        self._clock_last = ms
        d = datetime.fromtimestamp(ms / 1000, UTC)
        return soql.format_datetime(d)

    # ---------------------------------------------------------------------- metadata

    def fmap(self, obj: str) -> dict[str, FieldDef]:
        """The fields of `obj` by lower-case name; in a data API request, without the custom
        fields the integration user has no access to (`sf_permissions`)."""
        key = (obj, self.enforce_fls)
        m = self._fmap.get(key)
        if m is None:
            m = {}
            for f in self.fields[obj]:
                if self.picklist_mode == "disabled" and (
                    f.name.endswith("StateCode") or f.name.endswith("CountryCode")
                ):
                    continue
                if self.enforce_fls and self.fls.access(self, obj, f.name) == "none":
                    continue
                m[f.name.lower()] = f
            self._fmap[key] = m
        return m

    def field(self, obj: str, name: str) -> FieldDef | None:
        return self.fmap(obj).get(name.lower())

    def object_name(self, name: str) -> str | None:
        for o in self.fields:
            if o.lower() == name.lower():
                return o
        return None

    def picklist_values(self, f: FieldDef) -> list[dict]:
        if f.name.endswith("CountryCode"):
            return [
                {
                    "value": c["value"],
                    "label": c["label"],
                    "active": True,
                    "defaultValue": False,
                    "validFor": None,
                }
                for c in self.countries
                if c.get("active", True)
            ]
        if f.name.endswith("StateCode"):
            index = {
                c["value"]: i
                for i, c in enumerate(c for c in self.countries if c.get("active", True))
            }
            return [
                {
                    "value": s["value"],
                    "label": s["label"],
                    "active": True,
                    "defaultValue": False,
                    "validFor": valid_for(index[s["country"]]),
                }
                for s in self.states
                if s.get("active", True) and s["country"] in index
            ]
        return f.picklist or []

    def describe(self, obj: str) -> dict:
        d = self._describe.get((obj, self.enforce_fls))
        if d is None:
            label, plural = OBJECT_LABELS[obj]
            base = f"/services/data/v{API_VERSION}/sobjects/{obj}"
            d = {
                **self.sobject_summary(obj),
                "fields": [
                    describe_field(f, self.picklist_values(f) if f.type == "picklist" else None)
                    for f in self.fmap(obj).values()
                ],
                "childRelationships": describe_children(self.fields, obj),
                "recordTypeInfos": [master_record_type(base)],
                "supportedScopes": [{"label": "All " + plural.lower(), "name": "everything"}],
                "urls": {
                    "sobject": base,
                    "describe": base + "/describe",
                    "rowTemplate": base + "/{ID}",
                },
            }
            for fd in d["fields"]:  # read-only through field permissions
                if self.enforce_fls and self.fls.access(self, obj, fd["name"]) == "read":
                    fd["createable"] = fd["updateable"] = False
            self._describe[(obj, self.enforce_fls)] = d
        return d

    def sobject_summary(self, obj: str) -> dict:
        label, plural = OBJECT_LABELS[obj]
        base = f"/services/data/v{API_VERSION}/sobjects/{obj}"
        return {
            "name": obj,
            "label": label,
            "labelPlural": plural,
            "keyPrefix": KEY_PREFIXES[obj],
            "custom": obj.endswith("__c"),
            "createable": True,
            "updateable": True,
            "deletable": True,
            "queryable": True,
            "retrieveable": True,
            "searchable": True,
            "replicateable": True,
            "layoutable": True,
            "urls": {
                "sobject": base,
                "describe": base + "/describe",
                "rowTemplate": base + "/{ID}",
            },
        }

    # ------------------------------------------------------------------ storage layer

    def new_id(self, obj: str) -> str:
        prefix = KEY_PREFIXES[obj]
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return sf18(prefix + "8c0" + _b62(n, 9))

    def _index(self, obj: str, rec: dict) -> None:
        rid = rec["Id"]
        key = (rec["SystemModstamp"], rid)
        _sorted_add(self.stamps[obj], key)
        if rec.get("IsDeleted"):
            self.live[obj].pop(rid, None)
        else:
            self.live[obj].setdefault(rid, None)
            _sorted_add(self.live_stamps[obj], key)
            for fname, idx in self.ext[obj].items():
                v = rec.get(fname)
                if v not in (None, ""):
                    idx.setdefault(self._ext_key(obj, fname, v), {})[rid] = None
            email = rec.get("Email")
            if email:
                self.emails[obj].setdefault(email.strip().lower(), set()).add(rid)

    def _unindex(self, obj: str, rec: dict) -> None:
        rid = rec["Id"]
        key = (rec["SystemModstamp"], rid)
        for st in (self.stamps[obj], self.live_stamps[obj]):
            i = bisect.bisect_left(st, key)
            if i < len(st) and st[i] == key:
                del st[i]
        for fname, idx in self.ext[obj].items():
            v = rec.get(fname)
            if v not in (None, ""):
                k = self._ext_key(obj, fname, v)
                holders = idx.get(k)
                if holders is not None:
                    holders.pop(rid, None)
                    if not holders:
                        del idx[k]
        email = rec.get("Email")
        if email:
            s = self.emails[obj].get(email.strip().lower())
            if s:
                s.discard(rid)

    def ext_ids(self, obj: str, fname: str, value: Any) -> list[str]:
        """Live records whose unique or external-id field `fname` holds `value`."""
        holders = self.ext[obj].get(fname, {}).get(self._ext_key(obj, fname, value), {})
        return list(holders)

    def _ext_key(self, obj: str, fname: str, value: Any) -> str:
        f = self.field(obj, fname)
        s = str(value)
        return s if f is not None and f.case_sensitive else s.lower()

    def _store(self, obj: str, rec: dict) -> None:
        self.recs[obj][rec["Id"]] = rec
        self._index(obj, rec)
        if self._journal is not None:
            self._journal.append(("insert", obj, rec["Id"]))

    def _replace(self, obj: str, old: dict, new: dict, deleted_log: bool = False) -> None:
        self._unindex(obj, old)
        self.recs[obj][new["Id"]] = new
        self._index(obj, new)
        if self._journal is not None:
            self._journal.append(("replace", obj, old, new, deleted_log))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Journal writes; `rollback()` inside undoes them (allOrNone)."""
        outer = self._journal
        self._journal = []
        try:
            yield
        finally:
            journal = self._journal
            self._journal = outer
            if outer is not None and journal:
                outer.extend(journal)

    def rollback(self) -> None:
        journal = self._journal or []
        self._journal = None
        for entry in reversed(journal):
            if entry[0] == "insert":
                _, obj, rid = entry
                rec = self.recs[obj].pop(rid)
                self._unindex(obj, rec)
                self.live[obj].pop(rid, None)
            else:
                _, obj, old, new, deleted_log = entry
                self._unindex(obj, new)
                self.recs[obj][old["Id"]] = old
                self._index(obj, old)
                if deleted_log:
                    self.deleted_log[obj].pop()
        self._journal = []

    # ------------------------------------------------------------- computed fields

    def _compute(self, obj: str, rec: dict) -> None:
        if obj == "Case" and not rec.get("CaseNumber") and rec.get("Id"):
            self.case_number += 1
            rec["CaseNumber"] = f"{self.case_number:08d}"
        if obj in ("Lead", "Contact", "User"):
            rec["Name"] = " ".join(p for p in (rec.get("FirstName"), rec.get("LastName")) if p)
        if obj == "Opportunity":
            closed, won, prob, forecast = STAGES.get(
                rec.get("StageName") or "", (False, False, 0, "Pipeline")
            )
            rec["IsClosed"], rec["IsWon"] = closed, won
            if rec.get("Probability") is None:
                rec["Probability"] = prob
            rec["ForecastCategoryName"] = forecast
        if obj == "Case":
            rec["IsClosed"] = rec.get("Status") == "Closed"
        if obj == "Task":
            rec["IsClosed"] = rec.get("Status") == "Completed"

    def _defaults(self, obj: str, stamp: str) -> dict:
        rec: dict[str, Any] = {f.name: None for f in self.fields[obj]}
        user = getattr(self, "user_id", None)
        rec.update(
            IsDeleted=False,
            CreatedDate=stamp,
            LastModifiedDate=stamp,
            SystemModstamp=stamp,
            CreatedById=user,
            LastModifiedById=user,
        )
        if "OwnerId" in rec:
            rec["OwnerId"] = user
        for f in self.fields[obj]:
            if f.type == "boolean" and rec.get(f.name) is None:
                rec[f.name] = False
            if f.picklist:
                for v in f.picklist:
                    if v.get("defaultValue"):
                        rec[f.name] = v["value"]
        if obj == "User":
            rec["IsActive"] = True
        return rec

    # ---------------------------------------------------------------- raw (control)

    def raw_insert(self, obj: str, data: dict, refs: dict[str, str] | None = None) -> str:
        refs = self.refs if refs is None else refs
        stamp = data.get("SystemModstamp")
        stamp = soql.canonical_datetime(stamp) if stamp else self.now()
        rec = self._defaults(obj, stamp)
        for k in ("CreatedDate", "LastModifiedDate"):
            if data.get(k):
                rec[k] = soql.canonical_datetime(data[k])
        rid = norm_id(data["Id"]) if data.get("Id") else self.new_id(obj)
        rec["Id"] = rid
        for k, v in data.items():
            if k.startswith("_") or k in (
                "Id",
                "SystemModstamp",
                "CreatedDate",
                "LastModifiedDate",
                "attributes",
                "IsDeleted",
            ):
                continue
            f = self.field(obj, k)
            if f is None:
                continue
            rec[f.name] = v
        if "_account_ref" in data:
            target = "Account__c" if obj in ("Project__c", "Shipment__c") else "AccountId"
            rec[target] = refs.get(data["_account_ref"], data["_account_ref"])
        if "_contact_ref" in data:
            target = {"Task": "WhoId", "Shipment__c": "Contact__c"}.get(obj, "ContactId")
            rec[target] = refs.get(data["_contact_ref"])
        if "_opportunity_ref" in data:
            target = "WhatId" if obj == "Task" else "OpportunityId"
            rec[target] = refs.get(data["_opportunity_ref"])
        if self.picklist_mode != "disabled":
            for p in ADDRESS_PREFIXES.get(obj, []):
                cc = self._country_by_label.get(str(rec.get(f"{p}Country") or "").lower())
                if cc and not rec.get(f"{p}CountryCode"):
                    rec[f"{p}CountryCode"] = cc["value"]
                    st = self._state_by_label.get(
                        (cc["value"], str(rec.get(f"{p}State") or "").lower())
                    )
                    if st and not rec.get(f"{p}StateCode"):
                        rec[f"{p}StateCode"] = st["value"]
        self._compute(obj, rec)
        if data.get("IsDeleted"):
            rec["IsDeleted"] = True
            self.deleted_log[obj].append((rec["SystemModstamp"], rid))
            self.deleted_log[obj].sort()
        self._store(obj, rec)
        if data.get("_ref"):
            refs[data["_ref"]] = rid
        return rid

    def raw_update(self, obj: str, rid: str, fields: dict, stamp: str | None = None) -> None:
        old = self.recs[obj][norm_id(rid)]
        new = dict(old)
        for k, v in fields.items():
            f = self.field(obj, k)
            if f is not None:
                new[f.name] = v
        new["SystemModstamp"] = soql.canonical_datetime(stamp) if stamp else self.now()
        new["LastModifiedDate"] = new["SystemModstamp"]
        self._compute(obj, new)
        self._replace(obj, old, new)

    def load_seed(self, seed: int, contacts: int, **objects: int) -> dict[str, int]:
        """Load `seed.generate(seed, contacts, **objects)`'s Salesforce side (objects:
        accounts, opportunities, contact_roles_per_opportunity, cases)."""
        data = generate(seed, contacts, **objects)
        order = [
            "Account",
            "Contact",
            "Lead",
            "Opportunity",
            "OpportunityContactRole",
            "Case",
            "Task",
            "Shipment__c",
        ]
        for obj in order:
            for r in data.sf.get(obj, []):
                self.raw_insert(obj, r)
        return {o: len(data.sf.get(o, [])) for o in order}

    # ------------------------------------------------------------------------ reading

    def get_live(self, obj: str, rid: str) -> dict:
        rec = self.recs[obj].get(norm_id(rid))
        if rec is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        if rec["IsDeleted"]:
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        return rec

    def serialize(self, obj: str, rec: dict, fields: list[str] | None = None) -> dict:
        out: dict[str, Any] = {
            "attributes": {
                "type": obj,
                "url": f"/services/data/v{API_VERSION}/sobjects/{obj}/{rec['Id']}",
            }
        }
        if fields is None:
            for f in self.fmap(obj).values():
                out[f.name] = rec.get(f.name)
        else:
            for name in fields:
                if "." in name:
                    rel, sub = name.split(".", 1)
                    out[rel] = self._parent(obj, rec, rel, sub, out.get(rel))
                else:
                    out[name] = rec.get(name)
        return out

    def _parent(self, obj: str, rec: dict, rel: str, sub: str, current: Any) -> Any:
        f = next((f for f in self.fields[obj] if f.relationship_name == rel), None)
        if f is None:
            return None
        pid = rec.get(f.name)
        target = PREFIX_TO_OBJECT.get((pid or "")[:3])
        prec = self.recs.get(target or "", {}).get(pid or "")
        if prec is None:
            return None
        out = current or {
            "attributes": {
                "type": target,
                "url": f"/services/data/v{API_VERSION}/sobjects/{target}/{pid}",
            }
        }
        fd = self.field(target or "", sub)
        if fd is not None:
            out[fd.name] = prec.get(fd.name)
        return out


def master_record_type(base: str) -> dict:
    """Every object has the Master record type, available and the default, even with no
    record types defined; its id is the fixed 012000000000000AAA (RecordTypeInfo,
    https://developer.salesforce.com/docs/atlas.en-us.api.meta/api/
    sforce_api_calls_describesobjects_describesobjectresult.htm)."""
    rtid = "012000000000000AAA"
    return {"active": True, "available": True, "defaultRecordTypeMapping": True,
            "developerName": "Master", "master": True, "name": "Master", "recordTypeId": rtid,
            "urls": {"layout": f"{base}/describe/layouts/{rtid}"}}


def _sorted_add(st: list[tuple[str, str]], key: tuple[str, str]) -> None:
    if not st or st[-1] <= key:
        st.append(key)
    else:
        bisect.insort(st, key)
