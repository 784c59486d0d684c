"""The pure sync rules (DESIGN 5; FEATURES D, F2, F4, H1). No database."""

import datetime as dt
from decimal import Decimal

import pytest

from syncadmin.sync.rules import (
    LIFECYCLE_ORDER,
    ContactPolicy,
    FieldPlan,
    Mapping,
    company_lifecycle_propagation,
    exclusion_reason,
    follow_conversion,
    hs_to_sf_allowed,
    hs_to_sf_target,
    is_valid_email,
    lifecycle_from_opportunities,
    normalize_email,
    normalize_value,
    on_hs_deleted,
    on_sf_deleted,
    plan_fields,
    sf_to_hs_allowed,
    values_equal,
)


def m(rule="prefer_sf", conflict_app="salesforce", **kw):
    kw.setdefault("hs_property", "phone")
    kw.setdefault("sf_field", "Phone")
    kw.setdefault("sf_lead_field", "Phone")
    return Mapping(rule=rule, conflict_app=conflict_app, **kw)


MISSING = object()  # the record does not exist on that side


def plan1(mapping, hs, sf, snap, *, sf_object="Contact", direction="two_way") -> FieldPlan:
    """Plan one field "phone" from its values (MISSING: no record; snap None: never synced)."""

    def rec(v):
        if v is MISSING:
            return None
        return v if isinstance(v, dict) else {"phone": v}

    return plan_fields(
        [mapping], rec(hs), rec(sf), None if snap is None else rec(snap),
        sf_object=sf_object, direction=direction,
    )


# ---------------------------------------------------------------- Mapping.sf_name


def test_sf_name_uses_lead_field_on_leads_and_contact_field_elsewhere():
    mp = Mapping("company", "Account.Name", sf_lead_field="Company")
    assert mp.sf_name("Lead") == "Company"
    assert mp.sf_name("Contact") == "Account.Name"
    assert Mapping("x", "X__c").sf_name("Lead") == ""


# ---------------------------------------------------------------- normalisation


@pytest.mark.parametrize(
    ("a", "b", "kw"),
    [
        (" Acme ", "Acme", {}),
        (None, "", {}),
        (None, "   ", {}),
        ("John@Example.COM", "john@example.com ", {"hs_property": "email"}),
        (10, "10", {"field_type": "number"}),
        (10, 10.0, {"field_type": "number"}),
        ("10.0", 10, {"field_type": "number"}),
        (10, "10", {}),
        (10.0, "10", {}),
        (Decimal("2.50"), 2.5, {"field_type": "number"}),
        (True, "true", {"field_type": "bool"}),
        (False, "False", {"field_type": "bool"}),
        ("2024-03-01", dt.date(2024, 3, 1), {"field_type": "date"}),
        ("2024-03-01T00:00:00Z", "2024-03-01", {"field_type": "date"}),
        ("1709251200000", "2024-03-01", {"field_type": "date"}),
        ("2024-03-01T10:00:00.000+0000", "2024-03-01T11:00:00+01:00", {"field_type": "datetime"}),
        ("a;b", "b; a", {"field_type": "picklist"}),
    ],
)
def test_values_that_mean_the_same_compare_equal(a, b, kw):
    assert values_equal(a, b, **kw)


@pytest.mark.parametrize(
    ("a", "b", "kw"),
    [
        ("Acme", "acme", {}),  # only emails are case-insensitive
        ("10", "10.5", {"field_type": "number"}),
        ("00123", "123", {}),  # postal codes are text: leading zeros matter
        ("x", None, {}),
        (False, None, {"field_type": "bool"}),
        ("12345678901234567890123456789012", "12345678901234567890123456789013",
         {"field_type": "number"}),
    ],
)
def test_values_that_differ_compare_different(a, b, kw):
    assert not values_equal(a, b, **kw)


def test_blank_normalises_to_none():
    assert normalize_value(" \t") is None
    assert normalize_value("") is None
    assert normalize_value(None) is None


