"""OAuth 2.0 and sessions of the Salesforce emulator.

Web-server flow: ``/login/services/oauth2/authorize`` (production login host) and
``/test/services/oauth2/authorize`` (sandbox login host) show a login form that redirects to
``redirect_uri?code=&state=``; ``{host}/services/oauth2/token`` (``authorization_code`` and
``refresh_token`` grants; a token from one login host is refused by the other);
``/services/oauth2/userinfo`` and ``{host}/id/{org}/{user}``; ``/services/oauth2/revoke``.
The instance host also answers ``/services/oauth2/token``. Sessions are the bearer tokens
the data API checks (`SessionsMixin`).
"""

from __future__ import annotations

import hashlib
import hmac
import html
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from connectors.sandbox.sf_common import (
    DEMO_PASSWORD,
    DEMO_USERNAME,
    Session,
    _json,
    not_found,
)
from connectors.sandbox.sf_limits import DataApiGate
from connectors.sandbox.sf_store import OrgStore


class SessionsMixin(OrgStore):
    """Access tokens of the org."""

    def new_session(self, ttl: float | None, host: str = "login", client_id: str = "") -> str:
        token = f"{self.org_id[:15]}!AQ{secrets.token_urlsafe(72)}"
        expires = None if ttl is None else time.time() + ttl
        self.sessions[token] = Session(self.user_id, expires, host, client_id)
        return token

    def session_valid(self, token: str) -> bool:
        s = self.sessions.get(token)
        return s is not None and (s.expires_at is None or s.expires_at > time.time())

    def identity_url(self, host: str) -> str:
        return f"{self.instance_url}/{host}/id/{self.org_id}/{self.user_id}"


