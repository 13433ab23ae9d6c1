#!/usr/bin/python3
"""A fake OAuth provider for tests: Instagram, Facebook, TikTok, Pinterest, generic RFC 6749.

One HTTPS server (--cert/--key; plain HTTP without them) on 127.0.0.1 stands in for every
provider host: the real URL https://HOST/PATH is served at https://127.0.0.1:PORT/HOST/PATH, for
example https://localhost:PORT/api.pinterest.com/v5/oauth/token. A second, plain-HTTP loopback
port takes JSON control requests (switches, scripted failures, clock, counters). On start it
prints "port N" and "control-port M" on stdout. It never prints or returns a client secret, code,
state, verifier or token in its own output, call log or control answers.

The wire facts follow /work/shared/providers.md; tests/fakes/README.md has the URL map and the
control API reference. Python 3.11 standard library only.
"""

import argparse
import base64
import collections
import copy
import hashlib
import hmac
import html
import json
import re
import secrets
import socket
import ssl
import string
import struct
import sys
import threading
import time
import urllib.parse
from email import policy as email_policy
from email.parser import BytesParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROVIDERS = ("instagram", "facebook", "tiktok", "pinterest", "generic")

HOSTS = {
    "www.instagram.com": "instagram",
    "api.instagram.com": "instagram",
    "graph.instagram.com": "instagram",
    "www.facebook.com": "facebook",
    "graph.facebook.com": "facebook",
    "www.tiktok.com": "tiktok",
    "open.tiktokapis.com": "tiktok",
    "www.pinterest.com": "pinterest",
    "api.pinterest.com": "pinterest",
    "generic.example": "generic",
}

INSTAGRAM_SCOPES = {
    "instagram_business_basic", "instagram_business_content_publish",
    "instagram_business_manage_comments", "instagram_business_manage_messages",
    "instagram_business_manage_insights",
}
TIKTOK_SCOPES = {
    "user.info.basic", "user.info.profile", "user.info.stats", "video.list", "video.upload",
    "video.publish",
}
PINTEREST_SCOPES = {
    "ads:read", "ads:write", "billing:read", "billing:write", "biz_access:read",
    "biz_access:write", "boards:read", "boards:read_secret", "boards:write",
    "boards:write_secret", "catalogs:read", "catalogs:write", "pins:read", "pins:read_secret",
    "pins:write", "pins:write_secret", "user_accounts:read", "user_accounts:write",
}
DISPLAY = {"instagram": "Instagram", "facebook": "Facebook", "tiktok": "TikTok",
           "pinterest": "Pinterest", "generic": "Generic OAuth"}
KNOWN_SCOPES = {"instagram": INSTAGRAM_SCOPES, "tiktok": TIKTOK_SCOPES,
                "pinterest": PINTEREST_SCOPES}

# Which TikTok user-info fields need which scope.
TIKTOK_FIELD_SCOPE = {
    "open_id": "user.info.basic", "union_id": "user.info.basic", "avatar_url": "user.info.basic",
    "avatar_url_100": "user.info.basic", "avatar_large_url": "user.info.basic",
    "display_name": "user.info.basic", "username": "user.info.profile",
    "bio_description": "user.info.profile", "profile_deep_link": "user.info.profile",
    "is_verified": "user.info.profile", "follower_count": "user.info.stats",
    "following_count": "user.info.stats", "likes_count": "user.info.stats",
    "video_count": "user.info.stats",
}

META_SUBCODE_MESSAGES = {
    None: "Error validating access token: The session has been invalidated.",
    458: "Error validating access token: The user has not authorized application {app}.",
    459: "Error validating access token: You cannot access the app till you log in to "
         "www.facebook.com and follow the instructions given.",
    460: "Error validating access token: The session has been invalidated because the user "
         "changed their password or Facebook has changed the session for security reasons.",
    463: "Error validating access token: Session has expired on {expired}. The current time is "
         "{now}.",
    464: "Error validating access token: Sessions for the user are not allowed because the user "
         "is not a confirmed user.",
    467: "Error validating access token: The session is invalid because the user logged out.",
    492: "Error validating access token: The user is not an administrator, editor, or moderator "
         "of the Page.",
}
META_TRANSIENT = {1, 2, 4, 17, 32, 341, 613}
META_CODE_MESSAGES = {
    1: "An unknown error occurred",
    2: "An unexpected error has occurred. Please retry your request later.",
    4: "Application request limit reached",
    10: "Application does not have permission for this action",
    17: "User request limit reached",
    32: "Page request limit reached",
    100: "Invalid parameter",
    102: "Session key invalid or no longer valid",
    190: "Invalid OAuth access token.",
    200: "Permissions error",
    341: "Application limit reached",
    368: "The action attempted has been deemed abusive or is otherwise disallowed",
    613: "Calls to this api have exceeded the rate limit.",
    80002: "There have been too many calls to this Instagram account. Wait a bit and try again.",
}

ALNUM = string.ascii_letters + string.digits


def alnum(n):
    return "".join(secrets.choice(ALNUM) for _ in range(n))


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


# ---------------------------------------------------------------------------------------------
# Configuration


def default_users():
    return {
        "instagram": (
            {"id": "17841400000000001", "app_scoped_id": "27000000000000001",
             "username": "creator.one", "name": "Creator One", "account_type": "MEDIA_CREATOR"},
            {"id": "17841400000000002", "app_scoped_id": "27000000000000002",
             "username": "creator.two", "name": "Creator Two", "account_type": "BUSINESS"}),
        "facebook": (
            {"id": "10160000000000001", "username": "creator.one", "name": "Creator One",
             "pages": [{"id": "105000000000001", "name": "Creator One Studio",
                        "category": "Digital creator",
                        "instagram_business_account": {"id": "17841400000000001",
                                                       "username": "creator.one"}}]},
            {"id": "10160000000000002", "username": "creator.two", "name": "Creator Two",
             "pages": [{"id": "105000000000002", "name": "Creator Two Shop",
                        "category": "Shopping & retail",
                        "instagram_business_account": {"id": "17841400000000002",
                                                       "username": "creator.two"}}]}),
        "tiktok": (
            {"id": "-000creatorOneOpenId0001", "union_id": "union-creator-one",
             "username": "creator.one", "name": "Creator One"},
            {"id": "-000creatorTwoOpenId0002", "union_id": "union-creator-two",
             "username": "creator.two", "name": "Creator Two"}),
        "pinterest": (
            {"id": "549755800001", "username": "creatorone", "name": "Creator One",
             "account_type": "BUSINESS"},
            {"id": "549755800002", "username": "creatortwo", "name": "Creator Two",
             "account_type": "PINNER"}),
        "generic": (
            {"id": "user-0001", "username": "creator.one", "name": "Creator One"},
            {"id": "user-0002", "username": "creator.two", "name": "Creator Two"}),
    }


def default_provider_config(provider):
    first, second = default_users()[provider]
    c = {
        "client_id": f"test-{provider}",
        "client_secret": f"secret-{provider}",
        "consent": None,          # None: the global setting
        "delay_ms": None,         # None: the global setting
        "user": first,
        "other_user": second,
        "different_account": False,  # one-shot: the next authorization logs in other_user
        "code_ttl": 600,
        "redirect_uris": [],      # empty: any redirect_uri is accepted at authorize
        "validate_scopes": provider in KNOWN_SCOPES,
        "decline_scopes": [],     # requested scopes the user does not grant
        # Verified wherever the platform takes PKCE (providers.md): TikTok, Facebook Login
        # (its login dialog and token endpoint take S256) and a standards-compliant provider.
        "pkce": {"tiktok": "optional", "facebook": "optional",
                 "generic": "optional"}.get(provider, "ignore"),
        "pkce_encoding": "base64url",
        "extra_headers": {},
    }
    if provider == "instagram":
        c.update(access_ttl=3600, long_ttl=5184000, refresh_min_age=86400,
                 flat_instagram_response=False, refresh_invalidates_old=False,
                 require_appsecret_proof=False)
    elif provider == "facebook":
        c.update(access_ttl=3600, long_ttl=5183944, data_access_ttl=7776000,
                 require_appsecret_proof=False,
                 config_scopes=["instagram_basic", "instagram_content_publish",
                                "instagram_manage_comments", "instagram_manage_insights",
                                "pages_show_list", "pages_read_engagement"])
    elif provider == "tiktok":
        c.update(access_ttl=7200, refresh_ttl=15552000, rotate_refresh=True,
                 revoke_on_replay=True, refresh_reuse_grace_seconds=0, refresh_horizon="fixed",
                 oauth_error_status=400)
    elif provider == "pinterest":
        c.update(access_ttl=2592000, refresh_ttl=5184000, rotate_refresh=True,
                 revoke_on_replay=True, refresh_reuse_grace_seconds=0,
                 refresh_horizon="sliding", legacy_app=False)
    elif provider == "generic":
        c.update(access_ttl=3600, refresh_ttl=2592000, rotate_refresh=True,
                 revoke_on_replay=True, refresh_reuse_grace_seconds=0,
                 refresh_horizon="sliding", client_auth="basic", send_iss=False,
                 issuer="https://generic.example", allow_query_token=False,
                 issue_refresh_token=True)
    return c


GLOBAL_KEYS = {"consent", "delay_ms", "clock_offset_seconds", "app_name", "log_limit"}


def check_value(key, value, provider=None):
    """Raises ValueError when `value` is not acceptable for `key`."""
    def want(cond, what):
        if not cond:
            raise ValueError(f"{key}: expected {what}")
    isint = isinstance(value, int) and not isinstance(value, bool)
    isnum = (isinstance(value, (int, float))) and not isinstance(value, bool)
    if key == "consent":
        want(value is None or value in ("allow", "deny", "page"), '"allow", "deny", "page"')
    elif key in ("delay_ms",):
        want(value is None or (isnum and value >= 0), "a number >= 0 or null")
    elif key in ("clock_offset_seconds",):
        want(isnum, "a number")
    elif key in ("app_name", "client_id", "client_secret", "issuer"):
        want(isinstance(value, str) and value != "", "a non-empty string")
    elif key in ("log_limit", "code_ttl", "access_ttl", "long_ttl", "refresh_ttl",
                 "refresh_min_age", "data_access_ttl", "refresh_reuse_grace_seconds"):
        want(isint and value >= 0, "an integer >= 0")
    elif key == "oauth_error_status":
        want(value in (200, 400), "200 or 400")
    elif key in ("user", "other_user"):
        want(isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"]
             and isinstance(value.get("username", ""), str), 'an object with a string "id"')
    elif key in ("redirect_uris", "decline_scopes", "config_scopes"):
        want(isinstance(value, list) and all(isinstance(v, str) for v in value),
             "a list of strings")
    elif key == "extra_headers":
        want(isinstance(value, dict) and all(isinstance(v, str) for v in value.values()),
             "an object of strings")
    elif key in ("different_account", "validate_scopes", "flat_instagram_response",
                 "refresh_invalidates_old", "require_appsecret_proof", "rotate_refresh",
                 "revoke_on_replay", "legacy_app", "send_iss", "allow_query_token",
                 "issue_refresh_token"):
        want(isinstance(value, bool), "true or false")
    elif key == "pkce":
        want(value in ("ignore", "optional", "required"), '"ignore", "optional", "required"')
    elif key == "pkce_encoding":
        want(value in ("base64url", "hex"), '"base64url" or "hex"')
    elif key == "refresh_horizon":
        want(value in ("fixed", "sliding"), '"fixed" or "sliding"')
    elif key == "client_auth":
        want(value in ("basic", "form", "any"), '"basic", "form" or "any"')
    else:
        raise ValueError(f"unknown setting {key}")


# ---------------------------------------------------------------------------------------------
# State


class Grant:
    def __init__(self, gid, provider, client_id, user, scopes, now):
        self.id = gid
        self.provider = provider
        self.client_id = client_id
        self.user = user
        self.scopes = list(scopes)
        self.created_at = now
        self.revoked = False
        self.revoke_reason = None
        self.revoke_subcode = None
        self.refreshes = 0
        self.rotations = 0
        self.replays = 0
        self.access_tokens = []
        self.refresh_tokens = []  # every refresh token of the grant, oldest first
        self.refresh_horizon_at = None
        self.data_access_expires_at = None


class Token:
    def __init__(self, value, grant, kind, issued_at, expires_at):
        self.value = value
        self.grant = grant
        self.kind = kind  # "access", "short", "long", "page"
        self.issued_at = issued_at
        self.expires_at = expires_at  # None: never
        self.revoked = False
        self.page_id = None
        self.pages = {}  # page id -> page Token (user tokens on Facebook)


class RefreshToken:
    def __init__(self, value, grant, issued_at, expires_at):
        self.value = value
        self.grant = grant
        self.issued_at = issued_at
        self.expires_at = expires_at
        self.superseded_at = None
        self.revoked = False


