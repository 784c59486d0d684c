"""State and country matching between HubSpot and Salesforce (FEATURES D7). Pure.

HubSpot's state/country properties are free text; Salesforce either has free-text address
fields (picklists disabled) or restricted picklists keyed by ISO 3166-1 alpha-2 country codes
and subdivision codes without the country prefix ("CA" for California, "MI" for Milano), with
labels that an org can customise. This module turns what a HubSpot user typed ("italia",
" Italien ", "ITA", "U.S.A.") into what Salesforce accepts, and back.

Data: pycountry's ISO 3166-1/3166-2 tables and their translations, plus a small table of
local-language and colloquial names. Everything is cached; nothing here does I/O beyond
reading pycountry's packaged data once.

Salesforce's default state picklists exist for a few countries only (DEFAULT_STATE_COUNTRIES,
the same list the sandbox emulator serves); a state of any other country cannot be written to
a picklist-enabled org and raises PicklistError. With picklists disabled nothing is refused:
values that cannot be matched pass through as text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pycountry

from syncadmin.sync.geo_names import (
    AS_IS,
    COUNTRY_ALIASES,
    CUSTOMIZED,
    DEFAULT_STATE_COUNTRIES,
    DISABLED,
    ENABLED,
    MATCH,
    NAME_LANGUAGES,
    PicklistError,
    Values,
    _blank,
    _subdivisions,
    country_label,
    match_key,
    resolve_country,
    resolve_state,
    state_label,
)

__all__ = [
    "AS_IS",
    "COUNTRY_ALIASES",
    "CUSTOMIZED",
    "DEFAULT_STATE_COUNTRIES",
    "DISABLED",
    "ENABLED",
    "MATCH",
    "NAME_LANGUAGES",
    "PicklistError",
    "Values",
    "country_label",
    "match_key",
    "resolve_country",
    "resolve_state",
    "state_label",
    "from_salesforce_address",
    "to_salesforce_address",
]


# ---------------------------------------------------------------- HubSpot -> Salesforce


def _address_fields(sf_object: str) -> tuple[str, str]:
    return ("Country", "State") if sf_object == "Lead" else ("MailingCountry", "MailingState")


def _custom_index(picklist: Mapping[str, str]) -> dict[str, str]:
    index: dict[str, str] = {}
    for code, label in picklist.items():
        index.setdefault(match_key(code), code)
        if label:
            index.setdefault(match_key(label), code)
    return index


def _country_code(
    field: str,
    value: Any,
    *,
    hs_mode: str,
    allowed: Mapping[str, str] | None,
) -> str:
    raw = str(value).strip()
    if hs_mode == AS_IS:
        valid = raw in allowed if allowed is not None else (
            len(raw) == 2 and raw.isupper() and pycountry.countries.get(alpha_2=raw) is not None
        )
        if valid:
            return raw
        raise PicklistError(
            field, raw,
            f"Salesforce's country picklist does not accept {raw!r}: HubSpot values are sent "
            "as they are, and this is not a country code. Use a valid code in HubSpot or turn "
            "on \"Match Salesforce default state/country values\".",
        )
    if allowed is not None:
        hit = _custom_index(allowed).get(match_key(raw))
        if hit is not None:
            return hit
    code = resolve_country(raw)
    if code is not None and (allowed is None or code in allowed):
        return code
    if code is not None:
        raise PicklistError(
            field, raw,
            f"{raw!r} is {country_label(code)} ({code}), which is not in the org's customized "
            "country picklist. Add it to the picklist in Salesforce (then refresh the "
            "picklists here) or correct the value in HubSpot.",
        )
    raise PicklistError(
        field, raw,
        f"No country matches {raw!r}. Correct the country in HubSpot (a name or an ISO code "
        "such as \"IT\") or add the value to the Salesforce picklist.",
    )


def _state_code(
    field: str,
    country: str,
    value: Any,
    *,
    hs_mode: str,
    allowed: Mapping[str, str] | None,
) -> str:
    raw = str(value).strip()
    if allowed is None:
        if country not in DEFAULT_STATE_COUNTRIES:
            raise PicklistError(
                field, raw,
                f"Salesforce has no state picklist for {country_label(country)}, so the state "
                f"{raw!r} cannot be written. Clear the state in HubSpot or add the country's "
                "states to the Salesforce picklist (then choose \"customized\").",
            )
        allowed = _subdivisions(country)[0]
    elif not allowed:
        raise PicklistError(
            field, raw,
            f"The org's state picklist has no states for {country_label(country)}, so "
            f"{raw!r} cannot be written. Clear the state in HubSpot or add it in Salesforce.",
        )
    if hs_mode == AS_IS:
        if raw in allowed:
            return raw
        raise PicklistError(
            field, raw,
            f"Salesforce's state picklist for {country_label(country)} does not accept "
            f"{raw!r}: HubSpot values are sent as they are. Use the state code in HubSpot or "
            "turn on \"Match Salesforce default state/country values\".",
        )
    hit = _custom_index(allowed).get(match_key(raw))
    if hit is not None:
        return hit
    code = resolve_state(country, raw)
    if code is not None and code in allowed:
        return code
    raise PicklistError(
        field, raw,
        f"No state of {country_label(country)} in the Salesforce picklist matches {raw!r}. "
        "Correct the state in HubSpot or add the value to the Salesforce picklist.",
    )


def to_salesforce_address(
    values: Values,
    *,
    sf_object: str,
    sf_mode: str,
    hs_mode: str,
    custom_countries: Mapping[str, str] | None = None,
    custom_states: Mapping[str, Mapping[str, str]] | None = None,
) -> dict[str, Any]:
    """The Salesforce address fields for HubSpot's canonical {"country", "state"} values.

    Only keys present in `values` produce fields; blank values clear the field (None).
    Contact uses MailingCountry/MailingState, Lead Country/State; with picklists enabled the
    *Code fields are written instead. With picklists enabled the state list depends on the
    country: pass both keys whenever either changes. A state passed without its country is
    accepted only when exactly one country's picklist matches it ("California", not "CA",
    which is also Cagliari); a state with a blank country is refused. `custom_countries` /
    `custom_states` are the org's picklists (code -> label) for sf_mode "customized"; when
    they are not given the default ISO lists are used. Raises PicklistError.
    """
    country_f, state_f = _address_fields(sf_object)
    has_country, has_state = "country" in values, "state" in values
    raw_country, raw_state = values.get("country"), values.get("state")
    out: dict[str, Any] = {}

    if sf_mode == DISABLED:
        if hs_mode == AS_IS:
            if has_country:
                out[country_f] = raw_country
            if has_state:
                out[state_f] = raw_state
            return out
        code = resolve_country(raw_country)
        if has_country:
            out[country_f] = (
                None if _blank(raw_country)
                else country_label(code) if code else str(raw_country).strip()
            )
        if has_state:
            state_code = resolve_state(code, raw_state) if code else None
            out[state_f] = (
                None if _blank(raw_state)
                else state_label(code, state_code) if code and state_code
                else str(raw_state).strip()
            )
        return out

    if sf_mode not in (ENABLED, CUSTOMIZED):
        raise ValueError(f"unknown Salesforce picklist mode {sf_mode!r}")
    customized = sf_mode == CUSTOMIZED
    country_code_f, state_code_f = f"{country_f}Code", f"{state_f}Code"
    country: str | None = None
    if has_country:
        if not _blank(raw_country):
            country = _country_code(
                country_code_f, raw_country, hs_mode=hs_mode,
                allowed=custom_countries if customized else None,
            )
        out[country_code_f] = country
    if has_state:
        if _blank(raw_state):
            out[state_code_f] = None
        elif country is None and has_country:
            raise PicklistError(
                state_code_f, str(raw_state).strip(),
                f"The state {str(raw_state).strip()!r} has no country: Salesforce's state "
                "picklist depends on the country. Fill in the country in HubSpot.",
            )
        else:
            states = custom_states if customized else None
            out[state_code_f] = (
                _state_code(
                    state_code_f, country, raw_state, hs_mode=hs_mode,
                    allowed=None if states is None else states.get(country) or {},
                )
                if country is not None
                else _state_code_without_country(state_code_f, raw_state, hs_mode, states)
            )
    return out


def _state_code_without_country(
    field: str, value: Any, hs_mode: str, custom_states: Mapping[str, Mapping[str, str]] | None
) -> str:
    """Only the state changed: accept it when exactly one country's picklist matches it."""
    candidates = sorted(custom_states) if custom_states is not None else sorted(
        DEFAULT_STATE_COUNTRIES
    )
    found: dict[str, str] = {}  # country -> state code
    for country in candidates:
        allowed = None if custom_states is None else custom_states.get(country) or {}
        try:
            found[country] = _state_code(field, country, value, hs_mode=hs_mode, allowed=allowed)
        except PicklistError:
            continue
    if len(found) == 1:
        return next(iter(found.values()))
    raw = str(value).strip()
    raise PicklistError(
        field, raw,
        f"The state {raw!r} came without its country and "
        + ("matches states of several countries" if found else "matches no state")
        + ": Salesforce's state picklist depends on the country. Fill in the country in "
        "HubSpot (and sync country and state together).",
    )


