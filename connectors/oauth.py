"""The OAuth 2.0 requests of connecting an account: code exchange and "who is this" lookups.

The web-server flow's redirects happen in the views; the requests to the remotes' token and
identity endpoints happen here, so that no view talks to a remote (DESIGN.md). These are not
API calls in Salesforce's accounting, so nothing is counted in the usage ledger (as with the
adapters' token refresh). Every failure is a RemoteError:

- the remote could not be reached: Kind.UNAVAILABLE, code UNREACHABLE, the message names the
  transport failure (e.g. "ConnectTimeout"); the requests exception is chained;
- it answered with an error: classified by status (401/400 → AUTH_EXPIRED, 403 →
  INSUFFICIENT_ACCESS, 429 → RATE_LIMITED, 5xx → UNAVAILABLE, else GENERIC), the code is the
  OAuth `error` (e.g. invalid_grant) and the message its description;
- it answered 2xx with something else than the expected JSON object: Kind.GENERIC, code
  UNEXPECTED_ANSWER.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from connectors.errors import Kind, RemoteError

TIMEOUT = 15.0
UNREACHABLE = "UNREACHABLE"
UNEXPECTED_ANSWER = "UNEXPECTED_ANSWER"


@dataclass(frozen=True)
class SalesforceIdentity:
    """The userinfo of the connected Salesforce user (ids as Salesforce sends them)."""

    organization_id: str
    user_id: str
    name: str
    preferred_username: str
    email: str


@dataclass(frozen=True)
class SalesforceGrant:
    access_token: str
    refresh_token: str  # "" when Salesforce sent none
    instance_url: str  # "" when Salesforce sent none
    identity: SalesforceIdentity


@dataclass(frozen=True)
class HubSpotGrant:
    access_token: str
    refresh_token: str  # "" when HubSpot sent none
    expires_in: int | None  # seconds
    hub_id: str  # the portal id; "" when HubSpot did not say


def _session(ca_file: str | None) -> requests.Session:
    """Trusts `ca_file` (the sandbox's CA) or the system store; ignores REQUESTS_CA_BUNDLE."""
    session = requests.Session()
    session.trust_env = False
    session.verify = ca_file or True
    return session


def _classify(status: int, body: Any, reason: str, remote: str) -> RemoteError:
    body = body if isinstance(body, dict) else {}
    detail = str(body.get("error_description") or body.get("message") or body.get("error")
                 or reason)
    # OAuth's `error`; HubSpot's v3 bodies say why in subCategory, under a broad category.
    code = str(body.get("error") or body.get("subCategory") or body.get("category")
               or f"HTTP_{status}")
    if status >= 500:
        kind = Kind.UNAVAILABLE
    elif status == 429:
        kind = Kind.RATE_LIMITED
    elif status == 403:
        kind = Kind.INSUFFICIENT_ACCESS
    elif status in (400, 401):  # invalid_grant, invalid_client, an expired or revoked token
        kind = Kind.AUTH_EXPIRED
    else:
        kind = Kind.GENERIC
    return RemoteError(kind, detail, code=code, remote=remote, status=status)


def _json(session: requests.Session, method: str, url: str, remote: str, *,
          timeout: float, **kwargs: Any) -> dict[str, Any]:
    try:
        response = session.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise RemoteError(Kind.UNAVAILABLE, type(exc).__name__, code=UNREACHABLE,
                          remote=remote) from exc
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code >= 400:
        raise _classify(response.status_code, body, response.reason or "", remote)
    if not isinstance(body, dict):
        raise RemoteError(Kind.GENERIC, "The answer is not a JSON object",
                          code=UNEXPECTED_ANSWER, remote=remote, status=response.status_code)
    return body


def _required(body: dict[str, Any], key: str, remote: str) -> str:
    value = body.get(key)
    if not value:
        raise RemoteError(Kind.GENERIC, f"The answer has no {key}", code=UNEXPECTED_ANSWER,
                          remote=remote)
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def salesforce_identity(base_url: str, access_token: str, ca_file: str | None = None, *,
                        timeout: float = TIMEOUT,
                        session: requests.Session | None = None) -> SalesforceIdentity:
    """GET {base_url}/services/oauth2/userinfo (base_url: the login or the instance URL)."""
    http = session or _session(ca_file)
    try:
        info = _json(http, "GET", f"{base_url.rstrip('/')}/services/oauth2/userinfo",
                     "salesforce", timeout=timeout,
                     headers={"Authorization": f"Bearer {access_token}"})
    finally:
        if session is None:
            http.close()
    return SalesforceIdentity(
        organization_id=_text(info.get("organization_id")),
        user_id=_text(info.get("user_id")),
        name=_text(info.get("name")),
        preferred_username=_text(info.get("preferred_username")),
        email=_text(info.get("email")),
    )


def exchange_salesforce_code(login_url: str, client_id: str, client_secret: str, code: str,
                             redirect_uri: str, ca_file: str | None = None, *,
                             timeout: float = TIMEOUT) -> SalesforceGrant:
    """Trades the authorization code for tokens at {login_url}/services/oauth2/token, then
    asks the same login host who the user is."""
    login = login_url.rstrip("/")
    with _session(ca_file) as http:
        token = _json(http, "POST", f"{login}/services/oauth2/token", "salesforce",
                      timeout=timeout, data={
                          "grant_type": "authorization_code", "code": code,
                          "client_id": client_id, "client_secret": client_secret,
                          "redirect_uri": redirect_uri,
                      })
        access = _required(token, "access_token", "salesforce")
        identity = salesforce_identity(login, access, timeout=timeout, session=http)
    return SalesforceGrant(access_token=access,
                           refresh_token=_text(token.get("refresh_token")),
                           instance_url=_text(token.get("instance_url")),
                           identity=identity)


# HubSpot's current OAuth endpoints: v1 (/oauth/v1/token, /oauth/v1/access-tokens/{token})
# is retired on 16 February 2027 (https://developers.hubspot.com/changelog/v1-oauth-api-
# deprecation). v3 takes every parameter in the form body
# (https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide).
HUBSPOT_TOKEN_PATH = "/oauth/v3/token"
HUBSPOT_INTROSPECT_PATH = "/oauth/v3/token/introspect"
HUBSPOT_ACCOUNT_PATH = "/account-info/v3/details"


def hubspot_hub_id(host: str, access_token: str, ca_file: str | None = None, *,
                   timeout: float = TIMEOUT, session: requests.Session | None = None) -> str:
    """The portal id of any token, a private app's too: GET {host}/account-info/v3/details
    ("" if not said). Introspection would need the app's client secret, which a private app
    token has none of."""
    http = session or _session(ca_file)
    try:
        info = _json(http, "GET", f"{host.rstrip('/')}{HUBSPOT_ACCOUNT_PATH}", "hubspot",
                     timeout=timeout, headers={"Authorization": f"Bearer {access_token}"})
    finally:
        if session is None:
            http.close()
    return _text(info.get("portalId"))


def exchange_hubspot_code(host: str, client_id: str, client_secret: str, code: str,
                          redirect_uri: str, ca_file: str | None = None, *,
                          timeout: float = TIMEOUT) -> HubSpotGrant:
    """Trades the authorization code for tokens at {host}/oauth/v3/token. The answer names
    the portal; when it does not, the token's account details do."""
    host = host.rstrip("/")
    with _session(ca_file) as http:
        token = _json(http, "POST", f"{host}{HUBSPOT_TOKEN_PATH}", "hubspot", timeout=timeout,
                      data={
                          "grant_type": "authorization_code", "code": code,
                          "client_id": client_id, "client_secret": client_secret,
                          "redirect_uri": redirect_uri,
                      })
        access = _required(token, "access_token", "hubspot")
        hub_id = _text(token.get("hub_id")) or hubspot_hub_id(host, access, timeout=timeout,
                                                              session=http)
    expires = token.get("expires_in")
    return HubSpotGrant(access_token=access, refresh_token=_text(token.get("refresh_token")),
                        expires_in=int(expires) if expires else None, hub_id=hub_id)
