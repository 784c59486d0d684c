"""The settings tabs (FEATURES C, D, E, F, G, H1, H3) with htmx autosave, and header actions.

Every view calls accounts.access.account_for first (change=True for POSTs). With htmx, a
field posts on change with `_field` naming it and gets its row back with "Saved" or the
field's error; without JavaScript the whole form posts and the page redirects.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from syncadmin.accounts.access import account_for
from syncadmin.accounts.models import Account
from syncadmin.audit.models import AuditEntry
from syncadmin.integration import activity_views, catalogue, dryrun
from syncadmin.integration import choices as c
from syncadmin.integration.forms import (
    ContactSettingsForm,
    ObjectSyncForm,
    SfActivityForm,
    TimelineEventForm,
)
from syncadmin.integration.models import (
    FieldMapping,
    ObjectSync,
    SfActivitySetting,
    TimelineEventSetting,
    ValueMapping,
)
from syncadmin.integration.ui import CONTACT_SECTIONS, GROUPS, make_unit, unit_fields
from syncadmin.integration.value_defaults import (
    HS_PRIORITIES,
    ValueMap,
    ensure_value_mappings,
    options_pipeline,
    value_maps_for,
)
from syncadmin.sync import objects
from syncadmin.sync.objects import ObjectSpec

INVALID = 422  # htmx swaps it (see htmx-config in base.html); plain POSTs get 400
OBJECT_UNITS = ("enabled", "direction", "conflict_app", "sf_deletion", "hs_filter", "sf_filter")


def _is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _page(request: HttpRequest, account: Account, template: str, ctx: dict[str, Any],
          tab: str, status: int = 200) -> HttpResponse:
    ctx = {"account": account, "active_tab": tab, "shared_org": _shared_org(account), **ctx}
    return render(request, template, ctx, status=status)


def _shared_org(account: Account) -> bool:
    """A6: another account is connected to the same Salesforce org."""
    if not account.sf_org_id:
        return False
    return Account.objects.filter(sf_org_id=account.sf_org_id).exclude(pk=account.pk).exists()


def _initial_data(form: forms.BaseForm) -> dict[str, Any]:
    """The data a whole-form POST would carry for the form's current values."""
    data: dict[str, Any] = {}
    for bf in form:
        value = bf.value()
        if isinstance(bf.field.widget, forms.CheckboxInput):
            if value:
                data[bf.html_name] = "on"
        elif value is not None:
            data[bf.html_name] = value
    return data


DryRunFn = Callable[[Account, str, Any, Any], dryrun.DryRun | None]


def _autosave(request: HttpRequest, account: Account, form_class: type[forms.ModelForm],
              instance: Any, save_url: str, form_kwargs: dict[str, Any] | None = None,
              risky: DryRunFn | None = None) -> HttpResponse:
    """Saves one field (or field group) named by `_field`; returns its row."""
    form_kwargs = form_kwargs or {}
    name = request.POST.get("_field") or request.GET.get("_field", "")
    unbound = form_class(instance=instance, **form_kwargs)
    if name not in GROUPS and name not in unbound.fields:
        return HttpResponseBadRequest(_("Unknown setting."))
    ctx = {"save_url": save_url, "account": account}
    if request.method != "POST":  # "Cancel" of a dry run: the row as saved
        return render(request, "integration/_unit.html", {**ctx, "unit": make_unit(unbound, name)})
    names = unit_fields(name)
    before = {n: getattr(instance, n, None) for n in names}
    data = _initial_data(unbound)
    for n in names:
        data.pop(n, None)
        if n in request.POST:
            data[n] = request.POST[n]
    form = form_class(data, instance=instance, **form_kwargs)
    if not form.is_valid():
        unit = make_unit(form, name)
        if not unit.errors:
            unit.notes = []
            unit.warning = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return render(request, "integration/_unit.html", {**ctx, "unit": unit}, status=INVALID)
    if risky and not request.POST.get("_confirm"):
        preview = risky(account, name, before.get(name), form.cleaned_data.get(name))
        if preview is not None and preview.affects_any:
            unit = make_unit(form, name)
            unit.dryrun = preview
            return render(request, "integration/_unit.html", {**ctx, "unit": unit})
    form.save()
    unit = make_unit(form, name)
    unit.saved = True
    return render(request, "integration/_unit.html", {**ctx, "unit": unit})


