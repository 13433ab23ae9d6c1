#!/usr/bin/python3
"""Tests of tests/fakes/provider_server.py, so daemon tests can trust it.

Makes a throwaway CA with the openssl CLI, starts the server over TLS, and drives each platform's
flows with http.client/urllib over an ssl context that trusts only that CA. Standard library only.
Run: python3 tests/fakes/provider_server_test.py
"""

import base64
import hashlib
import hmac
import http.client
import json
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER = os.path.join(HERE, "provider_server.py")
REDIRECT = "https://rosterd.test/oauth/callback/"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_pki(directory):
    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    p = lambda name: os.path.join(directory, name)  # noqa: E731
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "2", "-subj", "/CN=fake CA")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
            p("server.key"), "-out", p("server.csr"), "-subj", "/CN=server")
    with open(p("server.ext"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
            "-CAcreateserial", "-out", p("server.crt"), "-days", "2", "-extfile", p("server.ext"))
    return p("ca.crt"), p("server.crt"), p("server.key")


class Reply:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = {k.lower(): v for k, v in headers}
        self.body = body

    def json(self):
        return json.loads(self.body)

    def location(self):
        """(query dict, fragment) of the Location header."""
        loc = urllib.parse.urlsplit(self.headers["location"])
        return dict(urllib.parse.parse_qsl(loc.query, keep_blank_values=True)), loc.fragment


class ProviderServerTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="provider-fake-")
        ca, cert, key = make_pki(cls.dir)
        cls.ctx = ssl.create_default_context(cafile=ca)
        cls.proc = subprocess.Popen(
            [sys.executable, SERVER, "--cert", cert, "--key", key,
             "--client", "generic=gen-client:gen-secret/with:odd+chars"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # A reader thread: select() on the pipe would miss lines already buffered by readline().
        cls.lines = []
        cls.reader = threading.Thread(target=lambda: cls.lines.extend(iter(
            cls.proc.stdout.readline, "")), daemon=True)
        cls.reader.start()
        deadline = time.time() + 10
        cls.port = cls.control_port = None
        while time.time() < deadline and (cls.port is None or cls.control_port is None):
            for line in list(cls.lines):
                name, _, value = line.strip().partition(" ")
                if name == "port":
                    cls.port = int(value)
                elif name == "control-port":
                    cls.control_port = int(value)
            if cls.proc.poll() is not None:
                break
            time.sleep(0.02)
        if cls.port is None or cls.control_port is None:
            cls.proc.kill()
            raise RuntimeError("the provider server did not start:\n" + cls.read_output())

    @classmethod
    def tearDownClass(cls):
        cls.proc.kill()
        cls.proc.wait()
        shutil.rmtree(cls.dir, ignore_errors=True)

    def setUp(self):
        self.control("POST", "/reset")
        self.secrets = []  # every token, code, state and verifier seen: must never leak

    # --- helpers -----------------------------------------------------------------------------

    def request(self, method, url, form=None, headers=None, body=None):
        """One HTTPS request to the fake; `url` is the real provider URL."""
        real = urllib.parse.urlsplit(url)
        target = "/" + real.netloc + real.path + ("?" + real.query if real.query else "")
        h = dict(headers or {})
        if form is not None:
            body = urllib.parse.urlencode(form)
            h.setdefault("Content-Type", "application/x-www-form-urlencoded")
        conn = http.client.HTTPSConnection("localhost", self.port, context=self.ctx, timeout=10)
        try:
            conn.request(method, target, body=body, headers=h)
            r = conn.getresponse()
            return Reply(r.status, r.getheaders(), r.read().decode())
        finally:
            conn.close()

    def get(self, url, params=None, headers=None):
        if params:
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(params)
        return self.request("GET", url, headers=headers)

    def control(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.control_port, timeout=10)
        try:
            data = json.dumps(body) if body is not None else None
            conn.request(method, path, body=data,
                         headers={"Content-Type": "application/json"} if data else {})
            r = conn.getresponse()
            text = r.read().decode()
            if r.status != 200:
                raise AssertionError(f"control {method} {path}: {r.status} {text}")
            return json.loads(text)
        finally:
            conn.close()

    def calls(self, provider, endpoint):
        return self.control("GET", f"/calls?provider={provider}&endpoint={endpoint}")["count"]

    def basic(self, cid, secret):
        raw = f"{urllib.parse.quote_plus(cid)}:{urllib.parse.quote_plus(secret)}"
        return {"Authorization": "Basic " + base64.b64encode(raw.encode()).decode()}

    def remember(self, *values):
        self.secrets.extend(v for v in values if v)

    def authorize(self, url, params, expect_code=True):
        state = "st-" + secrets.token_urlsafe(16)
        params = dict(params, state=state)
        self.remember(state)
        r = self.get(url, params)
        self.assertEqual(r.status, 302, r.body)
        q, frag = r.location()
        self.assertEqual(q.get("state"), state)
        self.assertTrue(r.headers["location"].startswith(params["redirect_uri"]))
        if expect_code:
            self.assertIn("code", q, q)
            self.remember(q["code"])
        return q, frag

    def assert_no_secrets(self):
        texts = [json.dumps(self.control("GET", "/calls")),
                 json.dumps(self.control("GET", "/grants")),
                 json.dumps(self.control("GET", "/config")),
                 self.read_output()]
        for s in self.secrets + ["secret-instagram", "secret-facebook", "secret-tiktok",
                                 "secret-pinterest", "gen-secret"]:
            for t in texts:
                self.assertNotIn(s, t)

    @classmethod
    def read_output(cls):
        return "".join(list(cls.lines))

    # --- flows -------------------------------------------------------------------------------

    def instagram_login(self):
        q, frag = self.authorize("https://www.instagram.com/oauth/authorize", {
            "client_id": "test-instagram", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "instagram_business_basic,instagram_business_content_publish"})
        self.assertEqual(frag, "_")
        r = self.request("POST", "https://api.instagram.com/oauth/access_token", form={
            "client_id": "test-instagram", "client_secret": "secret-instagram",
            "grant_type": "authorization_code", "redirect_uri": REDIRECT, "code": q["code"]})
        self.assertEqual(r.status, 200, r.body)
        return r.json()

    def test_instagram_full_flow(self):
        body = self.instagram_login()
        item = body["data"][0]
        self.assertEqual(item["permissions"],
                         "instagram_business_basic,instagram_business_content_publish")
        short = item["access_token"]
        self.assertIsInstance(item["user_id"], str)
        self.remember(short)
        r = self.get("https://graph.instagram.com/access_token", {
            "grant_type": "ig_exchange_token", "client_secret": "secret-instagram",
            "access_token": short})
        self.assertEqual(r.status, 200, r.body)
        long1 = r.json()
        self.assertEqual(long1["token_type"], "bearer")
        self.assertEqual(long1["expires_in"], 5184000)
        self.remember(long1["access_token"])
        r = self.get("https://graph.instagram.com/v22.0/me?fields=user_id,username",
                     headers={"Authorization": "Bearer " + long1["access_token"]})
        self.assertEqual(r.json(), {"user_id": "17841400000000001", "username": "creator.one",
                                    "id": item["user_id"]})
        # Refresh: refused before 24 h (server clock), accepted after, result valid 60 d.
        r = self.get("https://graph.instagram.com/refresh_access_token", {
            "grant_type": "ig_refresh_token", "access_token": long1["access_token"]})
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"]["code"], 190)
        self.control("POST", "/clock", {"advance_seconds": 25 * 3600})
        r = self.get("https://graph.instagram.com/refresh_access_token", {
            "grant_type": "ig_refresh_token", "access_token": long1["access_token"]})
        self.assertEqual(r.status, 200, r.body)
        long2 = r.json()
        self.remember(long2["access_token"])
        self.assertNotEqual(long2["access_token"], long1["access_token"])
        self.assertEqual(long2["expires_in"], 5184000)
        r = self.get("https://graph.instagram.com/me?fields=username&access_token="
                     + long2["access_token"])
        self.assertEqual(r.json()["username"], "creator.one")
        # 61 days later the token is dead and cannot be refreshed: 190/463.
        self.control("POST", "/clock", {"advance_seconds": 61 * 86400})
        r = self.get("https://graph.instagram.com/refresh_access_token", {
            "grant_type": "ig_refresh_token", "access_token": long2["access_token"]})
        err = r.json()["error"]
        self.assertEqual((err["code"], err["error_subcode"], err["type"]),
                         (190, 463, "OAuthException"))
        self.assertIn("fbtrace_id", err)
        self.assertEqual(self.calls("instagram", "refresh"), 3)
        self.assertEqual(self.calls("instagram", "token"), 1)
        self.assert_no_secrets()

    def test_instagram_multipart_token_request(self):
        q, _ = self.authorize("https://www.instagram.com/oauth/authorize", {
            "client_id": "test-instagram", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "instagram_business_basic"})
        boundary = "b" + secrets.token_hex(8)
        fields = {"client_id": "test-instagram", "client_secret": "secret-instagram",
                  "grant_type": "authorization_code", "redirect_uri": REDIRECT,
                  "code": q["code"]}
        body = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n'
                       f"{v}\r\n" for k, v in fields.items()) + f"--{boundary}--\r\n"
        r = self.request("POST", "https://api.instagram.com/oauth/access_token", body=body,
                         headers={"Content-Type": "multipart/form-data; boundary=" + boundary})
        self.assertEqual(r.status, 200, r.body)
        self.assertIn("access_token", r.json()["data"][0])

    def test_instagram_flat_shape_and_denial(self):
        self.control("POST", "/config", {"provider": "instagram",
                                         "flat_instagram_response": True})
        body = self.instagram_login()
        self.remember(body["access_token"])
        self.assertIsInstance(body["user_id"], int)
        self.assertEqual(body["permissions"], ["instagram_business_basic",
                                               "instagram_business_content_publish"])
        self.control("POST", "/config", {"provider": "instagram", "consent": "deny"})
        q, frag = self.authorize("https://www.instagram.com/oauth/authorize", {
            "client_id": "test-instagram", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "instagram_business_basic"}, expect_code=False)
        self.assertEqual((q["error"], q["error_reason"]), ("access_denied", "user_denied"))
        self.assertIn("error_description", q)
        self.assertEqual(frag, "_")
        # Retired scope names are refused.
        q, _ = self.authorize("https://www.instagram.com/oauth/authorize", {
            "client_id": "test-instagram", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "business_basic"}, expect_code=False)
        self.assertEqual(q["error"], "invalid_scope")

    def test_facebook_flow(self):
        q, frag = self.authorize("https://www.facebook.com/v22.0/dialog/oauth", {
            "client_id": "test-facebook", "redirect_uri": REDIRECT,
            "scope": "instagram_basic,pages_show_list,pages_read_engagement"})
        self.assertEqual(frag, "_=_")
        r = self.get("https://graph.facebook.com/v22.0/oauth/access_token", {
            "client_id": "test-facebook", "redirect_uri": REDIRECT,
            "client_secret": "secret-facebook", "code": q["code"]})
        self.assertEqual(r.status, 200, r.body)
        short = r.json()["access_token"]
        self.remember(short)
        self.assertEqual(r.json()["token_type"], "bearer")
        r = self.get("https://graph.facebook.com/v23.0/oauth/access_token", {
            "grant_type": "fb_exchange_token", "client_id": "test-facebook",
            "client_secret": "secret-facebook", "fb_exchange_token": short})
        self.assertEqual(r.status, 200, r.body)
        long = r.json()
        self.remember(long["access_token"])
        self.assertNotEqual(long["access_token"], short)
        self.assertEqual(long["expires_in"], 5183944)
        auth = {"Authorization": "Bearer " + long["access_token"]}
        r = self.get("https://graph.facebook.com/v22.0/debug_token", {
            "input_token": long["access_token"],
            "access_token": "test-facebook|secret-facebook"})
        d = r.json()["data"]
        self.assertTrue(d["is_valid"])
        self.assertEqual((d["app_id"], d["type"], d["user_id"]),
                         ("test-facebook", "USER", "10160000000000001"))
        self.assertGreater(d["data_access_expires_at"], d["issued_at"])
        self.assertIn("pages_show_list", d["scopes"])
        self.assertEqual(self.get("https://graph.facebook.com/v22.0/me?fields=id,name",
                                  headers=auth).json(),
                         {"id": "10160000000000001", "name": "Creator One"})
        r = self.get("https://graph.facebook.com/v22.0/me/accounts?fields=id,name,access_token,"
                     "instagram_business_account", headers=auth)
        page = r.json()["data"][0]
        self.remember(page["access_token"])
        self.assertEqual(page["instagram_business_account"], {"id": "17841400000000001"})
        r = self.get("https://graph.facebook.com/v22.0/debug_token", {
            "input_token": page["access_token"],
            "access_token": "test-facebook|secret-facebook"})
        self.assertEqual((r.json()["data"]["type"], r.json()["data"]["expires_at"]), ("PAGE", 0))
        r = self.get("https://graph.facebook.com/v22.0/17841400000000001?fields=id,username",
                     headers={"Authorization": "Bearer " + page["access_token"]})
        self.assertEqual(r.json(), {"id": "17841400000000001", "username": "creator.one"})
        # Revocation through the API: every token of the grant dies with 190/458.
        r = self.request("DELETE", "https://graph.facebook.com/v22.0/10160000000000001/"
                         "permissions", headers=auth)
        self.assertEqual(r.json(), {"success": True})
        r = self.get("https://graph.facebook.com/v22.0/me", headers=auth)
        self.assertEqual((r.json()["error"]["code"], r.json()["error"]["error_subcode"]),
                         (190, 458))
        r = self.get("https://graph.facebook.com/v22.0/debug_token", {
            "input_token": long["access_token"],
            "access_token": "test-facebook|secret-facebook"})
        self.assertFalse(r.json()["data"]["is_valid"])
        self.assert_no_secrets()

    def test_facebook_control_revoke_subcode_and_appsecret_proof(self):
        self.control("POST", "/config", {"provider": "facebook", "require_appsecret_proof": True})
        q, _ = self.authorize("https://www.facebook.com/v22.0/dialog/oauth", {
            "client_id": "test-facebook", "redirect_uri": REDIRECT, "scope": "public_profile"})
        tok = self.get("https://graph.facebook.com/v22.0/oauth/access_token", {
            "client_id": "test-facebook", "redirect_uri": REDIRECT,
            "client_secret": "secret-facebook", "code": q["code"]}).json()["access_token"]
        self.remember(tok)
        auth = {"Authorization": "Bearer " + tok}
        r = self.get("https://graph.facebook.com/v22.0/me", headers=auth)
        self.assertEqual(r.json()["error"]["code"], 100)
        proof = hmac.new(b"secret-facebook", tok.encode(), hashlib.sha256).hexdigest()
        self.assertEqual(self.get("https://graph.facebook.com/v22.0/me?appsecret_proof=" + proof,
                                  headers=auth).status, 200)
        self.assertEqual(self.control("POST", "/revoke", {"provider": "facebook",
                                                          "user": "10160000000000001",
                                                          "subcode": 460})["revoked"], 1)
        r = self.get("https://graph.facebook.com/v22.0/me?appsecret_proof=" + proof,
                     headers=auth)
        self.assertEqual(r.json()["error"]["error_subcode"], 460)

    def facebook_code_exchange(self, verifier=None, challenge_verifier=None):
        params = {"client_id": "test-facebook", "redirect_uri": REDIRECT,
                  "scope": "public_profile"}
        if challenge_verifier:
            params["code_challenge"] = b64url(hashlib.sha256(challenge_verifier.encode())
                                              .digest())
            params["code_challenge_method"] = "S256"
        q, _ = self.authorize("https://www.facebook.com/v22.0/dialog/oauth", params)
        query = {"client_id": "test-facebook", "redirect_uri": REDIRECT,
                 "client_secret": "secret-facebook", "code": q["code"]}
        if verifier:
            query["code_verifier"] = verifier
            self.remember(verifier)
        return self.get("https://graph.facebook.com/v22.0/oauth/access_token", query)

    def test_facebook_pkce(self):
        verifier = b64url(secrets.token_bytes(32))
        # A challenge at the login dialog binds the code to its verifier: missing or wrong fails.
        for sent in (None, b64url(secrets.token_bytes(32))):
            r = self.facebook_code_exchange(sent, verifier)
            self.assertEqual(r.status, 400, r.body)
            self.assertEqual((r.json()["error"]["code"], r.json()["error"]["error_subcode"]),
                             (100, 36007))
            self.assertIn("code_verifier", r.json()["error"]["message"])
        r = self.facebook_code_exchange(verifier, verifier)
        self.assertEqual(r.status, 200, r.body)
        self.remember(r.json()["access_token"])
        log = self.control("GET", "/calls?since=0")["log"]
        self.assertTrue(log[-1]["pkce"])
        # Without a challenge the verifier is not needed (PKCE is the client's choice).
        r = self.facebook_code_exchange()
        self.assertEqual(r.status, 200, r.body)
        self.remember(r.json()["access_token"])
        # pkce=required: a login without a challenge is refused at the dialog.
        self.control("POST", "/config", {"provider": "facebook", "pkce": "required"})
        r = self.get("https://www.facebook.com/v22.0/dialog/oauth", {
            "client_id": "test-facebook", "redirect_uri": REDIRECT, "state": "s"})
        self.assertEqual(r.location()[0]["error"], "invalid_request")
        self.assert_no_secrets()

    def tiktok_tokens(self, verifier=None, challenge_verifier=None):
        params = {"client_key": "test-tiktok", "redirect_uri": REDIRECT, "response_type": "code",
                  "scope": "user.info.basic,user.info.profile"}
        if challenge_verifier:
            params["code_challenge"] = b64url(hashlib.sha256(challenge_verifier.encode())
                                              .digest())
            params["code_challenge_method"] = "S256"
        q, _ = self.authorize("https://www.tiktok.com/v2/auth/authorize/", params)
        self.assertEqual(q["scopes"], "user.info.basic,user.info.profile")
        form = {"client_key": "test-tiktok", "client_secret": "secret-tiktok", "code": q["code"],
                "grant_type": "authorization_code", "redirect_uri": REDIRECT}
        if verifier:
            form["code_verifier"] = verifier
        return self.request("POST", "https://open.tiktokapis.com/v2/oauth/token/", form=form)

    def tiktok_refresh(self, refresh_token):
        return self.request("POST", "https://open.tiktokapis.com/v2/oauth/token/", form={
            "client_key": "test-tiktok", "client_secret": "secret-tiktok",
            "grant_type": "refresh_token", "refresh_token": refresh_token})

    def tiktok_user(self, access_token):
        return self.get("https://open.tiktokapis.com/v2/user/info/?fields=open_id,display_name,"
                        "username", headers={"Authorization": "Bearer " + access_token})

    def test_tiktok_flow_rotation_and_replay(self):
        verifier = b64url(secrets.token_bytes(32))
        self.remember(verifier)
        r = self.tiktok_tokens(verifier, verifier)
        self.assertEqual(r.status, 200, r.body)
        t1 = r.json()
        self.remember(t1["access_token"], t1["refresh_token"])
        self.assertEqual((t1["token_type"], t1["open_id"], t1["expires_in"]),
                         ("Bearer", "-000creatorOneOpenId0001", 7200))
        self.assertEqual(t1["refresh_expires_in"], 15552000)
        r = self.tiktok_user(t1["access_token"])
        self.assertEqual(r.json()["error"]["code"], "ok")
        self.assertEqual(r.json()["data"]["user"]["username"], "creator.one")
        # Refresh rotates; the refresh horizon is fixed from the first issuance.
        self.control("POST", "/clock", {"advance_seconds": 3600})
        t2 = self.tiktok_refresh(t1["refresh_token"]).json()
        self.remember(t2["access_token"], t2["refresh_token"])
        self.assertNotEqual(t2["refresh_token"], t1["refresh_token"])
        self.assertAlmostEqual(t2["refresh_expires_in"], 15552000 - 3600, delta=2)
        self.assertEqual(self.tiktok_user(t2["access_token"]).status, 200)
        # Replaying the rotated token revokes the whole grant.
        r = self.tiktok_refresh(t1["refresh_token"])
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["error"], "invalid_grant")
        self.assertIn("log_id", r.json())
        r = self.tiktok_user(t2["access_token"])
        self.assertEqual((r.status, r.json()["error"]["code"]), (401, "access_token_invalid"))
        self.assertEqual(self.tiktok_refresh(t2["refresh_token"]).json()["error"],
                         "invalid_grant")
        grants = self.control("GET", "/grants?provider=tiktok")["grants"]
        self.assertEqual((grants[0]["revoked"], grants[0]["revoke_reason"],
                          grants[0]["rotations"]), (True, "refresh_token_replay", 1))
        self.assertEqual(self.calls("tiktok", "refresh"), 3)
        self.assert_no_secrets()

    def test_tiktok_pkce_and_revoke(self):
        verifier = b64url(secrets.token_bytes(32))
        r = self.tiktok_tokens(b64url(secrets.token_bytes(32)), verifier)
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_grant"))
        r = self.tiktok_tokens(None, verifier)
        self.assertEqual(r.json()["error"], "invalid_grant")
        # No challenge at authorize: none needed at the token endpoint (web flow).
        t = self.tiktok_tokens().json()
        r = self.request("POST", "https://open.tiktokapis.com/v2/oauth/revoke/", form={
            "client_key": "test-tiktok", "client_secret": "secret-tiktok",
            "token": t["access_token"]})
        self.assertEqual((r.status, r.json()), (200, {}))
        self.assertEqual(self.tiktok_user(t["access_token"]).status, 401)
        self.assertEqual(self.tiktok_refresh(t["refresh_token"]).json()["error"], "invalid_grant")
        # Switch: OAuth errors in an HTTP 200 body (TikTok's status behaviour is unconfirmed).
        self.control("POST", "/config", {"provider": "tiktok", "oauth_error_status": 200})
        r = self.tiktok_refresh(t["refresh_token"])
        self.assertEqual((r.status, r.json()["error"]), (200, "invalid_grant"))

    def test_tiktok_reuse_grace_window(self):
        self.control("POST", "/config", {"provider": "tiktok", "refresh_reuse_grace_seconds": 60})
        t1 = self.tiktok_tokens().json()
        t2 = self.tiktok_refresh(t1["refresh_token"]).json()
        # A crash lost t2: the old token still works within the grace window...
        t3 = self.tiktok_refresh(t1["refresh_token"])
        self.assertEqual(t3.status, 200, t3.body)
        self.assertNotEqual(t3.json()["refresh_token"], t2["refresh_token"])
        # ...but not after it.
        self.control("POST", "/clock", {"advance_seconds": 120})
        self.assertEqual(self.tiktok_refresh(t1["refresh_token"]).json()["error"],
                         "invalid_grant")

    def pinterest_tokens(self):
        q, _ = self.authorize("https://www.pinterest.com/oauth/", {
            "client_id": "test-pinterest", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "boards:read,pins:read,user_accounts:read"})
        return self.request("POST", "https://api.pinterest.com/v5/oauth/token",
                            form={"grant_type": "authorization_code", "code": q["code"],
                                  "redirect_uri": REDIRECT},
                            headers=self.basic("test-pinterest", "secret-pinterest"))

    def test_pinterest_flow(self):
        r = self.pinterest_tokens()
        self.assertEqual(r.status, 200, r.body)
        t1 = r.json()
        self.remember(t1["access_token"], t1["refresh_token"])
        self.assertTrue(t1["access_token"].startswith("pina"))
        self.assertTrue(t1["refresh_token"].startswith("pinr"))
        self.assertEqual((t1["response_type"], t1["token_type"], t1["expires_in"],
                          t1["refresh_token_expires_in"]),
                         ("authorization_code", "bearer", 2592000, 5184000))
        self.assertEqual(t1["scope"], "boards:read,pins:read,user_accounts:read")
        r = self.get("https://api.pinterest.com/v5/user_account",
                     headers={"Authorization": "Bearer " + t1["access_token"]})
        self.assertEqual((r.json()["id"], r.json()["username"]), ("549755800001", "creatorone"))
        self.control("POST", "/clock", {"advance_seconds": 86400})
        r = self.request("POST", "https://api.pinterest.com/v5/oauth/token",
                         form={"grant_type": "refresh_token", "refresh_token": t1["refresh_token"],
                               "continuous_refresh": "true"},
                         headers=self.basic("test-pinterest", "secret-pinterest"))
        t2 = r.json()
        self.remember(t2["access_token"], t2["refresh_token"])
        self.assertEqual(t2["response_type"], "refresh_token")
        self.assertNotEqual(t2["refresh_token"], t1["refresh_token"])
        self.assertEqual(t2["refresh_token_expires_in"], 5184000)  # the window restarts
        now = self.control("GET", "/clock")["now"]
        self.assertAlmostEqual(t2["refresh_token_expires_at"], now + 5184000, delta=2)
        r = self.request("POST", "https://api.pinterest.com/v5/oauth/token",
                         form={"grant_type": "refresh_token", "refresh_token": t1["refresh_token"]},
                         headers=self.basic("test-pinterest", "secret-pinterest"))
        self.assertEqual(r.status, 400)
        self.assertEqual(set(r.json()), {"code", "message"})
        r = self.get("https://api.pinterest.com/v5/user_account",
                     headers={"Authorization": "Bearer " + t2["access_token"]})
        self.assertEqual((r.status, r.json()), (401, {"code": 2,
                                                      "message": "Authentication failed."}))
        self.assert_no_secrets()

    def test_pinterest_legacy_app_needs_continuous_refresh(self):
        self.control("POST", "/config", {"provider": "pinterest", "legacy_app": True})
        t1 = self.pinterest_tokens().json()
        auth = self.basic("test-pinterest", "secret-pinterest")
        r = self.request("POST", "https://api.pinterest.com/v5/oauth/token",
                         form={"grant_type": "refresh_token", "refresh_token": t1["refresh_token"]},
                         headers=auth).json()
        self.assertNotIn("refresh_token", r)  # access token only; the old refresh token stays
        r = self.request("POST", "https://api.pinterest.com/v5/oauth/token",
                         form={"grant_type": "refresh_token", "refresh_token": t1["refresh_token"],
                               "continuous_refresh": "true"}, headers=auth).json()
        self.assertNotEqual(r["refresh_token"], t1["refresh_token"])

    def test_pinterest_requires_basic(self):
        q, _ = self.authorize("https://www.pinterest.com/oauth/", {
            "client_id": "test-pinterest", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "user_accounts:read"})
        r = self.request("POST", "https://api.pinterest.com/v5/oauth/token", form={
            "grant_type": "authorization_code", "code": q["code"], "redirect_uri": REDIRECT,
            "client_id": "test-pinterest", "client_secret": "secret-pinterest"})
        self.assertEqual((r.status, r.json()), (401, {"code": 2,
                                                      "message": "Authentication failed."}))
        log = self.control("GET", "/calls")["log"]
        self.assertEqual(log[-1]["client_auth"], "form")
        # The code was not consumed by a request that failed client authentication.
        r = self.request("POST", "https://api.pinterest.com/v5/oauth/token",
                         form={"grant_type": "authorization_code", "code": q["code"],
                               "redirect_uri": REDIRECT},
                         headers=self.basic("test-pinterest", "secret-pinterest"))
        self.assertEqual(r.status, 200, r.body)

    def generic_code(self, verifier=None):
        params = {"client_id": "gen-client", "redirect_uri": REDIRECT, "response_type": "code",
                  "scope": "openid profile"}
        if verifier:
            params["code_challenge"] = b64url(hashlib.sha256(verifier.encode()).digest())
            params["code_challenge_method"] = "S256"
        q, _ = self.authorize("https://generic.example/authorize", params)
        return q["code"]

    def generic_token(self, form, auth=True):
        headers = self.basic("gen-client", "gen-secret/with:odd+chars") if auth else {}
        return self.request("POST", "https://generic.example/token", form=form, headers=headers)

    def test_generic_flow(self):
        verifier = b64url(secrets.token_bytes(32))
        code = self.generic_code(verifier)
        r = self.generic_token({"grant_type": "authorization_code", "code": code,
                                "redirect_uri": REDIRECT, "code_verifier": verifier})
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(r.headers["cache-control"], "no-store")
        t1 = r.json()
        self.assertEqual((t1["token_type"], t1["scope"]), ("Bearer", "openid profile"))
        r = self.get("https://generic.example/userinfo",
                     headers={"Authorization": "Bearer " + t1["access_token"]})
        self.assertEqual(r.json()["sub"], "user-0001")
        t2 = self.generic_token({"grant_type": "refresh_token",
                                 "refresh_token": t1["refresh_token"]}).json()
        self.assertNotEqual(t2["refresh_token"], t1["refresh_token"])
        r = self.request("POST", "https://generic.example/revoke",
                         form={"token": t2["refresh_token"]},
                         headers=self.basic("gen-client", "gen-secret/with:odd+chars"))
        self.assertEqual(r.status, 200)
        r = self.get("https://generic.example/userinfo",
                     headers={"Authorization": "Bearer " + t2["access_token"]})
        self.assertEqual(r.status, 401)
        self.assertIn("invalid_token", r.headers["www-authenticate"])
        # Form client authentication when configured so; Basic is then refused.
        self.control("POST", "/config", {"provider": "generic", "client_auth": "form"})
        form = {"grant_type": "authorization_code", "code": self.generic_code(),
                "redirect_uri": REDIRECT, "client_id": "gen-client",
                "client_secret": "gen-secret/with:odd+chars"}
        self.assertEqual(self.generic_token(form, auth=False).status, 200)
        r = self.generic_token({"grant_type": "authorization_code", "code": self.generic_code(),
                                "redirect_uri": REDIRECT})
        self.assertEqual((r.status, r.json()["error"]), (401, "invalid_client"))

    def test_code_reuse_revokes_tokens(self):
        code = self.generic_code()
        t = self.generic_token({"grant_type": "authorization_code", "code": code,
                                "redirect_uri": REDIRECT}).json()
        r = self.generic_token({"grant_type": "authorization_code", "code": code,
                                "redirect_uri": REDIRECT})
        self.assertEqual((r.status, r.json()["error"]), (400, "invalid_grant"))
        r = self.get("https://generic.example/userinfo",
                     headers={"Authorization": "Bearer " + t["access_token"]})
        self.assertEqual(r.status, 401)
        g = self.control("GET", "/grants?provider=generic")["grants"][0]
        self.assertEqual(g["revoke_reason"], "code_reuse")
        # Same on Instagram, in its legacy error shape.
        q, _ = self.authorize("https://www.instagram.com/oauth/authorize", {
            "client_id": "test-instagram", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "instagram_business_basic"})
        form = {"client_id": "test-instagram", "client_secret": "secret-instagram",
                "grant_type": "authorization_code", "redirect_uri": REDIRECT, "code": q["code"]}
        self.request("POST", "https://api.instagram.com/oauth/access_token", form=form)
        r = self.request("POST", "https://api.instagram.com/oauth/access_token", form=form)
        self.assertEqual(r.json(), {"error_type": "OAuthException", "code": 400,
                                    "error_message": "This authorization code has been used"})

    def test_wrong_redirect_uri_each_platform(self):
        wrong = REDIRECT + "x"
        q, _ = self.authorize("https://www.instagram.com/oauth/authorize", {
            "client_id": "test-instagram", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "instagram_business_basic"})
        r = self.request("POST", "https://api.instagram.com/oauth/access_token", form={
            "client_id": "test-instagram", "client_secret": "secret-instagram",
            "grant_type": "authorization_code", "redirect_uri": wrong, "code": q["code"]})
        self.assertEqual(r.json()["error_type"], "OAuthException")
        q, _ = self.authorize("https://www.facebook.com/v22.0/dialog/oauth", {
            "client_id": "test-facebook", "redirect_uri": REDIRECT})
        r = self.get("https://graph.facebook.com/v22.0/oauth/access_token", {
            "client_id": "test-facebook", "redirect_uri": wrong,
            "client_secret": "secret-facebook", "code": q["code"]})
        self.assertEqual((r.json()["error"]["code"], r.json()["error"]["error_subcode"]),
                         (100, 36008))
        q, _ = self.authorize("https://www.tiktok.com/v2/auth/authorize/", {
            "client_key": "test-tiktok", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "user.info.basic"})
        r = self.request("POST", "https://open.tiktokapis.com/v2/oauth/token/", form={
            "client_key": "test-tiktok", "client_secret": "secret-tiktok", "code": q["code"],
            "grant_type": "authorization_code", "redirect_uri": wrong})
        self.assertEqual(r.json()["error"], "invalid_grant")
        q, _ = self.authorize("https://www.pinterest.com/oauth/", {
            "client_id": "test-pinterest", "redirect_uri": REDIRECT, "response_type": "code",
            "scope": "user_accounts:read"})
        r = self.request("POST", "https://api.pinterest.com/v5/oauth/token",
                         form={"grant_type": "authorization_code", "code": q["code"],
                               "redirect_uri": wrong},
                         headers=self.basic("test-pinterest", "secret-pinterest"))
        self.assertEqual((r.status, set(r.json())), (400, {"code", "message"}))
        r = self.generic_token({"grant_type": "authorization_code", "code": self.generic_code(),
                                "redirect_uri": wrong})
        self.assertEqual(r.json()["error"], "invalid_grant")
        # A registered-URI list makes authorize refuse (no redirect at all).
        self.control("POST", "/config", {"provider": "tiktok", "redirect_uris": [REDIRECT]})
        r = self.get("https://www.tiktok.com/v2/auth/authorize/", {
            "client_key": "test-tiktok", "redirect_uri": wrong, "response_type": "code",
            "scope": "user.info.basic"})
        self.assertEqual(r.status, 400)
        self.assertNotIn("location", r.headers)

    def test_wrong_client_secret_each_platform(self):
        r = self.request("POST", "https://api.instagram.com/oauth/access_token", form={
            "client_id": "test-instagram", "client_secret": "nope", "code": "x",
            "grant_type": "authorization_code", "redirect_uri": REDIRECT})
        self.assertEqual(r.json()["error_message"], "Error validating client secret.")
        r = self.get("https://graph.facebook.com/v22.0/oauth/access_token", {
            "client_id": "test-facebook", "redirect_uri": REDIRECT, "client_secret": "nope",
            "code": "x"})
        self.assertEqual(r.json()["error"]["type"], "OAuthException")
        r = self.request("POST", "https://open.tiktokapis.com/v2/oauth/token/", form={
            "client_key": "test-tiktok", "client_secret": "nope", "code": "x",
            "grant_type": "authorization_code", "redirect_uri": REDIRECT})
        self.assertEqual(r.json()["error"], "invalid_client")
        r = self.request("POST", "https://api.pinterest.com/v5/oauth/token",
                         form={"grant_type": "authorization_code", "code": "x",
                               "redirect_uri": REDIRECT},
                         headers=self.basic("test-pinterest", "nope"))
        self.assertEqual((r.status, r.json()["code"]), (401, 2))
        r = self.request("POST", "https://generic.example/token",
                         form={"grant_type": "authorization_code", "code": "x",
                               "redirect_uri": REDIRECT},
                         headers=self.basic("gen-client", "nope"))
        self.assertEqual((r.status, r.json()["error"]), (401, "invalid_client"))
        self.assertTrue(r.headers["www-authenticate"].startswith("Basic"))

    def test_code_expiry_and_expire_control(self):
        code = self.generic_code()
        self.control("POST", "/clock", {"advance_seconds": 601})
        r = self.generic_token({"grant_type": "authorization_code", "code": code,
                                "redirect_uri": REDIRECT})
        self.assertEqual(r.json()["error"], "invalid_grant")
        t = self.generic_token({"grant_type": "authorization_code", "code": self.generic_code(),
                                "redirect_uri": REDIRECT}).json()
        # Margins: the real clock keeps moving under the offset.
        self.control("POST", "/clock", {"advance_seconds": 3500})
        auth = {"Authorization": "Bearer " + t["access_token"]}
        self.assertEqual(self.get("https://generic.example/userinfo", headers=auth).status, 200)
        self.control("POST", "/clock", {"advance_seconds": 200})
        self.assertEqual(self.get("https://generic.example/userinfo", headers=auth).status, 401)
        t = self.generic_token({"grant_type": "refresh_token",
                                "refresh_token": t["refresh_token"]}).json()
        auth = {"Authorization": "Bearer " + t["access_token"]}
        self.assertEqual(self.control("POST", "/expire", {"provider": "generic"})["expired"], 2)
        self.assertEqual(self.get("https://generic.example/userinfo", headers=auth).status, 401)

    def test_fail_next_and_retry_after(self):
        self.control("POST", "/fail_next", {"provider": "tiktok", "endpoint": "refresh",
                                            "count": 2, "kind": "server_error", "status": 503})
        self.control("POST", "/fail_next", {"provider": "tiktok", "endpoint": "refresh",
                                            "kind": "rate_limit", "retry_after": 7})
        t = self.tiktok_tokens().json()
        for _ in range(2):
            self.assertEqual(self.tiktok_refresh(t["refresh_token"]).status, 503)
        r = self.tiktok_refresh(t["refresh_token"])
        self.assertEqual((r.status, r.headers["retry-after"]), (429, "7"))
        r = self.tiktok_refresh(t["refresh_token"])
        self.assertEqual(r.status, 200, r.body)
        self.assertEqual(self.calls("tiktok", "refresh"), 4)
        # Meta throttling codes in the Graph shape.
        self.control("POST", "/fail_next", {"provider": "facebook", "kind": "graph",
                                            "code": 17})
        r = self.get("https://graph.facebook.com/v22.0/me")
        self.assertEqual((r.status, r.json()["error"]["code"], r.json()["error"]["is_transient"]),
                         (400, 17, True))
        # Pinterest 429 code 8.
        self.control("POST", "/fail_next", {"provider": "pinterest", "kind": "rate_limit"})
        r = self.get("https://api.pinterest.com/v5/user_account")
        self.assertEqual((r.status, r.json()["code"], r.headers["retry-after"]), (429, 8, "30"))
        # A connection reset instead of an answer.
        self.control("POST", "/fail_next", {"provider": "generic", "kind": "reset"})
        with self.assertRaises((ConnectionError, http.client.RemoteDisconnected, ssl.SSLError,
                                OSError)):
            self.get("https://generic.example/userinfo")

    def test_fail_after_processing_loses_rotation(self):
        t1 = self.tiktok_tokens().json()
        # The server rotates, then the answer is lost (reset): the client still holds t1.
        self.control("POST", "/fail_next", {"provider": "tiktok", "endpoint": "refresh",
                                            "kind": "reset", "after": True})
        with self.assertRaises((ConnectionError, http.client.RemoteDisconnected, ssl.SSLError,
                                OSError)):
            self.tiktok_refresh(t1["refresh_token"])
        r = self.tiktok_refresh(t1["refresh_token"])
        self.assertEqual(r.json()["error"], "invalid_grant")
        g = self.control("GET", "/grants?provider=tiktok")["grants"][0]
        self.assertEqual((g["revoked"], g["rotations"]), (True, 1))

    def test_delay(self):
        self.control("POST", "/config", {"provider": "generic", "delay_ms": 300})
        start = time.monotonic()
        self.get("https://generic.example/userinfo")
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.control("POST", "/fail_next", {"provider": "pinterest", "kind": "slow",
                                            "delay_ms": 300})
        start = time.monotonic()
        r = self.get("https://api.pinterest.com/v5/user_account")
        self.assertGreaterEqual(time.monotonic() - start, 0.3)
        self.assertEqual(r.status, 401)  # the normal answer, only late

    def test_different_account(self):
        self.control("POST", "/config", {"provider": "tiktok", "different_account": True})
        self.assertEqual(self.tiktok_tokens().json()["open_id"], "-000creatorTwoOpenId0002")
        self.assertEqual(self.tiktok_tokens().json()["open_id"], "-000creatorOneOpenId0001")
        self.control("POST", "/config", {"provider": "tiktok",
                                         "user": {"id": "-000custom", "username": "custom"}})
        self.assertEqual(self.tiktok_tokens().json()["open_id"], "-000custom")

    def test_consent_page(self):
        self.control("POST", "/config", {"consent": "page", "app_name": "Roster <Dev>"})
        params = {"client_id": "test-pinterest", "redirect_uri": REDIRECT,
                  "response_type": "code", "scope": "boards:read,user_accounts:read",
                  "state": "s1"}
        r = self.get("https://www.pinterest.com/oauth/", params)
        self.assertEqual(r.status, 200)
        self.assertIn("Roster &lt;Dev&gt;", r.body)
        self.assertIn("boards:read", r.body)
        self.assertNotIn("<script", r.body)
        self.assertNotIn("http://", r.body.replace(REDIRECT, ""))
        # A browser posts the form back to the page's own URL, query string included.
        page_url = "https://www.pinterest.com/oauth/?" + urllib.parse.urlencode(params)
        form = dict(params, _decision="allow", _account="other")
        r = self.request("POST", page_url, form=form)
        self.assertEqual(r.status, 302)
        q, _ = r.location()
        t = self.request("POST", "https://api.pinterest.com/v5/oauth/token",
                         form={"grant_type": "authorization_code", "code": q["code"],
                               "redirect_uri": REDIRECT},
                         headers=self.basic("test-pinterest", "secret-pinterest")).json()
        r = self.get("https://api.pinterest.com/v5/user_account",
                     headers={"Authorization": "Bearer " + t["access_token"]})
        self.assertEqual(r.json()["username"], "creatortwo")
        r = self.request("POST", page_url, form=dict(params, _decision="deny"))
        self.assertEqual(r.location()[0]["error"], "access_denied")

    def test_control_validation_and_unknown_paths(self):
        with self.assertRaises(AssertionError):
            self.control("POST", "/config", {"provider": "tiktok", "no_such_switch": 1})
        with self.assertRaises(AssertionError):
            self.control("POST", "/config", {"provider": "tiktok", "consent": "maybe"})
        r = self.get("https://graph.facebook.com/v22.0/oauth/nothing")
        self.assertEqual(r.json()["error"]["type"], "OAuthException")
        r = self.get("https://unknown.example/x")
        self.assertEqual(r.status, 404)
        self.assertEqual(self.calls("unknown", "not_found"), 1)

    def test_tls_refuses_untrusting_client(self):
        # A client that does not trust the CA fails the handshake; the server says so.
        ctx = ssl.create_default_context()
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as raw:
            with self.assertRaises(ssl.SSLError):
                ctx.wrap_socket(raw, server_hostname="localhost")
        deadline = time.time() + 5
        while "tls handshake failed" not in self.read_output() and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn("tls handshake failed", self.read_output())


if __name__ == "__main__":
    unittest.main(verbosity=2)
