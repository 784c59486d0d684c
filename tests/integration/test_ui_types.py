"""The pure type-compatibility check and the pure dry runs."""

import pytest

from syncadmin.integration import dryrun
from syncadmin.integration.types import incompatibility, normalize_hs_type, normalize_sf_type


@pytest.mark.parametrize(("sf", "hs"), [
    ("string", "string"), ("email", "string"), ("textarea", "enumeration"),
    ("picklist", "enumeration"), ("picklist", "string"), ("double", "number"),
    ("currency", "number"), ("int", "string"), ("date", "date"), ("date", "datetime"),
    ("datetime", "datetime"), ("datetime", "date"), ("boolean", "bool"),
])
def test_compatible_pairs(sf, hs):
    assert incompatibility(sf, hs) is None


@pytest.mark.parametrize(("sf", "hs", "words"), [
    ("reference", "string", "reference"), ("id", "number", "reference"),
    ("boolean", "string", "checkbox"), ("string", "bool", "checkbox"),
    ("date", "string", "date"), ("string", "number", "number"),
    ("double", "date", "number"), ("address", "string", "not supported"),
    ("string", "object_coordinates", "not supported"),
])
def test_incompatible_pairs_have_a_reason(sf, hs, words):
    reason = incompatibility(sf, hs)
    assert reason and words in reason.lower()


def test_normalisation():
    assert normalize_sf_type("Currency") == "number"
    assert normalize_hs_type("enumeration") == "picklist"
    assert normalize_sf_type("text") == "text"  # FieldType values pass through
    assert normalize_sf_type("location") is None


LINKS = [
    {"label": "a", "sf_id": None, "sf_object": "", "status": "in_sync", "snapshot": {}},
    {"label": "b", "sf_id": "003", "sf_object": "Contact", "status": "in_sync",
     "snapshot": {"phone": "1"}},
    {"label": "c", "sf_id": "00Q", "sf_object": "Lead", "status": "deleted_sf",
     "snapshot": {"phone": ""}},
    {"label": "d", "sf_id": None, "sf_object": "", "status": "excluded", "snapshot": {}},
]


def test_dry_runs():
    leads = dryrun.contacts_to_leads(LINKS)
    assert (leads.count, leads.total, [s["label"] for s in leads.sample]) == (1, 4, ["a"])
    deletion = dryrun.enable_deletion(LINKS)
    assert [s["label"] for s in deletion.sample] == ["c"]
    always = dryrun.always_use_salesforce(LINKS, "phone")
    assert [s["label"] for s in always.sample] == ["a"]
    many = dryrun.contacts_to_leads([{"label": str(i), "status": "in_sync"} for i in range(9)])
    assert many.count == 9 and len(many.sample) == dryrun.SAMPLE_SIZE
    # Each says what its records are (issue 17, defect 9): not all of them are synced.
    assert (leads.kind, deletion.kind, always.kind) == ("to_leads", "deletion", "synced")
    failed = dryrun.contacts_to_leads([{"label": "x", "status": "failed"}])
    assert failed.sample == [{"label": "x", "now": "—", "after": "Lead", "failed": True}]
