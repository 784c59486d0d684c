"""Country and state names (FEATURES D7). Pure: pycountry's ISO 3166 tables and their
translations plus local and colloquial names, matched case-, accent- and punctuation-
insensitively. geo.py turns them into what Salesforce and HubSpot accept.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from functools import lru_cache
from typing import Any

import pycountry

from syncadmin.integration.choices import HsStateCountryMode, SfPicklistMode

Values = dict[str, Any]

DISABLED = SfPicklistMode.DISABLED.value
ENABLED = SfPicklistMode.ENABLED.value
CUSTOMIZED = SfPicklistMode.CUSTOMIZED.value
MATCH = HsStateCountryMode.MATCH.value
AS_IS = HsStateCountryMode.AS_IS.value

# Countries with a state picklist in a Salesforce org's default configuration.
DEFAULT_STATE_COUNTRIES = frozenset({"US", "CA", "IT", "AU", "MX", "BR", "IN", "IE"})

# Languages whose pycountry translations of country names are recognised.
NAME_LANGUAGES = (
    "it", "de", "fr", "es", "pt", "pt_BR", "pl", "da", "sv", "nb_NO", "nn", "nl", "fi", "cs",
)

# Local-language and colloquial names pycountry does not carry (or carries differently).
COUNTRY_ALIASES = {
    "Italia": "IT",
    "Deutschland": "DE",
    "España": "ES",
    "Espana": "ES",
    "Polska": "PL",
    "Danmark": "DK",
    "Sverige": "SE",
    "Norge": "NO",
    "Noreg": "NO",
    "Suomi": "FI",
    "Österreich": "AT",
    "Schweiz": "CH",
    "Suisse": "CH",
    "Svizzera": "CH",
    "Nederland": "NL",
    "Holland": "NL",
    "The Netherlands": "NL",
    "België": "BE",
    "Belgique": "BE",
    "Ceská republika": "CZ",
    "Czech Republic": "CZ",
    "Éire": "IE",
    "Portugal": "PT",
    "Brasil": "BR",
    "México": "MX",
    "U.S.A.": "US",
    "U.S.": "US",
    "USA": "US",
    "United States of America": "US",
    "America": "US",
    "UK": "GB",
    "U.K.": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Russia": "RU",
    "South Korea": "KR",
    "Korea": "KR",
    "North Korea": "KP",
    "Ivory Coast": "CI",
    "Vatican": "VA",
    "Macedonia": "MK",
    "Turkey": "TR",
    "UAE": "AE",
}


class PicklistError(ValueError):
    """A state/country value the Salesforce picklist does not accept.

    The engine records it as a "picklist value not allowed" error on the record.
    """

    def __init__(self, field: str, value: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.value = value


# ---------------------------------------------------------------- matching keys


def match_key(value: Any) -> str:
    """Case-, accent- and punctuation-insensitive key: " Côte-d'Ivoire " -> "cote d ivoire"."""
    text = unicodedata.normalize("NFKD", str(value))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace(".", "")
    text = re.sub(r"[^\w]+", " ", text).replace("_", " ")
    return " ".join(text.split())


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """match_key of every known name of a country -> alpha-2. First writer wins."""
    index: dict[str, str] = {}

    def add(name: str | None, alpha_2: str) -> None:
        if name:
            index.setdefault(match_key(name), alpha_2)

    for alias, code in COUNTRY_ALIASES.items():
        add(alias, code)
    countries = list(pycountry.countries)
    for c in countries:
        add(getattr(c, "common_name", None), c.alpha_2)
        add(c.name, c.alpha_2)
        add(getattr(c, "official_name", None), c.alpha_2)
    for lang in NAME_LANGUAGES:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
        except OSError:
            continue
        for c in countries:
            for attr in ("common_name", "name", "official_name"):
                english = getattr(c, attr, None)
                if english:
                    add(tr.gettext(english), c.alpha_2)
    return index


def resolve_country(value: Any) -> str | None:
    """ISO 3166-1 alpha-2 for a country code (alpha-2, alpha-3, numeric) or name, or None."""
    if _blank(value):
        return None
    raw = str(value).strip()
    compact = raw.replace(".", "").strip().upper()
    if len(compact) == 2 and compact.isalpha():
        hit = pycountry.countries.get(alpha_2=compact)
        if hit is not None:
            return str(hit.alpha_2)
    if len(compact) == 3 and compact.isalpha():
        hit = pycountry.countries.get(alpha_3=compact)
        if hit is not None:
            return str(hit.alpha_2)
    if len(compact) == 3 and compact.isdigit():  # ISO 3166-1 numeric
        hit = pycountry.countries.get(numeric=compact.zfill(3))
        if hit is not None:
            return str(hit.alpha_2)
    return _country_index().get(match_key(raw))


def country_label(alpha_2: str) -> str:
    """Salesforce's default label for a country: its common English name ("Italy")."""
    c = pycountry.countries.get(alpha_2=alpha_2.upper())
    if c is None:
        return alpha_2
    return str(getattr(c, "common_name", None) or c.name)


@lru_cache(maxsize=512)
def _subdivisions(alpha_2: str) -> tuple[dict[str, str], dict[str, str]]:
    """({code without country prefix: name}, {match key of name or code: code}) of a country.

    Where a name is shared (a region and a province), the lowest level (no children) wins,
    as Salesforce's lists are provinces for Italy.
    """
    subs = list(pycountry.subdivisions.get(country_code=alpha_2) or [])
    parents = {s.parent_code for s in subs if getattr(s, "parent_code", None)}
    leaves_first = sorted(subs, key=lambda s: (s.code in parents, s.name))
    names: dict[str, str] = {}
    index: dict[str, str] = {}
    for s in leaves_first:
        code = s.code.split("-", 1)[1]
        names.setdefault(code, s.name)
        index.setdefault(match_key(s.name), code)
    for code in names:
        index.setdefault(match_key(code), code)
        index.setdefault(match_key(f"{alpha_2}-{code}"), code)
    return names, index


def resolve_state(alpha_2: str, value: Any) -> str | None:
    """The subdivision code (no country prefix) for a state name or code, or None."""
    if _blank(value):
        return None
    _names, index = _subdivisions(alpha_2.upper())
    return index.get(match_key(value))


def state_label(alpha_2: str, code: str) -> str:
    names, _index = _subdivisions(alpha_2.upper())
    return names.get(code, code)
