"""The setup wizard (FEATURES A4–A6): Recommended → review, or Advanced → contacts →
activities → objects & properties → review → finish. State lives in the session; each
step is its own URL so back, forward and reload work.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from syncadmin.accounts.access import account_for
from syncadmin.accounts.models import Account
from syncadmin.audit import log as audit
from syncadmin.integration import catalogue
from syncadmin.integration import choices as c
from syncadmin.integration.defaults import standard_mappings
from syncadmin.integration.models import (
    FieldMapping,
    ObjectSync,
    SfActivitySetting,
    TimelineEventSetting,
)
from syncadmin.integration.views import _page, _shared_org

logger = logging.getLogger(__name__)
WIZARD_OBJECTS = ("contacts", "companies", "deals")
WIZARD_RULES = [c.SyncRule.PREFER_SF, c.SyncRule.ALWAYS_SF, c.SyncRule.TWO_WAY]
STEPS = [
    ("contacts", gettext_lazy("Contacts")),
    ("activities", gettext_lazy("Activities and tasks")),
    ("objects", gettext_lazy("Objects and properties")),
    ("review", gettext_lazy("Review")),
]


def _key(account: Account) -> str:
    return f"setup:{account.pk}"


def recommended_state(account: Account) -> dict[str, Any]:
    """HubSpot's Recommended setup; with a shared org, no automatic contact creation (A6)."""
    return {
        "path": "recommended",
        "inclusion_list_id": "",
        "sf_to_hs_create": (c.SfToHsCreate.NOTHING if _shared_org(account)
                            else c.SfToHsCreate.CREATE_UPDATE),
        "sf_task_sync": False,
        "timeline": {e: {"enabled": False, "type": ""} for e in c.TimelineEvent.values},
        "objects": {"companies": False, "deals": False},
        "rules": {obj: {m.hs_property: m.rule for o, m in standard_mappings() if o == obj}
                  for obj in WIZARD_OBJECTS},
    }


def current_state(account: Account) -> dict[str, Any]:
    """The account's settings as they are, as a starting point for Advanced setup."""
    state = recommended_state(account)
    state["path"] = "advanced"
    state["inclusion_list_id"] = account.contacts.inclusion_list_id
    state["sf_to_hs_create"] = account.contacts.sf_to_hs_create
    tasks = SfActivitySetting.objects.filter(account=account, kind=c.SfActivityKind.TASKS).first()
    state["sf_task_sync"] = bool(tasks and tasks.enabled)
    for ev in TimelineEventSetting.objects.filter(account=account):
        state["timeline"][ev.event] = {"enabled": ev.enabled, "type": ev.sf_task_type}
    for row in ObjectSync.objects.filter(account=account, object__in=["companies", "deals"]):
        state["objects"][row.object] = row.enabled
    for m in FieldMapping.objects.filter(account=account, object__in=WIZARD_OBJECTS):
        if m.hs_property in state["rules"][m.object] and m.sync_rule in WIZARD_RULES:
            state["rules"][m.object][m.hs_property] = m.sync_rule
    return state


def _state(request: HttpRequest, account: Account) -> dict[str, Any]:
    state = request.session.get(_key(account))
    if not state:
        state = current_state(account)
        request.session[_key(account)] = state
    return state


def _save(request: HttpRequest, account: Account, state: dict[str, Any]) -> None:
    request.session[_key(account)] = state
    request.session.modified = True


def _next(request: HttpRequest, account: Account, default: str, **kw: Any) -> HttpResponse:
    if request.GET.get("next") == "review":
        return redirect("integration:setup_review", account_id=account.pk)
    return redirect(default, account_id=account.pk, **kw)


def _step(request: HttpRequest, account: Account, template: str, step: str,
          ctx: dict[str, Any]) -> HttpResponse:
    return _page(request, account, template,
                 {"steps": STEPS, "step": step, "state": _state(request, account),
                  "from_review": request.GET.get("next") == "review", **ctx}, "setup")