def _links(account: Account, obj: str) -> list[dict[str, Any]]:
    from syncadmin.sync.models import RecordLink

    rows = RecordLink.objects.filter(account=account, object=obj).values(
        "label", "sf_object", "sf_id", "status", "snapshot")[:5000]
    return [dict(row) for row in rows]


def _contact_risk(account: Account, name: str, old: Any, new: Any) -> dryrun.DryRun | None:
    if old == new:
        return None
    if name == "hs_to_sf_object" and new == c.HsToSfObject.LEAD:
        return dryrun.contacts_to_leads(_links(account, "contacts"))
    if name == "sf_deletion" and new == c.DeletionRule.DELETE:
        return dryrun.enable_deletion(_links(account, "contacts"))
    return None


# ---- tabs ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET"])
def features(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id)
    return _page(request, account, "integration/features.html", {}, "features")


@login_required
def contacts(request: HttpRequest, account_id: int) -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    url = reverse("integration:contacts", kwargs={"account_id": account.pk})
    lists = catalogue.hs_lists(account)
    if _is_htmx(request) and (request.POST.get("_field") or request.GET.get("_field")):
        return _autosave(request, account, ContactSettingsForm, account.contacts, url,
                         {"lists": lists}, risky=_contact_risk)
    form = ContactSettingsForm(request.POST or None, instance=account.contacts, lists=lists)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect("integration:contacts", account_id=account.pk)
        status = 400
    sections = [(title, intro, [make_unit(form, n) for n in names])
                for title, intro, names in CONTACT_SECTIONS]
    create_list_url = (
        f"https://app.hubspot.com/contacts/{account.hubspot_portal_id}/lists/create"
        if account.hubspot_portal_id else "https://app.hubspot.com/contacts/lists/create"
    )
    return _page(request, account, "integration/contacts.html",
                 {"form": form, "sections": sections, "save_url": url,
                  "create_list_url": create_list_url}, "contacts", status)


def _object_sync(account: Account, spec: ObjectSpec) -> ObjectSync:
    row = ObjectSync.objects.filter(account=account, object=spec.key).first()
    if row is None:
        row = ObjectSync.objects.create(account=account, object=spec.key,
                                        sf_object=spec.sf_object, hs_object=spec.hs_type)
    return row


def _object_risk(obj: str) -> DryRunFn:
    def risk(account: Account, name: str, old: Any, new: Any) -> dryrun.DryRun | None:
        if name == "sf_deletion" and new == c.ObjectDeletionRule.DELETE and old != new:
            return dryrun.enable_deletion(_links(account, obj))
        return None

    return risk


def _object_keys() -> list[str]:
    return list(objects.keys())  # the registry's function, not a dict


def _standard_spec(obj: str) -> ObjectSpec:
    if obj not in objects.standard_keys():
        raise Http404
    return objects.get(obj)


@login_required
def object_tab(request: HttpRequest, account_id: int, object: str) -> HttpResponse:
    """Companies, Deals, Tickets: exactly the settings the engine reads (E1, H1–H3)."""
    account = account_for(request, account_id, change=request.method == "POST")
    spec = _standard_spec(object)
    row = _object_sync(account, spec)
    url = reverse(spec.settings_tab, kwargs={"account_id": account.pk})
    catalogues = {"hs_fields": catalogue.hs_properties(account, spec.hs_type),
                  "sf_fields": catalogue.sf_fields(account, spec.sf_object)}
    if _is_htmx(request) and (request.POST.get("_field") or request.GET.get("_field")):
        return _autosave(request, account, ObjectSyncForm, row, url, catalogues,
                         risky=_object_risk(object))
    form = ObjectSyncForm(request.POST or None, instance=row, **catalogues)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Saved."))
            return redirect(url)
        status = 400
    units = {n: make_unit(form, n) for n in OBJECT_UNITS}
    return _page(request, account, "integration/object.html",
                 {"form": form, "units": units, "save_url": url, "row": row, "object": object,
                  "spec": spec, "object_label": spec.label, "sf_object": spec.sf_object,
                  "domain_mapped": object == "companies" and _domain_mapped(account),
                  "value_tables": _value_tables(account, spec)}, object, status)


