"""The command-line contract for activities: `connect_sandbox --enable activities |
timeline:EVENT | sf:KIND`, its --help, and `sync` reporting `activities`."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from syncadmin.integration import choices as c
from syncadmin.integration.models import SfActivitySetting, TimelineEventSetting
from syncadmin.sync.management.commands.connect_sandbox import Command
from tests.sync.activities_helpers import sf_kind

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def state(sf, hs, tmp_path):
    d = tmp_path / "state"
    d.mkdir()
    (d / "sandbox.json").write_text(json.dumps({
        "salesforce": sf.url, "salesforce_login": sf.login_url, "ca": sf.ca_file,
        "sf_session_id": sf.session_id, "hubspot": hs.url, "hs_token": hs.token,
        "hs_portal_id": hs.portal_id}))
    return str(d)


def on(name: str) -> tuple[set[str], set[str]]:
    events = set(TimelineEventSetting.objects.filter(account__name=name, enabled=True)
                 .values_list("event", flat=True))
    kinds = set(SfActivitySetting.objects.filter(account__name=name, enabled=True)
                .values_list("kind", flat=True))
    return events, kinds


def test_enable_activities_turns_on_every_event_and_kind(connected, state):
    call_command("connect_sandbox", "--account", "All", "--state-dir", state,
                 "--enable", "activities")
    assert on("All") == (set(c.TimelineEvent.values), set(c.SfActivityKind.values))
    assert all(s.enabled_at for s in SfActivitySetting.objects.filter(account__name="All"))


def test_enable_single_ones_by_their_choice_names(connected, state):
    call_command("connect_sandbox", "--account", "Some", "--state-dir", state,
                 "--enable", "timeline:marketing_email_opened", "--enable", "sf:calls",
                 "--enable", "companies")
    assert on("Some") == ({"marketing_email_opened"}, {"calls"})
    with pytest.raises(CommandError, match="Unknown activity 'timeline:webinar'"):
        call_command("connect_sandbox", "--account", "Some", "--state-dir", state,
                     "--enable", "timeline:webinar")


def test_help_lists_the_activity_names():
    text = Command().create_parser("manage.py", "connect_sandbox").format_help()
    flat = " ".join(text.split())
    for name in ("activities", "timeline:form_submission", "timeline:integration_event",
                 "sf:tasks", "sf:meetings"):
        assert name in flat


def test_sync_reports_activities_with_both_directions(connected, capsys):
    sf_kind(connected, "tasks")
    call_command("sync", "--account", connected.name)
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["status"] == "succeeded"
    assert set(out["activities"]) == {"to_hs", "to_sf", "associations"}
    assert set(out["activities"]["to_sf"]) == {"created", "updated", "deleted", "failed",
                                               "excluded"}
