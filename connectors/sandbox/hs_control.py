"""Control API of the HubSpot emulator (/__sandbox/, see `connectors.sandbox.hubspot`):
reset, load, touch, limits, tokens, properties, lists, events, faults and usage, and
`Control`, the small requests client tests and scripts drive it with."""

from __future__ import annotations

import random
import time
from typing import Any

import requests
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox.hs_assoc import ASSOC_TYPES, default_type
from connectors.sandbox.hs_base import FaultRule, HubSpotBase, err
from connectors.sandbox.hs_store import iso, now_ms, parse_ms


class ControlMixin(HubSpotBase):
    def ctl_reset(self, req: Request) -> Response:
        self.reset()
        return self.json({"ok": True})

    def load(self, data: dict[str, Any]) -> dict[str, list[str]]:
        """Load records without validation (dirty data allowed), as seed.SeedData.hs."""
        out: dict[str, list[str]] = {}
        with self.lock:
            for typ, rows in data.items():
                if typ == "associations":
                    continue
                st = self._store(typ)
                ids = out.setdefault(st.plural, [])
                for row in rows:
                    props = {k: ("" if v is None else str(v)) for k, v in row.items()}
                    mod = props.pop("lastmodifieddate", None) or props.pop(
                        "hs_lastmodifieddate", None)
                    props.pop("hs_lastmodifieddate", None)
                    props.pop("hs_object_id", None)
                    for k, v in list(props.items()):
                        p = st.props.get(k)
                        if p and p.type == "datetime" and v:
                            ms = parse_ms(v)
                            if ms is not None:
                                props[k] = iso(ms)
                    if "email" in props and st.plural == "contacts":
                        props["email"] = props["email"].strip()
                    at = parse_ms(mod) if mod else None
                    created = parse_ms(props["createdate"]) if props.get("createdate") else None
                    if created is not None and at is None:
                        at = created
                    rec = st.create(props, at=at, created=created, delay_ms=0)
                    ids.append(str(rec.id))
            pairs = {"contact_company": ("contacts", "companies"),
                     "deal_company": ("deals", "companies"),
                     "deal_contact": ("deals", "contacts"),
                     "ticket_contact": ("tickets", "contacts"),
                     "ticket_company": ("tickets", "companies")}
            for key, links in (data.get("associations") or {}).items():
                base = key.removesuffix("_primary")  # "deal_company_primary": the label
                if base not in pairs:
                    raise err(400, "VALIDATION_ERROR", f"Unknown association key {key}")
                a, b = pairs[base]
                dt = default_type(a, b) if base == key else next(
                    (t for t in ASSOC_TYPES[(a, b)].values() if t.label == "Primary"), None)
                if dt is None:
                    raise err(400, "VALIDATION_ERROR", f"Unknown association key {key}")
                ia, ib = out[a], out[b]
                self.assoc.add_many(a, b, [(int(ia[i]), int(ib[j])) for i, j in links], dt)
        return out

    def ctl_load(self, req: Request) -> Response:
        return self.json({"ids": self.load(self._body(req))})

    def ctl_touch(self, req: Request) -> Response:
        body = self._body(req)
        with self.lock:
            st = self._store(body["type"])
            at = parse_ms(body.get("lastmodifieddate")) or now_ms()
            for rid in body.get("ids") or []:
                rec = st.records.get(int(rid))
                if rec:
                    st.update(rec, {k: str(v) for k, v in (body.get("properties") or {}).items()},
                              at=at)
        return self.json({"ok": True})

    def ctl_limits(self, req: Request) -> Response:
        body = self._body(req)
        with self.lock:
            if "ten_secondly" in body:
                self.ten_secondly = int(body["ten_secondly"])
            if "interval_ms" in body:
                self.interval_ms = int(body["interval_ms"])
            if "daily" in body:
                self.daily = int(body["daily"])
            if "search_per_second" in body:
                v = body["search_per_second"]
                self.search_per_second = None if v is None else int(v)
            if "search_delay_ms" in body:
                self.portal.search_delay_ms = max(0, int(body["search_delay_ms"]))
            if body.get("reset_windows"):
                self.windows.clear()
                self.search_windows.clear()
                self.daily_count.clear()
        return self.json({"ten_secondly": self.ten_secondly, "interval_ms": self.interval_ms,
                          "daily": self.daily, "search_per_second": self.search_per_second,
                          "search_delay_ms": self.portal.search_delay_ms})

    def ctl_tokens(self, req: Request) -> Response:
        body = self._body(req)
        out: dict[str, Any] = {}
        with self.lock:
            if "ttl" in body:
                self.token_ttl = int(body["ttl"])
            if body.get("issue"):
                tok = self.issue_oauth()
                out.update(access_token=tok.token, refresh_token=tok.refresh,
                           expires_in=self.token_ttl)
            which = body.get("expire")
            if which:
                for t in self.tokens.values():
                    if t.kind == "oauth" and which in ("*", t.token):
                        t.expires_at = time.time() - 61
        return self.json(out)

    def ctl_property(self, req: Request, otype: str) -> Response:
        body = self._body(req)
        with self.lock:
            st = self._store(otype)
            p = self._make_prop(st, body, api=False)
            return self.json(p.to_api())

    def ctl_lists(self, req: Request) -> Response:
        body = self._body(req)
        with self.lock:
            lst = self.create_list_from(body)
            for rid in body.get("members") or []:
                lst.members[int(rid)] = now_ms()
            return self.json({"list": lst.to_api(len(self._list_members(lst)))})

    def ctl_events(self, req: Request) -> Response:
        with self.lock:
            self.add_events(self._body(req).get("events") or [])
        return self.json({"ok": True})

    def ctl_faults(self, req: Request) -> Response:
        with self.lock:
            if req.method == "DELETE":
                self.faults = []
                return self.json({"ok": True})
            body = self._body(req)
            self.rng = random.Random(body.get("seed", 0))
            names = FaultRule.__dataclass_fields__
            self.faults = [FaultRule(**{k: v for k, v in r.items() if k in names and k != "hits"})
                           for r in body.get("rules") or []]
        return self.json({"ok": True})

    def ctl_usage(self, req: Request) -> Response:
        with self.lock:
            return self.json({"total": self.usage_total, "by_endpoint": self.usage_by_endpoint,
                              "rejected": self.rejected})