def _domain_mapped(account: Account) -> bool:
    """H2: HubSpot's domain is used for matching only when mapped to the Website field."""
    return FieldMapping.objects.filter(account=account, object="companies",
                                       hs_property="domain", sf_field="Website",
                                       enabled=True).exclude(sync_rule=c.SyncRule.NONE).exists()


# ---- value mappings (deal stage ⇄ opportunity stage, ticket status/priority) ---------------


def _vm_sources(account: Account, spec: ObjectSpec, vm: ValueMap
                ) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """The Salesforce picklist and the HubSpot pipelines of one value map (cached)."""
    sf_values = catalogue.sf_picklist(account, spec.sf_object, vm.sf_field)
    if vm.per_pipeline:
        return sf_values, catalogue.hs_pipelines(account, spec.hs_type)
    return sf_values, [options_pipeline(HS_PRIORITIES)]


def _pipeline_table(account: Account, vm: ValueMap, pipeline: dict[str, Any],
                    rows: list[ValueMapping], sf_values: list[tuple[str, str]]
                    ) -> dict[str, Any]:
    """One pipeline's table: its stages in order, each with its rows; rows of stages that
    are no longer in the pipeline last, so that they can be removed."""
    by_stage: dict[str, list[ValueMapping]] = {}
    for r in rows:
        by_stage.setdefault(r.hs_value, []).append(r)
    stages = [{"id": s["id"], "label": s["label"], "rows": by_stage.pop(s["id"], []),
               "gone": False} for s in pipeline["stages"]]
    stages += [{"id": hs, "label": rs[0].hs_label or hs, "rows": rs, "gone": True}
               for hs, rs in by_stage.items()]
    return {"vm": vm, "id": pipeline["id"], "label": pipeline.get("label", ""),
            "stages": stages, "sf_values": sf_values, "sf_keys": [v for v, _l in sf_values],
            "dom_id": f"vm-{vm.object}-{vm.hs_property}-{_dom(pipeline['id'])}"}


def _dom(text: str) -> str:
    return "".join(ch if ch.isalnum() else "_" for ch in text) or "none"


def _value_tables(account: Account, spec: ObjectSpec) -> list[dict[str, Any]]:
    vms = value_maps_for(spec.key)
    if not vms:
        return []
    sources = {vm.key: _vm_sources(account, spec, vm) for vm in vms}
    pipelines = next((p for vm in vms if vm.per_pipeline for p in [sources[vm.key][1]]), [])
    ensure_value_mappings(account, {k: v[0] for k, v in sources.items()},
                          {spec.key: pipelines})
    rows = list(ValueMapping.objects.filter(account=account, object=spec.key))
    tables = []
    for vm in vms:
        sf_values, hs_pipelines = sources[vm.key]
        mine = [r for r in rows if r.hs_property == vm.hs_property]
        tables.append({"vm": vm, "title": vm.title, "pipelines": [
            _pipeline_table(account, vm, p, [r for r in mine if r.pipeline == p["id"]],
                            sf_values)
            for p in hs_pipelines]})
    return tables


def _vm_for(obj: str, hs_property: str) -> ValueMap:
    for vm in value_maps_for(obj):
        if vm.hs_property == hs_property:
            return vm
    raise Http404


def _render_pipeline(request: HttpRequest, account: Account, vm: ValueMap, pipeline_id: str,
                     status: int = 200, error: str = "") -> HttpResponse:
    spec = objects.get(vm.object)
    sf_values, pipelines = _vm_sources(account, spec, vm)
    pipeline = next((p for p in pipelines if p["id"] == pipeline_id),
                    {"id": pipeline_id, "label": pipeline_id, "stages": []})
    rows = list(ValueMapping.objects.filter(account=account, object=vm.object,
                                            hs_property=vm.hs_property, pipeline=pipeline_id))
    table = _pipeline_table(account, vm, pipeline, rows, sf_values)
    return render(request, "integration/_value_table.html",
                  {"account": account, "table": table, "error": error}, status=status)


