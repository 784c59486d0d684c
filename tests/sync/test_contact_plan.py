"""The contacts' plan stage on its own: one pair in, one decision out. No database, no I/O."""

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from syncadmin.sync.pipeline.contacts.plan import ContactInputs, plan_contact
from syncadmin.sync.rules import ContactPolicy, Mapping, is_blank

MAPPINGS = [
    Mapping("email", "Email", sf_lead_field="Email", rule="two_way"),
    Mapping("firstname", "FirstName", sf_lead_field="FirstName"),
    Mapping("lastname", "LastName", sf_lead_field="LastName"),
    Mapping("country", "MailingCountry", sf_lead_field="Country", rule="two_way"),
    Mapping("state", "MailingState", sf_lead_field="State", rule="two_way"),
]
ANN = {"email": "ann@example.com", "firstname": "Ann", "lastname": "Lee"}


def sf_only(values=ANN, **kw) -> ContactInputs:
    return ContactInputs(sf_row={"Id": "003A", "Email": values.get("email")},
                         sf_values=dict(values), sf_object="Contact", saved=False, **kw)


def hs_only(values=ANN, **kw) -> ContactInputs:
    return ContactInputs(hs_props=dict(values), hs_values=dict(values), hs_id="501",
                         saved=False, **kw)


def test_a_new_salesforce_contact_is_created_in_hubspot_carrying_its_salesforce_id():
    d = plan_contact(sf_only(), ContactPolicy(), MAPPINGS)
    assert d.action == "sync"
    assert d.hs_create == {**ANN, "salesforce_id": "003A"}
    assert (d.sf_create, d.hs_update) == (None, None)
    assert d.label == "Ann Lee <ann@example.com>" and d.email == "ann@example.com"
    assert d.snapshot == {**ANN, "country": None, "state": None}


def test_without_email_a_contact_is_excluded_and_nothing_is_written():
    d = plan_contact(sf_only({"lastname": "Lee"}), ContactPolicy(), MAPPINGS)
    assert (d.action, d.reason, d.writes, d.snapshot) == ("exclude", "no_email", False, None)


def test_a_linked_pair_is_not_excluded_by_its_email_any_more():
    linked = ContactInputs(sf_row={"Id": "003A", "HubSpot_Id__c": "501"},
                           sf_values={"lastname": "Lee", "email": "bad"}, sf_object="Contact",
                           link_sf_id="003A", link_hs_id="501", snapshot={"lastname": "Li"})
    assert plan_contact(linked, ContactPolicy(), MAPPINGS).action == "sync"


def test_a_deleted_salesforce_record_archives_in_hubspot_only_when_set_and_linked():
    deleted = dict(sf_deleted=True, link_sf_id="003A", link_hs_id="501", saved=True)
    archive = ContactPolicy(sf_deletion="delete")
    assert plan_contact(ContactInputs(**deleted), archive, MAPPINGS).action == "archive_hs"
    assert plan_contact(ContactInputs(**deleted), ContactPolicy(), MAPPINGS).action == "deleted_sf"
    never_synced = ContactInputs(sf_deleted=True, saved=False)
    assert plan_contact(never_synced, archive, MAPPINGS).action == "nothing"
    assert plan_contact(ContactInputs(hs_deleted=True), archive, MAPPINGS).action == "deleted_hs"


def test_a_hubspot_contact_outside_the_inclusion_list_is_not_created_in_salesforce():
    policy = ContactPolicy(inclusion_list_id="7")
    d = plan_contact(hs_only(), policy, MAPPINGS, in_list=False)
    assert (d.action, d.reason, d.sf_create) == ("exclude", "filtered", None)
    d = plan_contact(hs_only(), policy, MAPPINGS, in_list=True)
    assert (d.action, d.sf_target, d.sf_create) == ("sync", "Lead", ANN)


def test_new_hubspot_contacts_become_the_object_the_settings_choose():
    d = plan_contact(hs_only(), ContactPolicy(hs_to_sf_object="contact"), MAPPINGS)
    assert d.sf_target == "Contact"


def test_state_goes_to_salesforce_with_its_country():
    before = {**ANN, "country": "Italy", "state": "Lazio"}
    after = {**before, "state": "Lombardy"}
    linked = ContactInputs(hs_props=after, hs_values=after, hs_id="501", link_sf_id="003A",
                           link_hs_id="501", sf_object="Contact", snapshot=before)
    d = plan_contact(linked, ContactPolicy(), MAPPINGS)
    assert d.sf_update == {"state": "Lombardy", "country": "Italy"}


def test_a_salesforce_record_missing_its_hubspot_id_gets_it_without_other_changes():
    row = {"Id": "003A", "Email": "ann@example.com"}
    linked = ContactInputs(sf_row=row, sf_values=ANN, sf_object="Contact",
                           link_sf_id="003A", link_hs_id="501", snapshot=ANN)
    d = plan_contact(linked, ContactPolicy(), MAPPINGS)
    assert (d.sf_update, d.hs_update) == ({}, None)


values = st.fixed_dictionaries({}, optional={
    "email": st.sampled_from(["ann@example.com", "ANN@example.com", "", "bad", None]),
    "firstname": st.sampled_from(["Ann", "", None]),
    "lastname": st.sampled_from(["Lee", "Li", None]),
})
policies = st.builds(
    ContactPolicy,
    sf_to_hs_create=st.sampled_from(["create_update", "nothing"]),
    hs_to_sf_object=st.sampled_from(["lead", "contact"]),
    sf_deletion=st.sampled_from(["delete", "nothing"]),
    inclusion_list_id=st.sampled_from(["", "7"]),
    only_with_email=st.booleans(),
    direction=st.sampled_from(["two_way", "to_hubspot", "to_salesforce"]),
)


@st.composite
def pairs(draw):
    sf, hs = draw(st.one_of(st.none(), values)), draw(st.one_of(st.none(), values))
    assume(sf is not None or hs is not None)  # a pair is something read in this run
    linked = draw(st.booleans())
    return ContactInputs(
        sf_row={"Id": "003A", "Email": sf.get("email")} if sf is not None else None,
        hs_props=hs, sf_values=sf, hs_values=hs, sf_object="Contact" if sf is not None else "",
        hs_id="501" if hs is not None else None,
        link_sf_id="003A" if linked else None, link_hs_id="501" if linked else None,
        snapshot=draw(st.one_of(st.none(), values)) if linked else None,
        duplicate=draw(st.booleans()), sf_deleted=draw(st.booleans()) and sf is not None,
        saved=linked,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs(), policies, st.booleans())
def test_decisions_respect_direction_exclusions_and_ids(c, policy, in_list):
    d = plan_contact(c, policy, MAPPINGS, in_list=in_list)
    assert d.action in {"sync", "exclude", "deleted_sf", "archive_hs", "deleted_hs", "nothing"}
    if d.action != "sync":
        # Nothing is written to Salesforce and no snapshot is kept for what does not sync.
        assert (d.sf_create, d.sf_update, d.snapshot) == (None, None, None)
    if d.action not in {"sync", "exclude"}:
        assert not d.writes
    if policy.direction == "to_hubspot":
        assert d.sf_create is None and not d.sf_update
    if policy.direction == "to_salesforce":
        assert d.hs_create is None
    if d.hs_create is not None:
        # A created HubSpot contact carries its Salesforce id and no blank property.
        assert d.hs_create["salesforce_id"] == "003A"
        assert not any(is_blank(v) for v in d.hs_create.values())
    if d.sf_create is not None:
        assert d.sf_target == ("Contact" if policy.hs_to_sf_object == "contact" else "Lead")
        assert not policy.inclusion_list_id or in_list