# ---------------------------------------------------------------- Salesforce -> HubSpot


def from_salesforce_address(sf_values: Values, *, sf_object: str, sf_mode: str) -> Values:
    """HubSpot's canonical {"country", "state"} from a Salesforce record's address fields.

    With picklists enabled HubSpot gets labels, not codes: the text field Salesforce fills
    with the (possibly customised) label when present, else the label of the code. Only
    keys whose Salesforce fields are present in `sf_values` are returned.
    """
    country_f, state_f = _address_fields(sf_object)
    out: Values = {}

    def text(name: str) -> str | None:
        v = sf_values.get(name)
        return None if _blank(v) else str(v).strip()

    if sf_mode == DISABLED:
        if country_f in sf_values:
            out["country"] = text(country_f)
        if state_f in sf_values:
            out["state"] = text(state_f)
        return out

    country_code = text(f"{country_f}Code")
    if country_f in sf_values or f"{country_f}Code" in sf_values:
        out["country"] = text(country_f) or (country_label(country_code) if country_code else None)
    if state_f in sf_values or f"{state_f}Code" in sf_values:
        state_code = text(f"{state_f}Code")
        label = text(state_f)
        if label is None and state_code:
            label = state_label(country_code, state_code) if country_code else state_code
        out["state"] = label
    return out
