#include "daemon/config.hpp"

#include <catch2/catch.hpp>

using namespace rosterd::daemon;
using namespace std::chrono_literals;

namespace {

config parse_ok(const std::string& text) {
  auto c = parse_config(text, "test.toml", "/etc/rosterd");
  INFO((c ? std::string() : c.error().detail));
  REQUIRE(c.has_value());
  return *c;
}

std::string parse_error(const std::string& text) {
  auto c = parse_config(text, "test.toml", "/etc/rosterd");
  REQUIRE_FALSE(c.has_value());
  CHECK(c.error().code == config_errc::invalid);
  return c.error().detail;
}

}  // namespace

TEST_CASE("an empty config file gives the documented defaults", "[config]") {
  const auto c = parse_ok("");
  CHECK(c.server.listen == std::vector<std::string>{"127.0.0.1:8080"});
  CHECK(c.server.max_body_bytes == 6 * 1024 * 1024);  // the 5 MiB roster CSV fits
  CHECK(c.server.max_header_bytes == 16 * 1024);
  CHECK(c.server.max_header_count == 100);
  CHECK(c.server.idle_timeout == 60s);
  CHECK(c.store.path == "/var/lib/rosterd/rosterd.db");
  CHECK(c.store.read_connections == 2);
  CHECK(c.log.level == "info");
  CHECK_FALSE(c.server.tls.enabled);
}

TEST_CASE("values are read with their types, sizes and durations", "[config]") {
  const auto c = parse_ok(R"(
[server]
listen = ["127.0.0.1:9000", "[::1]:9001"]
workers = 4
max_body_bytes = "2MiB"
max_header_bytes = 8192
idle_timeout = "2m"
[store]
path = "db/rosterd.db"
busy_timeout = "250ms"
[log]
level = "debug"
[log.modules]
http = "trace"
)");
  CHECK(c.server.listen.size() == 2);
  CHECK(c.server.workers == 4);
  CHECK(c.server.max_body_bytes == 2 * 1024 * 1024);
  CHECK(c.server.max_header_bytes == 8192);
  CHECK(c.server.idle_timeout == 120s);
  CHECK(c.store.path == "/etc/rosterd/db/rosterd.db");  // relative to the config's directory
  CHECK(c.store.busy_timeout == 250ms);
  CHECK(c.log.modules.at("http") == "trace");
}

TEST_CASE("an unknown key is reported with file, line and a suggestion", "[config]") {
  const auto e = parse_error("[server]\nworkers = 2\nidle_timout = \"5s\"\n");
  CHECK(e.find("test.toml:3:") != std::string::npos);
  CHECK(e.find("server.idle_timout: unknown key") != std::string::npos);
  CHECK(e.find("did you mean \"server.idle_timeout\"") != std::string::npos);
}

TEST_CASE("every problem in a file is reported, not just the first", "[config]") {
  const auto e =
      parse_error("[server]\nworkers = \"x\"\nidle_timeout = \"soon\"\n[store]\nbogus = 1\n");
  CHECK(e.find("server.workers") != std::string::npos);
  CHECK(e.find("server.idle_timeout") != std::string::npos);
  CHECK(e.find("store.bogus") != std::string::npos);
}

TEST_CASE("a wrong type names what was expected and what was found", "[config]") {
  const auto e = parse_error("[server]\nmax_connections = \"lots\"\n");
  CHECK(e.find("test.toml:2:") != std::string::npos);
  CHECK(e.find("server.max_connections: expected an integer, found a string") != std::string::npos);
}

TEST_CASE("an inline secret is refused with advice to use a file", "[config]") {
  const auto e = parse_error("[server.tls]\nkey = \"-----BEGIN PRIVATE KEY-----\"\n");
  CHECK(e.find("server.tls.key") != std::string::npos);
  CHECK(e.find("never written inline") != std::string::npos);
  CHECK(e.find("BEGIN PRIVATE KEY") == std::string::npos);  // the value is not echoed
}

