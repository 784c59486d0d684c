"""In-memory Salesforce REST API emulator (API v59.0) served over HTTPS for tests and the demo.

One emulator instance is one org. It works with simple-salesforce unchanged::

    s = requests.Session(); s.verify = handle.ca_file; s.trust_env = False
    sf = Salesforce(instance_url=handle.url, session_id=handle.session_id, session=s)

Data API (under ``/services/data/v59.0/``; every request counts as one API call):
``sobjects/`` (list), ``sobjects/X/`` (GET metadata, POST create), ``sobjects/X/describe/``,
``sobjects/X/{id}`` (GET ?fields=, PATCH, DELETE), ``sobjects/X/{ExtField}/{value}`` (GET,
PATCH upsert: 201 created / 200 updated, 300 on several matches), ``sobjects/X/deleted/`` and
``sobjects/X/updated/`` (``?start=&end=``), ``query/`` and ``queryAll/`` (``?q=``; pages of
2,000 rows or ``Sforce-Query-Options: batchSize=N``; ``query/{locator}-{offset}``),
``composite/sobjects`` (POST create, PATCH update, DELETE ``?ids=&allOrNone=``, GET/POST
``composite/sobjects/X`` retrieve; at most 200 records), ``composite/sobjects/X/ExtField``
(PATCH upsert), ``composite`` (at most 25 subrequests, at most 5 of them queries or
collections, ``@{ref.path}`` references, ``allOrNone``), ``limits/`` and
``tooling/sobjects/CustomField/`` (POST: creates a custom field). Every response carries
``Sforce-Limit-Info: api-usage=N/M``; past the daily limit requests fail with 403
``REQUEST_LIMIT_EXCEEDED``; expired sessions answer 401 ``INVALID_SESSION_ID``.

OAuth 2.0 web-server flow: ``/login/services/oauth2/authorize`` (production login host) and
``/test/services/oauth2/authorize`` (sandbox login host) show a login form that redirects to
``redirect_uri?code=&state=``; ``{host}/services/oauth2/token`` (``authorization_code`` and
``refresh_token`` grants; a token from one login host is refused by the other);
``/services/oauth2/userinfo``; ``/services/oauth2/revoke``. The instance host also answers
``/services/oauth2/token``.

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
``POST convert-lead``          ``{"lead_id", "account_id"?, "create_opportunity"?}``
``POST purge-deleted``         ``{"before": iso}``: getDeleted earlier than this answers
                               INVALID_REPLICATION_DATE
``POST faults``                ``{"seed": 0, "rules": {"*" | "query*" | ...: {"500": p, "503":
                               p, "429": p, "timeout": p, "expired_session": p, "lock": p,
                               "record_lock": p}}, "times": n|null, "timeout_seconds": 3,
                               "retry_after": 1}``; patterns are fnmatch'd against the path
                               after ``/services/data/vXX.X/``; ``times`` caps faults injected
``GET state``                  record counts per object and the picklist mode
=============================  =============================================================
"""

from __future__ import annotations

import bisect
import contextlib
import fnmatch
import hashlib
import hmac
import html
import json
import random
import re
import secrets
import socket
import tempfile
import threading
import time
import traceback
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import requests
from werkzeug.wrappers import Request, Response

from connectors.sandbox import soql, soql_exec
from connectors.sandbox.seed import generate
from connectors.sandbox.server import LocalCA, RunningServer
from connectors.sandbox.sf_relations import delete_targets, describe_children
from connectors.sandbox.sf_schema import (
    API_VERSION,
    KEY_PREFIXES,
    NUMBER_TYPES,
    OBJECT_LABELS,
    PREFIX_TO_OBJECT,
    STAGES,
    TEXT_TYPES,
    FieldDef,
    base_objects,
    default_countries,
    default_states,
    describe_field,
    valid_for,
)

PAGE_SIZE = 2000
COLLECTION_LIMIT = 200
COMPOSITE_LIMIT = 25
COMPOSITE_QUERY_LIMIT = 5
ADDRESS_PREFIXES = {"Lead": [""], "Contact": ["Mailing"], "Account": ["Billing"]}
EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
ID_RE = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
DEMO_USERNAME = "integration@syncadmin.sandbox"
DEMO_PASSWORD = "sandbox"  # noqa: S105 - a local emulator's demo login


# ------------------------------------------------------------------------------ helpers


def sf18(id15: str) -> str:
    suffix = ""
    for i in range(3):
        bits = 0
        for j, c in enumerate(id15[i * 5 : i * 5 + 5]):
            if "A" <= c <= "Z":
                bits |= 1 << j
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return id15 + suffix


def norm_id(value: str) -> str:
    """15- or 18-char id -> canonical 18-char id (returns the input if malformed)."""
    if not isinstance(value, str) or not ID_RE.match(value):
        return value
    return sf18(value[:15])


def _b62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(width, "0")


