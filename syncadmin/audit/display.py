"""The audit log as a reader sees it (issue 17, defect 5): which object a change belongs to,
field names and values as labels in the reader's language, not codes.

Entries keep raw values and keys (model, object, field names, choice codes); this module
turns them into labels when the page is rendered, so an entry written by an Italian admin
reads in Danish for a Danish one. Entries from before these columns keep their stored text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from syncadmin.audit.models import AuditEntry

ACTIVITIES = "activities"


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class Line:
    entry: AuditEntry
    object_label: str
    what: str
    changes: list[Change]


def object_label(key: str) -> str:
    if not key:
        return ""
    if key == ACTIVITIES:
        return _("Activities")
    from syncadmin.sync import objects

    try:
        return str(objects.get(key).label)
    except KeyError:
        return key


def object_choices(keys: list[str]) -> list[tuple[str, str]]:
    return sorted(((k, object_label(k)) for k in keys if k), key=lambda kv: kv[1])


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label) if label else None
    except (LookupError, ValueError):
        return None


def _value(field: models.Field | None, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("On") if value else _("Off")
    if field is not None and field.choices:
        shown = dict(field.flatchoices).get(value)
        if shown is not None:
            return str(shown)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items()) or "—"
    return str(value)


def line(entry: AuditEntry) -> Line:
    model = _model(entry.model)
    if model is None:  # an entry from before model/object were kept: its stored text
        return Line(entry, "", entry.target,
                    [Change(k, _value(None, v[0]), _value(None, v[1]))
                     for k, v in (entry.changes or {}).items()])
    what = str(model._meta.verbose_name).capitalize()
    if entry.detail:
        what = f"{what} · {entry.detail}"
    changes = []
    for name, (before, after) in (entry.changes or {}).items():
        try:
            found = model._meta.get_field(name)
        except FieldDoesNotExist:
            found = None
        field = found if isinstance(found, models.Field) else None
        label = str(getattr(field, "verbose_name", name)) if field is not None else name
        changes.append(Change(label[:1].upper() + label[1:], _value(field, before),
                              _value(field, after)))
    return Line(entry, object_label(entry.object), what, changes)