TEST_CASE("a secret file may be a path or a systemd credential name", "[config]") {
  const auto c = parse_ok("[server.tls]\nkey_file = \"keys/tls.key\"\n");
  CHECK(c.server.tls.key_file.resolved == "/etc/rosterd/keys/tls.key");
  const auto cred = parse_ok("[server.tls]\nkey_file = \"credential:tls.key\"\n");
  CHECK(cred.server.tls.key_file.reference == "credential:tls.key");
  const auto e = parse_error("[server.tls]\nkey_file = \"credential:../etc/shadow\"\n");
  CHECK(e.find("must name one credential") != std::string::npos);
}

TEST_CASE("listen addresses must be numeric host:port", "[config]") {
  CHECK(parse_listen_address("127.0.0.1:8080"));
  CHECK(parse_listen_address("[::1]:0"));
  CHECK(parse_listen_address("0.0.0.0:65535"));
  for (const char* bad :
       {"localhost:80", "127.0.0.1", "::1:80", "127.0.0.1:65536", "1.2.3.4:x", ":80", "[::1]:"}) {
    INFO(bad);
    CHECK_FALSE(parse_listen_address(bad));
  }
}

TEST_CASE("reload reports keys that only a restart applies", "[config]") {
  const auto a = parse_ok("[server]\nlisten = [\"127.0.0.1:1\"]\n");
  const auto b = parse_ok("[server]\nlisten = [\"127.0.0.1:2\"]\n[log]\nlevel = \"warn\"\n");
  const auto keys = keys_needing_restart(a, b);
  CHECK(keys == std::vector<std::string>{"server.listen"});
}

TEST_CASE("the rendered config parses back to the same values", "[config]") {
  const auto c = parse_ok("[server]\nidle_timeout = \"90s\"\n[log.modules]\nhttp = \"debug\"\n");
  const auto text = render_config(c);
  const auto back = parse_ok(text.substr(text.find('\n') + 1));
  CHECK(back.server.idle_timeout == 90s);
  CHECK(back.log.modules.at("http") == "debug");
  CHECK(keys_needing_restart(c, back).empty());
}

TEST_CASE("OAuth providers are read with defaults derived from public_url", "[config][oauth]") {
  const auto c = parse_ok(R"(
[server]
public_url = "https://roster.example.com"
[vault]
key_file = "credential:vault-key"
[oauth]
link_ttl = "3d"
ca_file = "/etc/rosterd/test-ca.pem"
[oauth.providers.tiktok]
client_id = "aw123"
client_secret_file = "credential:tiktok-secret"
scopes = ["user.info.basic", "video.list"]
token_url = "https://localhost:9443/open.tiktokapis.com/v2/oauth/token/"
[oauth.providers.pinterest]
enabled = false
[oauth.providers.mastodon]
kind = "generic"
client_id = "m1"
client_secret_file = "/etc/rosterd/mastodon.secret"
authorize_url = "https://mastodon.example/oauth/authorize"
token_url = "https://mastodon.example/oauth/token"
identity_url = "https://mastodon.example/api/v1/accounts/verify_credentials"
client_auth = "form"
id_field = "id"
username_field = "username"
)");
  CHECK(c.vault.key_file.reference == "credential:vault-key");
  CHECK(c.oauth.link_ttl == std::chrono::hours(72));
  REQUIRE(c.oauth.providers.size() == 3);
  const auto& mastodon = c.oauth.providers[0];
  CHECK(mastodon.id == "mastodon");
  CHECK(mastodon.kind == "generic");
  CHECK(mastodon.display_name == "mastodon");
  CHECK(mastodon.client_auth == "form");
  CHECK(mastodon.redirect_uri == "https://roster.example.com/oauth/mastodon/callback");
  const auto& pinterest = c.oauth.providers[1];
  CHECK_FALSE(pinterest.enabled);
  const auto& tiktok = c.oauth.providers[2];
  CHECK(tiktok.kind == "builtin");
  CHECK(tiktok.redirect_uri == "https://roster.example.com/oauth/tiktok/callback");
  REQUIRE(tiktok.scopes);
  CHECK(tiktok.scopes->size() == 2);
  CHECK(tiktok.urls.at("token_url") ==
        "https://localhost:9443/open.tiktokapis.com/v2/oauth/token/");

  const auto text = render_config(c);
  const auto back = parse_ok(text.substr(text.find('\n') + 1));
  CHECK(keys_needing_restart(c, back).empty());
  CHECK(back.oauth.providers.size() == 3);
}