class Code:
    def __init__(self, value, provider, client_id, redirect_uri, scopes, user, now):
        self.value = value
        self.provider = provider
        self.client_id = client_id
        self.redirect_uri = redirect_uri
        self.scopes = scopes
        self.user = user
        self.created_at = now
        self.used = False
        self.grant = None
        self.challenge = None
        self.challenge_method = None


class State:
    def __init__(self, base_global, base_providers):
        self.lock = threading.RLock()
        self.frozen_now = None  # one request sees one instant (set while it is handled)
        self.base_global = base_global
        self.base_providers = base_providers
        self.reset()

    def reset(self):
        with self.lock:
            self.glob = copy.deepcopy(self.base_global)
            self.cfg = copy.deepcopy(self.base_providers)
            self.codes = {}
            self.tokens = {}
            self.refresh = {}
            self.grants = {}
            self.counts = {}
            self.log = collections.deque(maxlen=self.glob["log_limit"] or None)
            self.seq = 0
            self.fail_rules = []
            self.next_grant = 1
            # (provider, endpoint, token state, grant refreshable) -> API calls
            self.token_uses = {}

    def now(self):
        if self.frozen_now is not None:
            return self.frozen_now
        if self.glob.get("clock_frozen_at") is not None:
            return self.glob["clock_frozen_at"]
        return time.time() + self.glob["clock_offset_seconds"]

    def refreshable(self, g):
        """Whether the grant could still be refreshed now: a live, current refresh token."""
        if g.revoked:
            return False
        return any(not rt.revoked and rt.superseded_at is None and self.now() < rt.expires_at
                   for rt in g.refresh_tokens)

    def inow(self):
        return int(self.now())

    def setting(self, provider, key):
        v = self.cfg[provider].get(key) if provider in self.cfg else None
        return self.glob.get(key) if v is None else v

    def new_grant(self, provider, client_id, user, scopes):
        gid = f"{provider}-{self.next_grant}"
        self.next_grant += 1
        g = Grant(gid, provider, client_id, user, scopes, self.inow())
        self.grants[gid] = g
        return g

    def revoke_grant(self, g, reason, subcode=458):
        if g.revoked:
            return
        g.revoked = True
        g.revoke_reason = reason
        g.revoke_subcode = subcode
        for rt in g.refresh_tokens:
            rt.revoked = True
        for t in g.access_tokens:
            t.revoked = True


def token_status(state, tok):
    """"ok", "invalid", "expired" or "revoked" for an access token (None: unknown)."""
    if tok is None:
        return "invalid"
    if tok.revoked or tok.grant.revoked:
        return "revoked"
    if tok.expires_at is not None and state.now() >= tok.expires_at:
        return "expired"
    return "ok"


def api_token_status(state, req, tok):
    """token_status() for an API call (identity or resource request) with a bearer token, noted
    on the request for the token-use counters: was it already expired by the expiry this server
    issued, and could its grant still have been refreshed at that moment?"""
    st = token_status(state, tok)
    req.token_state = st
    req.refreshable = None if tok is None else state.refreshable(tok.grant)
    return st


# ---------------------------------------------------------------------------------------------
# Requests and responses


class Resp:
    def __init__(self, status, body=b"", headers=None, ctype="application/json; charset=UTF-8"):
        self.status = status
        self.body = body if isinstance(body, bytes) else body.encode()
        self.headers = list(headers or [])
        if ctype and self.body:
            self.headers.insert(0, ("Content-Type", ctype))
        self.action = None  # "reset": close the connection with RST, no response
        self.error = None   # short label for the call log


def json_resp(status, obj, headers=None, error=None, no_store=False):
    r = Resp(status, json.dumps(obj, separators=(",", ":")), headers)
    if no_store:
        r.headers += [("Cache-Control", "no-store"), ("Pragma", "no-cache")]
    r.error = error
    return r


class DuplicateParam(Exception):
    def __init__(self, name):
        super().__init__(name)
        self.name = name


class Req:
    def __init__(self, method, host, path, query, headers, body):
        self.method = method
        self.host = host
        self.path = path
        self.query = query      # dict name -> list
        self.headers = headers  # email.message.Message-like (case-insensitive)
        self.body = body
        self.form = {}
        self.form_error = None
        ctype = (headers.get("Content-Type") or "").lower()
        if body and ctype.startswith("application/x-www-form-urlencoded"):
            try:
                self.form = urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True,
                                                  strict_parsing=False)
            except UnicodeDecodeError:
                self.form_error = "not UTF-8"
        elif body and ctype.startswith("multipart/form-data"):
            try:
                msg = BytesParser(policy=email_policy.HTTP).parsebytes(
                    b"Content-Type: " + headers.get("Content-Type").encode() + b"\r\n\r\n" + body)
                for part in msg.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    if name:
                        self.form.setdefault(name, []).append(
                            part.get_payload(decode=True).decode("utf-8"))
            except Exception:  # noqa: BLE001 - any parse failure is a bad request
                self.form_error = "bad multipart body"
        self.content_type = ctype
        # Filled in by handlers for the call log.
        self.grant_type = None
        self.client_auth = None
        self.token_in = None
        self.pkce = None
        self.user = None
        self.token_state = None   # API calls: the bearer token's state (api_token_status)
        self.refreshable = None   # API calls: whether its grant could still be refreshed

    def one(self, name, sources=("query", "form")):
        """The single value of parameter `name` (None when absent); DuplicateParam if repeated."""
        values = []
        if "query" in sources:
            values += self.query.get(name, [])
        if "form" in sources:
            values += self.form.get(name, [])
        if len(values) > 1:
            raise DuplicateParam(name)
        return values[0] if values else None

    def params(self, sources=("query", "form")):
        out = {}
        for src in sources:
            for k, v in (self.query if src == "query" else self.form).items():
                out.setdefault(k, []).extend(v)
        return out

    def bearer(self, allow_query=True, allow_oauth_scheme=False):
        auth = self.headers.get("Authorization") or ""
        m = re.match(r"(?i)(bearer|oauth)\s+(\S+)\s*$", auth)
        if m and (m.group(1).lower() == "bearer" or allow_oauth_scheme):
            self.token_in = "header"
            return m.group(2)
        if allow_query:
            try:
                v = self.one("access_token")
            except DuplicateParam:
                return ""  # two tokens: treated as an invalid one
            if v is not None:
                self.token_in = "query" if "access_token" in self.query else "body"
                return v
        return None

    def basic(self):
        """(id, secret) from an Authorization: Basic header, ("", "") if malformed, or None."""
        auth = self.headers.get("Authorization") or ""
        m = re.match(r"(?i)basic\s+(\S+)\s*$", auth)
        if not m:
            return None
        try:
            raw = base64.b64decode(m.group(1), validate=True).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return ("", "")
        if ":" not in raw:
            return ("", "")
        cid, secret = raw.split(":", 1)
        # RFC 6749 2.3.1: both parts are form-urlencoded before base64.
        return (urllib.parse.unquote_plus(cid), urllib.parse.unquote_plus(secret))


def redirect(uri, params, fragment=None):
    sep = "&" if "?" in uri else "?"
    target = uri + sep + urllib.parse.urlencode(params, quote_via=urllib.parse.quote)
    if fragment is not None:
        target += "#" + fragment
    r = Resp(302, b"", [("Location", target), ("Cache-Control", "no-store")])
    return r


def html_page(status, title, body_html):
    page = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html.escape(title)
            + "</title><style>body{font-family:sans-serif;max-width:34em;margin:3em auto;"
            "padding:0 1em;color:#222}button{font-size:1.1em;padding:.5em 1.5em;margin-right:1em}"
            ".allow{background:#1a73e8;color:#fff;border:0}.scopes li{font-family:monospace}"
            "</style></head><body>" + body_html + "</body></html>")
    r = Resp(status, page, [("Cache-Control", "no-store")], ctype="text/html; charset=utf-8")
    return r


def fbtrace():
    return "A" + alnum(22)


def tiktok_log_id():
    return time.strftime("%Y%m%d%H%M%S", time.gmtime()) + secrets.token_hex(10).upper()


def split_graph_fields(text):
    """Splits a Graph `fields` value on the commas outside braces."""
    out, depth, current = [], 0, ""
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(current)
            current = ""
        else:
            current += ch
    if current:
        out.append(current)
    return out


def graph_error(code, message=None, subcode=None, status=400, extra=None, headers=None):
    err = {"message": message or META_CODE_MESSAGES.get(code, "An error occurred"),
           "type": "OAuthException", "code": code}
    if subcode is not None:
        err["error_subcode"] = subcode
    if code in META_TRANSIENT:
        err["is_transient"] = True
    if extra:
        err.update(extra)
    err["fbtrace_id"] = fbtrace()
    label = f"graph_{code}" + (f"/{subcode}" if subcode is not None else "")
    return json_resp(status, {"error": err}, headers, error=label)


def ig_legacy_error(message, code=400, status=400):
    return json_resp(status, {"error_type": "OAuthException", "code": code,
                              "error_message": message}, error=f"ig_{code}")


def oauth_error(error, description, status=400, basic_challenge=False, headers=None):
    h = list(headers or [])
    if status == 401 and basic_challenge:
        h.append(("WWW-Authenticate", 'Basic realm="generic.example"'))
    return json_resp(status, {"error": error, "error_description": description}, h,
                     error=error, no_store=True)


def tiktok_oauth_error(state, error, description, status=None):
    if status is None:
        status = state.cfg["tiktok"]["oauth_error_status"]
    return json_resp(status, {"error": error, "error_description": description,
                              "log_id": tiktok_log_id()}, error=error, no_store=True)


def tiktok_api_error(code, message, status):
    return json_resp(status, {"data": {}, "error": {"code": code, "message": message,
                                                    "log_id": tiktok_log_id()}}, error=code)


def pinterest_error(code, message, status):
    return json_resp(status, {"code": code, "message": message}, error=f"pinterest_{code}")


def meta_token_error(state, tok, status_word, app_id):
    """The Graph error for an access token that is not "ok"."""
    if status_word == "invalid":
        return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
    if status_word == "expired":
        fmt = "%A, %d-%b-%y %H:%M:%S UTC"
        msg = META_SUBCODE_MESSAGES[463].format(
            expired=time.strftime(fmt, time.gmtime(tok.expires_at)),
            now=time.strftime(fmt, time.gmtime(state.now())))
        return graph_error(190, msg, 463)
    sub = tok.grant.revoke_subcode if tok.grant.revoked else 467
    msg = META_SUBCODE_MESSAGES.get(sub, META_SUBCODE_MESSAGES[None]).format(app=app_id)
    return graph_error(190, msg, sub)


# ---------------------------------------------------------------------------------------------
# Scripted failures


def injected_response(state, provider, endpoint, rule):
    """The scripted answer for `rule` in `provider`'s own error shape."""
    kind = rule.get("kind", "server_error")
    headers = [(k, str(v)) for k, v in (rule.get("headers") or {}).items()]
    retry_after = rule.get("retry_after")
    if kind in ("rate_limit", "429") and retry_after is None:
        retry_after = 30
    if retry_after is not None and retry_after != "":
        headers.append(("Retry-After", str(retry_after)))
    r = injected_body(state, provider, endpoint, kind, rule)
    if r.action is None:
        r.headers += headers
    return r


def injected_body(state, provider, endpoint, kind, rule):
    status = rule.get("status")
    msg = rule.get("message")
    oauth_endpoint = endpoint in ("token", "refresh", "exchange", "revoke")
    if kind in ("reset", "hang"):
        r = Resp(0)
        r.action = "reset"
        r.error = kind
        return r
    if kind == "raw":
        body = rule.get("body", "")
        if not isinstance(body, str):
            body = json.dumps(body, separators=(",", ":"))
        r = Resp(status or 500, body, ctype=rule.get("content_type",
                                                     "application/json; charset=UTF-8"))
        r.error = f"raw_{r.status}"
        return r
    if kind in ("graph", "meta"):
        return graph_error(rule.get("code", 2), msg, rule.get("subcode"), status or 400)
    if kind == "invalid_grant":
        if provider in ("instagram", "facebook"):
            return graph_error(190, msg or META_SUBCODE_MESSAGES[None], rule.get("subcode"),
                               status or 400)
        if provider == "pinterest":
            return pinterest_error(rule.get("code", 283),
                                   msg or "The authorization grant is invalid", status or 400)
        if provider == "tiktok":
            return tiktok_oauth_error(state, "invalid_grant",
                                      msg or "Refresh token is invalid or expired.", status)
        return oauth_error("invalid_grant", msg or "The grant is invalid.", status or 400)
    if kind == "oauth_error":
        err = rule.get("error", "invalid_request")
        if provider == "tiktok":
            return tiktok_oauth_error(state, err, msg or err, status)
        return oauth_error(err, msg or err, status or 400)
    if kind == "access_token_invalid":
        return tiktok_api_error("access_token_invalid", msg or "The access token is invalid or "
                                "not found in the request.", status or 401)
    if kind == "tiktok_api":
        return tiktok_api_error(rule.get("error", "internal_error"),
                                msg or "Something went wrong.", status or 500)
    if kind == "pinterest":
        return pinterest_error(rule.get("code", 2), msg or "Authentication failed.",
                               status or 401)
    # server_error / rate_limit: a status with the provider's usual body.
    limited = kind in ("rate_limit", "429")
    status = status or (429 if limited else 503)
    if provider in ("instagram", "facebook"):
        return graph_error(rule.get("code", 4 if limited else 2), msg, None, status)
    if provider == "tiktok":
        if oauth_endpoint:
            return tiktok_oauth_error(state, "temporarily_unavailable" if limited
                                      else "server_error",
                                      msg or ("Too many requests." if limited
                                              else "Internal server error."), status)
        code = "rate_limit_exceeded" if limited else "internal_error"
        return tiktok_api_error(code, msg or ("Rate limit exceeded." if limited
                                              else "Something went wrong."), status)
    if provider == "pinterest":
        if limited:
            return pinterest_error(8, msg or "Rate limit exceeded. Please try again later.",
                                   status)
        return pinterest_error(status, msg or "Service unavailable.", status)
    if limited:
        return oauth_error("temporarily_unavailable", msg or "Too many requests.", status)
    return oauth_error("server_error", msg or "The server is unavailable.", status)


