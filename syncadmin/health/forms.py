from __future__ import annotations

from typing import Any

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from syncadmin.integration.models import ApiSettings

COLUMN_CHOICES = [
    ("label", _("Record")),
    ("object", _("Object")),
    ("status", _("Sync status")),
    ("email", _("Email")),
    ("hs_id", _("HubSpot record")),
    ("sf_id", _("Salesforce record")),
    ("sf_object", _("Salesforce object")),
    ("excluded_reason", _("Excluded because")),
    ("synced_at", _("Last synced")),
    ("updated_at", _("Last updated")),
]
DEFAULT_COLUMNS = ["label", "object", "status", "hs_id", "sf_id", "synced_at"]


class AllocationForm(forms.ModelForm):
    """Allocated to HubSpot: a positive whole number, not above Salesforce's own limit."""

    allocation = forms.IntegerField(
        label=_("Allocated to HubSpot"),
        min_value=1,
        error_messages={
            "required": _("Enter the number of Salesforce API calls to allocate."),
            "invalid": _("Enter a whole number of API calls, such as 25000."),
            "min_value": _("The allocation must be at least 1 API call per 24 hours."),
        },
    )

    class Meta:
        model = ApiSettings
        fields = ["allocation"]

    def __init__(self, *args: Any, sf_limit: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sf_limit = sf_limit or None
        self.fields["allocation"].widget.attrs.update({"min": 1, "step": 1,
                                                       "inputmode": "numeric"})
        if self.sf_limit:
            self.fields["allocation"].widget.attrs["max"] = self.sf_limit

    def clean_allocation(self) -> int:
        value: int = self.cleaned_data["allocation"]
        if self.sf_limit and value > self.sf_limit:
            raise forms.ValidationError(
                _("The allocation cannot be above the Salesforce limit of %(limit)s calls "
                  "per 24 hours."),
                code="above_sf_limit",
                params={"limit": number_format(self.sf_limit, force_grouping=True)},
            )
        return value


class ColumnsForm(forms.Form):
    columns = forms.MultipleChoiceField(
        label=_("Columns"), choices=COLUMN_CHOICES, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one column.")},
    )
