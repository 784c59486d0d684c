from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from syncadmin.integration import choices as c
from syncadmin.integration.models import (
    ApiSettings,
    ContactSettings,
    FieldMapping,
    ObjectSync,
    SfActivitySetting,
    TimelineEventSetting,
)


class ContactSettingsForm(forms.ModelForm):
    class Meta:
        model = ContactSettings
        fields = [
            "sf_to_hs_create", "hs_to_sf_object", "sf_deletion", "lifecycle",
            "company_lifecycle_sync", "inclusion_list_id", "sf_picklist_mode",
            "hs_state_country_mode", "only_with_email", "direction", "conflict_app",
        ]

    def __init__(self, *args: Any, lists: list[tuple[str, str]] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options: list[tuple[str, str]] = [("", str(_("All contacts (no inclusion list)")))]
        options += list(lists or [])
        current = self.instance.inclusion_list_id if self.instance else ""
        if current and current not in {k for k, _v in options}:
            options.append((current, str(_("List %(id)s") % {"id": current})))
        self.fields["inclusion_list_id"].widget = forms.Select(choices=options)


class AllocationForm(forms.ModelForm):
    class Meta:
        model = ApiSettings
        fields = ["allocation"]


FILTER_FIELDS = ("field", "operator", "value")
Entry = tuple[str, str, str]  # catalogue (name, label, type)


def _catalogue_select(entries: list[Entry], current: str, blank: str) -> forms.ChoiceField:
    """A dropdown of catalogue fields; the saved value stays listed even if it has gone."""
    opts = [(n, f"{label} ({n})") for n, label, _t in entries]
    if current and current not in {n for n, _l in opts}:
        opts.append((current, current))
    return forms.ChoiceField(choices=[("", blank), *opts], required=False)


class ObjectSyncForm(forms.ModelForm):
    """An object tab: on/off, direction, conflict app, deletion rule, one initial-sync filter
    per side (E1, H1, H3). With catalogues, the filter fields are dropdowns of the object's
    HubSpot properties and Salesforce fields."""

    hs_filter_field = forms.CharField(label=_("HubSpot property"), required=False, max_length=100)
    hs_filter_operator = forms.ChoiceField(
        label=_("Operator"), required=False,
        choices=[("", "—"), *c.FilterOperator.choices])
    hs_filter_value = forms.CharField(label=_("Value"), required=False, max_length=200)
    sf_filter_field = forms.CharField(label=_("Salesforce field"), required=False,
                                      max_length=100)
    sf_filter_operator = forms.ChoiceField(
        label=_("Operator"), required=False,
        choices=[("", "—"), *c.FilterOperator.choices])
    sf_filter_value = forms.CharField(label=_("Value"), required=False, max_length=200)

    class Meta:
        model = ObjectSync
        fields = ["enabled", "direction", "conflict_app", "sf_deletion"]

    unit_notes = {
        "enabled": [_("Associated records sync only when that object's sync is on too.")],
        "direction": [_("Two-way: changes on either side reach the other. Only to HubSpot or "
                        "Only to Salesforce: the other side's changes are not synced back.")],
        "sf_deletion": [_("Deleting a record in HubSpot never deletes anything in "
                          "Salesforce.")],
    }

    def __init__(self, *args: Any, hs_fields: list[Entry] | None = None,
                 sf_fields: list[Entry] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for side, entries in (("hs", hs_fields), ("sf", sf_fields)):
            flt = getattr(self.instance, f"{side}_filter", None) or {}
            if entries is not None:
                name = f"{side}_filter_field"
                select = _catalogue_select(entries, str(flt.get("field", "")),
                                           str(_("— no filter —")))
                select.label = self.fields[name].label
                self.fields[name] = select
            for part in FILTER_FIELDS:
                self.fields[f"{side}_filter_{part}"].initial = flt.get(part, "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for side in ("hs", "sf"):
            parts = {p: (data.get(f"{side}_filter_{p}") or "").strip() for p in FILTER_FIELDS}
            flt = {k: v for k, v in parts.items() if v}
            setattr(self.instance, f"{side}_filter", flt)
        return data

    def _update_errors(self, errors: Any) -> None:  # type: ignore[misc]
        # The model reports filter problems on hs_filter/sf_filter: show them on the inputs.
        if hasattr(errors, "error_dict"):
            for side in ("hs", "sf"):
                if f"{side}_filter" in errors.error_dict:
                    errors.error_dict[f"{side}_filter_field"] = errors.error_dict.pop(
                        f"{side}_filter")
        super()._update_errors(errors)  # type: ignore[misc]


class CustomObjectForm(ObjectSyncForm):
    """A custom object's settings: only what the one-way sync reads (E3)."""

    class Meta(ObjectSyncForm.Meta):
        fields = ["enabled", "sf_deletion"]

    unit_notes = {
        **ObjectSyncForm.unit_notes,
        "enabled": [_("Records sync one way, Salesforce to HubSpot; changes made in HubSpot "
                      "are not synced back. Lookups to accounts and contacts become "
                      "associations when Companies or Contacts sync too.")],
    }


class CustomObjectAddForm(forms.ModelForm):
    """Picks a custom object from the org's describe (E3): a typed name is never taken."""

    class Meta:
        model = ObjectSync
        fields = ["sf_object"]

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.object = c.SyncObject.CUSTOM
        self.instance.direction = c.Direction.TO_HUBSPOT
        self.instance.conflict_app = c.App.SALESFORCE
        self.fields["sf_object"] = forms.ChoiceField(
            label=_("Salesforce custom object"),
            choices=[("", _("— choose an object —")),
                     *[(name, f"{label} ({name})") for name, label in choices]],
            error_messages={"invalid_choice": _("%(value)s is not a custom object of the "
                                                "connected Salesforce org.")})

    def clean_sf_object(self) -> str:
        name = str(self.cleaned_data["sf_object"])
        if ObjectSync.objects.filter(account=self.instance.account, object="custom",
                                     sf_object=name).exists():
            raise forms.ValidationError(_("This custom object is already added."))
        return name


class SfActivityForm(forms.ModelForm):
    class Meta:
        model = SfActivitySetting
        fields = ["enabled", "deletion", "conflict_app"]


class TimelineEventForm(forms.ModelForm):
    class Meta:
        model = TimelineEventSetting
        fields = ["enabled", "sf_task_type"]


LEAD_SAME = ""  # the Lead field with the contact field's API name, when the Lead has one
LEAD_NONE = "-"  # no Lead field: leads do not get this value


class MappingForm(forms.ModelForm):
    """Add or edit a mapping in the side panel; choices come from the catalogue.

    For contacts (`lead_choices` given) the mapping also names its Lead field (FEATURES D,
    F3): leads are the default HubSpot → Salesforce target.
    """

    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = FieldMapping
        fields = ["hs_property", "sf_field", "sync_rule", "conflict_app", "enabled"]

    def __init__(self, *args: Any, sf_choices: list[Entry], hs_choices: list[Entry],
                 lead_choices: list[Entry] | None = None, one_way: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if one_way:  # custom objects (E3): Salesforce → HubSpot only, nothing to prefer
            self.fields["sync_rule"].choices = [  # type: ignore[attr-defined]
                (v, lbl) for v, lbl in c.SyncRule.choices if v != c.SyncRule.TWO_WAY]
            del self.fields["conflict_app"]
        self.sf_types = {n: t for n, _l, t in sf_choices}
        self.hs_types = {n: t for n, _l, t in hs_choices}
        self.lead_types = {n: t for n, _l, t in lead_choices or []}
        sf_opts = [(n, f"{label} ({n}) · {t}") for n, label, t in sf_choices]
        hs_opts = [(n, f"{label} ({n}) · {t}") for n, label, t in hs_choices]
        for name, opts in (("sf_field", sf_opts), ("hs_property", hs_opts)):
            current = getattr(self.instance, name, "")
            if current and current not in {k for k, _v in opts}:
                opts.append((current, current))
            self.fields[name].widget = forms.Select(choices=[("", "—"), *opts])
        if lead_choices is not None:
            lead_opts = [(n, f"{label} ({n}) · {t}") for n, label, t in lead_choices]
            current = self.instance.sf_lead_field
            if current and current not in self.lead_types:
                lead_opts.append((current, current))
            self.fields["sf_lead_field"] = forms.ChoiceField(
                label=_("Salesforce lead field"), required=False,
                choices=[(LEAD_SAME, _("Same field as the contact's, if the Lead has it")),
                         (LEAD_NONE, _("No lead field (leads don't get this value)")),
                         *lead_opts],
                initial=(current or LEAD_NONE) if self.instance.pk else LEAD_SAME,
            )
            self.order_fields(["hs_property", "sf_field", "sf_lead_field"])
        if self.instance.pk:
            # An existing mapping's pair is fixed: remove it and add another to change it.
            self.fields["hs_property"].disabled = True
            self.fields["sf_field"].disabled = True
        if self.instance.required:
            self.fields["enabled"].disabled = True

    def clean(self) -> dict[str, Any]:
        from syncadmin.integration.types import incompatibility, mapping_type

        data = super().clean() or {}
        sf, hs = data.get("sf_field"), data.get("hs_property")
        if sf and hs and not self.instance.pk:
            if sf not in self.sf_types:
                self.add_error("sf_field", _("Choose a Salesforce field from the list."))
            elif hs not in self.hs_types:
                self.add_error("hs_property", _("Choose a HubSpot property from the list."))
            elif FieldMapping.objects.filter(
                account_id=self.instance.account_id, object=self.instance.object,
                hs_property=hs,
            ).exists():
                self.add_error("hs_property", _("This HubSpot property is already mapped."))
            else:
                reason = incompatibility(self.sf_types[sf], self.hs_types[hs])
                if reason:
                    self.add_error("sf_field", reason)
                else:
                    self.instance.field_type = mapping_type(self.sf_types[sf], self.hs_types[hs])
        if "sf_lead_field" in self.fields and "sf_lead_field" in data:
            self._clean_lead_field(data, sf or "", hs or "")
        return data

    def _clean_lead_field(self, data: dict[str, Any], sf: str, hs: str) -> None:
        from syncadmin.integration.types import incompatibility

        choice = data.get("sf_lead_field") or LEAD_SAME
        if choice == LEAD_NONE:
            lead = ""
        elif choice == LEAD_SAME:
            lead = sf if sf in self.lead_types else ""
        elif choice in self.lead_types or choice == self.instance.sf_lead_field:
            lead = choice
        else:
            self.add_error("sf_lead_field", _("Choose a Salesforce lead field from the list."))
            return
        if lead and hs in self.hs_types and lead in self.lead_types:
            reason = incompatibility(self.lead_types[lead], self.hs_types[hs])
            if reason:
                self.add_error("sf_lead_field", reason)
                return
        self.instance.sf_lead_field = lead
