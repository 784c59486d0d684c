from django.contrib import admin

from syncadmin.accounts.models import Account, Credentials, Membership, mask


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "hubspot_portal_id", "sf_org_id", "sf_is_sandbox", "sync_enabled"]
    search_fields = ["name", "hubspot_portal_id", "sf_org_id"]
    inlines = [MembershipInline]


@admin.register(Credentials)
class CredentialsAdmin(admin.ModelAdmin):
    """Tokens are never shown back in full, and are not editable here."""

    list_display = ["account", "sf_token", "hs_token", "updated_at"]
    fields = ("account", "sf_token", "hs_token", "hs_token_expires_at", "updated_at")
    readonly_fields = fields

    @admin.display(description="Salesforce token")
    def sf_token(self, obj: Credentials) -> str:
        return mask(obj.sf_access_token)

    @admin.display(description="HubSpot token")
    def hs_token(self, obj: Credentials) -> str:
        return mask(obj.hs_access_token)

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "account", "role"]
    list_filter = ["role"]