TEST_CASE("OAuth provider mistakes are each reported with the key to fix", "[config][oauth]") {
  const auto no_vault =
      parse_error("[oauth.providers.tiktok]\nclient_id = \"a\"\nclient_secret_file = \"/s\"\n");
  CHECK(no_vault.find("vault.key_file") != std::string::npos);

  const auto missing = parse_error("[vault]\nkey_file = \"/k\"\n[oauth.providers.instagram]\n");
  CHECK(missing.find("oauth.providers.instagram.client_id") != std::string::npos);
  CHECK(missing.find("oauth.providers.instagram.client_secret_file") != std::string::npos);

  const auto generic = parse_error(
      "[vault]\nkey_file = \"/k\"\n[oauth.providers.myspace]\nclient_id = \"a\"\n"
      "client_secret_file = \"/s\"\n");
  CHECK(generic.find("oauth.providers.myspace.kind") != std::string::npos);
  CHECK(generic.find("oauth.providers.myspace.authorize_url") != std::string::npos);

  const auto bad_id = parse_error("[oauth.providers.\"Bad Id\"]\nenabled = false\n");
  CHECK(bad_id.find("provider ids are") != std::string::npos);

  const auto typo = parse_error(
      "[vault]\nkey_file = \"/k\"\n[oauth.providers.tiktok]\nclient_id = \"a\"\n"
      "client_secret_file = \"/s\"\ntoken_ulr = \"https://x\"\n");
  CHECK(typo.find("token_ulr") != std::string::npos);

  const auto inline_secret = parse_error(
      "[vault]\nkey_file = \"/k\"\n[oauth.providers.tiktok]\nclient_id = \"a\"\n"
      "client_secret_file = \"/s\"\nclient_secret = \"hunter2\"\n");
  CHECK(inline_secret.find("client_secret") != std::string::npos);
  CHECK(inline_secret.find("hunter2") == std::string::npos);
}

TEST_CASE("a generic provider's issuer and a platform's pkce = false are read and shown",
          "[config][oauth]") {
  const auto c = parse_ok(R"(
[server]
public_url = "https://roster.example.com"
[vault]
key_file = "/etc/rosterd/vault.key"
[oauth.providers.facebook]
client_id = "f1"
client_secret_file = "/etc/rosterd/facebook.secret"
pkce = false
[oauth.providers.mastodon]
kind = "generic"
client_id = "m1"
client_secret_file = "/etc/rosterd/mastodon.secret"
authorize_url = "https://mastodon.example/oauth/authorize"
token_url = "https://mastodon.example/oauth/token"
identity_url = "https://mastodon.example/api/v1/accounts/verify_credentials"
issuer = "https://mastodon.example"
)");
  REQUIRE(c.oauth.providers.size() == 2);
  CHECK_FALSE(c.oauth.providers[0].pkce);
  CHECK(c.oauth.providers[1].issuer == "https://mastodon.example");
  const auto text = render_config(c);
  INFO(text);
  CHECK(text.find("issuer = 'https://mastodon.example'") != std::string::npos);
  CHECK(text.find("pkce = false") != std::string::npos);
  const auto back = parse_ok(text.substr(text.find('\n') + 1));
  CHECK(back.oauth.providers[1].issuer == "https://mastodon.example");
  CHECK_FALSE(back.oauth.providers[0].pkce);

  const auto builtin = parse_error(
      "[vault]\nkey_file = \"/k\"\n[oauth.providers.tiktok]\nclient_id = \"a\"\n"
      "client_secret_file = \"/s\"\nissuer = \"https://www.tiktok.com\"\n");
  CHECK(builtin.find("oauth.providers.tiktok.issuer: is only for generic providers") !=
        std::string::npos);
}
