"""Isolation and roles, table-driven over every account-scoped URL name."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from syncadmin.audit.models import AuditEntry


def _account_scoped_names():
    """Every named URL whose pattern takes account_id (walks the whole resolver tree)."""
    names = []

    def walk(patterns, namespace, prefix_has_account):
        for p in patterns:
            has_account = prefix_has_account or "account_id" in str(p.pattern)
            if isinstance(p, URLResolver):
                ns = namespace
                if p.namespace:
                    ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
                walk(p.url_patterns, ns, has_account)
            elif isinstance(p, URLPattern) and p.name and has_account:
                names.append(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, "", False)
    return sorted(set(names))


SCOPED = _account_scoped_names()


def _url(name, account):
    from django.urls import NoReverseMatch

    for extra in ({}, {"object": "contacts"}, {"pk": 1}, {"kind": "invalid_email"},
                  {"link_id": 1}):
        try:
            return reverse(name, kwargs={"account_id": account.pk, **extra})
        except NoReverseMatch:
            continue
    raise AssertionError(f"cannot reverse {name}")


def test_there_are_account_scoped_urls():
    assert "accounts:overview" in SCOPED
    assert "integration:contacts" in SCOPED


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCOPED)
def test_member_of_one_account_gets_404_on_another(name, client, account, other_account,
                                                    make_member):
    client.force_login(make_member(account, "admin"))
    url = _url(name, other_account)
    # 405 answers a method the view never takes, before any lookup: it tells nothing about
    # the other account. Every method the view takes must answer 404.
    get, post = client.get(url).status_code, client.post(url, {}).status_code
    assert get in (404, 405) and post in (404, 405)
    assert 404 in (get, post)


@pytest.mark.django_db
@pytest.mark.parametrize("name", SCOPED)
def test_anonymous_is_sent_to_sign_in(name, client, account):
    response = client.get(_url(name, account))
    if response.status_code == 405:  # a POST-only view: the POST must send to sign-in
        response = client.post(_url(name, account), {})
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_viewer_reads_but_cannot_change(viewer_client, account):
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    page = viewer_client.get(url)
    assert page.status_code == 200
    assert b"<fieldset disabled>" in page.content
    response = viewer_client.post(url, {"sf_to_hs_create": "nothing"})
    assert response.status_code == 403
    account.contacts.refresh_from_db()
    assert account.contacts.sf_to_hs_create == "create_update"
    refused = AuditEntry.objects.get(account=account, action="refused")
    assert refused.target == url


@pytest.mark.django_db
def test_home_lists_only_my_accounts(client, account, other_account, make_member,
                                     django_user_model):
    user = make_member(account, "viewer", username="v")
    from syncadmin.accounts.models import Account, Membership

    third = Account.objects.create(name="Initech")
    Membership.objects.create(user=user, account=third, role="admin")
    client.force_login(user)
    page = client.get(reverse("home"))
    assert page.status_code == 200
    assert b"Acme" in page.content and b"Initech" in page.content
    assert b"Globex" not in page.content


@pytest.mark.django_db
def test_sign_in_page_and_bad_password(client, django_user_model):
    django_user_model.objects.create_user("ann", password="right-password-1")
    assert client.get(reverse("login")).status_code == 200
    bad = client.post(reverse("login"), {"username": "ann", "password": "wrong"})
    assert bad.status_code == 200
    assert b"match. Please try again" in bad.content
    good = client.post(reverse("login"), {"username": "ann", "password": "right-password-1"})
    assert good.status_code == 302
