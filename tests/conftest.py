import pytest

pytest_plugins = [
    "tests.fixtures.sf",
    "tests.fixtures.hs",
]


@pytest.fixture
def make_member(django_user_model):
    """Creates a user who is a member of `account` with `role`."""
    from syncadmin.accounts.models import Membership

    def make(account, role="admin", username=None):
        user = django_user_model.objects.create_user(
            username=username or f"{role}-{account.pk}-{django_user_model.objects.count()}",
            password="pw-for-tests-1",
        )
        Membership.objects.create(user=user, account=account, role=role)
        return user

    return make


@pytest.fixture
def account(db):
    from syncadmin.accounts.models import Account

    return Account.objects.create(name="Acme")


@pytest.fixture
def other_account(db):
    from syncadmin.accounts.models import Account

    return Account.objects.create(name="Globex")


@pytest.fixture
def admin_client(client, account, make_member):
    client.force_login(make_member(account, "admin"))
    return client


@pytest.fixture
def viewer_client(client, account, make_member):
    client.force_login(make_member(account, "viewer"))
    return client


@pytest.fixture
def connected(account, sf, hs, tmp_path):
    """`account` connected to fresh Salesforce and HubSpot emulators (one CA bundle)."""
    from pathlib import Path

    bundle = tmp_path / "ca-bundle.pem"
    bundle.write_text(Path(sf.ca_file).read_text() + Path(hs.ca_file).read_text())
    account.sf_instance_url = sf.url
    account.sf_login_url = sf.sandbox_login_url
    account.sf_is_sandbox = True
    account.hubspot_host = hs.url
    account.hubspot_portal_id = str(hs.portal_id)
    account.tls_ca_file = str(bundle)
    account.sync_enabled = True
    account.save()
    creds = account.credentials
    creds.sf_access_token = sf.session_id
    creds.hs_access_token = hs.token
    creds.save()
    return account