# ---------------------------------------------------------------- prefer_sf


@pytest.mark.parametrize(
    ("hs", "sf", "to_hs", "to_sf", "snap"),
    [
        ("1", "2", {"phone": "2"}, {}, "2"),  # SF non-blank wins
        ("1", "1", {}, {}, "1"),  # equal: nothing
        (None, "2", {"phone": "2"}, {}, "2"),
        ("1", None, {}, {"phone": "1"}, "1"),  # SF blank: HS goes to SF
        ("1", "  ", {}, {"phone": "1"}, "1"),
        (None, None, {}, {}, None),
    ],
)
def test_prefer_salesforce_unless_blank(hs, sf, to_hs, to_sf, snap):
    p = plan1(m("prefer_sf"), hs, sf, {})
    assert (p.to_hs, p.to_sf, p.snapshot.get("phone")) == (to_hs, to_sf, snap)


def test_prefer_sf_ignores_the_snapshot_hubspot_change_is_overwritten_by_salesforce():
    p = plan1(m("prefer_sf"), "new-hs", "old", "old")
    assert p.to_hs == {"phone": "old"} and p.to_sf == {}


# ---------------------------------------------------------------- always_sf


@pytest.mark.parametrize(
    ("hs", "sf", "to_hs"),
    [
        ("1", "2", {"phone": "2"}),
        ("1", None, {"phone": None}),  # blank included
        ("1", "", {"phone": None}),
        (None, "2", {"phone": "2"}),
        ("2", "2", {}),
        (None, None, {}),
    ],
)
def test_always_use_salesforce_writes_sf_value_blank_included(hs, sf, to_hs):
    p = plan1(m("always_sf"), hs, sf, None)
    assert p.to_hs == to_hs
    assert p.to_sf == {}


def test_always_sf_never_writes_to_salesforce_even_on_creation():
    p = plan1(m("always_sf"), "555", MISSING, None)  # SF record being created from HS
    assert (p.to_sf, p.to_hs) == ({}, {})  # and HubSpot is not touched before SF exists
    # Once the SF record exists (blank), Salesforce always wins: HubSpot is cleared.
    p = plan1(m("always_sf"), "555", None, p.snapshot)
    assert p.to_hs == {"phone": None}


def test_a_plan_for_a_record_missing_on_one_side_never_writes_the_existing_side():
    for rule in ("prefer_sf", "always_sf", "two_way"):
        for conflict in ("hubspot", "salesforce"):
            assert plan1(m(rule, conflict), "h", MISSING, "old").to_hs == {}
            assert plan1(m(rule, conflict), MISSING, "s", "old").to_sf == {}


def test_always_sf_on_hubspot_creation_copies_non_blank_values():
    p = plan1(m("always_sf"), MISSING, "555", None)
    assert p.to_hs == {"phone": "555"} and p.snapshot == {"phone": "555"}
    p = plan1(m("always_sf"), MISSING, "", None)
    assert p.to_hs == {}


# ---------------------------------------------------------------- two_way


@pytest.mark.parametrize(
    ("hs", "sf", "snap", "conflict", "to_hs", "to_sf", "new_snap"),
    [
        # only HubSpot changed -> HubSpot wins
        ("new", "old", "old", "salesforce", {}, {"phone": "new"}, "new"),
        # only Salesforce changed -> Salesforce wins
        ("old", "new", "old", "hubspot", {"phone": "new"}, {}, "new"),
        # both changed: the conflict app wins
        ("h", "s", "old", "salesforce", {"phone": "s"}, {}, "s"),
        ("h", "s", "old", "hubspot", {}, {"phone": "h"}, "h"),
        # both changed to the same value: nothing to write, snapshot follows
        ("same", " same ", "old", "salesforce", {}, {}, "same"),
        # a blank in the winning app never overwrites: nothing, snapshot kept
        (None, "old", "old", "salesforce", {}, {}, "old"),
        ("old", "", "old", "hubspot", {}, {}, "old"),
        (None, "s", "old", "hubspot", {}, {}, "old"),
        ("h", None, "old", "salesforce", {}, {}, "old"),
        # a non-blank change fills a field both sides had blank
        ("h", None, {"phone": None}, "salesforce", {}, {"phone": "h"}, "h"),
        # initial merge (no snapshot): the blank default app changes nothing
        ("h", None, None, "salesforce", {}, {}, "ABSENT"),
    ],
)
def test_two_way_the_changed_side_wins_and_conflicts_go_to_the_conflict_app(
    hs, sf, snap, conflict, to_hs, to_sf, new_snap
):
    p = plan1(m("two_way", conflict), hs, sf, snap)
    assert (p.to_hs, p.to_sf, p.snapshot.get("phone", "ABSENT")) == (to_hs, to_sf, new_snap)


