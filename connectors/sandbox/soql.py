"""A small SOQL subset for the Salesforce emulator.

    SELECT COUNT() | f1, f2, ... FROM Object
    [WHERE expr] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]

expr: comparisons (= != <> < <= > >=) against strings, numbers, true/false/null, date and
datetime literals (unquoted, e.g. 2026-11-23T09:00:00Z), `IN (...)`/`NOT IN (...)`, `LIKE`,
AND/OR/NOT and parentheses. Text comparisons are case-insensitive as in Salesforce.
Errors raise `SoqlError(code, message)` with Salesforce's codes (MALFORMED_QUERY,
INVALID_FIELD, INVALID_TYPE).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<str>'(?:[^'\\]|\\.)*')
  | (?P<dt>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}))
  | (?P<date>\d{4}-\d{2}-\d{2})
  | (?P<num>-?\d+(?:\.\d+)?)
  | (?P<op><=|>=|!=|<>|=|<|>)
  | (?P<punct>[(),])
  | (?P<ident>[A-Za-z_][A-Za-z0-9_.]*)
    """,
    re.VERBOSE,
)

KEYWORDS = {
    "select",
    "from",
    "where",
    "and",
    "or",
    "not",
    "in",
    "like",
    "order",
    "by",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "limit",
    "offset",
    "null",
    "true",
    "false",
}


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Tok:
    kind: str
    value: Any
    pos: int


def tokenize(q: str) -> list[Tok]:
    out: list[Tok] = []
    pos = 0
    while pos < len(q):
        m = _TOKEN.match(q, pos)
        if not m:
            raise SoqlError("MALFORMED_QUERY", _err(q, pos, f"unexpected token: '{q[pos]}'"))
        kind = m.lastgroup or ""
        text = m.group()
        if kind != "ws":
            if kind == "str":
                val: Any = re.sub(r"\\(.)", r"\1", text[1:-1])
            elif kind == "ident" and text.lower() in KEYWORDS:
                kind, val = "kw", text.lower()
            else:
                val = text
            out.append(Tok(kind, val, pos))
        pos = m.end()
    out.append(Tok("eof", None, len(q)))
    return out


def _err(q: str, pos: int, msg: str) -> str:
    return f"\n{q}\n{' ' * pos}^\nERROR at Row:1:Column:{pos + 1}\n{msg}"


def canonical_datetime(text: str) -> str:
    """ISO datetime literal -> Salesforce's stored form '2026-11-23T09:00:00.000+0000' (UTC)."""
    t = text.strip().replace("Z", "+00:00")
    if t.endswith(":") and t.count(":") > 2 and "+" not in t[10:] and "-" not in t[10:]:
        t = t[:-1]
    if len(t) > 19 and t[-5] in "+-" and t[-3] != ":":
        t = t[:-2] + ":" + t[-2:]
    d = datetime.fromisoformat(t)
    if d.tzinfo is None:
        d = d.replace(tzinfo=UTC)
    return format_datetime(d)


def format_datetime(d: datetime) -> str:
    d = d.astimezone(UTC)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + f"{d.microsecond // 1000:03d}+0000"


@dataclass
class Query:
    sobject: str
    fields: list[str]
    count: bool = False
    where: Any = None  # AST
    order: list[tuple[str, bool, bool | None]] = field(default_factory=list)  # name, desc, nf
    limit: int | None = None
    offset: int = 0
    text: str = ""