RULES = [
    Rule("/__sandbox/reset", methods=["POST"], endpoint="ctl_reset"),
    Rule("/__sandbox/load", methods=["POST"], endpoint="ctl_load"),
    Rule("/__sandbox/touch", methods=["POST"], endpoint="ctl_touch"),
    Rule("/__sandbox/limits", methods=["POST"], endpoint="ctl_limits"),
    Rule("/__sandbox/tokens", methods=["POST"], endpoint="ctl_tokens"),
    Rule("/__sandbox/properties/<otype>", methods=["POST"], endpoint="ctl_property"),
    Rule("/__sandbox/lists", methods=["POST"], endpoint="ctl_lists"),
    Rule("/__sandbox/events", methods=["POST"], endpoint="ctl_events"),
    Rule("/__sandbox/faults", methods=["POST", "DELETE"], endpoint="ctl_faults"),
    Rule("/__sandbox/usage", methods=["GET"], endpoint="ctl_usage"),
]


class Control:
    """A small requests client for /__sandbox/ (trust_env off: env CA/proxy never apply)."""

    def __init__(self, url: str, ca_file: str) -> None:
        self.url = url
        self.session = requests.Session()
        self.session.trust_env = False
        self.session.verify = ca_file

    def _post(self, path: str, body: Any = None) -> Any:
        r = self.session.post(f"{self.url}/__sandbox/{path}", json=body or {}, timeout=60)
        r.raise_for_status()
        return r.json()

    def reset(self) -> None:
        self._post("reset")

    def load(self, data: dict[str, Any]) -> dict[str, list[str]]:
        return self._post("load", data)["ids"]

    def touch(self, otype: str, ids: list[str], lastmodifieddate: Any,
              properties: dict[str, Any] | None = None) -> None:
        self._post("touch", {"type": otype, "ids": ids, "lastmodifieddate": lastmodifieddate,
                             "properties": properties or {}})

    def limits(self, **kw: Any) -> dict[str, Any]:
        return self._post("limits", kw)

    def tokens(self, **kw: Any) -> dict[str, Any]:
        return self._post("tokens", kw)

    def issue_oauth(self) -> dict[str, Any]:
        return self.tokens(issue=True)

    def expire(self, token: str = "*") -> None:  # noqa: S107
        self.tokens(expire=token)

    def property(self, otype: str, **kw: Any) -> dict[str, Any]:
        return self._post(f"properties/{otype}", kw)

    def add_pipeline(self, otype: str, **kw: Any) -> dict[str, Any]:
        return self._post(f"pipelines/{otype}", kw)

    def create_list(self, **kw: Any) -> dict[str, Any]:
        return self._post("lists", kw)["list"]

    def events(self, events: list[dict[str, Any]]) -> None:
        self._post("events", {"events": events})

    def email_events(self, events: list[dict[str, Any]]) -> list[str]:
        """Marketing email events (hs_email_events): opens, clicks, sends …"""
        return self._post("email-events", {"events": events})["ids"]

    def forms(self, forms: list[dict[str, Any]]) -> list[str]:
        return self._post("forms", {"forms": forms})["ids"]

    def form_submissions(self, form_guid: str, submissions: list[dict[str, Any]]) -> list[str]:
        return self._post("form-submissions", {"formGuid": form_guid,
                                               "submissions": submissions})["ids"]

    def faults(self, rules: list[dict[str, Any]], seed: int = 0) -> None:
        self._post("faults", {"rules": rules, "seed": seed})

    def clear_faults(self) -> None:
        r = self.session.delete(f"{self.url}/__sandbox/faults", timeout=30)
        r.raise_for_status()

    def usage(self) -> dict[str, Any]:
        r = self.session.get(f"{self.url}/__sandbox/usage", timeout=30)
        r.raise_for_status()
        return r.json()