@pytest.mark.parametrize(
    ("conflict", "to_hs", "to_sf"),
    [("salesforce", {"phone": "s"}, {}), ("hubspot", {}, {"phone": "h"})],
)
def test_two_way_without_snapshot_is_an_initial_merge_won_by_the_conflict_app(
    conflict, to_hs, to_sf
):
    p = plan1(m("two_way", conflict), "h", "s", None)
    assert (p.to_hs, p.to_sf) == (to_hs, to_sf)


def test_two_way_initial_merge_blank_in_default_app_changes_nothing():
    p = plan1(m("two_way", "hubspot"), None, "s", None)
    assert (p.to_hs, p.to_sf) == ({}, {})
    assert "phone" not in p.snapshot  # still unsynced: a later change is still a conflict


def test_two_way_a_field_missing_from_the_snapshot_is_treated_as_never_synced():
    p = plan_fields(
        [m("two_way", "hubspot")], {"phone": "h"}, {"phone": "s"}, {"other": "x"},
        sf_object="Contact",
    )
    assert p.to_sf == {"phone": "h"}
    assert p.snapshot == {"other": "x", "phone": "h"}


def test_two_way_creation_copies_the_existing_side_whatever_the_conflict_app():
    p = plan_fields([m("two_way", "hubspot")], None, {"phone": "s"}, None, sf_object="Contact")
    assert p.to_hs == {"phone": "s"}
    p = plan_fields([m("two_way", "salesforce")], {"phone": "h"}, None, None, sf_object="Lead")
    assert p.to_sf == {"phone": "h"}


def test_two_way_kept_snapshot_still_detects_a_later_real_change():
    mp = m("two_way", "hubspot")
    first = plan1(mp, None, "old", "old")  # HubSpot cleared: nothing written, snapshot kept
    assert first.snapshot == {"phone": "old"}
    later = plan1(mp, None, "new", first.snapshot)  # both now differ from "old"
    # conflict app HubSpot is blank: still nothing (F4)
    assert (later.to_hs, later.to_sf) == ({}, {})
    later = plan1(m("two_way", "salesforce"), None, "new", first.snapshot)
    assert later.to_hs == {"phone": "new"}


# ---------------------------------------------------------------- creation and record shape


def test_creation_in_hubspot_sends_every_non_blank_syncable_value():
    mappings = [
        Mapping("firstname", "FirstName", "FirstName", rule="prefer_sf"),
        Mapping("jobtitle", "Title", "Title", rule="always_sf"),
        Mapping("phone", "Phone", "Phone", rule="two_way"),
        Mapping("fax", "Fax", "Fax", rule="none"),
        Mapping("mobile", "MobilePhone", "MobilePhone", enabled=False),
        Mapping("website", "Website__c", "", rule="prefer_sf"),  # not on leads
        Mapping("city", "MailingCity", "City"),
    ]
    sf = {"firstname": "Ada", "jobtitle": "CTO", "phone": "1", "fax": "2", "mobile": "3",
          "website": "w", "city": ""}
    p = plan_fields(mappings, None, sf, None, sf_object="Lead")
    assert p.to_hs == {"firstname": "Ada", "jobtitle": "CTO", "phone": "1"}
    assert p.to_sf == {}