def _back_to_tab(request: HttpRequest, account: Account, vm: ValueMap, error: str = ""
                 ) -> HttpResponse:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect(objects.get(vm.object).settings_tab, account_id=account.pk)


@require_POST
@login_required
def value_mapping(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    """Sets the Salesforce value of one row (autosaves on change)."""
    account = account_for(request, account_id, change=True)
    row = get_object_or_404(ValueMapping, account=account, pk=pk)
    vm = _vm_for(row.object, row.hs_property)
    sf_values, _pipelines = _vm_sources(account, objects.get(vm.object), vm)
    value = request.POST.get("sf_value", "").strip()
    error = ""
    if value and value not in {v for v, _l in sf_values} and value != row.sf_value:
        error = _("Choose a Salesforce value from the list.")
    elif value != row.sf_value and ValueMapping.objects.filter(
            account=account, object=row.object, hs_property=row.hs_property,
            pipeline=row.pipeline, hs_value=row.hs_value, sf_value=value).exists():
        error = _("This HubSpot value is already mapped to that Salesforce value.")
    saved = False
    if not error and value != row.sf_value:
        row.sf_value = value
        row.save(update_fields=["sf_value"])
        saved = True
    if not _is_htmx(request):
        return _back_to_tab(request, account, vm, error)
    return render(request, "integration/_value_row.html",
                  {"account": account, "r": row, "sf_values": sf_values, "saved": saved,
                   "sf_keys": [v for v, _l in sf_values], "error": error},
                  status=INVALID if error else 200)


@require_POST
@login_required
def value_mapping_add(request: HttpRequest, account_id: int) -> HttpResponse:
    """"+ Add a Salesforce value for this stage": a new, not yet mapped row for the stage."""
    account = account_for(request, account_id, change=True)
    obj, prop = request.POST.get("object", ""), request.POST.get("hs_property", "")
    vm = _vm_for(obj, prop)
    pipeline_id, hs_value = request.POST.get("pipeline", ""), request.POST.get("hs_value", "")
    spec = objects.get(vm.object)
    _sf, pipelines = _vm_sources(account, spec, vm)
    stages = {s["id"]: s["label"] for p in pipelines if p["id"] == pipeline_id
              for s in p["stages"]}
    existing = ValueMapping.objects.filter(account=account, object=obj, hs_property=prop,
                                           pipeline=pipeline_id, hs_value=hs_value)
    error = ""
    if hs_value not in stages and not existing.exists():
        error = _("This stage is not in the HubSpot pipeline.")
    elif existing.filter(sf_value="").exists():
        error = _("This stage already has a row without a Salesforce value: choose its value "
                  "first.")
    else:
        ValueMapping.objects.create(
            account=account, object=obj, hs_property=prop, pipeline=pipeline_id,
            hs_value=hs_value, sf_value="",
            hs_label=str(stages.get(hs_value) or getattr(existing.first(), "hs_label", "")))
    if not _is_htmx(request):
        return _back_to_tab(request, account, vm, error)
    return _render_pipeline(request, account, vm, pipeline_id, INVALID if error else 200, error)


@require_POST
@login_required
def value_mapping_remove(request: HttpRequest, account_id: int, pk: int) -> HttpResponse:
    account = account_for(request, account_id, change=True)
    row = get_object_or_404(ValueMapping, account=account, pk=pk)
    vm = _vm_for(row.object, row.hs_property)
    spec = objects.get(vm.object)
    _sf, pipelines = _vm_sources(account, spec, vm)
    in_pipeline = any(s["id"] == row.hs_value for p in pipelines if p["id"] == row.pipeline
                      for s in p["stages"])
    others = ValueMapping.objects.filter(
        account=account, object=row.object, hs_property=row.hs_property,
        pipeline=row.pipeline, hs_value=row.hs_value).exclude(pk=row.pk)
    error = ""
    if in_pipeline and not others.exists():
        error = _("A HubSpot stage keeps at least one row: choose “— not mapped —” instead.")
    else:
        row.delete()
    if not _is_htmx(request):
        return _back_to_tab(request, account, vm, error)
    return _render_pipeline(request, account, vm, row.pipeline, INVALID if error else 200,
                            error)


@login_required
def activities(request: HttpRequest, account_id: int, kind: str = "tasks") -> HttpResponse:
    account = account_for(request, account_id, change=request.method == "POST")
    if kind not in c.SfActivityKind.values:
        raise Http404
    kind_url = reverse("integration:sf_activity", kwargs={"account_id": account.pk,
                                                          "kind": kind})
    setting = SfActivitySetting.objects.filter(account=account, kind=kind).first()
    if setting is None:
        setting = SfActivitySetting.objects.create(account=account, kind=kind)
    events = list(TimelineEventSetting.objects.filter(account=account))
    order = {v: i for i, v in enumerate(c.TimelineEvent.values)}
    events.sort(key=lambda e: order.get(e.event, 99))
    timeline_url = reverse("integration:activities", kwargs={"account_id": account.pk})
    if request.method == "POST" and request.POST.get("_row"):  # one timeline row (htmx)
        row = get_object_or_404(TimelineEventSetting, account=account, pk=request.POST["_row"])
        form = TimelineEventForm(request.POST, instance=row, prefix=f"ev{row.pk}")
        ok = form.is_valid()
        if ok:
            form.save()
        return render(request, "integration/_timeline_row.html",
                      {"ev": {"row": row, "form": form, "saved": ok}, "save_url": timeline_url},
                      status=200 if ok else INVALID)
    if _is_htmx(request) and (request.POST.get("_field") or request.GET.get("_field")):
        return _autosave(request, account, SfActivityForm, setting, kind_url)
    kind_form = SfActivityForm(request.POST or None, instance=setting)
    status = 200
    if request.method == "POST":
        if "timeline" in request.POST:
            forms_ = [TimelineEventForm(request.POST, instance=e, prefix=f"ev{e.pk}")
                      for e in events]
            if all(f.is_valid() for f in forms_):
                for f in forms_:
                    f.save()
                messages.success(request, _("Saved."))
                return redirect(timeline_url)
            status = 400
        elif kind_form.is_valid():
            kind_form.save()
            messages.success(request, _("Saved."))
            return redirect(kind_url)
        else:
            status = 400
    rows = [{"row": e, "form": TimelineEventForm(instance=e, prefix=f"ev{e.pk}")}
            for e in events]
    units = [make_unit(kind_form, n) for n in ("enabled", "deletion", "conflict_app")]
    kinds = [(k, label, reverse("integration:sf_activity",
                                kwargs={"account_id": account.pk, "kind": k}))
             for k, label in c.SfActivityKind.choices]
    return _page(request, account, "integration/activities.html",
                 {"rows": rows, "timeline_url": timeline_url, "units": units,
                  "save_url": kind_url, "kind": kind, "kinds": kinds,
                  "kind_label": c.SfActivityKind(kind).label,
                  **activity_views.mapping_context(account, kind)}, "activities", status)


@login_required
def audit_log(request: HttpRequest, account_id: int) -> HttpResponse:
    """Who changed what, filterable by object and person, paged (FEATURES J2, issue 17)."""
    from django.core.paginator import Paginator

    from syncadmin.audit import display

    account = account_for(request, account_id)
    base = AuditEntry.objects.filter(account=account)
    qs = base.select_related("user")
    chosen = {"object": request.GET.get("object", ""), "user": request.GET.get("user", "")}
    if chosen["object"]:
        qs = qs.filter(object=chosen["object"])
    if chosen["user"].isdigit():
        qs = qs.filter(user_id=int(chosen["user"]))
    else:
        chosen["user"] = ""
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    objects_seen = list(base.exclude(object="").order_by().values_list("object", flat=True)
                        .distinct())
    people = list(base.exclude(user=None).order_by().values_list(
        "user_id", "user__username").distinct())
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return _page(request, account, "integration/audit.html", {
        "page": page, "lines": [display.line(e) for e in page], "chosen": chosen,
        "query": query, "object_choices": display.object_choices(objects_seen),
        "people": sorted(people, key=lambda p: p[1])}, "audit")