class ApiError(Exception):
    """One Salesforce error: status + [{message, errorCode, fields}]."""

    def __init__(
        self, status: int, code: str, message: str, fields: list[str] | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or []
        self.extra = extra

    def body(self) -> list[dict]:
        return [
            {"message": self.message, "errorCode": self.code, "fields": self.fields, **self.extra}
        ]

    def record_error(self) -> dict:
        # Composite collection results call the code "statusCode".
        return {
            "statusCode": self.code,
            "message": self.message,
            "fields": self.fields,
            **self.extra,
        }


def not_found() -> ApiError:
    return ApiError(404, "NOT_FOUND", "The requested resource does not exist")


@dataclass
class Session:
    user_id: str
    expires_at: float | None
    host: str = "login"
    client_id: str = ""


# ---------------------------------------------------------------------------------- org


class Org:
    """The state of one emulated org. All access goes through `lock`."""

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
            self.ext: dict[str, dict[str, dict[str, str]]] = {o: {} for o in self.fields}
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
            self.faults: dict[str, Any] = {}
            self.fault_rng = random.Random(0)
            self.fault_count = 0
            self.case_number = 1000
            self._journal: list[tuple] | None = None
            self._invalidate()
            for o in self.fields:
                self.ext[o] = {f.name: {} for f in self.fields[o] if f.external_id}
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
        self._fmap: dict[str, dict[str, FieldDef]] = {}
        self._describe: dict[str, dict] = {}
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
        m = self._fmap.get(obj)
        if m is None:
            m = {}
            for f in self.fields[obj]:
                if self.picklist_mode == "disabled" and (
                    f.name.endswith("StateCode") or f.name.endswith("CountryCode")
                ):
                    continue
                m[f.name.lower()] = f
            self._fmap[obj] = m
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
        d = self._describe.get(obj)
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
                "recordTypeInfos": [],
                "supportedScopes": [{"label": "All " + plural.lower(), "name": "everything"}],
                "urls": {
                    "sobject": base,
                    "describe": base + "/describe",
                    "rowTemplate": base + "/{ID}",
                },
            }
            self._describe[obj] = d
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
                    idx[self._ext_key(obj, fname, v)] = rid
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
                if idx.get(k) == rid:
                    del idx[k]
        email = rec.get("Email")
        if email:
            s = self.emails[obj].get(email.strip().lower())
            if s:
                s.discard(rid)

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
            target = "Account__c" if obj == "Project__c" else "AccountId"
            rec[target] = refs.get(data["_account_ref"], data["_account_ref"])
        if "_contact_ref" in data:
            rec["WhoId" if obj == "Task" else "ContactId"] = refs.get(data["_contact_ref"])
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
        ]
        for obj in order:
            for r in data.sf.get(obj, []):
                self.raw_insert(obj, r)
        return {o: len(data.sf.get(o, [])) for o in order}

    # ---------------------------------------------------------------- validation

    def check_reference(self, obj: str, f: FieldDef, value: str) -> str:
        if not ID_RE.match(value):
            raise ApiError(
                400, "MALFORMED_ID", f"{f.label}: id value of incorrect type: {value}", [f.name]
            )
        rid = norm_id(value)
        target = PREFIX_TO_OBJECT.get(rid[:3])
        if target not in f.reference_to:
            raise ApiError(
                400,
                "FIELD_INTEGRITY_EXCEPTION",
                f"{f.label}: id value of incorrect type: {value}",
                [f.name],
            )
        rec = self.recs[target].get(rid)
        if rec is None:
            raise ApiError(
                400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [f.name]
            )
        if rec["IsDeleted"]:
            raise ApiError(400, "ENTITY_IS_DELETED", "entity is deleted", [f.name])
        return rid

    def coerce(self, obj: str, f: FieldDef, v: Any) -> Any:
        if v is None:
            return None

        def bad() -> ApiError:
            return ApiError(
                400,
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{f.label}: value not of required type: {v}",
                [f.name],
            )

        t = f.type
        if t in TEXT_TYPES:
            if isinstance(v, bool | dict | list):
                raise bad()
            s = str(v) if not isinstance(v, str) else v
            if t == "email":
                s = s.strip()
            return s if s != "" else None
        if t == "boolean":
            if not isinstance(v, bool):
                raise bad()
            return v
        if t in NUMBER_TYPES:
            if isinstance(v, bool):
                raise bad()
            if isinstance(v, str):
                try:
                    v = float(v)
                except ValueError:
                    raise bad() from None
            if not isinstance(v, int | float):
                raise bad()
            return int(v) if t == "int" else float(v)
        if t == "date":
            if not isinstance(v, str):
                raise bad()
            try:
                return date.fromisoformat(v[:10]).isoformat()
            except ValueError:
                raise bad() from None
        if t == "datetime":
            if not isinstance(v, str):
                raise bad()
            try:
                return soql.canonical_datetime(v)
            except ValueError:
                raise bad() from None
        if t in ("reference", "id"):
            if not isinstance(v, str):
                raise bad()
            if v == "":
                return None
            return self.check_reference(obj, f, v) if t == "reference" else norm_id(v)
        return v

    def prepare(self, obj: str, data: dict, existing: dict | None) -> dict:
        """Validate a create (existing None) or update; return the new full record."""
        insert = existing is None
        clean: dict[str, Any] = {}
        for key, value in data.items():
            if key == "attributes":
                continue
            f = self.field(obj, key)
            if f is None:
                raise ApiError(
                    400, "INVALID_FIELD", f"No such column '{key}' on sobject of type {obj}", [key]
                )
            if f.name == "Id":
                if existing is not None and norm_id(str(value)) == existing["Id"]:
                    continue
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    "Unable to create/update fields: Id. Please check the security "
                    "settings of this field and verify that it is read/write for "
                    "your profile or permission set.",
                    ["Id"],
                )
            if (insert and not f.createable) or (not insert and not f.updateable):
                raise ApiError(
                    400,
                    "INVALID_FIELD_FOR_INSERT_UPDATE",
                    f"Unable to create/update fields: {f.name}. Please check the "
                    "security settings of this field and verify that it is "
                    "read/write for your profile or permission set.",
                    [f.name],
                )
            if (obj, f.name) in self.readonly:
                raise ApiError(
                    400,
                    "INSUFFICIENT_ACCESS_OR_READONLY",
                    "You do not have the level of access necessary to perform the "
                    f"operation you requested. Field is read-only: {f.name}",
                    [f.name],
                )
            clean[f.name] = self.coerce(obj, f, value)

        merged = dict(existing) if existing else self._defaults(obj, "")
        if insert:
            for k, v in list(clean.items()):
                if v is None:
                    f = self.field(obj, k)
                    if f and f.defaulted:
                        del clean[k]
        merged.update(clean)
        self._address(obj, clean, merged)

        missing = [
            f.name
            for f in self.fields[obj]
            if f.required
            and (f.createable if insert else True)
            and merged.get(f.name) in (None, "")
        ]
        if missing:
            raise ApiError(
                400,
                "REQUIRED_FIELD_MISSING",
                f"Required fields are missing: [{', '.join(missing)}]",
                missing,
            )
        for name in clean:
            f = self.field(obj, name)
            v = merged.get(name)
            if f is None or v is None:
                continue
            if f.type == "picklist" and f.restricted and not f.name.endswith("Code"):
                allowed = {p["value"] for p in self.picklist_values(f) if p.get("active", True)}
                if v not in allowed:
                    raise ApiError(
                        400,
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{f.label}: bad value for restricted picklist field: {v}",
                        [f.name],
                    )
            if f.type in TEXT_TYPES and f.length and len(v) > f.length:
                raise ApiError(
                    400,
                    "STRING_TOO_LONG",
                    f"{f.label}: data value too large: {v} (max length={f.length})",
                    [f.name],
                )
            if f.type == "email" and not EMAIL_RE.match(v):
                raise ApiError(
                    400, "INVALID_EMAIL_ADDRESS", f"{f.label}: invalid email address: {v}", [f.name]
                )
        for rule in self.validation_rules:
            if rule.get("object") == obj and _rule_fires(rule, merged):
                fname = rule.get("field")
                raise ApiError(
                    400,
                    "FIELD_CUSTOM_VALIDATION_EXCEPTION",
                    rule.get("message") or "Validation rule failed",
                    [fname] if fname else [],
                )
        for rule in self.duplicate_rules:
            if rule.get("object") != obj:
                continue
            fname = rule.get("field", "Email")
            v = merged.get(fname)
            if not v or (existing is not None and existing.get(fname) == v):
                continue
            matches = self._find_equal(obj, fname, v, exclude=merged.get("Id"))
            if matches:
                raise ApiError(
                    400,
                    "DUPLICATES_DETECTED",
                    "Use one of these records?",
                    [],
                    duplicateResult={
                        "allowSave": False,
                        "duplicateRule": rule.get("name", f"Standard_{obj}_Duplicate_Rule"),
                        "duplicateRuleEntityType": obj,
                        "errorMessage": "You're creating a duplicate record. We recommend you "
                        "use an existing record instead.",
                        "matchResults": [
                            {
                                "entityType": obj,
                                "errors": [],
                                "matchEngine": "ExactMatchEngine",
                                "matchRecords": [
                                    {
                                        "additionalInformation": [],
                                        "fieldDiffs": [],
                                        "matchConfidence": 100.0,
                                        "record": {"attributes": {"type": obj}, "Id": m},
                                    }
                                    for m in matches[:5]
                                ],
                                "rule": f"Standard_Rule_for_{obj}s",
                                "size": len(matches),
                                "success": True,
                            }
                        ],
                    },
                )
        self._compute(obj, merged)
        return merged

    def _find_equal(self, obj: str, fname: str, v: Any, exclude: str | None) -> list[str]:
        if fname == "Email":
            ids = self.emails[obj].get(str(v).strip().lower(), set())
            return sorted(i for i in ids if i != exclude)
        key = str(v).strip().lower()
        return [
            r["Id"]
            for r in self.recs[obj].values()
            if not r["IsDeleted"]
            and r["Id"] != exclude
            and str(r.get(fname) or "").strip().lower() == key
        ]

    def _address(self, obj: str, clean: dict, merged: dict) -> None:
        if self.picklist_mode == "disabled":
            return
        for p in ADDRESS_PREFIXES.get(obj, []):
            cf, cc, sf_, sc = f"{p}Country", f"{p}CountryCode", f"{p}State", f"{p}StateCode"
            if clean.get(cc) is not None:
                c = self._country_by_code.get(clean[cc])
                if c is None:
                    f = self.field(obj, cc)
                    raise ApiError(
                        400,
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{f.label if f else cc}: bad value for restricted picklist "
                        f"field: {clean[cc]}",
                        [cc],
                    )
                merged[cf] = c["label"]
            elif clean.get(cf) is not None:
                c = self._country_by_label.get(str(clean[cf]).strip().lower())
                if c is None:
                    raise ApiError(
                        400,
                        "FIELD_INTEGRITY_EXCEPTION",
                        "There's a problem with this country, even though it may "
                        "appear correct. Please select a country/territory from the "
                        "list of valid countries.",
                        [cc],
                    )
                merged[cc], merged[cf] = c["value"], c["label"]
            elif cf in clean or cc in clean:
                merged[cf] = merged[cc] = None
            country = merged.get(cc)
            if clean.get(sc) is not None:
                s = self._state_by_code.get((country or "", clean[sc]))
                if s is None:
                    f = self.field(obj, sc)
                    raise ApiError(
                        400,
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{f.label if f else sc}: bad value for restricted picklist "
                        f"field: {clean[sc]}",
                        [sc],
                    )
                merged[sf_] = s["label"]
            elif clean.get(sf_) is not None:
                s = self._state_by_label.get((country or "", str(clean[sf_]).strip().lower()))
                if s is None:
                    raise ApiError(
                        400,
                        "FIELD_INTEGRITY_EXCEPTION",
                        "There's a problem with this state, even though it may "
                        "appear correct. Please select a state from the list of "
                        "valid states.",
                        [sc],
                    )
                merged[sc], merged[sf_] = s["value"], s["label"]
            elif sf_ in clean or sc in clean:
                merged[sf_] = merged[sc] = None

    # ------------------------------------------------------------------ record ops

    def get_live(self, obj: str, rid: str) -> dict:
        rec = self.recs[obj].get(norm_id(rid))
        if rec is None:
            raise ApiError(404, "NOT_FOUND", "The requested resource does not exist")
        if rec["IsDeleted"]:
            raise ApiError(404, "ENTITY_IS_DELETED", "entity is deleted")
        return rec

    def create(self, obj: str, data: dict) -> str:
        rec = self.prepare(obj, data, None)
        stamp = self.now()
        rec.update(CreatedDate=stamp, LastModifiedDate=stamp, SystemModstamp=stamp)
        rec["Id"] = self.new_id(obj)
        self._compute(obj, rec)
        self._store(obj, rec)
        return rec["Id"]

    def update(self, obj: str, rid: str, data: dict) -> None:
        old = self.get_live(obj, rid)
        if obj == "Lead" and old.get("IsConverted"):
            raise ApiError(400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        new = self.prepare(obj, data, old)
        stamp = self.now()
        new.update(LastModifiedDate=stamp, SystemModstamp=stamp, LastModifiedById=self.user_id)
        self._replace(obj, old, new)

    def delete(self, obj: str, rid: str) -> None:
        stamp = self.now()  # cascades to children, the record itself last (sf_relations)
        for o, old in delete_targets(self, obj, self.get_live(obj, rid)):
            new = dict(old)
            new.update(IsDeleted=True, SystemModstamp=stamp)
            self.deleted_log[o].append((stamp, new["Id"]))
            self._replace(o, old, new, deleted_log=True)

    def upsert(self, obj: str, fname: str, value: str, data: dict) -> tuple[str, bool]:
        f = self.field(obj, fname)
        if f is None:
            raise ApiError(
                404,
                "NOT_FOUND",
                f"Provided external ID field does not exist or is not accessible: {fname}",
            )
        if f.name == "Id":
            if value and self.recs[obj].get(norm_id(value)) is not None:
                self.update(obj, value, data)
                return norm_id(value), False
            return self.create(obj, data), True
        if not f.external_id:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"Field {f.name} is not an External ID or indexed field for {obj}",
                [f.name],
            )
        body = dict(data)
        given = next((k for k in body if k.lower() == f.name.lower()), None)
        if given is not None and str(body[given]) != value:
            raise ApiError(
                400,
                "INVALID_FIELD",
                f"The value for {f.name} in the request body does not match the value in the URL",
                [f.name],
            )
        rid = self.ext[obj][f.name].get(self._ext_key(obj, f.name, value))
        if rid:
            if given:
                body.pop(given, None)
            self.update(obj, rid, body)
            return rid, False
        body[f.name] = value
        return self.create(obj, body), True

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

    # ----------------------------------------------------------------------- query

    def query(self, text: str, include_deleted: bool, batch: int, version: str) -> dict:
        try:  # parsing, relationships, subqueries and semi-joins: soql, soql_exec, soql_eval
            obj, render, out, count = soql_exec.run(self, text, include_deleted)
        except soql.SoqlError as e:
            raise ApiError(400, e.code, e.message) from None
        if count:
            return {"totalSize": len(out), "done": True, "records": []}
        return self._page(obj, render, out, 0, batch, include_deleted, version, None)

    def _candidates(
        self, obj: str, q: soql.Query, include_deleted: bool
    ) -> tuple[list[str], bool, bool]:
        """Candidate ids from an index: (ids, in SystemModstamp order, WHERE fully applied)."""
        lo: tuple[str, str] | None = None
        hi: tuple[str, str] | None = None
        terms = soql.conjuncts(q.where)
        only_stamp = True
        for c in terms:
            if c[0] == "cmp" and c[1].lower() == "id" and c[2] == "=" and c[3][0] == "str":
                return [norm_id(c[3][1])], False, False
            if c[0] == "in" and c[1].lower() == "id" and not c[3]:
                ids = dict.fromkeys(norm_id(v[1]) for v in c[2] if v[0] == "str")
                return list(ids), False, False
            if c[0] == "cmp" and c[1].lower() == "systemmodstamp" and c[3][0] == "dt":
                v = c[3][1]
                if c[2] in (">", ">="):
                    b = (v, "\uffff") if c[2] == ">" else (v, "")
                    lo = b if lo is None or b > lo else lo
                    continue
                if c[2] in ("<", "<="):
                    b = (v, "") if c[2] == "<" else (v, "\uffff")
                    hi = b if hi is None or b < hi else hi
                    continue
            only_stamp = False
        emails = self.emails[obj]
        if not include_deleted and emails is not None:
            for c in terms:
                if c[0] not in ("cmp", "in") or c[1].lower() != "email":
                    continue
                vals = None
                if c[0] == "cmp" and c[2] == "=" and c[3][0] == "str":
                    vals = [c[3][1]]
                elif c[0] == "in" and not c[3]:
                    vals = [v[1] for v in c[2] if v[0] == "str"]
                if vals is not None:
                    found: set[str] = set()
                    for v in vals:
                        found |= emails.get(str(v).strip().lower(), set())
                    return sorted(found), False, False
        st = self.stamps[obj] if include_deleted else self.live_stamps[obj]
        if lo is not None or hi is not None:
            i = bisect.bisect_left(st, lo) if lo is not None else 0
            j = bisect.bisect_left(st, hi) if hi is not None else len(st)
            return [rid for _, rid in st[i:j]], True, only_stamp
        exact = q.where is None
        if q.order and q.order[0][0].lower() == "systemmodstamp" and not q.order[0][1]:
            return [rid for _, rid in st], True, exact
        return list(self.recs[obj] if include_deleted else self.live[obj]), False, exact

    def _page(
        self,
        obj: str,
        fields: Any,  # a soql_exec row renderer or a list of field names
        ids: list[str],
        start: int,
        batch: int,
        include_deleted: bool,
        version: str,
        locator: str | None,
    ) -> dict:
        chunk = ids[start : start + batch]
        recs = self.recs[obj]
        ser = fields if callable(fields) else lambda r: self.serialize(obj, r, fields)
        records = [ser(recs[rid]) for rid in chunk if rid in recs]
        body: dict[str, Any] = {
            "totalSize": len(ids),
            "done": start + batch >= len(ids),
            "records": records,
        }
        if not body["done"]:
            if locator is None:
                self.cursor_seq += 1
                n = self.cursor_seq
                locator = sf18("01g" + "5g" + _b62(n, 10))
                self.cursors[locator] = {
                    "obj": obj,
                    "fields": fields,
                    "ids": ids,
                    "include_deleted": include_deleted,
                }
                while len(self.cursors) > 500:
                    self.cursors.popitem(last=False)
            kind = "queryAll" if include_deleted else "query"
            body["nextRecordsUrl"] = f"/services/data/v{version}/{kind}/{locator}-{start + batch}"
        return body

    def query_more(self, locator: str, batch: int, version: str) -> dict:
        loc, _, offset = locator.partition("-")
        cur = self.cursors.get(loc)
        if cur is None or not offset.isdigit():
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(
            cur["obj"],
            cur["fields"],
            cur["ids"],
            int(offset),
            batch,
            cur["include_deleted"],
            version,
            loc,
        )

    # ------------------------------------------------------------- deleted/updated

    def changes(self, obj: str, kind: str, start: str | None, end: str | None) -> dict:
        if not start or not end:
            raise ApiError(400, "MISSING_ARGUMENT", "start and end parameters are required")
        try:
            s = soql.canonical_datetime(start)
            e = soql.canonical_datetime(end)
        except ValueError:
            raise ApiError(
                400, "INVALID_DATE_FORMAT", "Unable to parse date: start or end"
            ) from None
        if e < s:
            raise ApiError(400, "INVALID_REPLICATION_DATE", "end date must be after the start date")
        latest = min(e, self.now())
        latest = latest[:17] + "00.000+0000"
        earliest = self.purged_before or _minus_days(self.created, 15)[:17] + "00.000+0000"
        if kind == "deleted":
            if s < earliest:
                raise ApiError(
                    400,
                    "INVALID_REPLICATION_DATE",
                    f"startDate before earliest date available: {earliest}",
                )
            log = self.deleted_log[obj]
            i = bisect.bisect_left(log, (s, ""))
            j = bisect.bisect_right(log, (e, "\uffff"))
            seen = []
            for stamp, rid in log[i:j]:
                rec = self.recs[obj].get(rid)
                if rec is not None and rec["IsDeleted"]:
                    seen.append({"id": rid, "deletedDate": stamp})
            return {
                "deletedRecords": seen,
                "earliestDateAvailable": earliest,
                "latestDateCovered": latest,
            }
        st = self.stamps[obj]
        i = bisect.bisect_left(st, (s, ""))
        j = bisect.bisect_right(st, (e, "\uffff"))
        recs = self.recs[obj]
        ids = [rid for _, rid in st[i:j] if not recs[rid]["IsDeleted"]]
        return {"ids": ids, "latestDateCovered": latest}

    # ---------------------------------------------------------------- conversion

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

    # ---------------------------------------------------------------- tooling

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
        if self.field(obj, fname) is not None:
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
        for r in self.recs[obj].values():
            r.setdefault(fd.name, False if fd.type == "boolean" else None)
        if fd.external_id:
            self.ext[obj][fd.name] = {}
        self._invalidate()
        self.custom_field_ids += 1
        return sf18("00N5g00000" + _b62(self.custom_field_ids, 5))

    # ---------------------------------------------------------------- sessions

    def new_session(self, ttl: float | None, host: str = "login", client_id: str = "") -> str:
        token = f"{self.org_id[:15]}!AQ{secrets.token_urlsafe(72)}"
        expires = None if ttl is None else time.time() + ttl
        self.sessions[token] = Session(self.user_id, expires, host, client_id)
        return token

    def session_valid(self, token: str) -> bool:
        s = self.sessions.get(token)
        return s is not None and (s.expires_at is None or s.expires_at > time.time())

    def identity_url(self, host: str) -> str:
        return f"{self.instance_url}/{host}/id/{self.org_id}/{self.user_id}"