def test_creation_in_salesforce_sends_hubspot_values_except_always_sf():
    mappings = [
        Mapping("firstname", "FirstName", "FirstName", rule="prefer_sf"),
        Mapping("jobtitle", "Title", "Title", rule="always_sf"),
        Mapping("phone", "Phone", "Phone", rule="two_way", conflict_app="salesforce"),
    ]
    hs = {"firstname": "Ada", "jobtitle": "CTO", "phone": "1"}
    p = plan_fields(mappings, hs, None, None, sf_object="Contact")
    assert p.to_sf == {"firstname": "Ada", "phone": "1"}


def test_disabled_and_dont_sync_mappings_keep_their_snapshot_values():
    p = plan_fields(
        [m("none"), Mapping("fax", "Fax", enabled=False)],
        {"phone": "1", "fax": "2"}, {"phone": "3", "fax": "4"}, {"phone": "0", "fax": "9"},
        sf_object="Contact",
    )
    assert (p.to_hs, p.to_sf, p.snapshot) == ({}, {}, {"phone": "0", "fax": "9"})


def test_field_missing_on_the_sf_object_is_skipped():
    mp = Mapping("website", "Website__c", "")
    p = plan_fields([mp], {"website": "a"}, {"website": None}, None, sf_object="Lead")
    assert (p.to_hs, p.to_sf) == ({}, {})


def test_emails_differing_only_in_case_are_not_rewritten():
    mp = Mapping("email", "Email", "Email", rule="two_way")
    p = plan_fields([mp], {"email": "A@X.com"}, {"email": "a@x.com"}, None, sf_object="Lead")
    assert (p.to_hs, p.to_sf) == ({}, {})


def test_numbers_in_different_shapes_are_not_rewritten():
    mp = Mapping("employees", "NumberOfEmployees", "", field_type="number")
    p = plan_fields([mp], {"employees": "10"}, {"employees": 10.0}, None, sf_object="Account")
    assert (p.to_hs, p.to_sf, p.snapshot) == ({}, {}, {"employees": 10.0})


def test_unknown_rule_is_refused():
    with pytest.raises(ValueError, match="unknown sync rule"):
        plan1(m("sometimes"), "1", "2", None)


# ---------------------------------------------------------------- direction (H1)


@pytest.mark.parametrize("rule", ["prefer_sf", "always_sf", "two_way"])
def test_direction_only_to_hubspot_never_writes_salesforce(rule):
    for hs, sf in [("h", None), ("h", "s"), (None, "s")]:
        p = plan1(m(rule, "hubspot"), hs, sf, "old", direction="to_hubspot")
        assert p.to_sf == {}


@pytest.mark.parametrize("rule", ["prefer_sf", "always_sf", "two_way"])
def test_direction_only_to_salesforce_never_writes_hubspot(rule):
    for hs, sf in [("h", None), ("h", "s"), (None, "s")]:
        p = plan1(m(rule, "salesforce"), hs, sf, "old", direction="to_salesforce")
        assert p.to_hs == {}


def test_blocked_direction_keeps_the_old_snapshot():
    p = plan1(m("prefer_sf"), "h", "s", "old", direction="to_salesforce")
    assert p.snapshot == {"phone": "old"}


def test_only_to_hubspot_still_copies_salesforce_values():
    p = plan1(m("prefer_sf"), "h", "s", None, direction="to_hubspot")
    assert p.to_hs == {"phone": "s"}


# ---------------------------------------------------------------- emails (D1, D8)


@pytest.mark.parametrize(
    "email",
    ["john@example.com", "John.Smith+tag@sub.example.co.uk", " a@b.io ", "o'neil@x.ie",
     "user@münchen.de", "x@xn--p1ai.xn--p1ai"],
)
def test_valid_emails(email):
    assert is_valid_email(email)


