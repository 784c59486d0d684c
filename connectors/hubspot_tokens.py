"""HubSpot OAuth tokens for `HubSpotAdapter` (a mixin): refresh through the v3 token endpoint,
before expiry (FEATURES A2) as well as after a 401, and what a token says about itself
(v3 introspection, account details).

HubSpot retires the v1 token endpoints on 16 February 2027
(https://developers.hubspot.com/changelog/v1-oauth-api-deprecation); hubspot-api-client 12
knows only v1, so the v3 requests go through the SDK's own oauth ApiClient (`call_api`): the
adapter's counting pool and ledger see them like every other request (DESIGN.md decision 6).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from connectors.errors import Kind, RemoteError
from connectors.oauth import HUBSPOT_ACCOUNT_PATH, HUBSPOT_INTROSPECT_PATH, HUBSPOT_TOKEN_PATH

if TYPE_CHECKING:
    from connectors.hubspot import HubSpotConfig

REMOTE = "hubspot"
# Called with (access token, refresh token, access token's expiry or None) after a refresh.
TokenRefreshed = Callable[[str, str, datetime | None], None]


class TokenRefresh:
    """Mixed into HubSpotAdapter, which provides the state below, `_call` and `client`."""

    config: HubSpotConfig
    client: Any
    on_token_refresh: TokenRefreshed | None
    _access: str
    _refresh_token: str
    _expires_at: datetime | None
    _call: Callable[[Callable[[], Any]], Any]
    remote_error: Callable[[BaseException], RemoteError | None]

    def _can_refresh(self) -> bool:
        c = self.config
        return bool(self._refresh_token and c.client_id and c.client_secret)

    def _expiring(self) -> bool:
        at = self._expires_at
        if at is None or not self._can_refresh():
            return False
        return datetime.now(UTC) >= _aware(at) - timedelta(seconds=self.config.refresh_margin)

    def _oauth_call(self, path: str, method: str, form: dict[str, str] | None = None,
                    bearer: bool = False) -> dict[str, Any]:
        """A request to an endpoint hubspot-api-client 12 has no method for (the v3 token
        endpoints, account details), through its oauth ApiClient: same pool, same ledger."""
        headers = {"Accept": "application/json"}
        if form is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if bearer:
            headers["Authorization"] = f"Bearer {self._access}"
        api_client = self.client.oauth.tokens_api.api_client
        res = api_client.call_api(
            path, method, header_params=headers, post_params=list((form or {}).items()),
            response_types_map={200: "object"}, auth_settings=[],
            _return_http_data_only=True)
        return dict(res or {})

    def _do_refresh(self) -> None:
        """POST /oauth/v3/token (refresh_token grant); v1 is retired in February 2027."""
        c = self.config
        form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token,
                "client_id": c.client_id, "client_secret": c.client_secret}
        try:
            tok = self._oauth_call(HUBSPOT_TOKEN_PATH, "POST", form)
        except Exception as exc:
            err = self.remote_error(exc)
            if err is None:
                raise
            raise RemoteError(Kind.AUTH_EXPIRED, f"Token refresh failed: {err.message}",
                              code=err.code, remote=REMOTE, status=err.status) from exc
        self._access = str(tok["access_token"])
        self._refresh_token = str(tok.get("refresh_token") or self._refresh_token)
        expires_in = tok.get("expires_in")
        self._expires_at = (datetime.now(UTC) + timedelta(seconds=int(expires_in))
                            if expires_in else None)
        if self.on_token_refresh is not None:
            self.on_token_refresh(self._access, self._refresh_token, self._expires_at)

    def portal_id(self) -> str:
        """The portal of the token, whatever its kind (GET /account-info/v3/details)."""
        res = self._call(partial(self._oauth_call, HUBSPOT_ACCOUNT_PATH, "GET", bearer=True))
        return str(res.get("portalId") or "")

    def token_info(self) -> dict[str, Any]:
        """The OAuth token's metadata by v3 introspection (`active`, `hub_id`, `scopes`,
        `expires_in` …; {"active": False} for a token that is not this app's)."""
        c = self.config
        form = {"client_id": c.client_id, "client_secret": c.client_secret,
                "token": self._access, "token_type_hint": "access_token"}
        return dict(self._call(partial(self._oauth_call, HUBSPOT_INTROSPECT_PATH, "POST",
                                       form)))


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)
