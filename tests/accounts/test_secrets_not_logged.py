"""Secrets never reach the logs (issue 16): a sync and a failed sign-in, with every logger at
DEBUG, leave no access token, refresh token, session id or password in what was logged."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from syncadmin.sync.service import run_account

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_sync_logs_no_token_at_debug(connected, sf, hs, caplog):
    sf.control.insert("Contact", [{"LastName": "Rossi", "Email": "rossi@example.com"}])
    hs.control.load({"contacts": [{"email": "vip@example.com", "lastname": "Vip"}]})
    creds = connected.credentials
    secrets = [s for s in (creds.sf_access_token, creds.hs_access_token,
                           getattr(creds, "sf_refresh_token", ""),
                           getattr(creds, "hs_refresh_token", ""), sf.session_id, hs.token)
               if s]
    assert len(secrets) >= 2
    with caplog.at_level(logging.DEBUG):
        run = run_account(connected, kind="full")
    assert run.status == "succeeded", run.message
    assert caplog.records, "nothing was logged: the check would prove nothing"
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in secrets:
        assert secret not in text


def test_a_failed_sign_in_logs_no_password(client, django_user_model, caplog):
    django_user_model.objects.create_user(username="ann", password="right-password-1")
    with caplog.at_level(logging.DEBUG):
        client.post(reverse("login"), {"username": "ann", "password": "wrong-password-9"})
    assert "wrong-password-9" not in caplog.text
    assert "right-password-1" not in caplog.text