@pytest.mark.parametrize(
    "email",
    [None, "", "john@", "a b@x.com", "@x.com", "x@y", "x@@y.com", "x@y..com", ".x@y.com",
     "x.@y.com", "x@-y.com", "x@y.c0m", "plainaddress", "x@y.com.", f"{'a' * 65}@x.com"],
)
def test_invalid_emails(email):
    assert not is_valid_email(email)


def test_normalize_email_strips_and_lowercases():
    assert normalize_email("  John@Example.COM ") == "john@example.com"
    assert normalize_email(None) == ""


@pytest.mark.parametrize(
    ("only_with_email", "email", "duplicate", "reason"),
    [
        (True, "a@x.com", False, None),
        (True, None, False, "no_email"),
        (True, "  ", False, "no_email"),
        (True, "john@", False, "invalid_email"),
        (True, "a@x.com", True, "duplicate_email"),
        (False, None, False, None),
        (False, "", True, None),
        (False, "john@", False, "invalid_email"),
        (False, "a@x.com", True, None),
    ],
)
def test_exclusion_reason(only_with_email, email, duplicate, reason):
    policy = ContactPolicy(only_with_email=only_with_email)
    assert exclusion_reason(policy, email, duplicate_email=duplicate) == reason


# ---------------------------------------------------------------- SF -> HS (D1, D2)


@pytest.mark.parametrize(
    ("policy", "linked", "in_list", "allowed"),
    [
        (ContactPolicy(), False, False, True),
        (ContactPolicy(), True, False, True),  # no inclusion list: everything
        (ContactPolicy(inclusion_list_id="7"), False, False, True),  # creation ignores list
        (ContactPolicy(inclusion_list_id="7"), True, False, False),  # update outside list
        (ContactPolicy(inclusion_list_id="7"), True, True, True),
        (ContactPolicy(sf_to_hs_create="nothing"), False, True, False),
        (ContactPolicy(sf_to_hs_create="nothing"), True, True, False),
        (ContactPolicy(direction="to_salesforce"), False, True, False),
        (ContactPolicy(direction="to_hubspot"), True, True, True),
    ],
)
def test_sf_to_hs_allowed(policy, linked, in_list, allowed):
    assert sf_to_hs_allowed(policy, linked=linked, in_inclusion_list=in_list) is allowed


# ---------------------------------------------------------------- HS -> SF (D3, D6)


@pytest.mark.parametrize(
    ("policy", "in_list", "allowed"),
    [
        (ContactPolicy(), False, True),
        (ContactPolicy(inclusion_list_id="7"), False, False),
        (ContactPolicy(inclusion_list_id="7"), True, True),
        (ContactPolicy(direction="to_hubspot"), True, False),
        (ContactPolicy(direction="to_salesforce"), True, True),
    ],
)
def test_hs_to_sf_only_inclusion_list_members(policy, in_list, allowed):
    assert hs_to_sf_allowed(policy, in_inclusion_list=in_list) is allowed


@pytest.mark.parametrize(
    ("setting", "existing", "target"),
    [
        ("lead", None, "Lead"),
        ("contact", None, "Contact"),
        ("lead", "Contact", "Contact"),  # existing records are updated, not duplicated
        ("contact", "Lead", "Lead"),
        ("contact", "lead", "Lead"),
        ("lead", "", "Lead"),
    ],
)
def test_hs_to_sf_target(setting, existing, target):
    policy = ContactPolicy(hs_to_sf_object=setting)
    assert hs_to_sf_target(policy, existing_sf_object=existing) == target


def test_hs_to_sf_target_refuses_other_objects():
    with pytest.raises(ValueError):
        hs_to_sf_target(ContactPolicy(), existing_sf_object="Account")


