"""The object registry: every synced object, listed once (DESIGN.md decision 11).

Every list of objects in the product — settings tabs, Sync Health rows, record-view filters,
defaults, catalogues, command-line names — comes from here. Modules are imported lazily
by dotted path, as healthchecks lists its integrations.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from functools import cache

from syncadmin.sync.objects import custom
from syncadmin.sync.objects.base import (
    HS_SF_ID,
    SF_EXT_ID,
    AssociationSpec,
    MappingDefault,
    ObjectSpec,
)

__all__ = ["HS_SF_ID", "SF_EXT_ID", "AssociationSpec", "MappingDefault", "ObjectSpec",
           "all_specs", "get", "keys", "standard_keys", "sync_order", "associations"]

MODULES = (
    "syncadmin.sync.objects.contacts",
    "syncadmin.sync.objects.companies",
    "syncadmin.sync.objects.deals",
    "syncadmin.sync.objects.tickets",
)


@cache
def _registry() -> dict[str, ObjectSpec]:
    specs = [importlib.import_module(path).SPEC for path in MODULES]
    return {s.key: s for s in sorted(specs, key=lambda s: s.ui_order)}


def all_specs() -> list[ObjectSpec]:
    return list(_registry().values())


def get(key: str) -> ObjectSpec:
    """A registry object, or a custom object by its `custom:API_NAME` key (its generic
    spec: the HubSpot type and lookups an account's sync learned come from
    `syncadmin.sync.pipeline.custom`)."""
    if custom.is_custom(key):
        return custom.spec(custom.sf_object_of(key))
    try:
        return _registry()[key]
    except KeyError:
        raise KeyError(f"unknown object {key!r}; known: {', '.join(_registry())}") from None


def keys() -> list[str]:
    return list(_registry())


def standard_keys() -> list[str]:
    """The objects configured on an object tab (every one but contacts)."""
    return [k for k in _registry() if k != "contacts"]


def sync_order(enabled: Iterable[str]) -> list[str]:
    """Enabled objects with each after the ones it depends on."""
    wanted = set(enabled)
    out: list[str] = []

    def visit(key: str, path: tuple[str, ...] = ()) -> None:
        if key in out or key not in wanted:
            return
        if key in path:
            raise ValueError(f"dependency cycle: {' → '.join((*path, key))}")
        for dep in get(key).depends_on:
            visit(dep, (*path, key))
        out.append(key)

    for key in [*_registry(), *sorted(wanted - set(_registry()))]:
        visit(key)
    return out


def associations(enabled: Iterable[str], specs: Iterable[ObjectSpec] = ()
                 ) -> list[AssociationSpec]:
    """Associations sync only when both objects' sync is on (E2). `specs`: an account's
    custom objects, whose lookups only its sync knows."""
    on = set(enabled)
    return [a for s in [*all_specs(), *specs] if s.key in on for a in s.associations
            if a.target in on]
