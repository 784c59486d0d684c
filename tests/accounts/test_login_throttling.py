"""Sign-in throttling (issue 16): django-axes locks a username out from one address after
AXES_FAILURE_LIMIT wrong passwords; the right password then still gets the lockout page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_five_wrong_passwords_lock_the_username_out_for_this_address(client, django_user_model,
                                                                     settings):
    settings.AXES_FAILURE_LIMIT = 5
    django_user_model.objects.create_user(username="ada", password="right-password-1")
    login = reverse("login")
    for _ in range(4):
        wrong = client.post(login, {"username": "ada", "password": "nope"})
        assert wrong.status_code == 200 and "didn" in wrong.content.decode()
    locked = client.post(login, {"username": "ada", "password": "nope"})
    assert locked.status_code == 429
    assert "Too many sign-in attempts" in locked.content.decode()
    right = client.post(login, {"username": "ada", "password": "right-password-1"})
    assert right.status_code == 429  # locked: even the right password waits out the pause
    assert "_auth_user_id" not in client.session

    # Another username from the same address is not affected.
    django_user_model.objects.create_user(username="bob", password="right-password-2")
    ok = client.post(login, {"username": "bob", "password": "right-password-2"})
    assert ok.status_code == 302


def test_a_success_before_the_limit_resets_the_count(client, django_user_model, settings):
    settings.AXES_FAILURE_LIMIT = 3
    django_user_model.objects.create_user(username="cy", password="right-password-3")
    login = reverse("login")
    for _ in range(2):
        client.post(login, {"username": "cy", "password": "nope"})
    assert client.post(login, {"username": "cy", "password": "right-password-3"}
                       ).status_code == 302
    client.logout()
    for _ in range(2):
        assert client.post(login, {"username": "cy", "password": "nope"}).status_code == 200
