"""The field-level sync rules, as pure functions (DESIGN decision 5; FEATURES D, F, H).

Nothing here does I/O or touches the database: the engine loads the two records, the last
synced snapshot and the account's settings, asks these functions what to write where, and
writes it. That is where most of the unit and property-based tests live.

Values are dicts keyed by the HubSpot property name (the canonical name). A value is *blank*
when it is None, "" or a whitespace-only string.

Field planning (`plan_fields`), per enabled mapping whose field exists on the SF object:

* ``prefer_sf`` – a non-blank Salesforce value wins and goes to HubSpot when different; when
  Salesforce is blank, a non-blank HubSpot value goes to Salesforce.
* ``always_sf`` – the Salesforce value, blank included, goes to HubSpot when different; nothing
  is ever written to Salesforce, not even when the Salesforce record is being created. So once
  a HubSpot contact has created its Salesforce record, the next plan clears its ``always_sf``
  properties in HubSpot (Salesforce holds blank: that is what "always" means). That is not
  done in the creating plan itself: a plan for a record missing on one side never writes to
  the existing side, because the engine may not create the record after all (inclusion list,
  direction), and a HubSpot contact that never reaches Salesforce must stay untouched.
* ``two_way`` – the side that changed since the snapshot wins; when both changed (or there is
  no snapshot: initial sync / merge) the mapping's conflict app wins. A blank value in the
  winning app never overwrites the other side: nothing is written for that field (F4, H1).
  Consequence: clearing a two-way field in one app does not clear it in the other.
* When a record is being created on one side (``hs`` or ``sf`` is None), the existing side's
  non-blank values go over, within the rule and direction limits, and nothing is written to
  the existing side.
* ``direction`` – ``to_hubspot``: nothing in ``to_sf``; ``to_salesforce``: nothing in ``to_hs``.

Snapshot: for each planned field, the value both sides hold after the writes. When they still
differ (a blank winner, a blocked direction, an ``always_sf`` field on a HubSpot-only record)
the field keeps its old snapshot value (or stays absent), so that a later real change on
either side is still detected as a change and not mistaken for the agreed value. Keys of the
old snapshot that no planned mapping touches are carried over unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from syncadmin.integration.choices import (
    App,
    Direction,
    SyncRule,
)

Values = dict[str, Any]

PREFER_SF = SyncRule.PREFER_SF.value
ALWAYS_SF = SyncRule.ALWAYS_SF.value
TWO_WAY = SyncRule.TWO_WAY.value
RULE_NONE = SyncRule.NONE.value
HUBSPOT = App.HUBSPOT.value
SALESFORCE = App.SALESFORCE.value
TO_HUBSPOT = Direction.TO_HUBSPOT.value
TO_SALESFORCE = Direction.TO_SALESFORCE.value


# ---------------------------------------------------------------- mappings and plans


@dataclass(frozen=True)
class Mapping:
    hs_property: str
    sf_field: str  # field on Salesforce Contact / Account / ...
    sf_lead_field: str = ""  # field on Lead ("" = not on leads)
    rule: str = PREFER_SF  # SyncRule value
    conflict_app: str = SALESFORCE  # App value: which side wins a two-way conflict
    enabled: bool = True
    field_type: str = "text"

    def sf_name(self, sf_object: str) -> str:
        """The field's name on `sf_object`; "" when the field does not exist there."""
        return self.sf_lead_field if sf_object == "Lead" else self.sf_field


@dataclass
class FieldPlan:
    to_hs: Values = field(default_factory=dict)  # properties to write to HubSpot
    to_sf: Values = field(default_factory=dict)  # to Salesforce, keyed by HubSpot name
    snapshot: Values = field(default_factory=dict)  # the snapshot once both writes succeed


# ---------------------------------------------------------------- normalisation

_ABSENT = object()
_TRUE = {"true", "1", "yes", "y", "on", "t"}
_FALSE = {"false", "0", "no", "n", "off", "f"}


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _number_key(value: Any) -> str | None:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not d.is_finite():
        return str(d)
    text = format(d, "f")  # no context rounding: long numbers stay distinct
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _parse_datetime(value: str) -> dt.datetime | None:
    s = value.strip()
    if s.isdigit():  # HubSpot epoch milliseconds
        return dt.datetime.fromtimestamp(int(s) / 1000, tz=dt.UTC)
    try:
        d = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=dt.UTC)