# ---------------------------------------------------------------------------------------------
# The provider logic


class Provider:
    """All endpoints; every method runs with state.lock held."""

    def __init__(self, state):
        self.state = state

    @property
    def s(self):
        return self.state

    # --- helpers ---------------------------------------------------------------------------

    def cfg(self, provider):
        return self.s.cfg[provider]

    def scopes_of(self, provider, raw):
        if raw is None or raw == "":
            return []
        if provider in ("instagram", "facebook"):
            parts = re.split(r"[,\s]+", raw)
        elif provider == "generic":
            parts = raw.split(" ")
        else:
            parts = [p.strip() for p in raw.split(",")]
        return [p for p in parts if p != ""]

    def join_scopes(self, provider, scopes):
        return " ".join(scopes) if provider == "generic" else ",".join(scopes)

    def new_code(self, provider):
        if provider == "tiktok":
            t = secrets.token_urlsafe(30)
            return f"{t[:12]}*{t[12:28]}!{t[28:]}"
        if provider in ("instagram", "facebook"):
            return "AQ" + secrets.token_urlsafe(96)
        if provider == "pinterest":
            return secrets.token_hex(20)
        return secrets.token_urlsafe(32)

    def new_access_value(self, provider, kind="access"):
        if provider == "instagram":
            return "IGAA" + alnum(150)
        if provider == "facebook":
            return "EAA" + alnum(170)
        if provider == "tiktok":
            return "act." + alnum(60) + "!" + str(secrets.randbelow(9000) + 1000) + ".va"
        if provider == "pinterest":
            return "pina_" + alnum(110)
        return secrets.token_urlsafe(32)

    def new_refresh_value(self, provider):
        if provider == "tiktok":
            return "rft." + alnum(60) + "!" + str(secrets.randbelow(9000) + 1000) + ".va"
        if provider == "pinterest":
            return "pinr_" + alnum(110)
        return secrets.token_urlsafe(40)

    def issue_access(self, grant, kind, ttl):
        now = self.s.inow()
        t = Token(self.new_access_value(grant.provider, kind), grant, kind, now,
                  None if ttl is None else now + ttl)
        self.s.tokens[t.value] = t
        grant.access_tokens.append(t)
        return t

    def issue_refresh(self, grant):
        cfg = self.cfg(grant.provider)
        now = self.s.inow()
        if cfg["refresh_horizon"] == "fixed":
            if grant.refresh_horizon_at is None:
                grant.refresh_horizon_at = now + cfg["refresh_ttl"]
            expires = grant.refresh_horizon_at
        else:
            expires = now + cfg["refresh_ttl"]
        rt = RefreshToken(self.new_refresh_value(grant.provider), grant, now, expires)
        self.s.refresh[rt.value] = rt
        grant.refresh_tokens.append(rt)
        return rt

    def current_user(self, provider, other=None):
        cfg = self.cfg(provider)
        use_other = cfg["different_account"] if other is None else other
        return copy.deepcopy(cfg["other_user"] if use_other else cfg["user"])

    # --- authorize -------------------------------------------------------------------------

    def authorize(self, req, provider):
        cfg = self.cfg(provider)
        # The consent page posts its decision back to the authorize URL (query included):
        # then only the form body counts.
        sources = ("form",) if req.method == "POST" else ("query",)
        try:
            p = {k: req.one(k, sources) for k in (
                "client_id", "client_key", "consumer_id", "redirect_uri", "response_type",
                "scope", "state", "code_challenge", "code_challenge_method", "config_id",
                "_decision", "_account")}
        except DuplicateParam as e:
            return html_page(400, "Error", f"<h1>Invalid request</h1><p>Parameter "
                             f"{html.escape(e.name)} is repeated.</p>")
        if provider == "tiktok":
            client_id, id_name = p["client_key"], "client_key"
        elif provider == "pinterest":
            client_id, id_name = p["client_id"] or p["consumer_id"], "client_id"
        else:
            client_id, id_name = p["client_id"], "client_id"
        app = self.s.glob["app_name"]
        if client_id is None or client_id != cfg["client_id"]:
            r = html_page(400, "Error", f"<h1>Invalid {id_name}</h1><p>The app is not "
                          "registered with this provider.</p>")
            r.error = "invalid_client"
            return r
        redirect_uri = p["redirect_uri"]
        if not redirect_uri or not re.match(r"(?i)^https?://", redirect_uri) \
                or "#" in redirect_uri:
            r = html_page(400, "Error", "<h1>Invalid redirect_uri</h1><p>Missing or not an "
                          "absolute URL.</p>")
            r.error = "invalid_redirect_uri"
            return r
        if cfg["redirect_uris"] and redirect_uri not in cfg["redirect_uris"]:
            r = html_page(400, "Error", "<h1>Invalid redirect_uri</h1><p>URL blocked: this "
                          "redirect URI is not registered for the app.</p>")
            r.error = "unregistered_redirect_uri"
            return r
        state_value = p["state"]
        fragment = {"instagram": "_", "facebook": "_=_"}.get(provider)

        def fail(error, description, extra=None):
            params = {"error": error}
            if provider == "instagram":
                params["error_reason"] = "user_denied" if error == "access_denied" else error
            if provider == "facebook" and error == "access_denied":
                params["error_code"] = "200"
            params["error_description"] = description
            if provider == "facebook" and error == "access_denied":
                params["error_reason"] = "user_denied"
            if extra:
                params.update(extra)
            if state_value is not None:
                params["state"] = state_value
            if provider == "generic" and cfg["send_iss"]:
                params["iss"] = cfg["issuer"]
            r = redirect(redirect_uri, params, fragment)
            r.error = error
            return r

        response_type = p["response_type"] or ("code" if provider == "facebook" else None)
        if response_type != "code":
            return fail("unsupported_response_type", "Only response_type=code is supported.")
        if provider == "facebook" and p["config_id"] and not p["scope"]:
            scopes = list(cfg["config_scopes"])
        else:
            scopes = self.scopes_of(provider, p["scope"])
        if cfg["validate_scopes"]:
            bad = [x for x in scopes if x not in KNOWN_SCOPES.get(provider, set(scopes))]
            if bad:
                return fail("invalid_scope", "Invalid scope: " + ",".join(bad))
        challenge, method = p["code_challenge"], p["code_challenge_method"]
        if cfg["pkce"] != "ignore":
            if challenge is None and cfg["pkce"] == "required":
                return fail("invalid_request", "code_challenge is required.")
            if challenge is not None and method != "S256":
                return fail("invalid_request", "code_challenge_method must be S256.")
        req.pkce = challenge is not None

        consent = self.s.setting(provider, "consent")
        decision = p["_decision"] if req.method == "POST" else None
        use_other = None
        if decision is not None:
            use_other = p["_account"] == "other"
        if decision is None and consent == "page":
            user = self.current_user(provider)
            other = self.current_user(provider, True)
            hidden = "".join(
                f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v[0])}">'
                for k, v in req.params(sources).items() if not k.startswith("_"))
            scope_items = "".join(f"<li>{html.escape(x)}</li>" for x in scopes) or \
                "<li>(none)</li>"
            checked_other = " checked" if cfg["different_account"] else ""
            checked_main = "" if cfg["different_account"] else " checked"
            body = (
                f"<h1>{html.escape(DISPLAY[provider])} (fake)</h1>"
                f"<p><strong>{html.escape(app)}</strong> wants to connect to your "
                f"{html.escape(DISPLAY[provider])} account and asks for:</p>"
                f'<ul class="scopes">{scope_items}</ul>'
                f'<form method="post">{hidden}'
                f'<p>Log in as: <label><input type="radio" name="_account" value="main"'
                f'{checked_main}> {html.escape(user.get("username", user["id"]))}</label> '
                f'<label><input type="radio" name="_account" value="other"{checked_other}> '
                f'{html.escape(other.get("username", other["id"]))}</label></p>'
                '<p><button class="allow" name="_decision" value="allow">Allow</button>'
                '<button name="_decision" value="deny">Deny</button></p></form>'
                f"<p><small>Redirects to {html.escape(redirect_uri)}</small></p>")
            r = html_page(200, f"Authorize {app}", body)
            r.headers.append(("Content-Security-Policy",
                              "default-src 'none'; style-src 'unsafe-inline'; form-action *"))
            return r
        if decision is None:
            decision = "deny" if consent == "deny" else "allow"
        if decision != "allow":
            descriptions = {
                "instagram": "The user denied your request.",
                "facebook": "Permissions error",
                "tiktok": "The user denied the authorization request.",
            }
            return fail("access_denied", descriptions.get(provider, "The user denied access."))

        user = self.current_user(provider, use_other)
        if cfg["different_account"]:
            cfg["different_account"] = False  # one-shot: the next authorization only
        granted = [x for x in scopes if x not in cfg["decline_scopes"]]
        code = Code(self.new_code(provider), provider, client_id, redirect_uri, granted, user,
                    self.s.inow())
        if challenge is not None and cfg["pkce"] != "ignore":
            code.challenge, code.challenge_method = challenge, method
        self.s.codes[code.value] = code
        req.user = user["id"]
        params = {"code": code.value}
        if provider == "tiktok":
            params["scopes"] = ",".join(granted)
        if state_value is not None:
            params["state"] = state_value
        if provider == "generic" and cfg["send_iss"]:
            params["iss"] = cfg["issuer"]
        return redirect(redirect_uri, params, fragment)

    # --- code redemption (shared) ----------------------------------------------------------

    def redeem(self, provider, client_id, value, redirect_uri, verifier):
        """(Code, None) or (None, reason) with reason one of: missing, invalid, used, expired,
        redirect_mismatch, pkce_missing, pkce_mismatch."""
        if not value:
            return None, "missing"
        code = self.s.codes.get(value)
        if code is None or code.provider != provider or code.client_id != client_id:
            return None, "invalid"
        if code.used:
            if code.grant is not None:
                self.s.revoke_grant(code.grant, "code_reuse", 458)
            return None, "used"
        code.used = True
        if self.s.now() >= code.created_at + self.cfg(provider)["code_ttl"]:
            return None, "expired"
        if redirect_uri != code.redirect_uri:
            return None, "redirect_mismatch"
        if code.challenge is not None:
            if not verifier:
                return None, "pkce_missing"
            digest = hashlib.sha256(verifier.encode()).digest()
            expected = (digest.hex() if self.cfg(provider)["pkce_encoding"] == "hex"
                        else b64url(digest))
            if not re.fullmatch(r"[A-Za-z0-9\-._~]{43,128}", verifier) or \
                    not hmac.compare_digest(expected, code.challenge):
                return None, "pkce_mismatch"
        return code, None

    def use_refresh(self, provider, client_id, value):
        """(grant, old RefreshToken, None) or (None, None, reason): missing, invalid, revoked,
        expired, replay."""
        if not value:
            return None, None, "missing"
        cfg = self.cfg(provider)
        rt = self.s.refresh.get(value)
        if rt is None or rt.grant.provider != provider or rt.grant.client_id != client_id:
            return None, None, "invalid"
        g = rt.grant
        if g.revoked or rt.revoked:
            return None, None, "revoked"
        if self.s.now() >= rt.expires_at:
            return None, None, "expired"
        if rt.superseded_at is not None:
            grace = cfg["refresh_reuse_grace_seconds"]
            if not (grace > 0 and self.s.now() - rt.superseded_at <= grace):
                g.replays += 1
                if cfg["revoke_on_replay"]:
                    self.s.revoke_grant(g, "refresh_token_replay")
                    return None, None, "replay"
                return None, None, "invalid"
        return g, rt, None

    def rotate(self, g, old, rotate):
        """After a successful refresh: the refresh token to return (new or the old one)."""
        g.refreshes += 1
        cfg = self.cfg(g.provider)
        if not rotate:
            if cfg["refresh_horizon"] == "sliding":
                old.expires_at = self.s.inow() + cfg["refresh_ttl"]
            return old
        g.rotations += 1
        now = self.s.inow()
        # Every live refresh token of the grant is now superseded (the one presented included).
        for rt in g.refresh_tokens:
            if rt.superseded_at is None:
                rt.superseded_at = now
        return self.issue_refresh(g)

    def client_form(self, req, id_name="client_id"):
        return req.one(id_name, ("form",)), req.one("client_secret", ("form",))

    # --- Instagram -------------------------------------------------------------------------

    def ig_token(self, req):
        cfg = self.cfg("instagram")
        if req.method != "POST":
            return ig_legacy_error("Invalid request: this endpoint accepts POST only")
        if req.form_error:
            return ig_legacy_error("Invalid request body")
        try:
            cid, secret = self.client_form(req)
            grant_type = req.one("grant_type", ("form",))
            redirect_uri = req.one("redirect_uri", ("form",))
            value = req.one("code", ("form",))
        except DuplicateParam as e:
            return ig_legacy_error(f"Parameter {e.name} is repeated")
        req.grant_type, req.client_auth = grant_type, "form" if secret else None
        if not cid:
            return ig_legacy_error("Missing required field client_id")
        if cid != cfg["client_id"]:
            return ig_legacy_error("Invalid platform app")
        if secret is None or not hmac.compare_digest(secret, cfg["client_secret"]):
            return ig_legacy_error("Error validating client secret.")
        if grant_type != "authorization_code":
            return ig_legacy_error("Invalid grant_type: only authorization_code is supported")
        if not redirect_uri:
            return ig_legacy_error("Missing required field redirect_uri")
        code, reason = self.redeem("instagram", cid, value, redirect_uri, None)
        if code is None:
            return ig_legacy_error({
                "missing": "Missing required field code",
                "invalid": "Invalid authorization code",
                "used": "This authorization code has been used",
                "expired": "This authorization code has expired",
                "redirect_mismatch": "Error validating verification code. Please make sure "
                                     "your redirect_uri is identical to the one you used in "
                                     "the OAuth dialog request",
            }.get(reason, "Invalid authorization code"))
        g = self.s.new_grant("instagram", cid, code.user, code.scopes)
        code.grant = g
        req.user = g.user["id"]
        t = self.issue_access(g, "short", cfg["access_ttl"])
        uid = g.user.get("app_scoped_id", g.user["id"])
        if cfg["flat_instagram_response"]:
            body = {"access_token": t.value,
                    "user_id": int(uid) if uid.isdigit() else uid,
                    "permissions": list(g.scopes)}
        else:
            body = {"data": [{"access_token": t.value, "user_id": uid,
                              "permissions": ",".join(g.scopes)}]}
        return json_resp(200, body, no_store=True)

    def check_appsecret_proof(self, req, provider, token_value):
        cfg = self.cfg(provider)
        try:
            proof = req.one("appsecret_proof")
        except DuplicateParam:
            return graph_error(100, "Parameter appsecret_proof is repeated")
        if proof is None:
            if cfg["require_appsecret_proof"]:
                return graph_error(100, "API calls from the server require an appsecret_proof "
                                        "argument")
            return None
        expected = hmac.new(cfg["client_secret"].encode(), token_value.encode(),
                            hashlib.sha256).hexdigest()
        if not hmac.compare_digest(proof.lower(), expected):
            return graph_error(100, "Invalid appsecret_proof provided in the API argument")
        return None

    def ig_exchange(self, req):
        cfg = self.cfg("instagram")
        try:
            grant_type = req.one("grant_type")
            secret = req.one("client_secret")
            value = req.one("access_token")
        except DuplicateParam as e:
            return graph_error(100, f"Parameter {e.name} is repeated")
        req.grant_type = grant_type
        req.token_in = "query" if value is not None else None
        if grant_type != "ig_exchange_token":
            return graph_error(100, "Unsupported grant_type: expected ig_exchange_token")
        if secret is None or not hmac.compare_digest(secret, cfg["client_secret"]):
            return graph_error(101, "Error validating client secret.")
        tok = self.s.tokens.get(value or "")
        if tok is not None and tok.grant.provider != "instagram":
            tok = None
        st = token_status(self.s, tok)
        if st != "ok":
            return meta_token_error(self.s, tok, st, cfg["client_id"])
        req.user = tok.grant.user["id"]
        if tok.kind == "long":
            # A long-lived token is not extended by another exchange.
            new = self.issue_access(tok.grant, "long", None)
            new.expires_at = tok.expires_at
        else:
            new = self.issue_access(tok.grant, "long", cfg["long_ttl"])
        return json_resp(200, {"access_token": new.value, "token_type": "bearer",
                               "expires_in": max(0, new.expires_at - self.s.inow())},
                         no_store=True)

    def ig_refresh(self, req):
        cfg = self.cfg("instagram")
        try:
            grant_type = req.one("grant_type")
            value = req.one("access_token")
        except DuplicateParam as e:
            return graph_error(100, f"Parameter {e.name} is repeated")
        req.grant_type = grant_type
        req.token_in = "query" if value is not None else None
        if grant_type != "ig_refresh_token":
            return graph_error(100, "Unsupported grant_type: expected ig_refresh_token")
        tok = self.s.tokens.get(value or "")
        if tok is not None and tok.grant.provider != "instagram":
            tok = None
        st = token_status(self.s, tok)
        if st != "ok":
            return meta_token_error(self.s, tok, st, cfg["client_id"])
        req.user = tok.grant.user["id"]
        if tok.kind != "long":
            return graph_error(190, "Error validating access token: only long-lived tokens "
                                    "can be refreshed")
        if self.s.now() - tok.issued_at < cfg["refresh_min_age"]:
            return graph_error(190, "Error validating access token: the token must be at "
                                    "least 24 hours old to be refreshed")
        g = tok.grant
        g.refreshes += 1
        new = self.issue_access(g, "long", cfg["long_ttl"])
        if cfg["refresh_invalidates_old"]:
            tok.revoked = True
        return json_resp(200, {"access_token": new.value, "token_type": "bearer",
                               "expires_in": cfg["long_ttl"]}, no_store=True)

    def ig_me(self, req, node):
        cfg = self.cfg("instagram")
        value = req.bearer()
        tok = self.s.tokens.get(value or "")
        if value is None:
            return graph_error(2500, "An active access token must be used to query "
                                     "information about the current user.")
        if tok is not None and tok.grant.provider != "instagram":
            tok = None
        st = api_token_status(self.s, req, tok)
        if st != "ok":
            return meta_token_error(self.s, tok, st, cfg["client_id"])
        bad = self.check_appsecret_proof(req, "instagram", value)
        if bad:
            return bad
        u = tok.grant.user
        req.user = u["id"]
        if node not in ("me", u["id"], u.get("app_scoped_id")):
            return graph_error(100, f"Unsupported get request. Object with ID '{node}' does not "
                                    "exist, cannot be loaded due to missing permissions, or "
                                    "does not support this operation.", 33)
        values = {
            "id": u.get("app_scoped_id", u["id"]), "user_id": u["id"],
            "username": u.get("username"), "name": u.get("name"),
            "account_type": u.get("account_type", "BUSINESS"),
            "profile_picture_url": u.get("profile_picture_url",
                                         "https://cdn.example/ig/profile.jpg"),
            "followers_count": u.get("followers_count", 1200),
            "follows_count": u.get("follows_count", 150),
            "media_count": u.get("media_count", 42),
        }
        return self.graph_fields(req, values, "id")

    def graph_fields(self, req, values, default, node_type="User", expansions=None):
        try:
            fields = req.one("fields")
        except DuplicateParam:
            return graph_error(100, "Parameter fields is repeated")
        names = [f.strip() for f in split_graph_fields(fields or default) if f.strip()]
        out = {}
        for f in names:
            if "{" in f:
                # Field expansion (`accounts{instagram_business_account{id,username}}`): only
                # the edges the caller offers are known.
                edge, sub = f.split("{", 1)
                if not sub.endswith("}") or expansions is None or edge not in expansions:
                    return graph_error(100, f"Tried accessing nonexisting field ({edge}) on "
                                            f"node type ({node_type})")
                out[edge] = expansions[edge](sub[:-1])
                continue
            if f not in values:
                return graph_error(100, f"Tried accessing nonexisting field ({f}) on node type "
                                        f"({node_type})")
            if values[f] is not None:
                out[f] = values[f]
        if "id" not in out and "id" in values:
            out["id"] = values["id"]
        return json_resp(200, out)

    # --- Facebook --------------------------------------------------------------------------

    def fb_oauth_access_token(self, req):
        cfg = self.cfg("facebook")
        try:
            grant_type = req.one("grant_type")
            cid = req.one("client_id")
            secret = req.one("client_secret")
            redirect_uri = req.one("redirect_uri")
            value = req.one("code")
            exchange = req.one("fb_exchange_token")
            verifier = req.one("code_verifier")
        except DuplicateParam as e:
            return graph_error(100, f"Parameter {e.name} is repeated")
        req.grant_type = grant_type or "authorization_code"
        req.pkce = verifier is not None
        req.client_auth = "param" if secret else None
        if not cid:
            return graph_error(101, "Missing client_id parameter.")
        if cid != cfg["client_id"]:
            return graph_error(101, "Error validating application. Invalid application ID.")
        if secret is None or not hmac.compare_digest(secret, cfg["client_secret"]):
            return graph_error(1, "Error validating client secret.")
        if grant_type == "fb_exchange_token":
            tok = self.s.tokens.get(exchange or "")
            if tok is not None and (tok.grant.provider != "facebook" or tok.kind == "page"):
                tok = None
            st = token_status(self.s, tok)
            if st != "ok":
                return meta_token_error(self.s, tok, st, cfg["client_id"])
            req.user = tok.grant.user["id"]
            if tok.kind == "long":
                new = self.issue_access(tok.grant, "long", None)
                new.expires_at = tok.expires_at
            else:
                new = self.issue_access(tok.grant, "long", cfg["long_ttl"])
            return json_resp(200, {"access_token": new.value, "token_type": "bearer",
                                   "expires_in": max(0, new.expires_at - self.s.inow())},
                             no_store=True)
        if grant_type not in (None, "authorization_code"):
            return graph_error(100, f"Unsupported grant_type: {grant_type}")
        if redirect_uri is None:
            return graph_error(100, "Missing redirect_uri parameter.", 36010)
        code, reason = self.redeem("facebook", cid, value, redirect_uri, verifier)
        if code is None:
            return {
                "missing": graph_error(100, "Missing authorization code"),
                "pkce_missing": graph_error(100, "Missing code_verifier for a code issued with "
                                                 "a code_challenge.", 36007),
                "pkce_mismatch": graph_error(100, "Invalid code_verifier: it does not match the "
                                                  "code_challenge.", 36007),
                "invalid": graph_error(100, "Invalid verification code format.", 36007),
                "used": graph_error(100, "This authorization code has been used.", 36009),
                "expired": graph_error(100, "This authorization code has expired.", 36007),
                "redirect_mismatch": graph_error(
                    100, "Error validating verification code. Please make sure your "
                         "redirect_uri is identical to the one you used in the OAuth dialog "
                         "request", 36008),
            }.get(reason) or graph_error(100, "Invalid verification code format.", 36007)
        g = self.s.new_grant("facebook", cid, code.user, code.scopes)
        g.data_access_expires_at = self.s.inow() + cfg["data_access_ttl"]
        code.grant = g
        req.user = g.user["id"]
        t = self.issue_access(g, "short", cfg["access_ttl"])
        return json_resp(200, {"access_token": t.value, "token_type": "bearer",
                               "expires_in": cfg["access_ttl"]}, no_store=True)

    def fb_token(self, req, allow_page=True):
        """(Token, None) or (None, error Resp) for a Graph call on graph.facebook.com."""
        cfg = self.cfg("facebook")
        value = req.bearer(allow_oauth_scheme=True)
        if value is None:
            return None, graph_error(2500, "An active access token must be used to query "
                                           "information about the current user.")
        tok = self.s.tokens.get(value)
        if tok is not None and (tok.grant.provider != "facebook"
                                or (tok.kind == "page" and not allow_page)):
            tok = None
        st = api_token_status(self.s, req, tok)
        if st != "ok":
            return None, meta_token_error(self.s, tok, st, cfg["client_id"])
        bad = self.check_appsecret_proof(req, "facebook", value)
        if bad:
            return None, bad
        req.user = tok.grant.user["id"]
        return tok, None

    def page_token(self, user_tok, page):
        pt = user_tok.pages.get(page["id"])
        if pt is None:
            ttl = None if user_tok.kind == "long" else max(0, user_tok.expires_at
                                                          - self.s.inow())
            pt = self.issue_access(user_tok.grant, "page", ttl)
            pt.page_id = page["id"]
            user_tok.pages[page["id"]] = pt
        return pt

    def fb_accounts(self, req, tok):
        g = tok.grant
        if tok.kind == "page":
            return graph_error(100, "(#100) Tried accessing nonexisting field (accounts) on "
                                    "node type (Page)")
        try:
            fields = req.one("fields")
        except DuplicateParam:
            return graph_error(100, "Parameter fields is repeated")
        names = [f.strip() for f in (fields or "access_token,category,name,id,tasks").split(",")
                 if f.strip()]
        data = []
        if "pages_show_list" in g.scopes or not g.scopes:
            for page in g.user.get("pages", []):
                values = {
                    "id": page["id"], "name": page.get("name"),
                    "category": page.get("category", "Creator"),
                    "tasks": page.get("tasks", ["ANALYZE", "ADVERTISE", "MODERATE",
                                                "CREATE_CONTENT", "MANAGE"]),
                    "access_token": None,
                    "instagram_business_account": (
                        {"id": page["instagram_business_account"]["id"]}
                        if page.get("instagram_business_account") else None),
                }
                item = {}
                for f in names:
                    if f not in values:
                        return graph_error(100, f"Tried accessing nonexisting field ({f}) on "
                                                "node type (Page)")
                    if f == "access_token":
                        item[f] = self.page_token(tok, page).value
                    elif values[f] is not None:
                        item[f] = values[f]
                item.setdefault("id", page["id"])
                data.append(item)
        cursor = b64url(b"cursor")
        return json_resp(200, {"data": data, "paging": {"cursors": {"before": cursor,
                                                                    "after": cursor}}})

    def fb_graph(self, req, parts):
        cfg = self.cfg("facebook")
        if parts == ["oauth", "access_token"]:
            return self.fb_oauth_access_token(req)
        if parts == ["debug_token"]:
            return self.fb_debug_token(req)
        if not parts or parts == [""]:
            return graph_error(100, "Unsupported get request.")
        tok, err = self.fb_token(req)
        if err:
            return err
        g = tok.grant
        u = g.user
        node = parts[0]
        page_ids = {p["id"]: p for p in u.get("pages", [])}
        ig_ids = {p["instagram_business_account"]["id"]: p["instagram_business_account"]
                  for p in u.get("pages", []) if p.get("instagram_business_account")}
        if node == "me":
            node = tok.page_id if tok.kind == "page" else u["id"]
        if len(parts) == 1 and req.method == "GET":
            if node == u["id"] and tok.kind != "page":
                values = {"id": u["id"], "name": u.get("name"),
                          "first_name": (u.get("name") or "").split(" ")[0] or None,
                          "last_name": (u.get("name") or " ").split(" ")[-1] or None,
                          "email": u.get("email"),
                          "short_name": (u.get("name") or "").split(" ")[0] or None}
                def accounts(sub):
                    # Each Page with the requested fields; instagram_business_account{...} takes
                    # the linked Instagram account's id and username.
                    data = []
                    for page in u.get("pages", []):
                        item = {}
                        for f in split_graph_fields(sub):
                            f = f.strip()
                            if f.startswith("instagram_business_account"):
                                ig = page.get("instagram_business_account")
                                if ig:
                                    inner = f[len("instagram_business_account"):]
                                    wanted = split_graph_fields(inner.strip("{}")) if inner \
                                        else ["id"]
                                    item["instagram_business_account"] = {
                                        k: ig.get(k) for k in wanted if ig.get(k) is not None}
                            elif f in ("id", "name", "category"):
                                item[f] = page.get(f, "Creator" if f == "category" else None)
                        item.setdefault("id", page["id"])
                        data.append(item)
                    return {"data": data}
                return self.graph_fields(req, values, "id,name", expansions={"accounts": accounts})
            if node in page_ids:
                page = page_ids[node]
                values = {"id": page["id"], "name": page.get("name"),
                          "category": page.get("category", "Creator"),
                          "access_token": None,
                          "instagram_business_account": (
                              {"id": page["instagram_business_account"]["id"]}
                              if page.get("instagram_business_account") else None)}
                resp = self.graph_fields(req, values, "id,name", "Page")
                try:
                    wants_token = "access_token" in (req.one("fields") or "")
                except DuplicateParam:
                    wants_token = False
                if resp.status == 200 and wants_token and tok.kind != "page":
                    out = json.loads(resp.body)
                    out["access_token"] = self.page_token(tok, page).value
                    resp = json_resp(200, out)
                return resp
            if node in ig_ids:
                ig = ig_ids[node]
                values = {"id": ig["id"], "username": ig.get("username"),
                          "name": ig.get("name", u.get("name")),
                          "profile_picture_url": "https://cdn.example/ig/profile.jpg",
                          "followers_count": ig.get("followers_count", 1200),
                          "follows_count": ig.get("follows_count", 150),
                          "media_count": ig.get("media_count", 42),
                          "biography": ig.get("biography", "")}
                return self.graph_fields(req, values, "id", "IGUser")
        if len(parts) == 2 and parts[1] == "accounts" and req.method == "GET" \
                and node == u["id"]:
            return self.fb_accounts(req, tok)
        if len(parts) in (2, 3) and parts[1] == "permissions" and node == u["id"] \
                and tok.kind != "page":
            if req.method == "GET":
                return json_resp(200, {"data": [{"permission": x, "status": "granted"}
                                                for x in g.scopes]})
            if req.method == "DELETE" or (req.method == "POST"
                                          and req.one("method") == "delete"):
                if len(parts) == 3:
                    g.scopes = [x for x in g.scopes if x != parts[2]]
                else:
                    self.s.revoke_grant(g, "permissions_deleted", 458)
                return json_resp(200, {"success": True})
        if node in (u["id"],) or node in page_ids or node in ig_ids:
            return graph_error(100, f"Unsupported {req.method.lower()} request.", 33)
        return graph_error(100, f"Unsupported {req.method.lower()} request. Object with ID "
                                f"'{parts[0]}' does not exist, cannot be loaded due to missing "
                                "permissions, or does not support this operation.", 33)

    def fb_debug_token(self, req):
        cfg = self.cfg("facebook")
        try:
            input_token = req.one("input_token")
            app_token = req.bearer(allow_oauth_scheme=True)
        except DuplicateParam as e:
            return graph_error(100, f"Parameter {e.name} is repeated")
        expected_app = f"{cfg['client_id']}|{cfg['client_secret']}"
        if app_token is None:
            return graph_error(104, "An access token is required to request this resource.")
        if not hmac.compare_digest(app_token, expected_app):
            own = self.s.tokens.get(app_token)
            if own is None or own.grant.provider != "facebook" \
                    or token_status(self.s, own) != "ok":
                return graph_error(190, "Invalid OAuth access token - Cannot parse access token")
        if input_token is None:
            return graph_error(100, "The parameter input_token is required")
        tok = self.s.tokens.get(input_token)
        if tok is not None and tok.grant.provider != "facebook":
            tok = None
        if tok is None:
            return json_resp(200, {"data": {"error": {"code": 190,
                                                      "message": "Invalid OAuth access token."},
                                            "is_valid": False, "scopes": []}})
        g = tok.grant
        req.user = g.user["id"]
        st = token_status(self.s, tok)
        data = {
            "app_id": cfg["client_id"],
            "type": "PAGE" if tok.kind == "page" else "USER",
            "application": self.s.glob["app_name"],
            "data_access_expires_at": g.data_access_expires_at or 0,
            "expires_at": tok.expires_at or 0,
            "is_valid": st == "ok",
            "issued_at": tok.issued_at,
            "scopes": list(g.scopes),
            "granular_scopes": [{"scope": x} for x in g.scopes],
            "user_id": g.user["id"],
        }
        if tok.kind == "page":
            data["profile_id"] = tok.page_id
        if st != "ok":
            err = json.loads(meta_token_error(self.s, tok, st, cfg["client_id"]).body)["error"]
            data["error"] = {"code": err["code"], "message": err["message"]}
            if "error_subcode" in err:
                data["error"]["subcode"] = err["error_subcode"]
        return json_resp(200, {"data": data})

    # --- TikTok ----------------------------------------------------------------------------

    def tt_token(self, req):
        cfg = self.cfg("tiktok")
        if req.method != "POST":
            return tiktok_oauth_error(self.s, "invalid_request", "Only POST is supported.")
        if not req.content_type.startswith("application/x-www-form-urlencoded"):
            return tiktok_oauth_error(self.s, "invalid_request",
                                      "Content-Type must be application/x-www-form-urlencoded.")
        try:
            ck, secret = self.client_form(req, "client_key")
            grant_type = req.one("grant_type", ("form",))
            value = req.one("code", ("form",))
            redirect_uri = req.one("redirect_uri", ("form",))
            verifier = req.one("code_verifier", ("form",))
            refresh_value = req.one("refresh_token", ("form",))
        except DuplicateParam as e:
            return tiktok_oauth_error(self.s, "invalid_request", f"Parameter {e.name} is "
                                      "repeated.")
        req.grant_type = grant_type
        req.client_auth = "form" if secret else ("basic" if req.basic() else None)
        req.pkce = verifier is not None
        if not ck or not secret:
            return tiktok_oauth_error(self.s, "invalid_request",
                                      "client_key and client_secret are required.")
        if ck != cfg["client_id"] or not hmac.compare_digest(secret, cfg["client_secret"]):
            return tiktok_oauth_error(self.s, "invalid_client",
                                      "Client key or secret is incorrect.")
        if grant_type == "authorization_code":
            code, reason = self.redeem("tiktok", ck, value, redirect_uri, verifier)
            if code is None:
                return tiktok_oauth_error(self.s, "invalid_request" if reason == "missing"
                                          else "invalid_grant", {
                    "missing": "Code is required.",
                    "invalid": "Authorization code is invalid.",
                    "used": "Authorization code has been used.",
                    "expired": "Authorization code is expired.",
                    "redirect_mismatch": "Redirect URI does not match the authorization "
                                         "request.",
                    "pkce_missing": "Code verifier is required.",
                    "pkce_mismatch": "Code verifier or code challenge is invalid.",
                }[reason])
            g = self.s.new_grant("tiktok", ck, code.user, code.scopes)
            code.grant = g
            rt = self.issue_refresh(g)
        elif grant_type == "refresh_token":
            g, old, reason = self.use_refresh("tiktok", ck, refresh_value)
            if g is None:
                return tiktok_oauth_error(self.s, "invalid_request" if reason == "missing"
                                          else "invalid_grant", {
                    "missing": "Refresh token is required.",
                    "invalid": "Refresh token is invalid.",
                    "revoked": "Refresh token is revoked.",
                    "expired": "Refresh token is expired.",
                    "replay": "Refresh token has been used; the authorization is revoked.",
                }[reason])
            rt = self.rotate(g, old, cfg["rotate_refresh"])
        else:
            return tiktok_oauth_error(self.s, "unsupported_grant_type",
                                      "Grant type is not supported.")
        req.user = g.user["id"]
        t = self.issue_access(g, "access", cfg["access_ttl"])
        return json_resp(200, {
            "access_token": t.value, "expires_in": cfg["access_ttl"], "open_id": g.user["id"],
            "refresh_expires_in": max(0, rt.expires_at - self.s.inow()),
            "refresh_token": rt.value, "scope": ",".join(g.scopes), "token_type": "Bearer",
        }, no_store=True)

    def tt_revoke(self, req):
        cfg = self.cfg("tiktok")
        if req.method != "POST":
            return tiktok_oauth_error(self.s, "invalid_request", "Only POST is supported.")
        try:
            ck, secret = self.client_form(req, "client_key")
            value = req.one("token", ("form",))
        except DuplicateParam as e:
            return tiktok_oauth_error(self.s, "invalid_request", f"Parameter {e.name} is "
                                      "repeated.")
        if not ck or not secret or ck != cfg["client_id"] \
                or not hmac.compare_digest(secret, cfg["client_secret"]):
            return tiktok_oauth_error(self.s, "invalid_client",
                                      "Client key or secret is incorrect.")
        if not value:
            return tiktok_oauth_error(self.s, "invalid_request", "Token is required.")
        tok = self.s.tokens.get(value)
        if tok is not None and tok.grant.provider == "tiktok":
            req.user = tok.grant.user["id"]
            self.s.revoke_grant(tok.grant, "revoked_by_client")
        return json_resp(200, {})

    def tt_userinfo(self, req):
        if req.method != "GET":
            return tiktok_api_error("invalid_params", "Only GET is supported.", 400)
        value = req.bearer(allow_query=False)
        tok = self.s.tokens.get(value or "")
        if tok is not None and tok.grant.provider != "tiktok":
            tok = None
        if api_token_status(self.s, req, tok) != "ok":
            return tiktok_api_error("access_token_invalid", "The access token is invalid or not "
                                    "found in the request.", 401)
        g = tok.grant
        u = g.user
        req.user = u["id"]
        try:
            fields = req.one("fields", ("query",))
        except DuplicateParam:
            return tiktok_api_error("invalid_params", "Parameter fields is repeated.", 400)
        if not fields:
            return tiktok_api_error("invalid_params", "fields is required.", 400)
        names = [f.strip() for f in fields.split(",") if f.strip()]
        for f in names:
            if f not in TIKTOK_FIELD_SCOPE:
                return tiktok_api_error("invalid_params", f"Invalid field: {f}.", 400)
            if TIKTOK_FIELD_SCOPE[f] not in g.scopes:
                return tiktok_api_error("scope_not_authorized", "The user did not authorize "
                                        f"the scope required for field {f}.", 401)
        values = {
            "open_id": u["id"], "union_id": u.get("union_id", "union-" + u["id"]),
            "avatar_url": "https://cdn.example/tt/avatar.jpeg",
            "avatar_url_100": "https://cdn.example/tt/avatar100.jpeg",
            "avatar_large_url": "https://cdn.example/tt/avatar_large.jpeg",
            "display_name": u.get("name", u.get("username")), "username": u.get("username"),
            "bio_description": u.get("bio", ""),
            "profile_deep_link": "https://www.tiktok.com/@" + (u.get("username") or ""),
            "is_verified": False, "follower_count": 1200, "following_count": 150,
            "likes_count": 9000, "video_count": 42,
        }
        return json_resp(200, {"data": {"user": {f: values[f] for f in names}},
                               "error": {"code": "ok", "message": "",
                                         "log_id": tiktok_log_id()}})

    # --- Pinterest -------------------------------------------------------------------------

    def pin_client(self, req):
        """None when the Basic client authentication is right, else the 401 response."""
        cfg = self.cfg("pinterest")
        basic = req.basic()
        req.client_auth = "basic" if basic else ("form" if req.form.get("client_secret")
                                                 else None)
        if basic is None or basic[0] != cfg["client_id"] \
                or not hmac.compare_digest(basic[1], cfg["client_secret"]):
            return pinterest_error(2, "Authentication failed.", 401)
        return None

    def pin_token(self, req):
        cfg = self.cfg("pinterest")
        if req.method != "POST":
            return pinterest_error(405, "Method not allowed.", 405)
        bad = self.pin_client(req)
        if bad:
            return bad
        if not req.content_type.startswith("application/x-www-form-urlencoded"):
            return pinterest_error(1, "Invalid request body: expected "
                                      "application/x-www-form-urlencoded.", 400)
        try:
            grant_type = req.one("grant_type", ("form",))
            value = req.one("code", ("form",))
            redirect_uri = req.one("redirect_uri", ("form",))
            refresh_value = req.one("refresh_token", ("form",))
            scope = req.one("scope", ("form",))
            continuous = (req.one("continuous_refresh", ("form",)) or "").lower() == "true" or \
                (req.one("refresh_on", ("form",)) or "").lower() == "true"
            verifier = req.one("code_verifier", ("form",))
        except DuplicateParam as e:
            return pinterest_error(1, f"Parameter {e.name} is repeated.", 400)
        req.grant_type = grant_type
        req.pkce = verifier is not None
        now = self.s.inow()
        if grant_type == "authorization_code":
            if not value or not redirect_uri:
                return pinterest_error(1, "Missing required parameter: "
                                       + ("code" if not value else "redirect_uri"), 400)
            code, reason = self.redeem("pinterest", cfg["client_id"], value, redirect_uri,
                                       verifier)
            if code is None:
                return pinterest_error(283, {
                    "invalid": "The authorization grant is invalid",
                    "used": "The authorization grant is invalid: the code has been used",
                    "expired": "The authorization grant is invalid: the code has expired",
                    "redirect_mismatch": "The authorization grant is invalid: redirect_uri "
                                         "does not match",
                }.get(reason, "The authorization grant is invalid"), 400)
            g = self.s.new_grant("pinterest", cfg["client_id"], code.user, code.scopes)
            code.grant = g
            req.user = g.user["id"]
            rt = self.issue_refresh(g)
            t = self.issue_access(g, "access", cfg["access_ttl"])
            return json_resp(200, {
                "access_token": t.value, "refresh_token": rt.value,
                "response_type": "authorization_code", "expires_in": cfg["access_ttl"],
                "refresh_token_expires_in": max(0, rt.expires_at - now),
                "refresh_token_expires_at": rt.expires_at,
                "scope": ",".join(g.scopes), "token_type": "bearer"}, no_store=True)
        if grant_type == "refresh_token":
            if not refresh_value:
                return pinterest_error(1, "Missing required parameter: refresh_token", 400)
            g, old, reason = self.use_refresh("pinterest", cfg["client_id"], refresh_value)
            if g is None:
                return pinterest_error(283, {
                    "invalid": "The authorization grant is invalid",
                    "revoked": "The authorization grant is invalid: the refresh token was "
                               "revoked",
                    "expired": "The authorization grant is invalid: the refresh token has "
                               "expired",
                    "replay": "The authorization grant is invalid: the refresh token was "
                              "already used",
                }.get(reason, "The authorization grant is invalid"), 400)
            req.user = g.user["id"]
            scopes = g.scopes
            if scope:
                asked = self.scopes_of("pinterest", scope)
                if any(x not in g.scopes for x in asked):
                    return pinterest_error(3, "Requested scopes exceed the granted scopes.",
                                           400)
                scopes = asked
            continuous_mode = continuous or not cfg["legacy_app"]
            rotate = cfg["rotate_refresh"] and continuous_mode
            if not continuous_mode:
                g.refreshes += 1
                rt = None
            else:
                rt = self.rotate(g, old, rotate)
            t = self.issue_access(g, "access", cfg["access_ttl"])
            body = {"access_token": t.value, "response_type": "refresh_token",
                    "expires_in": cfg["access_ttl"], "scope": ",".join(scopes),
                    "token_type": "bearer"}
            if rt is not None:
                body.update(refresh_token=rt.value,
                            refresh_token_expires_in=max(0, rt.expires_at - now),
                            refresh_token_expires_at=rt.expires_at)
            return json_resp(200, body, no_store=True)
        return pinterest_error(1, "Unsupported grant_type.", 400)

    def pin_revoke(self, req):
        if req.method != "POST":
            return pinterest_error(405, "Method not allowed.", 405)
        bad = self.pin_client(req)
        if bad:
            return bad
        return pinterest_error(29, "You are not permitted to access that resource.", 403)

    def pin_user(self, req):
        if req.method != "GET":
            return pinterest_error(405, "Method not allowed.", 405)
        value = req.bearer(allow_query=False)
        tok = self.s.tokens.get(value or "")
        if tok is not None and tok.grant.provider != "pinterest":
            tok = None
        if api_token_status(self.s, req, tok) != "ok":
            return pinterest_error(2, "Authentication failed.", 401)
        g = tok.grant
        u = g.user
        req.user = u["id"]
        if "user_accounts:read" not in g.scopes:
            return pinterest_error(3, "Your application consumer type is not supported or the "
                                      "token lacks the required scope user_accounts:read.", 401)
        return json_resp(200, {
            "account_type": u.get("account_type", "BUSINESS"), "id": u["id"],
            "profile_image": "https://cdn.example/pin/profile.jpg",
            "website_url": u.get("website_url", "https://creator.example"),
            "username": u.get("username"), "about": u.get("about", ""),
            "business_name": u.get("business_name", u.get("name")),
            "board_count": 12, "pin_count": 340, "follower_count": 1200,
            "following_count": 150, "monthly_views": 45000})

    # --- generic (RFC 6749 / 7636 / 7009) --------------------------------------------------

    def gen_client(self, req):
        """(client_id, None) after client authentication, or (None, error Resp)."""
        cfg = self.cfg("generic")
        basic = req.basic()
        form_id = req.form.get("client_id", [None])[0]
        form_secret = req.form.get("client_secret", [None])[0]
        if basic is not None and form_secret is not None:
            return None, oauth_error("invalid_request", "More than one client authentication "
                                     "method was used.")
        if basic is not None:
            req.client_auth = "basic"
            if cfg["client_auth"] == "form":
                return None, oauth_error("invalid_client", "This client must authenticate with "
                                         "client_secret in the request body.", 401)
            cid, secret = basic
            if form_id is not None and form_id != cid:
                return None, oauth_error("invalid_request", "client_id does not match the "
                                         "authenticated client.")
        elif form_secret is not None:
            req.client_auth = "form"
            if cfg["client_auth"] == "basic":
                return None, oauth_error("invalid_client", "This client must authenticate with "
                                         "HTTP Basic.", 401, basic_challenge=True)
            cid, secret = form_id, form_secret
        else:
            return None, oauth_error("invalid_client", "Client authentication is required.",
                                     401, basic_challenge=True)
        if cid != cfg["client_id"] or not hmac.compare_digest(secret, cfg["client_secret"]):
            return None, oauth_error("invalid_client", "Client authentication failed.", 401,
                                     basic_challenge=basic is not None)
        return cid, None

    def gen_token(self, req):
        cfg = self.cfg("generic")
        if req.method != "POST":
            return oauth_error("invalid_request", "The token endpoint accepts POST only.",
                               headers=[("Allow", "POST")])
        if not req.content_type.startswith("application/x-www-form-urlencoded"):
            return oauth_error("invalid_request", "The body must be "
                               "application/x-www-form-urlencoded.")
        for k, v in req.form.items():
            if len(v) > 1:
                return oauth_error("invalid_request", f"Parameter {k} is repeated.")
        f = {k: v[0] for k, v in req.form.items()}
        req.grant_type = f.get("grant_type")
        req.pkce = "code_verifier" in f
        cid, err = self.gen_client(req)
        if err:
            return err
        if req.grant_type == "authorization_code":
            code, reason = self.redeem("generic", cid, f.get("code"), f.get("redirect_uri"),
                                       f.get("code_verifier"))
            if code is None:
                return oauth_error("invalid_request" if reason == "missing" else "invalid_grant",
                                   {"missing": "code is required.",
                                    "invalid": "The authorization code is invalid.",
                                    "used": "The authorization code has already been used.",
                                    "expired": "The authorization code has expired.",
                                    "redirect_mismatch": "redirect_uri does not match the "
                                                         "authorization request.",
                                    "pkce_missing": "code_verifier is required.",
                                    "pkce_mismatch": "PKCE verification failed."}[reason])
            g = self.s.new_grant("generic", cid, code.user, code.scopes)
            code.grant = g
            rt = self.issue_refresh(g) if cfg["issue_refresh_token"] else None
            scopes = g.scopes
        elif req.grant_type == "refresh_token":
            g, old, reason = self.use_refresh("generic", cid, f.get("refresh_token"))
            if g is None:
                return oauth_error("invalid_request" if reason == "missing" else "invalid_grant",
                                   {"missing": "refresh_token is required.",
                                    "invalid": "The refresh token is invalid.",
                                    "revoked": "The refresh token has been revoked.",
                                    "expired": "The refresh token has expired.",
                                    "replay": "The refresh token was already used; the grant "
                                              "is revoked."}[reason])
            scopes = g.scopes
            if f.get("scope"):
                asked = self.scopes_of("generic", f["scope"])
                if any(x not in g.scopes for x in asked):
                    return oauth_error("invalid_scope", "The requested scope exceeds the "
                                       "granted scope.")
                scopes = asked
            rt = self.rotate(g, old, cfg["rotate_refresh"])
        elif req.grant_type is None:
            return oauth_error("invalid_request", "grant_type is required.")
        else:
            return oauth_error("unsupported_grant_type", "The grant type is not supported.")
        req.user = g.user["id"]
        t = self.issue_access(g, "access", cfg["access_ttl"])
        body = {"access_token": t.value, "token_type": "Bearer",
                "expires_in": cfg["access_ttl"], "scope": " ".join(scopes)}
        if rt is not None:
            body["refresh_token"] = rt.value
        return json_resp(200, body, no_store=True)

    def gen_userinfo(self, req):
        cfg = self.cfg("generic")
        value = req.bearer(allow_query=cfg["allow_query_token"])
        if value is None:
            try:
                in_query = req.one("access_token") is not None
            except DuplicateParam:
                in_query = True
            if in_query:
                return json_resp(400, {"error": "invalid_request",
                                       "error_description": "Send the access token in the "
                                                            "Authorization header."},
                                 [("WWW-Authenticate", 'Bearer error="invalid_request"')],
                                 error="invalid_request")
            r = Resp(401, b"", [("WWW-Authenticate", 'Bearer realm="generic.example"')])
            r.error = "no_token"
            return r
        tok = self.s.tokens.get(value)
        if tok is not None and tok.grant.provider != "generic":
            tok = None
        if api_token_status(self.s, req, tok) != "ok":
            return json_resp(401, {"error": "invalid_token",
                                   "error_description": "The access token is invalid, expired "
                                                        "or revoked."},
                             [("WWW-Authenticate", 'Bearer realm="generic.example", '
                                                   'error="invalid_token"')],
                             error="invalid_token")
        u = tok.grant.user
        req.user = u["id"]
        out = {"sub": u["id"], "preferred_username": u.get("username"), "name": u.get("name")}
        if cfg["send_iss"]:
            out["iss"] = cfg["issuer"]
        return json_resp(200, out)

    def gen_revoke(self, req):
        if req.method != "POST":
            return oauth_error("invalid_request", "The revocation endpoint accepts POST only.")
        for k, v in req.form.items():
            if len(v) > 1:
                return oauth_error("invalid_request", f"Parameter {k} is repeated.")
        cid, err = self.gen_client(req)
        if err:
            return err
        value = req.form.get("token", [None])[0]
        if not value:
            return oauth_error("invalid_request", "token is required.")
        rt = self.s.refresh.get(value)
        if rt is not None and rt.grant.provider == "generic" and rt.grant.client_id == cid:
            req.user = rt.grant.user["id"]
            self.s.revoke_grant(rt.grant, "revoked_by_client")
        tok = self.s.tokens.get(value)
        if tok is not None and tok.grant.provider == "generic" and tok.grant.client_id == cid:
            req.user = tok.grant.user["id"]
            tok.revoked = True
        return Resp(200, b"", [("Cache-Control", "no-store")])

    # --- routing ---------------------------------------------------------------------------

    def route(self, req):
        """(provider, endpoint, callable) for a request."""
        host, path = req.host, req.path
        provider = HOSTS.get(host)
        if provider is None:
            return "unknown", "not_found", lambda: json_resp(
                404, {"error": "not_found", "error_description": "Unknown host in the path: "
                      "use /HOST/PATH."}, error="not_found")
        p = path.rstrip("/") or "/"
        if host in ("www.instagram.com", "api.instagram.com") and p == "/oauth/authorize":
            return provider, "authorize", lambda: self.authorize(req, provider)
        if host == "api.instagram.com" and p == "/oauth/access_token":
            return provider, "token", lambda: self.ig_token(req)
        if host == "graph.instagram.com":
            p2 = re.sub(r"^/v\d+\.\d+(?=/|$)", "", p) or "/"
            if p2 == "/access_token":
                return provider, "exchange", lambda: self.ig_exchange(req)
            if p2 == "/refresh_access_token":
                return provider, "refresh", lambda: self.ig_refresh(req)
            m = re.fullmatch(r"/([^/]+)", p2)
            if m and req.method == "GET":
                return provider, "me", lambda: self.ig_me(req, m.group(1))
            return provider, "graph", lambda: graph_error(
                2500, "Unknown path components: " + p2)
        if host == "www.facebook.com" and re.fullmatch(r"(/v\d+\.\d+)?/dialog/oauth", p):
            return provider, "authorize", lambda: self.authorize(req, provider)
        if host == "graph.facebook.com":
            p2 = re.sub(r"^/v\d+\.\d+(?=/|$)", "", p) or "/"
            parts = [x for x in p2.split("/") if x]
            if parts == ["oauth", "access_token"]:
                try:
                    gt = req.one("grant_type")
                except DuplicateParam:
                    gt = None
                endpoint = "exchange" if gt == "fb_exchange_token" else "token"
            elif parts == ["debug_token"]:
                endpoint = "debug_token"
            elif len(parts) == 1:
                endpoint = "me"
            elif len(parts) >= 2 and parts[1] == "accounts":
                endpoint = "accounts"
            elif len(parts) >= 2 and parts[1] == "permissions":
                endpoint = "permissions"
            else:
                endpoint = "graph"
            return provider, endpoint, lambda: self.fb_graph(req, parts)
        if host == "www.tiktok.com" and p == "/v2/auth/authorize":
            return provider, "authorize", lambda: self.authorize(req, provider)
        if host == "open.tiktokapis.com":
            if p == "/v2/oauth/token":
                try:
                    gt = req.one("grant_type", ("form",))
                except DuplicateParam:
                    gt = None
                return provider, "refresh" if gt == "refresh_token" else "token", \
                    lambda: self.tt_token(req)
            if p == "/v2/oauth/revoke":
                return provider, "revoke", lambda: self.tt_revoke(req)
            if p == "/v2/user/info":
                return provider, "userinfo", lambda: self.tt_userinfo(req)
        if host == "www.pinterest.com" and p == "/oauth":
            return provider, "authorize", lambda: self.authorize(req, provider)
        if host == "api.pinterest.com":
            if p == "/v5/oauth/token":
                try:
                    gt = req.one("grant_type", ("form",))
                except DuplicateParam:
                    gt = None
                return provider, "refresh" if gt == "refresh_token" else "token", \
                    lambda: self.pin_token(req)
            if p == "/v5/oauth/token/revoke":
                return provider, "revoke", lambda: self.pin_revoke(req)
            if p == "/v5/user_account":
                return provider, "user_account", lambda: self.pin_user(req)
        if host == "generic.example":
            if p == "/authorize":
                return provider, "authorize", lambda: self.authorize(req, provider)
            if p == "/token":
                gt = (req.form.get("grant_type") or [None])[0]
                return provider, "refresh" if gt == "refresh_token" else "token", \
                    lambda: self.gen_token(req)
            if p == "/userinfo":
                return provider, "userinfo", lambda: self.gen_userinfo(req)
            if p == "/revoke":
                return provider, "revoke", lambda: self.gen_revoke(req)
        if provider in ("instagram", "facebook"):
            return provider, "not_found", lambda: graph_error(2500, "Unknown path components: "
                                                              + p, status=404)
        if provider == "pinterest":
            return provider, "not_found", lambda: pinterest_error(404, "Not found.", 404)
        return provider, "not_found", lambda: json_resp(
            404, {"error": "not_found", "error_description": "Unknown endpoint."},
            error="not_found")