def _sorted_add(st: list[tuple[str, str]], key: tuple[str, str]) -> None:
    if not st or st[-1] <= key:
        st.append(key)
    else:
        bisect.insort(st, key)


def _minus_days(stamp: str, days: int) -> str:
    d = datetime.fromisoformat(stamp.replace("+0000", "+00:00"))
    return soql.format_datetime(d.fromtimestamp(d.timestamp() - days * 86400, UTC))


def soql_invalid(text: str, pos: dict[str, int], name: str, obj: str) -> ApiError:
    e = soql._invalid_field(soql.Query(obj, [], text=text), pos, name, obj)
    return ApiError(400, e.code, e.message)


def _is_stamp_order(order: list[tuple[FieldDef, bool, bool | None]]) -> bool:
    names = [(f.name, desc) for f, desc, _ in order]
    return names in ([("SystemModstamp", False)], [("SystemModstamp", False), ("Id", False)])


def _rule_fires(rule: dict, rec: dict) -> bool:
    v = rec.get(rule.get("field", ""))
    op = rule.get("operator", "blank")
    target = rule.get("value")
    s = "" if v is None else str(v)
    if op == "blank":
        return s == ""
    if op == "not_blank":
        return s != ""
    if op == "equals":
        return s == str(target)
    if op == "not_equals":
        return s != str(target)
    if op == "matches":
        return re.search(str(target), s) is not None
    if op == "not_matches":
        return re.search(str(target), s) is None
    if op == "longer_than":
        return len(s) > int(target or 0)
    return False