@login_required
def start(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    if request.method == "POST":
        choice = request.POST.get("path")
        if choice == "recommended":
            _save(request, account, recommended_state(account))
            return redirect("integration:setup_review", account_id=account.pk)
        if choice == "advanced":
            _save(request, account, current_state(account))
            return redirect("integration:setup_contacts", account_id=account.pk)
        messages.error(request, _("Choose Recommended setup or Advanced setup."))
    return _page(request, account, "integration/setup/start.html", {"steps": STEPS}, "setup")


@login_required
def contacts_step(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    lists = catalogue.hs_lists(account)
    state = _state(request, account)
    if request.method == "POST":
        chosen = request.POST.get("inclusion_list_id", "")
        create = request.POST.get("sf_to_hs_create", state["sf_to_hs_create"])
        if create not in c.SfToHsCreate.values:
            create = state["sf_to_hs_create"]
        state.update(inclusion_list_id=chosen.strip()[:40], sf_to_hs_create=create,
                     path="advanced")
        _save(request, account, state)
        return _next(request, account, "integration:setup_activities")
    return _step(request, account, "integration/setup/contacts.html", "contacts",
                 {"lists": lists, "create_choices": c.SfToHsCreate.choices})


@login_required
def activities_step(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    state = _state(request, account)
    if request.method == "POST":
        state["sf_task_sync"] = "sf_task_sync" in request.POST
        for event in c.TimelineEvent.values:
            ttype = request.POST.get(f"type-{event}", "")
            state["timeline"][event] = {
                "enabled": f"sync-{event}" in request.POST,
                "type": ttype if ttype in c.SfTaskType.values else "",
            }
        _save(request, account, state)
        return _next(request, account, "integration:setup_objects")
    rows = [(e, label, state["timeline"].get(e, {"enabled": False, "type": ""}))
            for e, label in c.TimelineEvent.choices]
    return _step(request, account, "integration/setup/activities.html", "activities",
                 {"rows": rows, "task_types": c.SfTaskType.choices})


@login_required
def objects_step(request: HttpRequest, account_id: int, object: str = "contacts"
                 ) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    if object not in WIZARD_OBJECTS:
        raise Http404
    state = _state(request, account)
    props = [(m.hs_property, m.sf_field or m.sf_lead_field, m.required)
             for o, m in standard_mappings() if o == object]
    if request.method == "POST":
        if object != "contacts":
            state["objects"][object] = "enabled" in request.POST
        for hs, _sf, _req in props:
            rule = request.POST.get(f"rule-{hs}", "")
            if rule in WIZARD_RULES:
                state["rules"][object][hs] = rule
        _save(request, account, state)
        later = WIZARD_OBJECTS[WIZARD_OBJECTS.index(object) + 1:]
        if later and request.GET.get("next") != "review":
            return redirect("integration:setup_objects_tab", account_id=account.pk,
                            object=later[0])
        return redirect("integration:setup_review", account_id=account.pk)
    rows = [(hs, sf, req, state["rules"][object].get(hs, c.SyncRule.PREFER_SF))
            for hs, sf, req in props]
    tabs = [(o, c.SyncObject(o).label,
             reverse("integration:setup_objects_tab", kwargs={"account_id": account.pk,
                                                              "object": o}))
            for o in WIZARD_OBJECTS]
    enabled = True if object == "contacts" else state["objects"].get(object, False)
    return _step(request, account, "integration/setup/objects.html", "objects",
                 {"rows": rows, "object": object, "tabs": tabs, "enabled": enabled,
                  "object_label": c.SyncObject(object).label,
                  "rule_choices": [(r.value, r.label) for r in WIZARD_RULES]})


def summary(state: dict[str, Any], lists: list[tuple[str, str]]) -> dict[str, Any]:
    names = dict(lists)
    incl = state["inclusion_list_id"]
    return {
        "contacts": (names.get(incl) or _("List %(id)s") % {"id": incl}) if incl
        else _("All contacts"),
        "create": c.SfToHsCreate(state["sf_to_hs_create"]).label,
        "tasks": state["sf_task_sync"],
        "events": [c.TimelineEvent(e).label for e, v in state["timeline"].items()
                   if v.get("enabled")],
        "objects": [(o, c.SyncObject(o).label,
                     o == "contacts" or state["objects"].get(o, False),
                     [(hs, c.SyncRule(r).label) for hs, r in state["rules"][o].items()])
                    for o in WIZARD_OBJECTS],
    }


@login_required
def review(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    if request.method == "POST":
        return redirect("integration:setup_finish", account_id=account.pk)
    state = _state(request, account)
    return _step(request, account, "integration/setup/review.html", "review",
                 {"summary": summary(state, catalogue.hs_lists(account))})


def apply_state(account: Account, state: dict[str, Any]) -> None:
    """Writes the wizard's choices to the settings rows (each save is audited)."""
    with transaction.atomic():
        contacts = account.contacts
        contacts.inclusion_list_id = state["inclusion_list_id"]
        contacts.sf_to_hs_create = state["sf_to_hs_create"]
        contacts.save()
        tasks, _new = SfActivitySetting.objects.get_or_create(account=account,
                                                              kind=c.SfActivityKind.TASKS)
        if tasks.enabled != state["sf_task_sync"]:
            tasks.enabled = state["sf_task_sync"]
            tasks.save()
        for ev in TimelineEventSetting.objects.filter(account=account):
            wanted = state["timeline"].get(ev.event)
            if wanted and (ev.enabled, ev.sf_task_type) != (wanted["enabled"], wanted["type"]):
                ev.enabled, ev.sf_task_type = wanted["enabled"], wanted["type"]
                ev.save()
        for row in ObjectSync.objects.filter(account=account, object__in=["companies", "deals"]):
            if row.enabled != state["objects"].get(row.object, False):
                row.enabled = state["objects"].get(row.object, False)
                row.save()
        for m in FieldMapping.objects.filter(account=account, object__in=WIZARD_OBJECTS):
            rule = state["rules"].get(m.object, {}).get(m.hs_property)
            if rule and rule != m.sync_rule:
                m.sync_rule = rule
                m.save()


@login_required
def finish(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    if request.method != "POST":
        return redirect("integration:setup_review", account_id=account.pk)
    state = _state(request, account)
    apply_state(account, state)
    if not account.sync_enabled:
        account.sync_enabled = True
        account.save(update_fields=["sync_enabled"])
        audit.record(account, "Setup finished, sync turned on", {"sync_enabled": [False, True]})
    request.session.pop(_key(account), None)
    from syncadmin.sync.tasks import start_initial_sync

    try:
        start_initial_sync(account)
    except Exception:  # the broker is down: sync stays on, the scheduler picks it up
        logger.exception("could not queue the initial sync of account %s", account.pk)
        messages.warning(request, _("Your settings are saved and sync is on, but the "
                                    "initial sync could not be queued right now. It starts "
                                    "with the next scheduled run."))
    else:
        messages.success(request, _("Setup finished: the initial sync has started."))
    return redirect("health:dashboard", account_id=account.pk)
