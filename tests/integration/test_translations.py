"""Every message is translated in it, pl and da, and the compiled catalogues are current:
a .po file that stops makemessages, or a .mo not rebuilt after new strings, fails here."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
ENTRY = re.compile(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$')


def entries(po: Path) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for block in po.read_text().split("\n\n"):
        lines = [ln for ln in block.splitlines() if ln and not ln.startswith("#~")]
        fields: dict[str, str] = {}
        key = ""
        for ln in lines:
            if ln.startswith("#"):
                if ln.startswith("#,") and "fuzzy" in ln:
                    fields["fuzzy"] = "1"
                continue
            m = ENTRY.match(ln)
            if m:
                key = m.group(1)
                fields[key] = m.group(2)
            elif ln.startswith('"') and key:
                fields[key] += ln[1:-1]
        if fields.get("msgid"):
            out.append(fields)
    return out


@pytest.mark.parametrize("lang", ["it", "pl", "da"])
def test_every_message_is_translated_and_compiled(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    found = entries(po)
    untranslated = [e["msgid"] for e in found if "fuzzy" in e
                    or not all(v for k, v in e.items() if k.startswith("msgstr"))]
    assert not untranslated, untranslated[:10]
    with (po.with_suffix(".mo")).open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    compiled = {k[0] if isinstance(k, tuple) else k for k in catalog} - {""}
    assert {e["msgid"].replace('\\"', '"').replace("\\n", "\n") for e in found} <= compiled
