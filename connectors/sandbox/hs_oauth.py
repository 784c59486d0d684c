"""OAuth of the HubSpot emulator: the one-button consent page (GET/POST /oauth/authorize),
the token endpoint (authorization_code and refresh_token grants) and the access- and
refresh-token info endpoints."""

from __future__ import annotations

import secrets
import time
import uuid
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
        f = req.form
        gt = f.get("grant_type")

        def bad(status: str, msg: str) -> HSError:
            return HSError(400, {"status": status, "message": msg, "correlationId": _cid()})

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
        return self.json({"access_token": tok.token, "refresh_token": tok.refresh,
                          "expires_in": self.token_ttl, "token_type": "bearer"})

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


def _html(s: str) -> str:
    return (s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;"))


RULES = [
    Rule("/oauth/v1/token", methods=["POST"], endpoint="oauth_token"),
    Rule("/oauth/v1/access-tokens/<token>", methods=["GET"], endpoint="oauth_access_token"),
    Rule("/oauth/v1/refresh-tokens/<token>", methods=["GET"], endpoint="oauth_refresh_info"),
    Rule("/oauth/authorize", methods=["GET"], endpoint="authorize_page"),
    Rule("/oauth/authorize", methods=["POST"], endpoint="authorize_grant"),
]
