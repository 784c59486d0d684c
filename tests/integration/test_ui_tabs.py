"""Every settings tab renders for admins (enabled) and viewers (disabled), within 15 queries."""

import pytest
from django.urls import reverse

from syncadmin.integration.models import ObjectSync

TABS = [
    ("integration:features", {}),
    ("integration:contacts", {}),
    ("integration:companies", {}),
    ("integration:deals", {}),
    ("integration:tickets", {}),
    ("integration:custom_objects", {}),
    ("integration:activities", {}),
    ("integration:sf_activity", {"kind": "emails"}),
    ("integration:mappings", {"object": "contacts"}),
    ("integration:mappings", {"object": "deals"}),
    ("integration:mapping_add", {"object": "contacts"}),
    ("integration:audit", {}),
    ("integration:setup", {}),
    ("integration:setup_contacts", {}),
    ("integration:setup_activities", {}),
    ("integration:setup_objects", {}),
    ("integration:setup_objects_tab", {"object": "deals"}),
    ("integration:setup_review", {}),
    ("integration:sync_off", {}),
    ("integration:sync_on", {}),
    ("integration:connection_delete", {}),
    ("accounts:connect", {}),
]


@pytest.fixture
def custom_object(account):
    return ObjectSync.objects.create(account=account, object="custom", sf_object="Project__c",
                                     hs_object="projects", direction="to_hubspot")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), TABS)
def test_tab_renders_for_admin_within_query_budget(admin_client, account, custom_object, name,
                                                   kwargs, django_assert_max_num_queries):
    url = reverse(name, kwargs={"account_id": account.pk, **kwargs})
    with django_assert_max_num_queries(15):
        response = admin_client.get(url)
    assert response.status_code == 200, response.content[:500]
    assert b"<fieldset disabled>" not in response.content


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), [t for t in TABS if t[0] != "accounts:connect"
                                              and t[0] != "integration:mapping_add"])
def test_tab_renders_disabled_for_viewer(viewer_client, account, custom_object, name, kwargs):
    response = viewer_client.get(reverse(name, kwargs={"account_id": account.pk, **kwargs}))
    assert response.status_code == 200
    content = response.content.decode()
    if "<fieldset" in content:
        assert "<fieldset>" not in content  # every fieldset is disabled
    assert "hx-post" not in content


@pytest.mark.django_db
def test_tab_nav_links_every_tab(admin_client, account):
    page = admin_client.get(reverse("integration:contacts", kwargs={"account_id": account.pk}))
    for name in ("features", "contacts", "companies", "deals", "tickets", "custom_objects",
                 "activities", "audit"):
        assert reverse(f"integration:{name}", kwargs={"account_id": account.pk}).encode() \
            in page.content
    assert b'aria-current="page"' in page.content


@pytest.mark.django_db
def test_pages_carry_no_inline_script_or_style(admin_client, account, custom_object):
    for name, kwargs in TABS:
        content = admin_client.get(reverse(name, kwargs={"account_id": account.pk, **kwargs})
                                   ).content.decode()
        assert "<script>" not in content and " style=" not in content and "<style" not in content
        assert "onclick" not in content and "onchange" not in content


@pytest.mark.django_db
@pytest.mark.parametrize(("lang", "words"), [
    ("it", ["Creazione e aggiornamento dei contatti", "Crea elenco di inclusione",
            "Registro delle modifiche", "Nessuna org Salesforce"]),
    ("pl", ["Tworzenie i aktualizacja kontaktów", "Utwórz listę włączeń", "Dziennik zmian"]),
    ("da", ["Oprettelse og opdatering af kontakter", "Opret inklusionsliste", "Ændringslog"]),
])
def test_contacts_tab_is_translated(admin_client, account, lang, words):
    page = admin_client.get(reverse("integration:contacts", kwargs={"account_id": account.pk}),
                            HTTP_ACCEPT_LANGUAGE=lang)
    body = page.content.decode()
    assert f'lang="{lang}"' in body
    for w in words:
        assert w.replace("'", "&#x27;") in body or w in body
