"""Turning activities on by name, for the command line (`connect_sandbox --enable`):
`activities` (every timeline event and every Salesforce kind), `timeline:EVENT` and
`sf:KIND`, with the names the settings models' choices use."""

from __future__ import annotations

from typing import Any

from syncadmin.integration import choices as c
from syncadmin.integration.models import SfActivitySetting, TimelineEventSetting

ALL = "activities"


def names() -> list[str]:
    return [ALL, *(f"timeline:{e}" for e in c.TimelineEvent.values),
            *(f"sf:{k}" for k in c.SfActivityKind.values)]


def is_activity(name: str) -> bool:
    return name == ALL or name.startswith(("timeline:", "sf:"))


def parse(requested: list[str]) -> tuple[list[str], list[str]]:
    """(timeline events, Salesforce kinds) named; ValueError names the first unknown one."""
    events: list[str] = []
    kinds: list[str] = []
    for name in requested:
        if name == ALL:
            events += c.TimelineEvent.values
            kinds += c.SfActivityKind.values
            continue
        prefix, _, value = name.partition(":")
        if prefix == "timeline" and value in c.TimelineEvent.values:
            events.append(value)
        elif prefix == "sf" and value in c.SfActivityKind.values:
            kinds.append(value)
        else:
            raise ValueError(f"Unknown activity {name!r}; known: {', '.join(names())}")
    return list(dict.fromkeys(events)), list(dict.fromkeys(kinds))


def enable(account: Any, events: list[str], kinds: list[str]) -> None:
    for event in events:
        row, _ = TimelineEventSetting.objects.get_or_create(account=account, event=event)
        row.enabled = True
        row.save()
    for kind in kinds:
        s, _ = SfActivitySetting.objects.get_or_create(account=account, kind=kind)
        s.enabled = True
        s.save()