# ---------------------------------------------------------------------------------- app


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    data = b"" if status == 204 else json.dumps(body, separators=(",", ":")).encode()
    r = Response(data, status=status, mimetype=None if status == 204 else "application/json")
    if status != 204:
        r.headers["Content-Type"] = "application/json;charset=UTF-8"
    for k, v in (headers or {}).items():
        r.headers[k] = v
    return r


_VERSION_RE = re.compile(r"^/services/data/v(\d+\.\d)(/.*)?$")


class SalesforceApp:
    """The WSGI application around one `Org`."""

    def __init__(self, org: Org) -> None:
        self.org = org

    def __call__(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except ApiError as e:
            response = _json(e.status, e.body())
        except Exception:  # a bug in the emulator: answer like Salesforce, keep the trace
            traceback.print_exc()
            response = _json(
                500,
                [
                    {
                        "message": "An unexpected error occurred (emulator bug)",
                        "errorCode": "UNKNOWN_EXCEPTION",
                    }
                ],
            )
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/__sandbox/"):
            return self.control(request, path[len("/__sandbox/") :].strip("/"))
        for host in ("login", "test"):
            if path.startswith(f"/{host}/services/oauth2/"):
                return self.oauth(request, host, path[len(f"/{host}/services/oauth2/") :])
            if path.startswith(f"/{host}/id/"):
                return self.userinfo(request)
        if path.startswith("/services/oauth2/"):
            return self.oauth(request, "login", path[len("/services/oauth2/") :], instance=True)
        if path.rstrip("/") == "/services/data":
            return _json(
                200,
                [
                    {
                        "label": "Winter '24",
                        "url": f"/services/data/v{API_VERSION}",
                        "version": API_VERSION,
                    }
                ],
            )
        m = _VERSION_RE.match(path)
        if m:
            return self.data(request, m.group(1), (m.group(2) or "/").lstrip("/"))
        return _json(404, not_found().body())

    # ------------------------------------------------------------------ data API

    def _limit_header(self) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={self.org.used}/{self.org.daily_limit}"}

    def data(self, request: Request, version: str, rel: str) -> Response:
        org = self.org
        auth = request.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1].strip() if " " in auth else ""
        fault: str | None = None
        with org.lock:
            if not org.session_valid(token):
                return _json(
                    401,
                    [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                )
            if org.used >= org.daily_limit:
                return _json(
                    403,
                    [
                        {
                            "message": "TotalRequests Limit exceeded.",
                            "errorCode": "REQUEST_LIMIT_EXCEEDED",
                        }
                    ],
                    self._limit_header(),
                )
            org.used += 1
            fault = self._pick_fault(rel)
            if fault == "expired_session":
                org.sessions.pop(token, None)
                return _json(
                    401,
                    [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                )
            timeout = float(org.faults.get("timeout_seconds", 3.0))
            retry_after = str(org.faults.get("retry_after", 1))
        headers = self._limit_header()
        if fault == "timeout":
            time.sleep(timeout)
        elif fault == "500":
            return _json(
                500,
                [
                    {
                        "message": "An unexpected error occurred. Please include this "
                        "ErrorId if you contact support: 1466451227-4242 (-1247813297)",
                        "errorCode": "UNKNOWN_EXCEPTION",
                    }
                ],
                headers,
            )
        elif fault == "503":
            return _json(
                503,
                [{"message": "Server temporarily unavailable", "errorCode": "SERVER_UNAVAILABLE"}],
                headers,
            )
        elif fault == "429":
            return _json(
                429,
                [{"message": "Too many requests", "errorCode": "TOO_MANY_REQUESTS"}],
                {**headers, "Retry-After": retry_after},
            )
        elif fault == "lock":
            return _json(
                400,
                [
                    {
                        "message": "unable to obtain exclusive access to this record or 1 records",
                        "errorCode": "UNABLE_TO_LOCK_ROW",
                        "fields": [],
                    }
                ],
                headers,
            )
        body: Any = None
        if request.method in ("POST", "PATCH", "PUT") and request.get_data():
            try:
                body = json.loads(request.get_data())
            except ValueError as e:
                return _json(
                    400,
                    [{"message": f"Unexpected character: {e}", "errorCode": "JSON_PARSER_ERROR"}],
                    headers,
                )
        batch = PAGE_SIZE
        opts = request.headers.get("Sforce-Query-Options", "")
        bm = re.search(r"batchSize=(\d+)", opts)
        if bm:
            batch = max(200, min(PAGE_SIZE, int(bm.group(1))))
        with org.lock:
            try:
                status, out = self.route(
                    request.method,
                    version,
                    rel,
                    {k: request.args.getlist(k) for k in request.args},
                    body,
                    batch,
                )
            except ApiError as e:
                status, out = e.status, e.body()
            headers = self._limit_header()
        return _json(status, out, headers)

    def _pick_fault(self, rel: str) -> str | None:
        org = self.org
        rules = org.faults.get("rules") or {}
        times = org.faults.get("times")
        if not rules or (times is not None and org.fault_count >= times):
            return None
        for pattern, probs in rules.items():
            if pattern == "*" or fnmatch.fnmatch(rel, pattern):
                for kind in ("expired_session", "timeout", "500", "503", "429", "lock"):
                    p = float(probs.get(kind, 0))
                    if p and org.fault_rng.random() < p:
                        org.fault_count += 1
                        return kind
                return None
        return None

    def _record_lock(self, rel: str) -> bool:
        org = self.org
        rules = org.faults.get("rules") or {}
        times = org.faults.get("times")
        if times is not None and org.fault_count >= times:
            return False
        for pattern, probs in rules.items():
            if pattern == "*" or fnmatch.fnmatch(rel, pattern):
                p = float(probs.get("record_lock", 0))
                if p and org.fault_rng.random() < p:
                    org.fault_count += 1
                    return True
                return False
        return False

    def route(
        self,
        method: str,
        version: str,
        rel: str,
        args: dict[str, list[str]],
        body: Any,
        batch: int = PAGE_SIZE,
    ) -> tuple[int, Any]:
        org = self.org
        parts = [p for p in rel.split("/") if p]
        arg = {k: v[-1] for k, v in args.items() if v}
        if not parts:
            base = f"/services/data/v{version}"
            return 200, {
                k: f"{base}/{k}"
                for k in ("sobjects", "query", "queryAll", "composite", "limits", "tooling")
            }
        head = parts[0]
        if head == "sobjects":
            return self.sobjects(method, parts[1:], arg, body)
        if head in ("query", "queryAll"):
            if method != "GET":
                raise _method_not_allowed(method)
            if len(parts) == 2:
                return 200, org.query_more(parts[1], batch, version)
            q = arg.get("q")
            if not q:
                raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
            return 200, org.query(q, head == "queryAll", batch, version)
        if head == "composite":
            if len(parts) == 1:
                if method != "POST":
                    raise _method_not_allowed(method)
                return self.composite(version, body)
            if parts[1] == "sobjects":
                return self.collections(method, parts[2:], arg, body, "/".join(parts))
            raise not_found()
        if head == "limits" and len(parts) == 1:
            remaining = max(0, org.daily_limit - org.used)
            return 200, {
                "DailyApiRequests": {"Max": org.daily_limit, "Remaining": remaining},
                "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
                "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
                "DataStorageMB": {"Max": 1024, "Remaining": 1000},
                "FileStorageMB": {"Max": 1024, "Remaining": 1024},
                "SingleEmail": {"Max": 5000, "Remaining": 5000},
            }
        if head == "tooling":
            if parts[1:3] == ["sobjects", "CustomField"] and method == "POST":
                fid = org.create_custom_field(body or {})
                return 201, {"id": fid, "success": True, "errors": [], "warnings": [], "infos": []}
            raise not_found()
        raise not_found()

    def sobjects(
        self, method: str, parts: list[str], arg: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        org = self.org
        if not parts:
            return 200, {
                "encoding": "UTF-8",
                "maxBatchSize": 200,
                "sobjects": [org.sobject_summary(o) for o in org.fields],
            }
        obj = org.object_name(parts[0])
        if obj is None:
            raise not_found()
        if len(parts) == 1:
            if method == "GET":
                recent = [
                    org.serialize(obj, r, ["Id", "Name"] if org.field(obj, "Name") else ["Id"])
                    for r in list(org.recs[obj].values())[-5:]
                    if not r["IsDeleted"]
                ]
                return 200, {"objectDescribe": org.sobject_summary(obj), "recentItems": recent}
            if method == "POST":
                _require_object(body)
                rid = org.create(obj, body)
                return 201, {"id": rid, "success": True, "errors": []}
            raise _method_not_allowed(method)
        if len(parts) == 2:
            sub = parts[1]
            if sub == "describe" and method == "GET":
                return 200, org.describe(obj)
            if sub in ("deleted", "updated") and method == "GET":
                return 200, org.changes(obj, sub, arg.get("start"), arg.get("end"))
            if not ID_RE.match(sub):
                raise ApiError(
                    404,
                    "NOT_FOUND",
                    f"Provided external ID field does not exist or is not accessible: {sub}",
                )
            if method == "GET":
                rec = org.get_live(obj, sub)
                fields = None
                if arg.get("fields"):
                    fields = []
                    for n in arg["fields"].split(","):
                        f = org.field(obj, n.strip())
                        if f is None:
                            raise ApiError(
                                400,
                                "INVALID_FIELD",
                                f"No such column '{n.strip()}' on sobject of type {obj}",
                            )
                        fields.append(f.name)
                return 200, org.serialize(obj, rec, fields)
            if method == "PATCH":
                _require_object(body)
                org.update(obj, sub, body)
                return 204, None
            if method == "DELETE":
                org.delete(obj, sub)
                return 204, None
            raise _method_not_allowed(method)
        if len(parts) == 3:
            fname, value = parts[1], parts[2]
            f = org.field(obj, fname)
            if f is None or not (f.external_id or f.name == "Id"):
                raise ApiError(
                    404,
                    "NOT_FOUND",
                    f"Provided external ID field does not exist or is not accessible: {fname}",
                )
            if method == "PATCH":
                _require_object(body)
                rid, created = org.upsert(obj, f.name, value, body)
                return (201 if created else 200), {
                    "id": rid,
                    "success": True,
                    "errors": [],
                    "created": created,
                }
            matches = self._ext_matches(obj, f, value)
            if not matches:
                raise not_found()
            if method == "GET":
                if len(matches) > 1:
                    return 300, [
                        f"/services/data/v{API_VERSION}/sobjects/{obj}/{m}" for m in matches
                    ]
                return 200, org.serialize(obj, org.recs[obj][matches[0]])
            if method == "DELETE":
                org.delete(obj, matches[0])
                return 204, None
            raise _method_not_allowed(method)
        raise not_found()

    def _ext_matches(self, obj: str, f: FieldDef, value: str) -> list[str]:
        org = self.org
        if f.name == "Id":
            rec = org.recs[obj].get(norm_id(value))
            return [rec["Id"]] if rec and not rec["IsDeleted"] else []
        rid = org.ext[obj].get(f.name, {}).get(org._ext_key(obj, f.name, value))
        return [rid] if rid else []

    # ----------------------------------------------------------------- collections

    def collections(
        self, method: str, parts: list[str], arg: dict[str, str], body: Any, rel: str
    ) -> tuple[int, Any]:
        org = self.org
        if method == "DELETE" and not parts:
            ids = [i for i in (arg.get("ids") or "").split(",") if i]
            all_or_none = (arg.get("allOrNone") or "false").lower() == "true"
            _check_size(len(ids))
            return 200, self._each(ids, all_or_none, rel, self._delete_any)
        if (
            method in ("GET", "POST")
            and len(parts) == 1
            and (method == "GET" or (isinstance(body, dict) and "ids" in body))
        ):
            obj = org.object_name(parts[0])
            if obj is None:
                raise not_found()
            if method == "GET":
                ids = [i for i in (arg.get("ids") or "").split(",") if i]
                names = [n for n in (arg.get("fields") or "").split(",") if n]
            else:
                ids, names = body.get("ids") or [], body.get("fields") or []
            _check_size(len(ids), limit=2000)
            fields = []
            for n in names:
                f = org.field(obj, n)
                if f is None:
                    raise ApiError(
                        400, "INVALID_FIELD", f"No such column '{n}' on sobject of type {obj}"
                    )
                fields.append(f.name)
            out = []
            for rid in ids:
                rec = org.recs[obj].get(norm_id(rid))
                out.append(
                    None
                    if rec is None or rec["IsDeleted"]
                    else org.serialize(obj, rec, fields or None)
                )
            return 200, out
        if not isinstance(body, dict) or not isinstance(body.get("records"), list):
            if method in ("POST", "PATCH"):
                raise ApiError(
                    400,
                    "JSON_PARSER_ERROR",
                    'Cannot deserialize instance of the request: expected {"records": [...]}',
                )
            raise _method_not_allowed(method)
        records = body["records"]
        all_or_none = bool(body.get("allOrNone"))
        _check_size(len(records))
        if method == "POST" and not parts:
            return 200, self._each(records, all_or_none, rel, self._create_one)
        if method == "PATCH" and not parts:
            return 200, self._each(records, all_or_none, rel, self._update_one)
        if method == "PATCH" and len(parts) == 2:
            obj = org.object_name(parts[0])
            if obj is None:
                raise not_found()
            f = org.field(obj, parts[1])
            if f is None or not f.external_id:
                raise ApiError(
                    400,
                    "INVALID_FIELD",
                    f"Field {parts[1]} is not an External ID or indexed field for {obj}",
                    [parts[1]],
                )
            counts: dict[str, int] = {}
            for r in records:
                v = r.get(f.name) if isinstance(r, dict) else None
                if v not in (None, ""):
                    k = org._ext_key(obj, f.name, v)
                    counts[k] = counts.get(k, 0) + 1

            def up(r: dict) -> tuple[str | None, bool]:
                _check_type(r, obj)
                v = r.get(f.name)
                if v in (None, ""):
                    raise ApiError(400, "MISSING_ARGUMENT", f"{f.name} not specified", [f.name])
                if counts.get(org._ext_key(obj, f.name, v), 0) > 1:
                    raise ApiError(
                        400,
                        "DUPLICATE_EXTERNAL_ID",
                        f"Duplicate external id specified: {v}",
                        [f.name],
                    )
                data = {k: val for k, val in r.items() if k != "attributes"}
                return org.upsert(obj, f.name, str(v), data)

            return 200, self._each(records, all_or_none, rel, up, upsert=True)
        raise _method_not_allowed(method)

    def _create_one(self, r: Any) -> tuple[str, None]:
        obj = _check_type(r)
        if r.get("id") or r.get("Id"):
            raise ApiError(400, "INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
        return self.org.create(obj, {k: v for k, v in r.items() if k != "attributes"}), None

    def _update_one(self, r: Any) -> tuple[str, None]:
        obj = _check_type(r)
        rid = r.get("id") or r.get("Id")
        if not rid:
            raise ApiError(400, "MISSING_ARGUMENT", "Id not specified in an update call", [])
        data = {k: v for k, v in r.items() if k not in ("attributes", "id", "Id")}
        if not ID_RE.match(str(rid)) or PREFIX_TO_OBJECT.get(norm_id(rid)[:3]) != obj:
            raise ApiError(400, "MALFORMED_ID", f"Id: id value of incorrect type: {rid}", ["Id"])
        self.org.update(obj, rid, data)
        return norm_id(rid), None

    def _delete_any(self, rid: str) -> tuple[str, None]:
        obj = PREFIX_TO_OBJECT.get(norm_id(rid)[:3]) if ID_RE.match(rid) else None
        if obj is None:
            raise ApiError(400, "MALFORMED_ID", f"malformed id {rid}", [])
        rec = self.org.recs[obj].get(norm_id(rid))
        if rec is None:
            raise ApiError(400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])
        if rec["IsDeleted"]:
            raise ApiError(400, "ENTITY_IS_DELETED", "entity is deleted", [])
        self.org.delete(obj, rid)
        return norm_id(rid), None

    def _each(
        self, items: list, all_or_none: bool, rel: str, fn: Any, upsert: bool = False
    ) -> list[dict]:
        org = self.org
        results: list[dict] = []
        failed = False
        with org.transaction():
            for item in items:
                try:
                    if self._record_lock(rel):
                        raise ApiError(
                            400,
                            "UNABLE_TO_LOCK_ROW",
                            "unable to obtain exclusive access to this record or 1 records",
                            [],
                        )
                    rid, created = fn(item)
                    res: dict[str, Any] = {"id": rid, "success": True, "errors": []}
                    if upsert:
                        res["created"] = created
                except ApiError as e:
                    failed = True
                    res = {"id": None, "success": False, "errors": [e.record_error()]}
                    if upsert:
                        res["created"] = False
                results.append(res)
                if failed and all_or_none:
                    break
            if failed and all_or_none:
                org.rollback()
        if failed and all_or_none:
            rolled = {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and "
                "the request was using AllOrNone header",
                "fields": [],
            }
            out = []
            for i in range(len(items)):
                if i < len(results) and not results[i]["success"]:
                    out.append(results[i])
                else:
                    r = {"id": None, "success": False, "errors": [rolled]}
                    if upsert:
                        r["created"] = False
                    out.append(r)
            return out
        return results

    # ------------------------------------------------------------------- composite

    def composite(self, version: str, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("compositeRequest"), list):
            raise ApiError(400, "JSON_PARSER_ERROR", "compositeRequest is required")
        subs = body["compositeRequest"]
        if len(subs) > COMPOSITE_LIMIT:
            raise ApiError(
                400,
                "LIMIT_EXCEEDED",
                f"Limit Exceeded. The number of subrequests ({len(subs)}) exceeds "
                f"the maximum of {COMPOSITE_LIMIT} allowed in one composite "
                "request.",
            )
        heavy = sum(
            1
            for s in subs
            if isinstance(s, dict)
            and re.search(r"/(query|queryAll|composite/sobjects)\b", str(s.get("url", "")))
        )
        if heavy > COMPOSITE_QUERY_LIMIT:
            raise ApiError(
                400,
                "LIMIT_EXCEEDED",
                f"Limit Exceeded. A composite request can contain up to "
                f"{COMPOSITE_QUERY_LIMIT} query or sObject Collection subrequests.",
            )
        all_or_none = bool(body.get("allOrNone"))
        refs: dict[str, Any] = {}
        out: list[dict] = []
        org = self.org
        halted = False
        with org.transaction():
            for s in subs:
                ref = s.get("referenceId") or ""
                if halted:
                    out.append(_halted(ref))
                    continue
                try:
                    url = _substitute(str(s.get("url", "")), refs)
                    sbody = _substitute_json(s.get("body"), refs)
                    parsed = urlsplit(url)
                    m = _VERSION_RE.match(parsed.path)
                    if not m:
                        raise not_found()
                    status, res = self.route(
                        str(s.get("method", "GET")).upper(),
                        m.group(1),
                        (m.group(2) or "/").lstrip("/"),
                        parse_qs(parsed.query),
                        sbody,
                    )
                except ApiError as e:
                    status, res = e.status, e.body()
                out.append(
                    {
                        "body": res,
                        "httpHeaders": _sub_headers(status, res),
                        "httpStatusCode": status,
                        "referenceId": ref,
                    }
                )
                if status < 300:
                    refs[ref] = res
                elif all_or_none:
                    halted = True
            if halted:
                org.rollback()
                for item in out:
                    if item["httpStatusCode"] < 300:
                        item.update(_halted(item["referenceId"]))
        return 200, {"compositeResponse": out}

    # ---------------------------------------------------------------------- OAuth

    def oauth(self, request: Request, host: str, rel: str, instance: bool = False) -> Response:
        org = self.org
        rel = rel.strip("/")
        if rel == "authorize":
            return self.authorize(request, host)
        if rel == "token" and request.method == "POST":
            return self.token(request, host)
        if rel == "userinfo":
            return self.userinfo(request)
        if rel == "revoke":
            token = request.values.get("token", "")
            with org.lock:
                org.sessions.pop(token, None)
                org.refresh_tokens.pop(token, None)
            return Response("", status=200)
        return _json(404, not_found().body())

    def authorize(self, request: Request, host: str) -> Response:
        org = self.org
        v = request.values
        client_id = v.get("client_id", "")
        redirect_uri = v.get("redirect_uri", "")
        state = v.get("state", "")
        if v.get("response_type", "code") != "code":
            return Response("error=unsupported_response_type", status=400)
        if client_id != org.client_id:
            return Response(
                "error=invalid_client_id&error_description=client identifier invalid", status=400
            )
        if not redirect_uri.startswith(("http://", "https://")):
            return Response("error=redirect_uri_mismatch", status=400)
        if request.method == "POST":
            sep = "&" if "?" in redirect_uri else "?"
            if v.get("action") == "deny":
                q = urlencode(
                    {
                        "error": "access_denied",
                        "error_description": "end-user denied authorization",
                        "state": state,
                    }
                )
                return Response("", status=302, headers={"Location": redirect_uri + sep + q})
            if v.get("username") != DEMO_USERNAME or v.get("password") != DEMO_PASSWORD:
                return Response(
                    self._login_page(host, v, error=True), status=200, mimetype="text/html"
                )
            code = "aPrx" + secrets.token_urlsafe(32)
            with org.lock:
                org.codes[code] = (client_id, redirect_uri, host, time.time() + 900)
            q = urlencode({"code": code, "state": state} if state else {"code": code})
            return Response("", status=302, headers={"Location": redirect_uri + sep + q})
        return Response(self._login_page(host, v), status=200, mimetype="text/html")

    def _login_page(self, host: str, v: Any, error: bool = False) -> str:
        title = "Sandbox" if host == "test" else "Production"
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v.get(k, ""))}">'
            for k in ("response_type", "client_id", "redirect_uri", "state", "scope")
        )
        err = '<p class="error">Please check your username and password.</p>' if error else ""
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>Login | Salesforce {title} (emulator)</title></head><body>"
            f"<h1>Salesforce {title} login (emulator)</h1>{err}"
            f'<form method="post" action="/{host}/services/oauth2/authorize">{hidden}'
            f'<label>Username <input name="username" value="{DEMO_USERNAME}"></label>'
            f'<label>Password <input name="password" value="{DEMO_PASSWORD}" type="password">'
            "</label>"
            '<button type="submit" name="action" value="allow">Log in and Allow</button>'
            '<button type="submit" name="action" value="deny">Deny</button>'
            "</form></body></html>"
        )

    def token(self, request: Request, host: str) -> Response:
        org = self.org
        v = request.form
        grant = v.get("grant_type")
        with org.lock:
            if v.get("client_id") != org.client_id or (
                v.get("client_secret") not in (None, org.client_secret)
            ):
                return _json(
                    400,
                    {"error": "invalid_client", "error_description": "invalid client credentials"},
                )
            now_ms = str(int(time.time() * 1000))
            if grant == "authorization_code":
                entry = org.codes.pop(v.get("code", ""), None)
                if (
                    entry is None
                    or entry[3] < time.time()
                    or entry[2] != host
                    or entry[1] != v.get("redirect_uri")
                ):
                    return _json(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "invalid authorization code",
                        },
                    )
                access = org.new_session(org.session_ttl, host, org.client_id)
                refresh = "5Aep861" + secrets.token_urlsafe(60)
                org.refresh_tokens[refresh] = (host, org.client_id)
                body = self._token_body(access, host, now_ms)
                body["refresh_token"] = refresh
                return _json(200, body)
            if grant == "refresh_token":
                entry2 = org.refresh_tokens.get(v.get("refresh_token", ""))
                if entry2 is None or entry2[0] != host:
                    return _json(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "expired access/refresh token",
                        },
                    )
                access = org.new_session(org.session_ttl, host, org.client_id)
                return _json(200, self._token_body(access, host, now_ms))
            return _json(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
            )

    def _token_body(self, access: str, host: str, issued_at: str) -> dict:
        org = self.org
        ident = org.identity_url(host)
        sig = base64_hmac(org.client_secret, ident + issued_at)
        return {
            "access_token": access,
            "signature": sig,
            "scope": "refresh_token api",
            "instance_url": org.instance_url,
            "id": ident,
            "token_type": "Bearer",
            "issued_at": issued_at,
        }

    def userinfo(self, request: Request) -> Response:
        org = self.org
        auth = request.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1].strip() if " " in auth else ""
        with org.lock:
            if not org.session_valid(token):
                return _json(
                    401,
                    [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                )
            host = org.sessions[token].host
            user = org.recs["User"][org.user_id]
        return _json(
            200,
            {
                "sub": org.identity_url(host),
                "user_id": org.user_id,
                "organization_id": org.org_id,
                "preferred_username": user["Username"],
                "nickname": user["Alias"],
                "name": user["Name"],
                "email": user["Email"],
                "email_verified": True,
                "given_name": user["FirstName"],
                "family_name": user["LastName"],
                "zoneinfo": "Europe/Rome",
                "photos": {},
                "profile": f"{org.instance_url}/{org.user_id}",
                "address": {},
                "is_salesforce_integration_user": False,
                "urls": {
                    "rest": f"{org.instance_url}/services/data/v{{version}}/",
                    "sobjects": f"{org.instance_url}/services/data/v{{version}}/sobjects/",
                    "query": f"{org.instance_url}/services/data/v{{version}}/query/",
                    "custom_domain": org.instance_url,
                },
                "active": True,
                "user_type": "STANDARD",
                "language": "en_US",
                "locale": "en_US",
                "utcOffset": 3600000,
                "is_app_installed": True,
                "is_sandbox": host == "test",
            },
        )

    # ----------------------------------------------------------------- control API

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
                for k in ("accounts", "opportunities", "contact_roles_per_opportunity", "cases")
                if body.get(k)
            }
            return {
                "loaded": org.load_seed(
                    int(body.get("seed", 0)), int(body.get("contacts", 100)), **objects
                )
            }
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
            return self._picklists(body)
        if rel == "duplicate-rules":
            org.duplicate_rules = list(body.get("rules", []))
            return {"ok": True}
        if rel == "validation-rules":
            org.validation_rules = list(body.get("rules", []))
            return {"ok": True}
        if rel == "multicurrency":
            return org.enable_multicurrency(list(body.get("currencies") or ["USD"]))
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
            org.purged_before = soql.canonical_datetime(body["before"])
            log = org.deleted_log
            for o in log:
                log[o] = [e for e in log[o] if e[0] >= org.purged_before]
            return {"ok": True, "earliestDateAvailable": org.purged_before}
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

    def _picklists(self, body: dict) -> dict:
        org = self.org
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


