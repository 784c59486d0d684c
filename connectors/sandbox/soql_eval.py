"""Compiles a parsed SOQL WHERE tree (see `soql`) into a predicate over stored records.

Field names are resolved by the caller (`soql_exec`), which returns for each name its
canonical name, its type and a getter (a plain field reads the record; a relationship path
such as `Account.Name` follows the lookups). Semi-/anti-joins are resolved by the caller into
the set of ids the subquery selects. Text comparisons are case-insensitive as in Salesforce.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from connectors.sandbox.soql import Query, SoqlError, _err

ID_LITERAL = re.compile(r"^[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?$")
Getter = Callable[[dict], Any]
Resolve = Callable[[str], tuple[str, str, Getter]]  # name -> (canonical, type, getter)
SemiIds = Callable[[Any], tuple[str, Getter, set[str]]]  # semi node -> (type, getter, ids)
IdNorm = Callable[[str], str]

NON_TEXT = {
    "datetime",
    "date",
    "double",
    "currency",
    "percent",
    "int",
    "boolean",
    "id",
    "reference",
}
LIST_TEXT = {"string", "email", "phone", "picklist", "textarea", "url", "combobox"}
_KIND_NAMES = {
    "datetime": ("dt", "dateTime and should not be enclosed in quotes"),
    "date": ("date", "date and should not be enclosed in quotes"),
    "double": ("num", "double and should not be enclosed in quotes"),
    "currency": ("num", "double and should not be enclosed in quotes"),
    "percent": ("num", "double and should not be enclosed in quotes"),
    "int": ("num", "double and should not be enclosed in quotes"),
    "boolean": ("bool", "boolean and should not be enclosed in quotes"),
}


def compile_where(
    q: Query, resolve: Resolve, id_norm: IdNorm, semi: SemiIds | None = None
) -> Callable[[dict], bool] | None:
    if q.where is None:
        return None

    def coerce(fname: str, ftype: str, v: tuple[str, Any]) -> Any:
        kind, val = v
        if kind == "null":
            return None
        want, what = _KIND_NAMES.get(ftype, ("str", "string and should be enclosed in quotes"))
        if kind != want:
            raise SoqlError(
                "INVALID_FIELD",
                _err(
                    q.text,
                    q.pos.get(fname.lower(), 0),
                    f"value of filter criterion for field '{fname}' must be of type {what}",
                ),
            )
        if ftype in ("id", "reference"):
            if val and not ID_LITERAL.match(val):
                # A real org refuses the literal rather than matching nothing: "invalid ID
                # field: 120Y0000015o9cQAA" (https://github.com/SFDO-Community/
                # declarative-lookup-rollup-summaries/issues/626), code
                # INVALID_QUERY_FILTER_OPERATOR (https://github.com/restforce/restforce/
                # issues/557).
                raise SoqlError("INVALID_QUERY_FILTER_OPERATOR",
                                _err(q.text, q.pos.get(fname.lower(), 0),
                                     f"invalid ID field: {val}"))
            return id_norm(val)
        if want == "str":
            return val.lower()
        return val

    def build(node: Any) -> Callable[[dict], bool]:
        tag = node[0]
        if tag == "and":
            a, b = build(node[1]), build(node[2])
            return lambda r: a(r) and b(r)
        if tag == "or":
            a, b = build(node[1]), build(node[2])
            return lambda r: a(r) or b(r)
        if tag == "not":
            a = build(node[1])
            return lambda r: not a(r)
        if tag == "semi":
            assert semi is not None
            _t, get, ids = semi(node)
            neg = node[3]
            return lambda r: (get(r) in ids) != neg
        _name, ftype, get = resolve(node[1])
        if tag == "cmp":
            lit = coerce(node[1], ftype, node[3])
            return _cmp(get, node[2], lit, ftype not in NON_TEXT)
        if tag == "in":
            lits = {coerce(node[1], ftype, v) for v in node[2]}
            neg = node[3]
            if ftype in LIST_TEXT:

                def f_in(r: dict) -> bool:
                    v = get(r)
                    return ((v.lower() if isinstance(v, str) else v) in lits) != neg

                return f_in
            return lambda r: (get(r) in lits) != neg
        if tag == "like":
            pat = re.compile(
                "^"
                + "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in node[2])
                + "$",
                re.IGNORECASE | re.DOTALL,
            )
            return lambda r: isinstance(v := get(r), str) and bool(pat.match(v))
        raise AssertionError(tag)

    return build(q.where)


def _cmp(raw: Getter, op: str, lit: Any, text: bool) -> Callable[[dict], bool]:
    if lit is None:
        if op == "=":
            return lambda r: raw(r) is None
        if op == "!=":
            return lambda r: raw(r) is not None
        return lambda r: False

    def get(r: dict) -> Any:
        v = raw(r)
        if text and isinstance(v, str):
            return v.lower()
        return v

    if op == "=":
        return lambda r: get(r) == lit
    if op == "!=":
        return lambda r: get(r) != lit
    if op == "<":
        return lambda r: (v := get(r)) is not None and v < lit
    if op == "<=":
        return lambda r: (v := get(r)) is not None and v <= lit
    if op == ">":
        return lambda r: (v := get(r)) is not None and v > lit
    if op == ">=":
        return lambda r: (v := get(r)) is not None and v >= lit
    raise AssertionError(op)
