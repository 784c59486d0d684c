"""Tokens are encrypted at rest and never shown back in full."""

import pytest
from django.db import connection

from syncadmin.accounts.models import Credentials, mask

SECRET = "00D5g000004ABCD!AQ4AQFakeAccessTokenValue1234567890"


@pytest.mark.django_db
def test_tokens_are_not_readable_in_the_database(account):
    creds = account.credentials
    creds.sf_access_token = SECRET
    creds.hs_refresh_token = "hs-refresh-secret-xyz"
    creds.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sf_access_token, hs_refresh_token FROM accounts_credentials WHERE id = %s",
            [creds.pk],
        )
        raw_sf, raw_hs = cursor.fetchone()
    assert SECRET not in raw_sf and "FakeAccessToken" not in raw_sf
    assert "hs-refresh-secret" not in raw_hs
    assert Credentials.objects.get(pk=creds.pk).sf_access_token == SECRET


@pytest.mark.django_db
def test_key_rotation_keeps_old_tokens_readable(account, settings):
    from cryptography.fernet import Fernet, MultiFernet
    from encrypted_model_fields import fields

    creds = account.credentials
    creds.sf_access_token = SECRET
    creds.save()
    old_crypter = fields.CRYPTER
    new_key = Fernet.generate_key()
    try:
        # New key first (encrypts), old key still decrypts.
        fields.CRYPTER = MultiFernet([Fernet(new_key), *old_crypter._fernets])
        assert Credentials.objects.get(pk=creds.pk).sf_access_token == SECRET
        fields.CRYPTER = MultiFernet([Fernet(new_key)])
        assert Credentials.objects.get(pk=creds.pk).sf_access_token != SECRET
    finally:
        fields.CRYPTER = old_crypter


def test_mask_shows_only_last_four():
    assert mask(SECRET) == "••••7890"
    assert mask("") == ""
    assert "short" not in mask("short")