class _Parser:
    def __init__(self, q: str) -> None:
        self.q = q
        self.toks = tokenize(q)
        self.i = 0

    def peek(self) -> Tok:
        return self.toks[self.i]

    def next(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def fail(self, msg: str | None = None) -> SoqlError:
        t = self.peek()
        shown = t.value if t.kind != "eof" else "EOF"
        return SoqlError(
            "MALFORMED_QUERY", _err(self.q, t.pos, msg or f"unexpected token: '{shown}'")
        )

    def expect_kw(self, kw: str) -> None:
        t = self.next()
        if t.kind != "kw" or t.value != kw:
            self.i -= 1
            raise self.fail()

    def accept_kw(self, kw: str) -> bool:
        t = self.peek()
        if t.kind == "kw" and t.value == kw:
            self.i += 1
            return True
        return False

    def accept_punct(self, p: str) -> bool:
        t = self.peek()
        if t.kind == "punct" and t.value == p:
            self.i += 1
            return True
        return False

    def expect_punct(self, p: str) -> None:
        if not self.accept_punct(p):
            raise self.fail()

    def ident(self) -> tuple[str, int]:
        t = self.next()
        if t.kind != "ident":
            self.i -= 1
            raise self.fail()
        return t.value, t.pos

    def parse(self) -> tuple[Query, dict[str, int]]:
        positions: dict[str, int] = {}
        self.expect_kw("select")
        fields: list[str] = []
        count = False
        t = self.peek()
        if t.kind == "ident" and t.value.lower() == "count" and self.toks[self.i + 1].value == "(":
            self.i += 2
            self.expect_punct(")")
            count = True
        else:
            while True:
                name, pos = self.ident()
                fields.append(name)
                positions.setdefault(name.lower(), pos)
                if not self.accept_punct(","):
                    break
        self.expect_kw("from")
        sobject, spos = self.ident()
        positions["__from__"] = spos
        q = Query(sobject=sobject, fields=fields, count=count, text=self.q)
        if self.accept_kw("where"):
            q.where = self.expr(positions)
        if self.accept_kw("order"):
            self.expect_kw("by")
            while True:
                name, pos = self.ident()
                positions.setdefault(name.lower(), pos)
                desc = False
                if self.accept_kw("desc"):
                    desc = True
                else:
                    self.accept_kw("asc")
                nulls_first: bool | None = None
                if self.accept_kw("nulls"):
                    if self.accept_kw("first"):
                        nulls_first = True
                    else:
                        self.expect_kw("last")
                        nulls_first = False
                q.order.append((name, desc, nulls_first))
                if not self.accept_punct(","):
                    break
        if self.accept_kw("limit"):
            t = self.next()
            if t.kind != "num" or "." in t.value:
                self.i -= 1
                raise self.fail()
            q.limit = int(t.value)
        if self.accept_kw("offset"):
            t = self.next()
            if t.kind != "num":
                self.i -= 1
                raise self.fail()
            q.offset = int(t.value)
        if self.peek().kind != "eof":
            raise self.fail()
        return q, positions

    def expr(self, positions: dict[str, int]) -> Any:
        left = self.and_expr(positions)
        while self.accept_kw("or"):
            left = ("or", left, self.and_expr(positions))
        return left

    def and_expr(self, positions: dict[str, int]) -> Any:
        left = self.not_expr(positions)
        while self.accept_kw("and"):
            left = ("and", left, self.not_expr(positions))
        return left

    def not_expr(self, positions: dict[str, int]) -> Any:
        if self.accept_kw("not"):
            return ("not", self.not_expr(positions))
        if self.accept_punct("("):
            e = self.expr(positions)
            self.expect_punct(")")
            return e
        name, pos = self.ident()
        positions.setdefault(name.lower(), pos)
        t = self.peek()
        if t.kind == "op":
            self.i += 1
            op = "!=" if t.value == "<>" else t.value
            return ("cmp", name, op, self.value())
        negate = self.accept_kw("not")
        if self.accept_kw("in"):
            self.expect_punct("(")
            vals = [self.value()]
            while self.accept_punct(","):
                vals.append(self.value())
            self.expect_punct(")")
            return ("in", name, vals, negate)
        if not negate and self.accept_kw("like"):
            v = self.value()
            if v[0] != "str":
                raise self.fail()
            return ("like", name, v[1])
        raise self.fail()

    def value(self) -> tuple[str, Any]:
        t = self.next()
        if t.kind == "str":
            return ("str", t.value)
        if t.kind == "num":
            return ("num", float(t.value))
        if t.kind == "dt":
            return ("dt", canonical_datetime(t.value))
        if t.kind == "date":
            return ("date", t.value)
        if t.kind == "kw" and t.value in ("null", "true", "false"):
            return {"null": ("null", None), "true": ("bool", True), "false": ("bool", False)}[
                t.value
            ]
        self.i -= 1
        raise self.fail()


def parse(q: str) -> tuple[Query, dict[str, int]]:
    """Parse a query; also returns the column of each named field for error messages."""
    return _Parser(q).parse()


FieldInfo = Callable[[str], tuple[str, str] | None]  # name -> (canonical name, type)
IdNorm = Callable[[str], str]


def _invalid_field(q: Query, pos: dict[str, int], name: str, sobject: str) -> SoqlError:
    p = pos.get(name.lower(), 0)
    return SoqlError(
        "INVALID_FIELD",
        _err(
            q.text,
            p,
            f"No such column '{name}' on entity '{sobject}'. If you are attempting to use a "
            "custom field, be sure to append the '__c' after the custom field name. Please "
            "reference your WSDL or the describe call for the appropriate names.",
        ),
    )


def compile_where(
    q: Query, pos: dict[str, int], info: FieldInfo, id_norm: IdNorm
) -> Callable[[dict], bool] | None:
    if q.where is None:
        return None

    def resolve(name: str) -> tuple[str, str]:
        r = info(name)
        if r is None:
            raise _invalid_field(q, pos, name, q.sobject)
        return r

    def coerce(fname: str, ftype: str, v: tuple[str, Any]) -> Any:
        kind, val = v
        if kind == "null":
            return None
        if ftype == "datetime":
            if kind != "dt":
                raise SoqlError(
                    "INVALID_FIELD",
                    _err(
                        q.text,
                        pos.get(fname.lower(), 0),
                        f"value of filter criterion for field '{fname}' must be of type "
                        "dateTime and should not be enclosed in quotes",
                    ),
                )
            return val
        if ftype == "date":
            if kind != "date":
                raise SoqlError(
                    "INVALID_FIELD",
                    _err(
                        q.text,
                        pos.get(fname.lower(), 0),
                        f"value of filter criterion for field '{fname}' must be of type date "
                        "and should not be enclosed in quotes",
                    ),
                )
            return val
        if ftype in ("double", "currency", "percent", "int"):
            if kind != "num":
                raise SoqlError(
                    "INVALID_FIELD",
                    _err(
                        q.text,
                        pos.get(fname.lower(), 0),
                        f"value of filter criterion for field '{fname}' must be of type "
                        "double and should not be enclosed in quotes",
                    ),
                )
            return val
        if ftype == "boolean":
            if kind != "bool":
                raise SoqlError(
                    "INVALID_FIELD",
                    _err(
                        q.text,
                        pos.get(fname.lower(), 0),
                        f"value of filter criterion for field '{fname}' must be of type "
                        "boolean and should not be enclosed in quotes",
                    ),
                )
            return val
        if kind != "str":
            raise SoqlError(
                "INVALID_FIELD",
                _err(
                    q.text,
                    pos.get(fname.lower(), 0),
                    f"value of filter criterion for field '{fname}' must be of type string "
                    "and should be enclosed in quotes",
                ),
            )
        if ftype in ("id", "reference"):
            return id_norm(val)
        return val.lower()

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
        if tag == "cmp":
            name, ftype = resolve(node[1])
            op = node[2]
            lit = coerce(node[1], ftype, node[3])
            text = ftype not in (
                "datetime",
                "date",
                "double",
                "currency",
                "percent",
                "int",
                "boolean",
                "id",
                "reference",
            )
            return _cmp(name, op, lit, text)
        if tag == "in":
            name, ftype = resolve(node[1])
            lits = {coerce(node[1], ftype, v) for v in node[2]}
            text = ftype in ("string", "email", "phone", "picklist", "textarea", "url", "combobox")
            neg = node[3]
            if text:

                def f_in(r: dict) -> bool:
                    v = r.get(name)
                    return ((v.lower() if isinstance(v, str) else v) in lits) != neg

                return f_in
            return lambda r: (r.get(name) in lits) != neg
        if tag == "like":
            name, _ftype = resolve(node[1])
            pat = re.compile(
                "^"
                + "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in node[2])
                + "$",
                re.IGNORECASE | re.DOTALL,
            )
            return lambda r: isinstance(r.get(name), str) and bool(pat.match(r[name]))
        raise AssertionError(tag)

    return build(q.where)


def _cmp(name: str, op: str, lit: Any, text: bool) -> Callable[[dict], bool]:
    if lit is None:
        if op == "=":
            return lambda r: r.get(name) is None
        if op == "!=":
            return lambda r: r.get(name) is not None
        return lambda r: False

    def get(r: dict) -> Any:
        v = r.get(name)
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


def conjuncts(node: Any) -> list[Any]:
    """Top-level AND terms of a WHERE tree (for index selection)."""
    if node is None:
        return []
    if node[0] == "and":
        return conjuncts(node[1]) + conjuncts(node[2])
    return [node]