# ---------------------------------------------------------------------------------------------
# HTTP plumbing


class TLSThreadingHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, handler, ssl_context, state):
        self.ssl_context = ssl_context
        self.state = state
        super().__init__(addr, handler)

    def finish_request(self, request, client_address):
        conn = request
        if self.ssl_context is not None:
            # The handshake runs here, in the request's own thread, so a slow or broken client
            # cannot stall accept().
            request.settimeout(10)
            try:
                conn = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError) as e:
                reason = getattr(e, "reason", None) or type(e).__name__
                print(f"tls handshake failed: {reason}", flush=True)
                with self.state.lock:
                    key = ("tls", "handshake_failed")
                    self.state.counts[key] = self.state.counts.get(key, 0) + 1
                return
        try:
            self.RequestHandlerClass(conn, client_address, self)
        finally:
            if conn is not request:
                try:
                    conn.close()
                except OSError:
                    pass

    def handle_error(self, request, client_address):
        exc = sys.exc_info()[1]
        if isinstance(exc, (ConnectionError, TimeoutError, ssl.SSLError)):
            return
        sys.stderr.write(f"provider_server: {type(exc).__name__} while serving a request\n")


class QuietHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fake-provider"
    sys_version = ""
    timeout = 60
    max_body = 1 << 20

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # the request line may carry tokens: never log it
        pass

    def log_error(self, fmt, *args):
        pass

    def send_error(self, code, message=None, explain=None):
        # The default message quotes the request line, which may carry tokens.
        super().send_error(code, None, None)

    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if te == "chunked":
            out = b""
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline(8)
                if len(out) > self.max_body:
                    raise ValueError("body too large")
        n = int(self.headers.get("Content-Length") or 0)
        if n > self.max_body:
            raise ValueError("body too large")
        return self.rfile.read(n) if n > 0 else b""

    def send_resp(self, r):
        self.send_response(r.status)
        for k, v in r.headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(r.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(r.body)

    def reset_connection(self):
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
        except OSError:
            pass
        try:
            sock = self.connection
            if isinstance(sock, ssl.SSLSocket):
                # Close the TCP socket under TLS without a close_notify: an abrupt reset.
                sock = socket.socket(fileno=sock.detach())
            sock.close()
        except OSError:
            pass
        self.close_connection = True


class ProviderHandler(QuietHandler):
    def handle_any(self):
        state = self.server.state
        logic = self.server.logic
        split = urllib.parse.urlsplit(self.path)
        raw_path = split.path
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self.send_resp(Resp(413, b"{}"))
            return
        parts = raw_path.split("/", 2)
        host = parts[1].lower() if len(parts) > 1 else ""
        path = "/" + (parts[2] if len(parts) > 2 else "")
        query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        req = Req(self.command, host, urllib.parse.unquote(path), query, self.headers, body)
        with state.lock:
            provider, endpoint, fn = logic.route(req)
            key = (provider, endpoint)
            state.counts[key] = state.counts.get(key, 0) + 1
            rule = None
            for rl in state.fail_rules:
                if rl["remaining"] > 0 and rl.get("provider") in (None, "*", provider) \
                        and rl.get("endpoint") in (None, "*", endpoint):
                    rl["remaining"] -= 1
                    rule = dict(rl)
                    break
            state.fail_rules = [rl for rl in state.fail_rules if rl["remaining"] > 0]
            delay = state.setting(provider, "delay_ms") if provider in state.cfg \
                else state.glob["delay_ms"]
            extra_headers = dict(state.cfg[provider]["extra_headers"]) \
                if provider in state.cfg else {}
        delay = (delay or 0) + (rule.get("delay_ms", 0) if rule else 0)
        if delay:
            time.sleep(delay / 1000.0)
        resp = None
        injected = None
        if rule is not None and rule.get("kind") == "slow":
            # Slow but otherwise real: only the delay above, then the normal answer.
            injected = "slow"
            rule = None
        if rule is not None and not rule.get("after"):
            injected = rule.get("kind", "server_error")
            with state.lock:
                resp = injected_response(state, provider, endpoint, rule)
        else:
            with state.lock:
                state.frozen_now = state.now()
                try:
                    resp = fn()
                except Exception as e:  # noqa: BLE001 - a bug must not kill the server
                    sys.stderr.write(f"provider_server: {type(e).__name__} in {provider}/"
                                     f"{endpoint}\n")
                    resp = json_resp(500, {"error": "server_error"}, error="fake_bug")
                finally:
                    state.frozen_now = None
            if rule is not None:
                injected = rule.get("kind", "server_error")
                real_status = resp.status
                with state.lock:
                    resp = injected_response(state, provider, endpoint, rule)
                resp.error = f"{resp.error} (after {real_status})"
        if rule is not None and rule.get("kind") == "hang":
            time.sleep(rule.get("hang_ms", 30000) / 1000.0)
        with state.lock:
            state.seq += 1
            entry = {"seq": state.seq, "time": state.inow(), "provider": provider,
                     "endpoint": endpoint, "method": self.command, "path": raw_path,
                     "status": resp.status if resp.action is None else None,
                     "error": resp.error, "injected": injected}
            for name in ("grant_type", "client_auth", "token_in", "pkce", "user", "token_state",
                         "refreshable"):
                v = getattr(req, name)
                if v is not None:
                    entry[name] = v
            state.log.append(entry)
            if req.token_state is not None:
                use = (provider, endpoint, req.token_state, req.refreshable)
                state.token_uses[use] = state.token_uses.get(use, 0) + 1
        if resp.action == "reset":
            self.reset_connection()
            return
        for k, v in extra_headers.items():
            resp.headers.append((k, v))
        self.send_resp(resp)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = handle_any


# ---------------------------------------------------------------------------------------------
# Control API


PUBLIC_GRANT_FIELDS = ("id", "provider", "created_at", "revoked", "revoke_reason",
                       "revoke_subcode", "refreshes", "rotations", "replays")


def grant_summary(state, g):
    out = {k: getattr(g, k) for k in PUBLIC_GRANT_FIELDS}
    out["user"] = g.user["id"]
    out["username"] = g.user.get("username")
    out["scopes"] = list(g.scopes)
    out["access_tokens_issued"] = len(g.access_tokens)
    out["access_tokens_valid"] = sum(1 for t in g.access_tokens
                                     if token_status(state, t) == "ok")
    live = [rt for rt in g.refresh_tokens if not rt.revoked
            and rt.superseded_at is None and state.now() < rt.expires_at]
    out["refresh_token_valid"] = bool(live) and not g.revoked
    out["refresh_expires_at"] = max((rt.expires_at for rt in live), default=None)
    return out


def seed_grant(state, body):
    """POST /grants: a grant as if this server had issued it earlier, with the tokens and
    expiries (server clock, epoch seconds) the test chose and stored on its side too."""
    provider = body.get("provider")
    if provider not in state.cfg:
        raise ValueError(f"unknown provider {provider!r}")
    user = body.get("user")
    check_value("user", user)
    access = body.get("access_token")
    if not isinstance(access, str) or not access or access in state.tokens:
        raise ValueError("access_token: expected a new non-empty string")
    refresh = body.get("refresh_token")
    if refresh is not None and (not isinstance(refresh, str) or not refresh
                                or refresh in state.refresh):
        raise ValueError("refresh_token: expected a new non-empty string")
    if refresh is not None and "refresh_ttl" not in state.cfg[provider]:
        raise ValueError(f"{provider} issues no refresh tokens")
    scopes = body.get("scopes", [])
    if not isinstance(scopes, list) or not all(isinstance(x, str) for x in scopes):
        raise ValueError("scopes: expected a list of strings")
    kind = body.get("kind", "access")
    if kind not in ("access", "short", "long"):
        raise ValueError('kind: expected "access", "short" or "long"')

    def when(key, required):
        v = body.get(key)
        if v is None and not required:
            return None
        if not (isinstance(v, int) and not isinstance(v, bool)):
            raise ValueError(f"{key}: expected epoch seconds")
        return v

    access_until = when("access_expires_at", False)
    refresh_until = when("refresh_expires_at", refresh is not None)
    data_access_until = when("data_access_expires_at", False)
    u = copy.deepcopy(user)
    u.setdefault("username", u["id"])
    u.setdefault("name", u["username"])
    g = state.new_grant(provider, state.cfg[provider]["client_id"], u, scopes)
    g.data_access_expires_at = data_access_until
    now = state.inow()
    t = Token(access, g, kind, now, access_until)
    state.tokens[access] = t
    g.access_tokens.append(t)
    if refresh is not None:
        if state.cfg[provider]["refresh_horizon"] == "fixed":
            g.refresh_horizon_at = refresh_until
        rt = RefreshToken(refresh, g, now, refresh_until)
        state.refresh[refresh] = rt
        g.refresh_tokens.append(rt)
    return {"grant": g.id}


def redacted_config(state):
    providers = {}
    for p, c in state.cfg.items():
        c2 = copy.deepcopy(c)
        c2["client_secret"] = "(redacted)"
        providers[p] = c2
    return {"global": copy.deepcopy(state.glob), "providers": providers}


class ControlHandler(QuietHandler):
    def reply(self, status, obj):
        self.send_resp(Resp(status, json.dumps(obj, indent=1, sort_keys=True) + "\n"))

    def handle_any(self):
        state = self.server.state
        split = urllib.parse.urlsplit(self.path)
        path = split.path.rstrip("/") or "/"
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(split.query).items()}
        try:
            raw = self.read_body()
            body = json.loads(raw) if raw.strip() else {}
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
        except (ValueError, OSError) as e:
            self.reply(400, {"error": f"bad JSON body: {e}"})
            return
        try:
            with state.lock:
                status, out = self.dispatch(state, self.command, path, q, body)
        except ValueError as e:
            status, out = 400, {"error": str(e)}
        self.reply(status, out)

    def dispatch(self, state, method, path, q, body):
        providers = list(state.cfg)

        def want_provider(name, allow_all=True):
            if name is None and allow_all:
                return providers
            if name in state.cfg:
                return [name]
            raise ValueError(f"unknown provider {name!r}")

        if method == "GET" and path == "/health":
            return 200, {"ok": True}
        if method == "GET" and path == "/calls":
            if "provider" in q or "endpoint" in q:
                n = state.counts.get((q.get("provider"), q.get("endpoint")), 0)
                return 200, {"provider": q.get("provider"), "endpoint": q.get("endpoint"),
                             "count": n}
            counts = {}
            for (p, e), n in sorted(state.counts.items()):
                counts.setdefault(p, {})[e] = n
            log = list(state.log)
            if "since" in q:
                log = [x for x in log if x["seq"] > int(q["since"])]
            return 200, {"counts": counts, "log": log}
        if method == "DELETE" and path == "/calls":
            state.counts.clear()
            state.log.clear()
            state.token_uses.clear()
            return 200, {"ok": True}
        if method == "GET" and path == "/token_uses":
            uses = [{"provider": p, "endpoint": e, "token": t, "refreshable": r, "count": n}
                    for (p, e, t, r), n in sorted(state.token_uses.items(), key=str)
                    if q.get("provider") in (None, p)]
            return 200, {"uses": uses}
        if method == "GET" and path == "/config":
            return 200, redacted_config(state)
        if method == "POST" and path == "/config":
            settings = dict(body)
            target = settings.pop("provider", None)
            if "settings" in settings and isinstance(settings["settings"], dict):
                settings = dict(settings.pop("settings"), **settings)
            # Validate everything first, then apply: a bad request changes nothing.
            plan = []
            for key, value in settings.items():
                if target is None and key in GLOBAL_KEYS:
                    check_value(key, value)
                    plan.append((None, key, value))
                    continue
                applied = False
                for p in want_provider(None if target in (None, "*") else target):
                    if key in state.cfg[p]:
                        check_value(key, value, p)
                        plan.append((p, key, value))
                        applied = True
                if not applied:
                    raise ValueError(f"unknown setting {key!r}"
                                     + (f" for {target}" if target else ""))
            for p, key, value in plan:
                if p is None:
                    state.glob[key] = value
                    if key == "log_limit":
                        state.log = collections.deque(state.log, maxlen=value or None)
                elif key in ("user", "other_user"):
                    u = copy.deepcopy(value)
                    u.setdefault("username", u["id"])
                    u.setdefault("name", u["username"])
                    state.cfg[p][key] = u
                else:
                    state.cfg[p][key] = copy.deepcopy(value)
            return 200, redacted_config(state)
        if path == "/fail_next":
            if method == "GET":
                return 200, {"rules": state.fail_rules}
            if method == "DELETE":
                state.fail_rules = []
                return 200, {"rules": []}
            if method == "POST":
                rule = dict(body)
                if rule.get("provider") not in (None, "*") and rule["provider"] not in state.cfg:
                    raise ValueError(f"unknown provider {rule['provider']!r}")
                count = rule.pop("count", 1)
                if not isinstance(count, int) or count < 1:
                    raise ValueError("count: expected an integer >= 1")
                kinds = ("server_error", "5xx", "rate_limit", "429", "graph", "meta",
                         "invalid_grant", "oauth_error", "access_token_invalid", "tiktok_api",
                         "pinterest", "reset", "hang", "raw", "slow")
                if rule.get("kind", "server_error") not in kinds:
                    raise ValueError("kind: expected one of " + ", ".join(kinds))
                st = rule.get("status")
                if st is not None and not (isinstance(st, int) and 100 <= st <= 599):
                    raise ValueError("status: expected an HTTP status code")
                ra = rule.get("retry_after")
                if ra is not None and not isinstance(ra, (int, str)):
                    raise ValueError("retry_after: expected seconds or an HTTP date")
                for k in ("delay_ms", "hang_ms"):
                    if k in rule and not (isinstance(rule[k], (int, float)) and rule[k] >= 0):
                        raise ValueError(f"{k}: expected a number >= 0")
                if rule.get("kind") == "5xx":
                    rule["kind"] = "server_error"
                rule["remaining"] = count
                state.fail_rules.append(rule)
                return 200, {"rules": state.fail_rules}
        if method == "POST" and path == "/revoke":
            targets = want_provider(body.get("provider"))
            n = 0
            subcode = body.get("subcode", 458)
            for g in list(state.grants.values()):
                if g.provider in targets and not g.revoked \
                        and body.get("user") in (None, g.user["id"]) \
                        and body.get("grant") in (None, g.id):
                    state.revoke_grant(g, body.get("reason", "revoked_by_control"), subcode)
                    n += 1
            return 200, {"revoked": n}
        if method == "POST" and path == "/expire":
            targets = want_provider(body.get("provider"))
            what = body.get("what", "access")
            if what not in ("access", "refresh", "code", "all"):
                raise ValueError('what: expected "access", "refresh", "code" or "all"')
            past = state.inow() - 1
            n = 0
            user = body.get("user")
            if what in ("access", "all"):
                for t in state.tokens.values():
                    if t.grant.provider in targets and user in (None, t.grant.user["id"]):
                        t.expires_at = past
                        n += 1
            if what in ("refresh", "all"):
                for rt in state.refresh.values():
                    if rt.grant.provider in targets and user in (None, rt.grant.user["id"]):
                        rt.expires_at = past
                        n += 1
            if what in ("code", "all"):
                for c in state.codes.values():
                    if c.provider in targets and user in (None, c.user["id"]):
                        c.created_at = past - 100000
                        n += 1
            return 200, {"expired": n}
        if method == "POST" and path == "/expire_data_access":
            targets = want_provider(body.get("provider", "facebook"))
            n = 0
            for g in state.grants.values():
                if g.provider in targets and body.get("user") in (None, g.user["id"]):
                    g.data_access_expires_at = state.inow() - 1
                    n += 1
            return 200, {"expired": n}
        if path == "/clock":
            if method == "POST":
                if "freeze_at" in body:
                    at = body["freeze_at"]
                    if at is not None:
                        check_value("clock_offset_seconds", at)
                    state.glob["clock_frozen_at"] = at
                if "offset_seconds" in body:
                    check_value("clock_offset_seconds", body["offset_seconds"])
                    state.glob["clock_offset_seconds"] = body["offset_seconds"]
                if "advance_seconds" in body:
                    check_value("clock_offset_seconds", body["advance_seconds"])
                    state.glob["clock_offset_seconds"] += body["advance_seconds"]
            if method in ("GET", "POST"):
                return 200, {"now": state.inow(),
                             "offset_seconds": state.glob["clock_offset_seconds"]}
        if method == "POST" and path == "/grants":
            return 200, seed_grant(state, body)
        if method == "GET" and path == "/grants":
            gs = [grant_summary(state, g) for g in state.grants.values()
                  if q.get("provider") in (None, g.provider)
                  and q.get("user") in (None, g.user["id"])]
            return 200, {"grants": gs}
        if method == "POST" and path == "/reset":
            state.reset()
            return 200, {"ok": True}
        return 404, {"error": f"no control endpoint {method} {path}",
                     "endpoints": ["GET /health", "GET /calls[?provider=&endpoint=|?since=N]",
                                   "DELETE /calls", "GET /config", "POST /config",
                                   "GET|POST|DELETE /fail_next", "POST /revoke", "POST /expire",
                                   "POST /expire_data_access", "GET|POST /clock",
                                   "GET /grants[?provider=&user=]", "POST /grants",
                                   "GET /token_uses[?provider=]", "POST /reset"]}

    do_GET = do_POST = do_DELETE = do_PUT = handle_any


