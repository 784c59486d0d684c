from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from encrypted_model_fields.fields import EncryptedTextField


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin (can change settings)")
    VIEWER = "viewer", _("Viewer (read-only)")


class Account(models.Model):
    """One HubSpot portal (the tenant) and the one Salesforce org it connects to."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    hubspot_portal_id = models.CharField(_("HubSpot portal id"), max_length=32, blank=True)
    hubspot_host = models.URLField(_("HubSpot API host"), blank=True)
    sf_org_id = models.CharField(_("Salesforce org id"), max_length=18, blank=True, db_index=True)
    sf_instance_url = models.URLField(_("Salesforce instance URL"), blank=True)
    sf_login_url = models.URLField(_("Salesforce login host"), blank=True)
    sf_is_sandbox = models.BooleanField(_("Salesforce sandbox"), default=False)
    sf_user_id = models.CharField(max_length=18, blank=True)
    sf_user_name = models.CharField(_("integration user"), max_length=200, blank=True)
    sf_username = models.CharField(_("integration username"), max_length=200, blank=True)
    # Extra CA bundle for this account's remotes (the sandbox emulators' local CA).
    tls_ca_file = models.CharField(max_length=500, blank=True)
    sync_enabled = models.BooleanField(_("sync on"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def sf_connected(self) -> bool:
        return bool(self.sf_instance_url and self.credentials.sf_access_token)

    @property
    def hs_connected(self) -> bool:
        return bool(self.hubspot_portal_id and self.credentials.hs_access_token)


class Credentials(models.Model):
    """OAuth tokens of both systems, encrypted at rest (Fernet, rotatable keys)."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="credentials")
    sf_access_token = EncryptedTextField(blank=True)
    sf_refresh_token = EncryptedTextField(blank=True)
    hs_access_token = EncryptedTextField(blank=True)
    hs_refresh_token = EncryptedTextField(blank=True)
    hs_token_expires_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "credentials"

    def __str__(self) -> str:
        return f"Credentials of {self.account}"


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "account"], name="one_membership_per_account")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.account} ({self.role})"

    @property
    def can_change(self) -> bool:
        return self.role == Role.ADMIN


def mask(secret: str) -> str:
    """Shows a token's last four characters only."""
    if not secret:
        return ""
    return "••••" + secret[-4:] if len(secret) > 8 else "••••"
