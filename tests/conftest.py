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
