"""OAuth of the HubSpot emulator: the one-button consent page (GET/POST /oauth/authorize),
the token endpoints and the account details a token belongs to.

v3 (https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/guide), what the product
calls:
    POST /oauth/v3/token             form body only: client_id and client_secret in the query
                                     string are refused ("parameters are included in the
                                     request body"); authorization_code and refresh_token
                                     grants -> {access_token, refresh_token, expires_in,
                                     token_type, hub_id, user_id, scopes}
    POST /oauth/v3/token/introspect  {client_id, client_secret, token, token_type_hint} ->
                                     the token's metadata with "active": true (token_use
                                     access_token or refresh_token), or {"active": false}
                                     for an unknown, expired or other app's token (RFC 7662)
    Errors are HubSpot's standard body (category, correlationId, message,
    https://developers.hubspot.com/docs/api-reference/auth-oauth-v3/public-token/post-oauth-v3-token):
    400 VALIDATION_ERROR with the v1 status names (BAD_CLIENT_ID, BAD_REFRESH_TOKEN …) as
    subCategory, the emulator's own choice.
v1 (/oauth/v1/token, /oauth/v1/access-tokens/{t}, /oauth/v1/refresh-tokens/{t}) is still
served with its own error bodies ({"status": "BAD_REFRESH_TOKEN", …}): HubSpot retires it on
16 February 2027 (https://developers.hubspot.com/changelog/v1-oauth-api-deprecation).
GET /account-info/v3/details answers the portal of any token, private app tokens included
(https://developers.hubspot.com/docs/api-reference/latest/account/account-information/get-account-details).
"""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Callable
from urllib.parse import urlencode

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from connectors.sandbox.hs_base import SCOPES, HSError, HubSpotBase, Token, _cid


