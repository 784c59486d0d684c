from django import forms

from syncadmin.integration.models import ApiSettings, ContactSettings


class ContactSettingsForm(forms.ModelForm):
    class Meta:
        model = ContactSettings
        fields = [
            "sf_to_hs_create", "hs_to_sf_object", "sf_deletion", "lifecycle",
            "company_lifecycle_sync", "inclusion_list_id", "sf_picklist_mode",
            "hs_state_country_mode", "only_with_email", "direction", "conflict_app",
        ]


class AllocationForm(forms.ModelForm):
    class Meta:
        model = ApiSettings
        fields = ["allocation"]
