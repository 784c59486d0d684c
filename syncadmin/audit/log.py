"""The one mechanism that writes the settings audit log (FEATURES J2).

Signals on every AuditedModel compare the values the instance was loaded with against what
is saved; the acting user comes from a context variable set per request by the middleware.
`record` and `record_refused` are for what is not a settings row. Accounts and integration
both write through here; it imports neither's views nor integration's models.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from syncadmin.accounts.models import Account
from syncadmin.audit.models import AuditedModel, AuditEntry

_actor: contextvars.ContextVar[Any] = contextvars.ContextVar("audit_actor", default=None)


class AuditActorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        token = _actor.set(user if user is not None and user.is_authenticated else None)
        try:
            return self.get_response(request)
        finally:
            _actor.reset(token)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str | list | dict):
        return value
    return str(value)


def _diff(instance: AuditedModel) -> dict[str, list[Any]]:
    loaded = getattr(instance, "_loaded_values", None) or {}
    changes = {}
    for field in instance._meta.concrete_fields:
        if field.attname not in loaded or field.primary_key:
            continue
        old, new = loaded[field.attname], getattr(instance, field.attname)
        if old != new:
            changes[field.name] = [_jsonable(old), _jsonable(new)]
    return changes


def _where(instance: AuditedModel) -> dict[str, str]:
    return {"model": instance._meta.label_lower, "object": instance.audit_object()[:100],
            "detail": instance.audit_detail()[:200]}


@receiver(post_save)
def _audit_save(sender: type, instance: Any, created: bool, **kwargs: Any) -> None:
    if not isinstance(instance, AuditedModel) or kwargs.get("raw"):
        return
    actor = _actor.get()
    if created:
        # Defaults written when an account is created are not an admin's change.
        if actor is not None:
            AuditEntry.objects.create(
                account_id=instance.account_id, user=actor, action=AuditEntry.Action.CREATE,
                target=instance.audit_label(), **_where(instance),
            )
    else:
        changes = _diff(instance)
        if changes:
            AuditEntry.objects.create(
                account_id=instance.account_id, user=actor, action=AuditEntry.Action.CHANGE,
                target=instance.audit_label(), changes=changes, **_where(instance),
            )
    instance._loaded_values = {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
    }


@receiver(post_delete)
def _audit_delete(sender: type, instance: Any, **kwargs: Any) -> None:
    if not isinstance(instance, AuditedModel):
        return
    # Deleting the whole account cascades here (the rows go before the account): the
    # account's log goes with it, so nothing is written.
    if isinstance(kwargs.get("origin"), Account):
        return
    AuditEntry.objects.create(
        account_id=instance.account_id, user=_actor.get(), action=AuditEntry.Action.DELETE,
        target=instance.audit_label(), **_where(instance),
    )


def record_refused(user: Any, account: Any, what: str) -> None:
    AuditEntry.objects.create(
        account=account, user=user, action=AuditEntry.Action.REFUSED, target=what[:200]
    )


def record(account: Any, target: str, changes: dict[str, list[Any]] | None = None) -> None:
    """For account-level actions that are not a settings row (turn sync off, connect)."""
    AuditEntry.objects.create(
        account=account, user=_actor.get(), action=AuditEntry.Action.CHANGE,
        target=target[:200], changes=changes or {},
    )