# ---------------------------------------------------------------------------------------------


def load_config(args):
    glob = {"consent": "allow", "delay_ms": 0, "clock_offset_seconds": 0,
            "app_name": "rosterd (dev)", "log_limit": 10000}
    provs = {p: default_provider_config(p) for p in PROVIDERS}
    if args.config:
        with open(args.config, encoding="utf-8") as f:
            data = json.load(f)
        g = data.get("global", {})
        for k, v in g.items():
            if k not in GLOBAL_KEYS:
                raise SystemExit(f"--config: unknown global setting {k!r}")
            check_value(k, v)
            glob[k] = v
        sections = data.get("providers", {})
        sections.update({k: v for k, v in data.items() if k in PROVIDERS})
        for p, settings in sections.items():
            if p not in provs:
                raise SystemExit(f"--config: unknown provider {p!r}")
            for k, v in settings.items():
                if k not in provs[p]:
                    raise SystemExit(f"--config: unknown setting {k!r} for {p}")
                try:
                    check_value(k, v, p)
                except ValueError as e:
                    raise SystemExit(f"--config: {p}: {e}")
                provs[p][k] = v
    for item in args.client:
        m = re.fullmatch(r"([a-z]+)=([^:]+):(.+)", item)
        if not m or m.group(1) not in provs:
            raise SystemExit("--client: expected PROVIDER=ID:SECRET with PROVIDER one of "
                             + ", ".join(PROVIDERS))
        provs[m.group(1)]["client_id"] = m.group(2)
        provs[m.group(1)]["client_secret"] = m.group(3)
    if args.consent:
        glob["consent"] = args.consent
    if args.app_name:
        glob["app_name"] = args.app_name
    return glob, provs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0,
                        help="HTTPS port on 127.0.0.1 (default: any free one, printed)")
    parser.add_argument("--control-port", type=int, default=0,
                        help="plain-HTTP control port on 127.0.0.1 (default: any free one)")
    parser.add_argument("--cert", help="server certificate (PEM); without it: plain HTTP")
    parser.add_argument("--key", help="private key of --cert (PEM)")
    parser.add_argument("--config", help="JSON file: {\"global\": {...}, \"providers\": "
                                         "{\"tiktok\": {...}}}")
    parser.add_argument("--client", action="append", default=[], metavar="PROVIDER=ID:SECRET",
                        help="client credentials of one provider (repeatable)")
    parser.add_argument("--consent", choices=("allow", "deny", "page"),
                        help="authorize behaviour (default allow)")
    parser.add_argument("--app-name", help="app name shown on the consent page")
    args = parser.parse_args()
    glob, provs = load_config(args)
    state = State(glob, provs)

    context = None
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        context.load_cert_chain(args.cert, args.key)
        context.set_alpn_protocols(["http/1.1"])
    elif args.key:
        parser.error("--key needs --cert")

    server = TLSThreadingHTTPServer(("127.0.0.1", args.port), ProviderHandler, context, state)
    server.logic = Provider(state)
    control = TLSThreadingHTTPServer(("127.0.0.1", args.control_port), ControlHandler, None,
                                     state)
    print("port", server.server_address[1], flush=True)
    print("control-port", control.server_address[1], flush=True)
    threading.Thread(target=control.serve_forever, daemon=True).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
