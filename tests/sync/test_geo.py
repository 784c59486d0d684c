"""State and country matching (FEATURES D7). No database."""

import pytest

from syncadmin.sync.geo import (
    PicklistError,
    country_label,
    from_salesforce_address,
    match_key,
    resolve_country,
    resolve_state,
    to_salesforce_address,
)


def to_sf(values, *, sf_object="Contact", sf_mode="enabled", hs_mode="match", **kw):
    return to_salesforce_address(
        values, sf_object=sf_object, sf_mode=sf_mode, hs_mode=hs_mode, **kw
    )


# ---------------------------------------------------------------- resolving names


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Italy", "IT"), ("IT", "IT"), ("italia", "IT"), ("ITA", "IT"), (" Italien ", "IT"),
        ("it", "IT"), ("Italian Republic", "IT"), ("Włochy", "IT"), ("380", "IT"),
        ("Deutschland", "DE"), ("Niemcy", "DE"), ("Tyskland", "DE"), ("Allemagne", "DE"),
        ("España", "ES"), ("espana", "ES"), ("Polska", "PL"), ("Danmark", "DK"),
        ("Sverige", "SE"), ("Norge", "NO"), ("Österreich", "AT"), ("osterreich", "AT"),
        ("Schweiz", "CH"), ("Nederland", "NL"), ("België", "BE"),
        ("U.S.A.", "US"), ("USA", "US"), ("usa", "US"), ("United States of America", "US"),
        ("United States", "US"), ("US", "US"),
        ("UK", "GB"), ("Great Britain", "GB"), ("England", "GB"), ("United Kingdom", "GB"),
        ("South Korea", "KR"), ("Korea, Republic of", "KR"), ("Vietnam", "VN"),
        ("Côte d'Ivoire", "CI"), ("cote d'ivoire", "CI"),
    ],
)
def test_country_names_and_codes_in_several_languages_resolve(value, code):
    assert resolve_country(value) == code


@pytest.mark.parametrize("value", [None, "", "  ", "Atlantis", "XX", "ZZZ", "Europe", "10"])
def test_unknown_countries_resolve_to_none(value):
    assert resolve_country(value) is None


def test_match_key_ignores_case_accents_and_punctuation():
    assert match_key(" Côte-d'Ivoire ") == "cote d ivoire"
    assert match_key("U.S.A.") == "usa"


@pytest.mark.parametrize(
    ("country", "value", "code"),
    [
        ("US", "California", "CA"), ("US", "california", "CA"), ("US", "CA", "CA"),
        ("US", "US-CA", "CA"), ("US", "New York", "NY"), ("CA", "Ontario", "ON"),
        ("IT", "Milano", "MI"), ("IT", "MI", "MI"), ("IT", "Roma", "RM"),
        ("IT", "Bolzano", "BZ"),
    ],
)
def test_states_resolve_by_name_and_code(country, value, code):
    assert resolve_state(country, value) == code


def test_country_label_is_the_common_english_name():
    assert country_label("IT") == "Italy"
    assert country_label("KR") == "South Korea"


# ---------------------------------------------------------------- picklists enabled


@pytest.mark.parametrize("value", ["Italy", "IT", "italia", "ITA", " Italien "])
def test_enabled_picklists_match_italy_to_its_code(value):
    assert to_sf({"country": value}) == {"MailingCountryCode": "IT"}


def test_enabled_lead_uses_country_and_state_code_fields():
    assert to_sf({"country": "usa", "state": "California"}, sf_object="Lead") == {
        "CountryCode": "US", "StateCode": "CA",
    }


@pytest.mark.parametrize(("state", "code"), [("California", "CA"), ("CA", "CA"), ("ny", "NY")])
def test_enabled_us_states_by_name_and_code(state, code):
    out = to_sf({"country": "United States", "state": state})
    assert out == {"MailingCountryCode": "US", "MailingStateCode": code}


def test_enabled_italian_provinces_use_pycountry_codes():
    assert to_sf({"country": "Italia", "state": "Milano"})["MailingStateCode"] == "MI"


def test_enabled_blank_values_clear_the_fields():
    assert to_sf({"country": "", "state": None}) == {
        "MailingCountryCode": None, "MailingStateCode": None,
    }


def test_only_the_keys_given_are_written():
    assert to_sf({}) == {}
    assert to_sf({"country": "IT"}) == {"MailingCountryCode": "IT"}


def test_enabled_unknown_country_raises_picklist_error_naming_the_value():
    with pytest.raises(PicklistError) as exc:
        to_sf({"country": "Atlantis"})
    assert exc.value.field == "MailingCountryCode"
    assert exc.value.value == "Atlantis"
    assert "Atlantis" in str(exc.value) and "HubSpot" in str(exc.value)


def test_enabled_unknown_state_raises_picklist_error():
    with pytest.raises(PicklistError) as exc:
        to_sf({"country": "US", "state": "Gotham"}, sf_object="Lead")
    assert exc.value.field == "StateCode" and exc.value.value == "Gotham"


def test_enabled_state_of_a_country_without_default_state_picklist_is_refused():
    with pytest.raises(PicklistError, match="no state picklist for Germany"):
        to_sf({"country": "Deutschland", "state": "Bayern"})


def test_state_with_blank_country_is_refused():
    with pytest.raises(PicklistError, match="Fill in the country"):
        to_sf({"country": "", "state": "California"})


