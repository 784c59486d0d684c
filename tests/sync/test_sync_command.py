"""The command-line contract scripts and tests drive: `connect_sandbox --enable`, `sync`."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from syncadmin.integration.models import ObjectSync
from syncadmin.sync.service import account_lock

pytestmark = pytest.mark.django_db(transaction=True)


def sync_json(capsys, *args: str) -> dict:
    call_command("sync", *args)
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def test_sync_prints_a_key_per_enabled_object_with_both_directions(connected, sf, capsys):
    ObjectSync.objects.filter(account=connected, object__in=["companies", "deals"]).update(
        enabled=True)
    sf.control.insert("Account", [{"Name": "Acme", "Website": "acme.com"}])
    out = sync_json(capsys, "--account", connected.name, "--full")
    assert out["status"] == "succeeded"
    assert set(out) >= {"contacts", "companies", "deals", "sf_api_calls", "hs_api_calls",
                        "seconds"}
    assert "tickets" not in out
    assert out["companies"]["to_hs"]["created"] == 1
    assert set(out["deals"]) == {"to_hs", "to_sf", "associations"}
    assert set(out["deals"]["to_hs"]) == {"created", "updated", "deleted", "failed", "excluded"}


def test_sync_exits_non_zero_when_another_run_holds_the_account(connected, capsys):
    lock = account_lock(connected)
    assert lock.acquire(blocking=False)
    try:
        with pytest.raises(CommandError, match="Another sync") as caught:
            call_command("sync", "--account", connected.name, "--wait", "0.6")
        assert caught.value.returncode == 2
        assert json.loads(capsys.readouterr().out.strip())["status"] == "skipped"
    finally:
        lock.release()
    assert sync_json(capsys, "--account", connected.name)["status"] == "succeeded"


def test_connect_sandbox_enable_turns_objects_on_and_refuses_unknown_names(connected, sf,
                                                                           hs, tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    (state / "sandbox.json").write_text(json.dumps({
        "salesforce": sf.url, "salesforce_login": sf.login_url, "ca": sf.ca_file,
        "sf_session_id": sf.session_id, "hubspot": hs.url, "hs_token": hs.token,
        "hs_portal_id": hs.portal_id}))
    call_command("connect_sandbox", "--account", "Fresh", "--state-dir", str(state),
                 "--enable", "companies", "--enable", "tickets")
    on = set(ObjectSync.objects.filter(account__name="Fresh", enabled=True)
             .values_list("object", flat=True))
    assert on == {"companies", "tickets"}
    with pytest.raises(CommandError, match="Unknown object 'widgets'"):
        call_command("connect_sandbox", "--account", "Fresh", "--state-dir", str(state),
                     "--enable", "widgets")