def normalize_value(value: Any, *, hs_property: str = "", field_type: str = "text") -> Any:
    """A comparison key: equal keys = the same value for the sync. Blank -> None.

    Strings are stripped; emails compare case-insensitively; numbers compare by value
    (10 == "10" == 10.0 in number fields, 10 == 10.0 == "10" in text fields); booleans
    accept "true"/"false"; dates and datetimes accept ISO strings, epoch milliseconds and
    date/datetime objects; multi-select picklists compare as sets.
    """
    if is_blank(value):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if field_type == "date":
            return aware.date().isoformat()
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | float | Decimal):
        if field_type in ("date", "datetime") and isinstance(value, int):
            return normalize_value(str(value), hs_property=hs_property, field_type=field_type)
        return _number_key(value) or str(value)
    if not isinstance(value, str):
        return value
    s = value.strip()
    if hs_property == "email" or field_type == "email":
        return s.lower()
    if field_type == "number":
        return _number_key(s) or s
    if field_type == "bool":
        low = s.lower()
        return "true" if low in _TRUE else "false" if low in _FALSE else low
    if field_type in ("date", "datetime"):
        parsed = _parse_datetime(s)
        if parsed is None:
            return s
        if field_type == "date":
            return parsed.date().isoformat()
        return parsed.astimezone(dt.UTC).isoformat()
    if field_type == "picklist" and ";" in s:
        return ";".join(sorted({p.strip() for p in s.split(";") if p.strip()}))
    return s


def values_equal(a: Any, b: Any, *, hs_property: str = "", field_type: str = "text") -> bool:
    return normalize_value(a, hs_property=hs_property, field_type=field_type) == normalize_value(
        b, hs_property=hs_property, field_type=field_type
    )


# ---------------------------------------------------------------- field planning


def _blank_to_none(value: Any) -> Any:
    return None if is_blank(value) else value


def plan_fields(
    mappings: Sequence[Mapping],
    hs: Values | None,
    sf: Values | None,
    snapshot: Values | None,
    *,
    sf_object: str,
    direction: str = "two_way",
) -> FieldPlan:
    """What to write to each side for one record pair, and the snapshot afterwards."""
    allow_hs = direction != TO_SALESFORCE
    allow_sf = direction != TO_HUBSPOT
    hs_exists, sf_exists = hs is not None, sf is not None
    hs_vals: Values = hs or {}
    sf_vals: Values = sf or {}
    plan = FieldPlan(snapshot=dict(snapshot or {}))
    if not hs_exists and not sf_exists:
        return plan

    for m in mappings:
        if not m.enabled or m.rule == RULE_NONE or not m.sf_name(sf_object):
            continue
        key = m.hs_property

        def norm(v: Any, m: Mapping = m) -> Any:
            return normalize_value(v, hs_property=m.hs_property, field_type=m.field_type)

        h_raw, s_raw = hs_vals.get(key), sf_vals.get(key)
        h, s = norm(h_raw), norm(s_raw)
        old = snapshot.get(key, _ABSENT) if snapshot is not None else _ABSENT

        write_hs: Any = _ABSENT  # value to write to HubSpot, or _ABSENT
        write_sf: Any = _ABSENT
        if m.rule == ALWAYS_SF:
            if h != s:
                write_hs = _blank_to_none(s_raw)
        elif m.rule == PREFER_SF:
            if s is not None:
                if h != s:
                    write_hs = s_raw
            elif h is not None:
                write_sf = h_raw
        elif m.rule == TWO_WAY:
            if h != s:
                if not hs_exists:
                    winner = SALESFORCE
                elif not sf_exists:
                    winner = HUBSPOT
                else:
                    p = norm(old) if old is not _ABSENT else _ABSENT
                    hs_changed = p is _ABSENT or h != p
                    sf_changed = p is _ABSENT or s != p
                    if hs_changed and sf_changed:
                        winner = m.conflict_app
                    else:
                        winner = HUBSPOT if hs_changed else SALESFORCE
                # A blank value in the winning app never overwrites the other side.
                if winner == HUBSPOT and h is not None:
                    write_sf = h_raw
                elif winner == SALESFORCE and s is not None:
                    write_hs = s_raw
        else:
            raise ValueError(f"unknown sync rule {m.rule!r} for {key}")

        if not allow_hs or not sf_exists:  # nothing to learn from a missing SF record
            write_hs = _ABSENT
        if not allow_sf or not hs_exists:
            write_sf = _ABSENT
        # Creating a record with blank values is pointless: leave them out.
        if write_hs is not _ABSENT and not (hs_exists or write_hs is not None):
            write_hs = _ABSENT

        final_h_raw = h_raw if write_hs is _ABSENT else write_hs
        final_s_raw = s_raw if write_sf is _ABSENT else write_sf
        if write_hs is not _ABSENT:
            plan.to_hs[key] = write_hs
        if write_sf is not _ABSENT:
            plan.to_sf[key] = write_sf
        if norm(final_h_raw) == norm(final_s_raw):
            agreed = final_s_raw if not is_blank(final_s_raw) else final_h_raw
            plan.snapshot[key] = agreed.strip() if isinstance(agreed, str) else agreed
        elif old is _ABSENT:
            plan.snapshot.pop(key, None)
        else:
            plan.snapshot[key] = old
    return plan