def test_state_without_country_is_accepted_when_unambiguous():
    assert to_sf({"state": "California"}) == {"MailingStateCode": "CA"}
    with pytest.raises(PicklistError, match="several countries"):
        to_sf({"state": "CA"})  # California, and Cagliari in Italy


def test_enabled_as_is_passes_valid_codes_only():
    out = to_sf({"country": "US", "state": "CA"}, hs_mode="as_is")
    assert out == {"MailingCountryCode": "US", "MailingStateCode": "CA"}
    with pytest.raises(PicklistError, match="Match Salesforce default"):
        to_sf({"country": "Italy"}, hs_mode="as_is")
    with pytest.raises(PicklistError):
        to_sf({"country": "us"}, hs_mode="as_is")
    with pytest.raises(PicklistError):
        to_sf({"country": "US", "state": "California"}, hs_mode="as_is")


# ---------------------------------------------------------------- customized picklists

CUSTOM_COUNTRIES = {"IT": "Bel Paese", "US": "United States", "XK": "Kosovo"}
CUSTOM_STATES = {"US": {"CA": "California", "NY": "New York"}, "IT": {"MI": "Milan"}}


def custom(values, **kw):
    return to_sf(
        values, sf_mode="customized",
        custom_countries=CUSTOM_COUNTRIES, custom_states=CUSTOM_STATES, **kw,
    )


@pytest.mark.parametrize("value", ["Bel Paese", "bel paese", "IT", "Italy", "italia"])
def test_customized_accepts_renamed_labels_codes_and_names(value):
    assert custom({"country": value}) == {"MailingCountryCode": "IT"}


def test_customized_accepts_custom_values_pycountry_does_not_know():
    assert custom({"country": "Kosovo"}) == {"MailingCountryCode": "XK"}


def test_customized_refuses_a_country_missing_from_the_org_picklist():
    with pytest.raises(PicklistError, match="not in the org's customized") as exc:
        custom({"country": "France"})
    assert exc.value.value == "France"


def test_customized_refuses_an_unknown_value():
    with pytest.raises(PicklistError):
        custom({"country": "Narnia"})


def test_customized_states_come_from_the_org_picklist():
    assert custom({"country": "Italy", "state": "Milan"})["MailingStateCode"] == "MI"
    assert custom({"country": "Italy", "state": "Milano"})["MailingStateCode"] == "MI"
    with pytest.raises(PicklistError):
        custom({"country": "Italy", "state": "Roma"})  # not in this org's list
    with pytest.raises(PicklistError, match="no states"):
        custom({"country": "Kosovo", "state": "Pristina"})


def test_customized_as_is_accepts_only_the_org_codes():
    assert custom({"country": "XK"}, hs_mode="as_is") == {"MailingCountryCode": "XK"}
    with pytest.raises(PicklistError):
        custom({"country": "FR"}, hs_mode="as_is")


def test_customized_without_describe_data_falls_back_to_iso_lists():
    out = to_sf({"country": "Italia"}, sf_mode="customized")
    assert out == {"MailingCountryCode": "IT"}


# ---------------------------------------------------------------- picklists disabled


def test_disabled_as_is_passes_values_through_unchanged():
    values = {"country": " italia ", "state": "mi"}
    assert to_sf(values, sf_mode="disabled", hs_mode="as_is") == {
        "MailingCountry": " italia ", "MailingState": "mi",
    }


@pytest.mark.parametrize("value", ["italia", "IT", "Italy", "ITA", " Italien "])
def test_disabled_match_normalises_to_english_names(value):
    out = to_sf({"country": value, "state": "mi"}, sf_mode="disabled", sf_object="Lead")
    assert out == {"Country": "Italy", "State": "Milano"}


def test_disabled_match_never_refuses_unknown_text():
    out = to_sf({"country": "Atlantis", "state": "Poseidonia"}, sf_mode="disabled")
    assert out == {"MailingCountry": "Atlantis", "MailingState": "Poseidonia"}


def test_unknown_picklist_mode_is_a_programming_error():
    with pytest.raises(ValueError, match="picklist mode"):
        to_sf({"country": "IT"}, sf_mode="sometimes")


# ---------------------------------------------------------------- Salesforce -> HubSpot


def test_from_salesforce_disabled_reads_the_text_fields():
    sf = {"MailingCountry": "Italy", "MailingState": " ", "MailingCity": "Milano"}
    assert from_salesforce_address(sf, sf_object="Contact", sf_mode="disabled") == {
        "country": "Italy", "state": None,
    }


def test_from_salesforce_enabled_gives_labels_not_codes():
    sf = {"CountryCode": "US", "StateCode": "CA"}
    assert from_salesforce_address(sf, sf_object="Lead", sf_mode="enabled") == {
        "country": "United States", "state": "California",
    }


def test_from_salesforce_prefers_the_org_label_in_the_text_field():
    sf = {"MailingCountry": "Bel Paese", "MailingCountryCode": "IT",
          "MailingState": "Milan", "MailingStateCode": "MI"}
    assert from_salesforce_address(sf, sf_object="Contact", sf_mode="customized") == {
        "country": "Bel Paese", "state": "Milan",
    }


def test_from_salesforce_omits_fields_not_read():
    assert from_salesforce_address({}, sf_object="Contact", sf_mode="enabled") == {}


def test_round_trip_enabled_code_to_label_and_back():
    hs = from_salesforce_address(
        {"MailingCountryCode": "IT", "MailingStateCode": "MI"},
        sf_object="Contact", sf_mode="enabled",
    )
    assert to_sf(hs) == {"MailingCountryCode": "IT", "MailingStateCode": "MI"}