@pytest.mark.parametrize(
    ("sf_object", "record", "result"),
    [
        ("Lead", {"IsConverted": True, "ConvertedContactId": "003A"}, ("Contact", "003A")),
        ("Lead", {"IsConverted": "true", "ConvertedContactId": "003A"}, ("Contact", "003A")),
        ("Lead", {"IsConverted": False, "ConvertedContactId": None}, None),
        ("Lead", {"IsConverted": True, "ConvertedContactId": ""}, None),
        ("Lead", {"IsConverted": "false", "ConvertedContactId": "003A"}, None),
        ("Lead", {}, None),
        ("Contact", {"IsConverted": True, "ConvertedContactId": "003A"}, None),
    ],
)
def test_follow_conversion_from_lead_to_contact(sf_object, record, result):
    assert follow_conversion(sf_object, record) == result


# ---------------------------------------------------------------- deletion (D4)


def test_sf_deletion_archives_the_hubspot_contact_only_when_set_to_delete():
    assert on_sf_deleted(ContactPolicy(sf_deletion="delete")) == "archive_hs"
    assert on_sf_deleted(ContactPolicy(sf_deletion="nothing")) == "keep"


@pytest.mark.parametrize("deletion", ["delete", "nothing"])
def test_hubspot_deletion_never_deletes_in_salesforce(deletion):
    assert on_hs_deleted(ContactPolicy(sf_deletion=deletion)) == "keep_sf"


# ---------------------------------------------------------------- lifecycle (D5)

OPEN, WON, LOST = (False, False), (True, True), (True, False)


@pytest.mark.parametrize(
    ("current", "opps", "result"),
    [
        ("lead", [OPEN], "opportunity"),
        ("lead", [WON], "customer"),
        ("lead", [OPEN, WON], "customer"),
        ("lead", [LOST], None),
        ("lead", [], None),
        ("opportunity", [OPEN], None),
        ("opportunity", [WON], "customer"),
        ("customer", [OPEN], None),  # never backward
        ("evangelist", [WON], None),
        (None, [OPEN], "opportunity"),
        ("", [WON], "customer"),
        ("other", [OPEN], "opportunity"),
        ("somethingcustom", [OPEN], "opportunity"),
        ("SalesQualifiedLead", [OPEN], "opportunity"),
    ],
)
def test_lifecycle_from_contact_role_opportunities(current, opps, result):
    got = lifecycle_from_opportunities(ContactPolicy(), current, opps, sf_object="Contact")
    assert got == result


def test_lifecycle_never_touches_leads():
    assert lifecycle_from_opportunities(ContactPolicy(), "lead", [WON], sf_object="Lead") is None


def test_lifecycle_do_nothing_setting():
    policy = ContactPolicy(lifecycle="nothing")
    assert lifecycle_from_opportunities(policy, "lead", [WON], sf_object="Contact") is None


def test_lifecycle_not_written_when_sync_only_goes_to_salesforce():
    policy = ContactPolicy(direction="to_salesforce")
    assert lifecycle_from_opportunities(policy, "lead", [WON], sf_object="Contact") is None


def test_company_lifecycle_moves_other_contacts_forward_only():
    policy = ContactPolicy(company_lifecycle_sync=True)
    stages = {"1": "lead", "2": "customer", "3": None, "4": "other", "5": "opportunity"}
    assert company_lifecycle_propagation(policy, stages, "opportunity") == {
        "1": "opportunity", "3": "opportunity", "4": "opportunity",
    }


def test_company_lifecycle_off_moves_nobody():
    assert company_lifecycle_propagation(ContactPolicy(), {"1": "lead"}, "customer") == {}
    policy = ContactPolicy(company_lifecycle_sync=True, lifecycle="nothing")
    assert company_lifecycle_propagation(policy, {"1": "lead"}, "customer") == {}


def test_company_lifecycle_ignores_unknown_new_stage():
    policy = ContactPolicy(company_lifecycle_sync=True)
    assert company_lifecycle_propagation(policy, {"1": "lead"}, "other") == {}


def test_lifecycle_order_matches_hubspot_internal_values():
    assert LIFECYCLE_ORDER[0] == "subscriber" and LIFECYCLE_ORDER[-1] == "evangelist"
    assert "other" not in LIFECYCLE_ORDER
