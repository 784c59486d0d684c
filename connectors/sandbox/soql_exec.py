"""Runs a parsed SOQL query (see `soql`) against the Salesforce emulator's `Org`.

Adds what a real org's query engine does beyond single-object filters: child-to-parent paths
(`Account.Owner.Name`, up to five levels) in SELECT, WHERE and ORDER BY, rendered as nested
records (`"Account": {"attributes": {...}, "Name": ...}` or `"Account": null`); parent-to-child
subqueries over describe's child relationship names (`(SELECT ... FROM Contacts)`), rendered
as a query result `{"totalSize", "done", "records"}` or null without children; and semi-/
anti-joins `Id [NOT] IN (SELECT ... )`. Errors raise `SoqlError` with a real org's code and text,
also for what a real org refuses and a lenient engine would run: OFFSET above 2,000, long
text areas in WHERE or ORDER BY, malformed id literals (`soql_eval`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connectors.sandbox import sf_activities, soql
from connectors.sandbox.sf_relations import child_relationship
from connectors.sandbox.sf_schema import (
    API_VERSION,
    PREFIX_TO_OBJECT,
    TEXT_TYPES,
    FieldDef,
    is_long_text,
)
from connectors.sandbox.soql import Query, SoqlError, _err
from connectors.sandbox.soql_eval import Getter, compile_where

Render = Callable[[dict], dict]
MAX_PARENT_LEVELS = 5
# "The maximum offset is 2,000 rows. Requesting an offset greater than 2,000 results in a
# NUMBER_OUTSIDE_VALID_RANGE error" (https://developer.salesforce.com/docs/atlas.en-us.
# soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_offset.htm); the message as orgs
# word it: https://github.com/SalesforceLabs/OrgCheck/issues/448.
MAX_OFFSET = 2000
# The `Type` of a polymorphic relationship (`What.Type`): not a field of any one object.
POLYMORPHIC_TYPE = FieldDef("Type", "picklist", "Type", 255, createable=False, updateable=False)
_HINT_REL = (
    "If you are attempting to use a custom relationship, be sure to append the '__r' after the "
    "custom relationship name. Please reference your WSDL or the describe call for the "
    "appropriate names."
)


def run(org: Any, text: str, include_deleted: bool) -> tuple[str, Render, list[str], bool]:
    """(object, row renderer, ids in result order, is COUNT()) for one query."""
    from connectors.sandbox.salesforce import _is_stamp_order

    q, _pos = soql.parse(text)
    ex = _Exec(org, include_deleted)
    obj = ex.sobject(q)
    if q.offset > MAX_OFFSET:
        raise SoqlError("NUMBER_OUTSIDE_VALID_RANGE",
                        f"Maximum SOQL offset allowed for apiName {obj} is {MAX_OFFSET}")
    render = ex.renderer(obj, q)
    pred = ex.predicate(obj, q)
    order = ex.order(obj, q)
    ids, ordered, exact = org._candidates(obj, q, include_deleted)
    recs = org.recs[obj]
    if exact:
        out = ids
    else:
        out = [
            rid
            for rid in ids
            if (r := recs.get(rid)) is not None
            and (include_deleted or not r["IsDeleted"])
            and (pred is None or pred(r))
        ]
    if not include_deleted and obj in sf_activities.ACTIVITY_OBJECTS:
        out = [rid for rid in out if not sf_activities.hidden_from_query(obj, recs[rid])]
    plain = [(f, d, nf) for f, d, nf, _g, is_plain in order if is_plain]
    if order and not (ordered and len(plain) == len(order) and _is_stamp_order(plain)):
        _sort(out, recs, order)
    if q.offset:
        out = out[q.offset :]
    if q.limit is not None:
        out = out[: q.limit]
    return obj, render, out, q.count


def _sort(ids: list[str], recs: dict, order: list[tuple]) -> None:
    for f, desc, nf, get, _plain in reversed(order):
        nulls_first = (not desc) if nf is None else nf
        text_sort = f.type in TEXT_TYPES

        def key(
            rid: str,
            get: Getter = get,
            text_sort: bool = text_sort,
            nulls_first: bool = nulls_first,
            desc: bool = desc,
        ) -> Any:
            v = get(recs[rid])
            if v is None:
                return (0 if nulls_first != desc else 1, "")
            if text_sort:
                v = v.lower()
            return (1 if nulls_first != desc else 0, v)

        ids.sort(key=key, reverse=desc)


def _refuse_long_text(q: Query, name: str, leaf: FieldDef, verb: str) -> None:
    """Long text areas (over 255 characters) are neither filterable nor sortable: "field
    'X' can not be filtered in a query call" (INVALID_FIELD; the wording reported in
    https://github.com/trailheadapps/lwc-recipes/issues/926), describe's filterable/sortable
    false."""
    if is_long_text(leaf):
        raise SoqlError("INVALID_FIELD", _err(q.text, q.pos.get(name.lower(), 0),
                                              f"field '{name}' can not be {verb} in a query call"))


def _attributes(obj: str, rid: str) -> dict:
    return {"type": obj, "url": f"/services/data/v{API_VERSION}/sobjects/{obj}/{rid}"}


class _Exec:
    def __init__(self, org: Any, include_deleted: bool) -> None:
        from connectors.sandbox.salesforce import norm_id

        self.org = org
        self.include_deleted = include_deleted
        self.norm_id = norm_id

    # ---------------------------------------------------------------- names

    def sobject(self, q: Query) -> str:
        obj = self.org.object_name(q.sobject)
        if obj is None:
            raise SoqlError(
                "INVALID_TYPE",
                _err(
                    q.text,
                    q.pos.get("__from__", 0),
                    f"sObject type '{q.sobject}' is not supported. If you are attempting to use "
                    "a custom object, be sure to append the '__c' after the entity name. Please "
                    "reference your WSDL or the describe call for the appropriate names.",
                ),
            )
        return obj

    def parent(self, rec: dict | None, lookup: FieldDef) -> tuple[str, dict] | None:
        pid = rec.get(lookup.name) if rec else None
        target = PREFIX_TO_OBJECT.get((pid or "")[:3])
        prec = self.org.recs.get(target or "", {}).get(pid or "")
        if prec is None or (prec["IsDeleted"] and not self.include_deleted):
            return None
        return target or "", prec

    def path(self, obj: str, name: str, q: Query) -> tuple[str, FieldDef, list[FieldDef], Getter]:
        """(canonical path, leaf field, lookups followed, getter) of a field or path."""
        parts = name.split(".")
        at = q.pos.get(name.lower(), 0)
        objs, chain = [obj], []
        if len(parts) - 1 > MAX_PARENT_LEVELS:
            raise SoqlError(
                "MALFORMED_QUERY",
                _err(
                    q.text, at, "SOQL statements cannot query more than 5 levels of relationships"
                ),
            )
        for rel in parts[:-1]:
            f = next(
                (
                    f
                    for o in objs
                    for f in self.org.fields[o]
                    if (f.relationship_name or "").lower() == rel.lower()
                ),
                None,
            )
            if f is None:
                raise SoqlError(
                    "INVALID_FIELD",
                    _err(
                        q.text,
                        at,
                        f"Didn't understand relationship '{rel}' in field path. " + _HINT_REL,
                    ),
                )
            chain.append(f)
            objs = [t for t in f.reference_to if t in self.org.fields]
        if chain and parts[-1].lower() == "type" and sf_activities.polymorphic_type(
                chain[-1], "") is not None:
            return self._polymorphic_type(chain)
        leaf = next((fd for o in objs if (fd := self.org.field(o, parts[-1]))), None)
        if leaf is None:
            raise soql._invalid_field(q, q.pos, parts[-1] if chain else name, objs[0])
        canon = ".".join([f.relationship_name or "" for f in chain] + [leaf.name])
        lname = leaf.name
        if not chain:
            return canon, leaf, chain, lambda r: r.get(lname)

        def get(r: dict) -> Any:
            cur: dict | None = r
            for f in chain:
                p = self.parent(cur, f)
                if p is None:
                    return None
                cur = p[1]
            return cur.get(lname) if cur else None

        return canon, leaf, chain, get

    def _polymorphic_type(self, chain: list[FieldDef]) -> tuple[str, FieldDef, list[FieldDef],
                                                                Getter]:
        """`What.Type`: the referenced record's object name (see sf_activities)."""
        leaf = POLYMORPHIC_TYPE
        canon = ".".join([f.relationship_name or "" for f in chain] + ["Type"])

        def get(r: dict) -> Any:
            cur: dict | None = r
            target = None
            for f in chain:
                p = self.parent(cur, f)
                if p is None:
                    return None
                target, cur = p
            return target

        return canon, leaf, chain, get

    # ------------------------------------------------------------- clauses

    def predicate(self, obj: str, q: Query) -> Callable[[dict], bool] | None:
        def resolve(name: str) -> tuple[str, str, Getter]:
            canon, leaf, _chain, get = self.path(obj, name, q)
            _refuse_long_text(q, name, leaf, "filtered")
            return canon, leaf.type, get

        return compile_where(q, resolve, self.norm_id, lambda node: self.semi(obj, q, node))

    def order(self, obj: str, q: Query) -> list[tuple]:
        out = []
        for name, desc, nf in q.order:
            _canon, leaf, chain, get = self.path(obj, name, q)
            _refuse_long_text(q, name, leaf, "sorted")
            out.append((leaf, desc, nf, get, not chain))
        return out

    def semi(self, obj: str, q: Query, node: Any) -> tuple[str, Getter, set[str]]:
        """Ids selected by a semi-/anti-join subquery; refuses what a real org refuses."""
        name, sub = node[1], node[2]
        _c, left, lchain, lget = self.path(obj, name, q)
        sobj = self.sobject(sub)

        def fail(msg: str) -> SoqlError:
            return SoqlError("MALFORMED_QUERY", _err(q.text, sub.at, msg))

        if sobj == obj:
            raise fail("The inner and outer selects should not be on the same object type")
        if len(sub.select) != 1 or not isinstance(sub.select[0], str) or sub.count:
            raise fail("semi join sub selects can only query one field")
        sname = sub.select[0]
        _c2, sel, schain, sget = self.path(sobj, sname, sub)
        for f, label in ((sel, sname), (left, name)):
            if f.type not in ("id", "reference"):
                raise fail(f"semi join sub selects can only query id fields, cannot use: '{label}'")

        def targets(f: FieldDef, chain: list[FieldDef], o: str) -> set[str]:
            if f.type == "reference":
                return set(f.reference_to)
            return set(chain[-1].reference_to) if chain else {o}

        if not targets(left, lchain, obj) & targets(sel, schain, sobj):
            raise fail(
                f"The selected field '{sname}' in the subquery and the left operand field in the "
                f"where expression in the outer query '{name}' should point to the same object "
                "type"
            )
        pred = self.predicate(sobj, sub)
        recs = self.org.recs[sobj]
        pool = recs if self.include_deleted else self.org.live[sobj]
        ids = {
            v
            for rid in pool
            if (pred is None or pred(recs[rid])) and (v := sget(recs[rid])) is not None
        }
        return left.type, lget, ids

    # ------------------------------------------------------------- rendering

    def renderer(self, obj: str, q: Query) -> Render:
        """Renders one record for the SELECT list (fields, parent paths, child subqueries)."""
        plan: dict[str, Any] = {}
        seen: set[str] = set()
        for item in q.select:
            if isinstance(item, Query):
                rel, value = self.children(obj, item)
                plan[rel] = ("child", value)
                continue
            canon, leaf, chain, _get = self.path(obj, item, q)
            if canon.lower() in seen:
                raise SoqlError("MALFORMED_QUERY", f"duplicate field selected: {canon}")
            seen.add(canon.lower())
            node = plan
            for f in chain:
                slot = node.setdefault(f.relationship_name or "", ("parent", f, {}))
                node = slot[2]
            node[leaf.name] = ("type" if leaf is POLYMORPHIC_TYPE else "field", leaf)

        def fill(o: str, rec: dict, node: dict) -> dict:
            out: dict[str, Any] = {"attributes": _attributes(o, rec["Id"])}
            for key, spec in node.items():
                if spec[0] == "field":
                    out[key] = rec.get(key)
                elif spec[0] == "type":
                    out[key] = o
                elif spec[0] == "parent":
                    p = self.parent(rec, spec[1])
                    out[key] = fill(p[0], p[1], spec[2]) if p else None
                else:
                    out[key] = spec[1](rec)
            return out

        return lambda rec: fill(obj, rec, plan)

    def children(self, parent: str, sub: Query) -> tuple[str, Callable[[dict], Any]]:
        found = child_relationship(self.org.fields, parent, sub.sobject)
        if found is None:
            raise SoqlError(
                "INVALID_TYPE",
                _err(
                    sub.text,
                    sub.pos.get("__from__", 0),
                    f"Didn't understand relationship '{sub.sobject}' in FROM part of query call. "
                    + _HINT_REL,
                ),
            )
        child, lookup, rel = found
        render = self.renderer(child, sub)
        pred = self.predicate(child, sub)
        order = self.order(child, sub)
        recs = self.org.recs[child]
        index: dict[str, list[str]] | None = None

        def value(rec: dict) -> Any:
            nonlocal index
            if index is None:
                index = {}
                pool = recs if self.include_deleted else self.org.live[child]
                for cid in pool:
                    r = recs[cid]
                    if r.get(lookup.name) and (pred is None or pred(r)):
                        index.setdefault(r[lookup.name], []).append(cid)
            ids = list(index.get(rec["Id"], []))
            if order:
                _sort(ids, recs, order)
            ids = ids[sub.offset :][: sub.limit]
            if not ids:
                return None
            return {"totalSize": len(ids), "done": True, "records": [render(recs[i]) for i in ids]}

        return rel, value
