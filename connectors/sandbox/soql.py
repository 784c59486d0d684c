"""A small SOQL subset for the Salesforce emulator.

    SELECT COUNT() | item, ... FROM Object
    [WHERE expr] [ORDER BY f [ASC|DESC] [NULLS FIRST|LAST], ...] [LIMIT n] [OFFSET n]

item: a field, a child-to-parent path (`Account.Owner.Name`) or a parent-to-child subquery
`(SELECT ... FROM Contacts ...)`. Fields in WHERE and ORDER BY may be paths too; WHERE also
takes semi-/anti-joins `f [NOT] IN (SELECT one_id_field FROM Object [WHERE ...])`, checked
here for the structural rules of a real org (see `_check_semi_joins`). This module parses;
`soql_eval` compiles WHERE trees and `soql_exec` runs queries against the emulator's org.

expr: comparisons (= != <> < <= > >=) against strings, numbers, true/false/null, date and
datetime literals (unquoted, e.g. 2026-11-23T09:00:00Z), `IN (...)`/`NOT IN (...)`, `LIKE`,
AND/OR/NOT and parentheses. Text comparisons are case-insensitive as in Salesforce.
Errors raise `SoqlError(code, message)` with Salesforce's codes (MALFORMED_QUERY,
INVALID_FIELD, INVALID_TYPE).
"""

from __future__ import annotations

import re
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
    select: list[Any] = field(default_factory=list)  # field names and child `Query`s, in order
    pos: dict[str, int] = field(default_factory=dict)  # column of each name, for errors
    at: int = 0  # column of this query's SELECT (subqueries)


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
        q = self.query()
        if self.peek().kind != "eof":
            raise self.fail()
        _check_semi_joins(q, nested=False)
        return q, q.pos

    def query(self) -> Query:
        positions: dict[str, int] = {}
        at = self.peek().pos
        self.expect_kw("select")
        fields: list[str] = []
        select: list[Any] = []
        count = False
        t = self.peek()
        if t.kind == "ident" and t.value.lower() == "count" and self.toks[self.i + 1].value == "(":
            self.i += 2
            self.expect_punct(")")
            count = True
        else:
            while True:
                if self.accept_punct("("):
                    sub = self.query()
                    self.expect_punct(")")
                    select.append(sub)
                else:
                    name, pos = self.ident()
                    fields.append(name)
                    select.append(name)
                    positions.setdefault(name.lower(), pos)
                if not self.accept_punct(","):
                    break
        self.expect_kw("from")
        sobject, spos = self.ident()
        positions["__from__"] = spos
        q = Query(sobject=sobject, fields=fields, count=count, text=self.q, select=select)
        q.pos, q.at = positions, at
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
        return q

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
            if self.peek().kind == "kw" and self.peek().value == "select":
                sub = self.query()
                self.expect_punct(")")
                return ("semi", name, sub, negate)
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


def semi_joins(node: Any) -> list[Any]:
    """Every semi-/anti-join node of a WHERE tree."""
    if node is None or node[0] in ("cmp", "in", "like"):
        return []
    if node[0] == "semi":
        return [node]
    return [n for child in node[1:] for n in semi_joins(child)]


def _semi_error(q: Query, at: int, msg: str) -> SoqlError:
    return SoqlError("MALFORMED_QUERY", _err(q.text, at, msg))


def _check_semi_joins(q: Query, nested: bool) -> None:
    """A real org's structural rules for semi-/anti-joins (SOQL and SOSL Reference,
    "Comparison Operators" > "Semi-Joins with IN and Anti-Joins with NOT IN":
    https://developer.salesforce.com/docs/atlas.en-us.soql_sosl.meta/soql_sosl/sforce_api_calls_soql_select_comparisonoperators.htm
    ): no more than two per WHERE, not nested in another semi-join, not under NOT (which would
    turn a semi-join into an anti-join), not under OR. Messages are the ones orgs answer, e.g.
    "Semi join sub-selects are only allowed at the top level WHERE expressions and not in
    nested WHERE expressions." (https://www.apsona.com/docs/help-and-support/semijoin-subselect/)
    and "semi join sub-selects are not allowed with the 'OR' operator".
    """
    semis = semi_joins(q.where)
    for sub in q.select:
        if isinstance(sub, Query):
            _check_semi_joins(sub, nested)
    if not semis:
        return
    first = semis[0][2]
    if nested:
        raise _semi_error(q, first.at, "Nesting of semi join sub-selects is not supported")
    if len(semis) > 2:
        raise _semi_error(q, semis[2][2].at, "Maximum 2 semi join sub-selects are allowed")

    def walk(node: Any, top: bool, root: bool) -> None:
        tag = node[0]
        if tag == "semi" and not top:
            raise _semi_error(
                q,
                node[2].at,
                "Semi join sub-selects are only allowed at the top level WHERE expressions "
                "and not in nested WHERE expressions.",
            )
        if tag == "and":
            walk(node[1], top, False)
            walk(node[2], top, False)
        elif tag == "or":
            if root and semi_joins(node):
                raise _semi_error(
                    q,
                    semi_joins(node)[0][2].at,
                    "Semi join sub-selects are not allowed with the 'OR' operator",
                )
            walk(node[1], False, False)
            walk(node[2], False, False)
        elif tag == "not":
            walk(node[1], False, False)

    walk(q.where, True, True)
    for node in semis:
        _check_semi_joins(node[2], nested=True)


def conjuncts(node: Any) -> list[Any]:
    """Top-level AND terms of a WHERE tree (for index selection)."""
    if node is None:
        return []
    if node[0] == "and":
        return conjuncts(node[1]) + conjuncts(node[2])
    return [node]