class OAuthMixin(HubSpotBase):
    def issue_oauth(self, scopes: list[str] | None = None) -> Token:
        with self.lock:
            refresh = str(uuid.uuid4())
            self.refresh_tokens[refresh] = list(scopes or SCOPES)
            return self._new_access(refresh)

    def _new_access(self, refresh: str) -> Token:
        access = "CO" + secrets.token_urlsafe(48)
        tok = Token(access, "oauth", time.time() + self.token_ttl, refresh,
                    scopes=self.refresh_tokens[refresh])
        self.tokens[access] = tok
        return tok

    def authorize_page(self, req: Request) -> Response:
        a = req.args
        if a.get("client_id") != self.client_id:
            return Response("Unknown client_id", status=400)
        fields = "".join(
            f'<input type="hidden" name="{k}" value="{_html(a.get(k, ""))}">'
            for k in ("client_id", "redirect_uri", "scope", "state", "optional_scope"))
        html = (f"<!doctype html><title>Authorize</title><h1>Connect HubSpot portal "
                f"{self.portal.hub_id}</h1><p>Scopes: {_html(a.get('scope', ''))}</p>"
                f'<form method="post" action="/oauth/authorize">{fields}'
                f'<button type="submit" id="grant">Grant access</button></form>')
        return Response(html, content_type="text/html; charset=utf-8")

    def authorize_grant(self, req: Request) -> Response:
        f = req.form
        if f.get("client_id") != self.client_id or not f.get("redirect_uri"):
            return Response("Unknown client_id or missing redirect_uri", status=400)
        code = secrets.token_urlsafe(24)
        with self.lock:
            self.codes[code] = (f["redirect_uri"], time.time() + 300)
        q = {"code": code}
        if f.get("state"):
            q["state"] = f["state"]
        sep = "&" if "?" in f["redirect_uri"] else "?"
        return Response(status=302, headers={"Location": f["redirect_uri"] + sep + urlencode(q)})

    def oauth_token(self, req: Request) -> Response:
        tok = self._grant(req, _v1_error)
        return self.json({"access_token": tok.token, "refresh_token": tok.refresh,
                          "expires_in": self.token_ttl, "token_type": "bearer"})

    def oauth_token_v3(self, req: Request) -> Response:
        if "client_secret" in req.args or "client_id" in req.args:
            raise _v3_error("BAD_REQUEST", "client_id and client_secret belong in the "
                            "request body, not the query string")
        tok = self._grant(req, _v3_error)
        return self.json({"access_token": tok.token, "refresh_token": tok.refresh,
                          "expires_in": self.token_ttl, "token_type": "bearer",
                          "hub_id": self.portal.hub_id, "user_id": tok.user_id,
                          "scopes": tok.scopes})

    def oauth_introspect(self, req: Request) -> Response:
        f = req.form
        if f.get("client_id") != self.client_id:
            raise _v3_error("BAD_CLIENT_ID", "missing or unknown client id")
        if f.get("client_secret") != self.client_secret:
            raise _v3_error("BAD_CLIENT_SECRET", "missing or invalid client secret")
        token = f.get("token", "")
        hub = {"hub_id": self.portal.hub_id, "hub_domain": f"portal-{self.portal.hub_id}."
               "example.com", "app_id": self.app_id, "client_id": self.client_id,
               "user": "integration@example.com", "token": token}
        with self.lock:
            tok = self.tokens.get(token)
            refresh_scopes = self.refresh_tokens.get(token)
        if (tok is not None and tok.kind == "oauth" and tok.expires_at is not None
                and tok.expires_at > time.time()):
            return self.json({"active": True, "token_use": "access_token",
                              "token_type": "access", "scopes": tok.scopes,
                              "user_id": tok.user_id, "is_private_distribution": False,
                              "expires_in": int(tok.expires_at - time.time()), **hub})
        if refresh_scopes is not None:
            return self.json({"active": True, "token_use": "refresh_token",
                              "token_type": "refresh", "scopes": refresh_scopes,
                              "user_id": 9001, **hub})
        return self.json({"active": False})

    def account_details(self, req: Request) -> Response:
        return self.json({"portalId": self.portal.hub_id, "accountType": "STANDARD",
                          "timeZone": "US/Eastern", "companyCurrency": "USD",
                          "additionalCurrencies": [], "utcOffset": "-05:00",
                          "utcOffsetMilliseconds": -18_000_000,
                          "uiDomain": "app.hubspot.com", "dataHostingLocation": "na1"})

    def _grant(self, req: Request, bad: Callable[[str, str], HSError]) -> Token:
        """The token of an authorization_code or refresh_token grant (form body)."""
        f = req.form
        gt = f.get("grant_type")

        if f.get("client_id") != self.client_id:
            raise bad("BAD_CLIENT_ID", "missing or unknown client id")
        if f.get("client_secret") != self.client_secret:
            raise bad("BAD_CLIENT_SECRET", "missing or invalid client secret")
        with self.lock:
            if gt == "authorization_code":
                code = f.get("code", "")
                entry = self.codes.pop(code, None)
                if entry is None or entry[1] < time.time():
                    raise bad("BAD_AUTH_CODE", "missing or invalid auth code")
                if entry[0] != f.get("redirect_uri"):
                    raise bad("BAD_REDIRECT_URI", "redirect_uri does not match")
                tok = self.issue_oauth()
            elif gt == "refresh_token":
                refresh = f.get("refresh_token", "")
                if refresh not in self.refresh_tokens:
                    raise bad("BAD_REFRESH_TOKEN", "missing or invalid refresh token")
                tok = self._new_access(refresh)
            else:
                raise bad("BAD_GRANT_TYPE", "missing or unsupported grant_type")
        return tok

    def oauth_access_token(self, req: Request, token: str) -> Response:
        with self.lock:
            tok = self.tokens.get(token)
        if tok is None or (tok.expires_at is not None and tok.expires_at <= time.time()):
            raise HSError(404, {"status": "error", "message": "Token not found",
                                "correlationId": _cid(), "category": "OBJECT_NOT_FOUND"})
        expires = int(tok.expires_at - time.time()) if tok.expires_at else 0
        return self.json({"token": tok.token, "user": tok.user, "hub_domain":
                          f"portal-{self.portal.hub_id}.example.com", "scopes": tok.scopes,
                          "hub_id": self.portal.hub_id, "app_id": self.app_id,
                          "expires_in": expires, "user_id": tok.user_id,
                          "token_type": "access" if tok.kind == "oauth" else "private-app"})

    def oauth_refresh_info(self, req: Request, token: str) -> Response:
        with self.lock:
            scopes = self.refresh_tokens.get(token)
        if scopes is None:
            raise HSError(404, {"status": "error", "message": "Token not found",
                                "correlationId": _cid(), "category": "OBJECT_NOT_FOUND"})
        return self.json({"token": token, "user": "integration@example.com",
                          "hub_domain": f"portal-{self.portal.hub_id}.example.com",
                          "scopes": scopes, "hub_id": self.portal.hub_id,
                          "client_id": self.client_id, "user_id": 9001,
                          "token_type": "refresh"})


def _v1_error(status: str, message: str) -> HSError:
    return HSError(400, {"status": status, "message": message, "correlationId": _cid()})


def _v3_error(reason: str, message: str) -> HSError:
    return HSError(400, {"status": "error", "message": message, "correlationId": _cid(),
                         "category": "VALIDATION_ERROR", "subCategory": reason})


def _html(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


RULES = [
    Rule("/oauth/v3/token", methods=["POST"], endpoint="oauth_token_v3"),
    Rule("/oauth/v3/token/introspect", methods=["POST"], endpoint="oauth_introspect"),
    Rule("/account-info/v3/details", methods=["GET"], endpoint="account_details"),
    Rule("/oauth/v1/token", methods=["POST"], endpoint="oauth_token"),
    Rule("/oauth/v1/access-tokens/<token>", methods=["GET"], endpoint="oauth_access_token"),
    Rule("/oauth/v1/refresh-tokens/<token>", methods=["GET"], endpoint="oauth_refresh_info"),
    Rule("/oauth/authorize", methods=["GET"], endpoint="authorize_page"),
    Rule("/oauth/authorize", methods=["POST"], endpoint="authorize_grant"),
]