class OAuthMixin(DataApiGate):
    """The OAuth endpoints of the app."""

    def oauth(self, request: Request, host: str, rel: str, instance: bool = False) -> Response:
        org = self.org
        rel = rel.strip("/")
        if rel == "authorize":
            return self.authorize(request, host)
        if rel == "token" and request.method == "POST":
            return self.token(request, host)
        if rel == "userinfo":
            return self.userinfo(request)
        if rel == "revoke":
            token = request.values.get("token", "")
            with org.lock:
                org.sessions.pop(token, None)
                org.refresh_tokens.pop(token, None)
            return Response("", status=200)
        return _json(404, not_found().body())

    def authorize(self, request: Request, host: str) -> Response:
        org = self.org
        v = request.values
        client_id = v.get("client_id", "")
        redirect_uri = v.get("redirect_uri", "")
        state = v.get("state", "")
        if v.get("response_type", "code") != "code":
            return Response("error=unsupported_response_type", status=400)
        if client_id != org.client_id:
            return Response(
                "error=invalid_client_id&error_description=client identifier invalid", status=400
            )
        if not redirect_uri.startswith(("http://", "https://")):
            return Response("error=redirect_uri_mismatch", status=400)
        if request.method == "POST":
            sep = "&" if "?" in redirect_uri else "?"
            if v.get("action") == "deny":
                q = urlencode(
                    {
                        "error": "access_denied",
                        "error_description": "end-user denied authorization",
                        "state": state,
                    }
                )
                return Response("", status=302, headers={"Location": redirect_uri + sep + q})
            if v.get("username") != DEMO_USERNAME or v.get("password") != DEMO_PASSWORD:
                return Response(
                    self._login_page(host, v, error=True), status=200, mimetype="text/html"
                )
            code = "aPrx" + secrets.token_urlsafe(32)
            with org.lock:
                org.codes[code] = (client_id, redirect_uri, host, time.time() + 900)
            q = urlencode({"code": code, "state": state} if state else {"code": code})
            return Response("", status=302, headers={"Location": redirect_uri + sep + q})
        return Response(self._login_page(host, v), status=200, mimetype="text/html")

    def _login_page(self, host: str, v: Any, error: bool = False) -> str:
        title = "Sandbox" if host == "test" else "Production"
        hidden = "".join(
            f'<input type="hidden" name="{k}" value="{html.escape(v.get(k, ""))}">'
            for k in ("response_type", "client_id", "redirect_uri", "state", "scope")
        )
        err = '<p class="error">Please check your username and password.</p>' if error else ""
        return (
            "<!doctype html><html><head><meta charset='utf-8'>"
            f"<title>Login | Salesforce {title} (emulator)</title></head><body>"
            f"<h1>Salesforce {title} login (emulator)</h1>{err}"
            f'<form method="post" action="/{host}/services/oauth2/authorize">{hidden}'
            f'<label>Username <input name="username" value="{DEMO_USERNAME}"></label>'
            f'<label>Password <input name="password" value="{DEMO_PASSWORD}" type="password">'
            "</label>"
            '<button type="submit" name="action" value="allow">Log in and Allow</button>'
            '<button type="submit" name="action" value="deny">Deny</button>'
            "</form></body></html>"
        )

    def token(self, request: Request, host: str) -> Response:
        org = self.org
        v = request.form
        grant = v.get("grant_type")
        with org.lock:
            if v.get("client_id") != org.client_id or (
                v.get("client_secret") not in (None, org.client_secret)
            ):
                return _json(
                    400,
                    {"error": "invalid_client", "error_description": "invalid client credentials"},
                )
            now_ms = str(int(time.time() * 1000))
            if grant == "authorization_code":
                entry = org.codes.pop(v.get("code", ""), None)
                if (
                    entry is None
                    or entry[3] < time.time()
                    or entry[2] != host
                    or entry[1] != v.get("redirect_uri")
                ):
                    return _json(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "invalid authorization code",
                        },
                    )
                access = org.new_session(org.session_ttl, host, org.client_id)
                refresh = "5Aep861" + secrets.token_urlsafe(60)
                org.refresh_tokens[refresh] = (host, org.client_id)
                body = self._token_body(access, host, now_ms)
                body["refresh_token"] = refresh
                return _json(200, body)
            if grant == "refresh_token":
                entry2 = org.refresh_tokens.get(v.get("refresh_token", ""))
                if entry2 is None or entry2[0] != host:
                    return _json(
                        400,
                        {
                            "error": "invalid_grant",
                            "error_description": "expired access/refresh token",
                        },
                    )
                access = org.new_session(org.session_ttl, host, org.client_id)
                return _json(200, self._token_body(access, host, now_ms))
            return _json(
                400,
                {
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
            )

    def _token_body(self, access: str, host: str, issued_at: str) -> dict:
        org = self.org
        ident = org.identity_url(host)
        sig = base64_hmac(org.client_secret, ident + issued_at)
        return {
            "access_token": access,
            "signature": sig,
            "scope": "refresh_token api",
            "instance_url": org.instance_url,
            "id": ident,
            "token_type": "Bearer",
            "issued_at": issued_at,
        }

    def userinfo(self, request: Request) -> Response:
        org = self.org
        auth = request.headers.get("Authorization", "")
        token = auth.split(" ", 1)[1].strip() if " " in auth else ""
        with org.lock:
            if not org.session_valid(token):
                return _json(
                    401,
                    [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
                )
            host = org.sessions[token].host
            user = org.recs["User"][org.user_id]
        return _json(
            200,
            {
                "sub": org.identity_url(host),
                "user_id": org.user_id,
                "organization_id": org.org_id,
                "preferred_username": user["Username"],
                "nickname": user["Alias"],
                "name": user["Name"],
                "email": user["Email"],
                "email_verified": True,
                "given_name": user["FirstName"],
                "family_name": user["LastName"],
                "zoneinfo": "Europe/Rome",
                "photos": {},
                "profile": f"{org.instance_url}/{org.user_id}",
                "address": {},
                "is_salesforce_integration_user": False,
                "urls": {
                    "rest": f"{org.instance_url}/services/data/v{{version}}/",
                    "sobjects": f"{org.instance_url}/services/data/v{{version}}/sobjects/",
                    "query": f"{org.instance_url}/services/data/v{{version}}/query/",
                    "custom_domain": org.instance_url,
                },
                "active": True,
                "user_type": "STANDARD",
                "language": "en_US",
                "locale": "en_US",
                "utcOffset": 3600000,
                "is_app_installed": True,
                "is_sandbox": host == "test",
            },
        )


def base64_hmac(secret: str, msg: str) -> str:
    import base64

    return base64.b64encode(
        hmac.new(secret.encode(), msg.encode(), hashlib.sha256).digest()
    ).decode()