def base64_hmac(secret: str, msg: str) -> str:
    import base64

    return base64.b64encode(
        hmac.new(secret.encode(), msg.encode(), hashlib.sha256).digest()
    ).decode()


def _method_not_allowed(method: str) -> ApiError:
    return ApiError(
        405,
        "METHOD_NOT_ALLOWED",
        f"HTTP Method '{method}' not allowed. Allowed are GET,PATCH,POST,DELETE",
    )


def _require_object(body: Any) -> None:
    if not isinstance(body, dict):
        raise ApiError(
            400,
            "JSON_PARSER_ERROR",
            "Cannot deserialize instance of the sObject from the request body",
        )


def _check_size(n: int, limit: int = COLLECTION_LIMIT) -> None:
    if n > limit:
        raise ApiError(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {limit} records into this call",
        )


def _check_type(r: Any, expected: str | None = None) -> str:
    if not isinstance(r, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", "each record must be an object")
    t = (r.get("attributes") or {}).get("type")
    if not t:
        raise ApiError(
            400,
            "INVALID_TYPE",
            "Must send a concrete entity type. The attributes.type property is required",
        )
    org_obj = t if t in KEY_PREFIXES else None
    if org_obj is None:
        raise ApiError(400, "INVALID_TYPE", f"sObject type '{t}' is not supported.")
    if expected and org_obj != expected:
        raise ApiError(
            400,
            "INVALID_TYPE",
            f"The record type {t} does not match the type {expected} in the URL",
        )
    return org_obj


def _control_object(org: Org, body: dict) -> str:
    obj = org.object_name(str(body.get("object", "")))
    if obj is None:
        raise ValueError(f"unknown object {body.get('object')!r}")
    return obj


def _halted(ref: str) -> dict:
    return {
        "body": [
            {
                "errorCode": "PROCESSING_HALTED",
                "message": "The transaction was rolled back since another operation in "
                "the same transaction failed.",
            }
        ],
        "httpHeaders": {},
        "httpStatusCode": 400,
        "referenceId": ref,
    }


def _sub_headers(status: int, res: Any) -> dict:
    if status == 201 and isinstance(res, dict) and res.get("id"):
        return {"Location": f"/services/data/v{API_VERSION}/sobjects/x/{res['id']}"}
    return {}


_REF_RE = re.compile(r"@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}")


def _resolve_ref(refs: dict[str, Any], name: str, path: str) -> Any:
    if name not in refs:
        raise ApiError(
            400, "INVALID_REFERENCE", f"Invalid reference specified. No value for {name} found"
        )
    v = refs[name]
    for m in re.finditer(r"\.([A-Za-z0-9_]+)|\[(\d+)\]", path):
        try:
            v = v[m.group(1)] if m.group(1) is not None else v[int(m.group(2))]
        except (KeyError, IndexError, TypeError):
            raise ApiError(
                400, "INVALID_REFERENCE", f"Invalid reference specified: {name}{path}"
            ) from None
    return v


def _substitute(s: str, refs: dict[str, Any]) -> str:
    return _REF_RE.sub(lambda m: str(_resolve_ref(refs, m.group(1), m.group(2))), s)


def _substitute_json(v: Any, refs: dict[str, Any]) -> Any:
    if isinstance(v, str):
        return _substitute(v, refs)
    if isinstance(v, dict):
        return {k: _substitute_json(x, refs) for k, x in v.items()}
    if isinstance(v, list):
        return [_substitute_json(x, refs) for x in v]
    return v


# ------------------------------------------------------------------------- handle


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

    def seed(self, seed: int, contacts: int) -> dict:
        return self._post("seed", {"seed": seed, "contacts": contacts})

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

    def purge_deleted(self, before: str) -> Any:
        return self._post("purge-deleted", {"before": before})

    def faults(self, rules: dict, seed: int = 0, **kw: Any) -> Any:
        return self._post("faults", {"rules": rules, "seed": seed, **kw})

    def clear_faults(self) -> Any:
        return self._post("faults", {})


@dataclass
class SalesforceHandle:
    url: str
    login_url: str
    sandbox_login_url: str
    session_id: str
    client_id: str
    client_secret: str
    ca_file: str
    org: Org
    control: SandboxControl
    server: RunningServer
    username: str = DEMO_USERNAME
    password: str = DEMO_PASSWORD

    def stop(self) -> None:
        # serve_forever only notices shutdown every 0.5 s; set the flag and wake its select()
        # with a connection so that tests starting one org each stay fast.
        srv = self.server.server
        srv._BaseServer__shutdown_request = True  # type: ignore[attr-defined]
        with contextlib.suppress(OSError):
            socket.create_connection((self.server.host, self.server.port), timeout=1).close()
        self.server.stop()


def start_salesforce(
    ca: LocalCA,
    port: int = 0,
    *,
    seed: int | None = None,
    contacts: int = 0,
    daily_limit: int = 100_000,
    ca_file: str | Path | None = None,
) -> SalesforceHandle:
    """Start an emulated org over HTTPS on 127.0.0.1 and return its handle."""
    org = Org(daily_limit=daily_limit)
    server = RunningServer(SalesforceApp(org), ca, port=port)
    org.instance_url = server.url
    if ca_file is None:
        ca_file = Path(tempfile.mkdtemp(prefix="sfemu-")) / "ca.pem"
        ca.write_ca(Path(ca_file))
    if contacts:
        org.load_seed(seed or 0, contacts)
    session_id = org.new_session(None)
    server.start()
    return SalesforceHandle(
        url=server.url,
        login_url=server.url + "/login",
        sandbox_login_url=server.url + "/test",
        session_id=session_id,
        client_id=org.client_id,
        client_secret=org.client_secret,
        ca_file=str(ca_file),
        org=org,
        control=SandboxControl(server.url, str(ca_file)),
        server=server,
    )


if __name__ == "__main__":  # pragma: no cover - `python -m connectors.sandbox.salesforce`
    import argparse

    ap = argparse.ArgumentParser(description="Run the Salesforce emulator")
    ap.add_argument("--port", type=int, default=8443)
    ap.add_argument("--contacts", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ca-file", default="var/sandbox-ca.pem")
    a = ap.parse_args()
    local_ca = LocalCA()
    local_ca.write_ca(Path(a.ca_file))
    h = start_salesforce(local_ca, a.port, seed=a.seed, contacts=a.contacts, ca_file=a.ca_file)
    print(
        f"instance_url={h.url}\nsession_id={h.session_id}\nclient_id={h.client_id}\n"
        f"client_secret={h.client_secret}\nca_file={h.ca_file}"
    )
    with contextlib.suppress(KeyboardInterrupt):
        threading.Event().wait()
