#include "setup/config.hpp"

#include <fstream>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "oauth/profile.hpp"

using namespace rosterd::setup;
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
  CHECK(c.log.level == log_level::info);
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
  CHECK(c.log.modules.at("http") == log_level::trace);
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
  CHECK(back.log.modules.at("http") == log_level::debug);
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
  CHECK(mastodon.kind == provider_kind::generic);
  CHECK(mastodon.display_name == "mastodon");
  CHECK(mastodon.client_auth == token_endpoint_auth::form);
  CHECK(mastodon.redirect_uri == "https://roster.example.com/oauth/mastodon/callback");
  const auto& pinterest = c.oauth.providers[1];
  CHECK_FALSE(pinterest.enabled);
  const auto& tiktok = c.oauth.providers[2];
  CHECK(tiktok.kind == provider_kind::builtin);
  CHECK(tiktok.redirect_uri == "https://roster.example.com/oauth/tiktok/callback");
  REQUIRE(tiktok.scopes);
  CHECK(tiktok.scopes->size() == 2);
  CHECK(tiktok.urls.token == "https://localhost:9443/open.tiktokapis.com/v2/oauth/token/");

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

TEST_CASE("the per-peer connection cap has a default and bounds", "[config]") {
  CHECK(parse_ok("").server.max_connections_per_peer == 128);
  CHECK(parse_ok("[server]\nmax_connections_per_peer = 8\n").server.max_connections_per_peer == 8);
  CHECK(parse_error("[server]\nmax_connections_per_peer = 0\n")
            .find("server.max_connections_per_peer") != std::string::npos);
  const auto e = parse_error("[server]\nmax_connections = 100\nmax_connections_per_peer = 200\n");
  CHECK(e.find("server.max_connections_per_peer") != std::string::npos);
  CHECK(e.find("max_connections") != std::string::npos);
  const auto a = parse_ok("");
  const auto b = parse_ok("[server]\nmax_connections_per_peer = 8\n");
  CHECK(keys_needing_restart(a, b) == std::vector<std::string>{"server.max_connections_per_peer"});
}

TEST_CASE("the metrics token is a secret file, never inline, and renders by reference",
          "[config]") {
  CHECK(parse_ok("").metrics.token_file.empty());
  const auto c = parse_ok("[metrics]\ntoken_file = \"credential:metrics-token\"\n");
  CHECK(c.metrics.token_file.reference == "credential:metrics-token");
  const auto file = parse_ok("[metrics]\ntoken_file = \"metrics.token\"\n");
  CHECK(file.metrics.token_file.resolved == "/etc/rosterd/metrics.token");
  const auto text = render_config(file);
  CHECK(text.find("token_file = 'metrics.token'") != std::string::npos);
  CHECK(keys_needing_restart(parse_ok(""), file) == std::vector<std::string>{"metrics.token_file"});
  const auto e = parse_error("[metrics]\ntoken = \"s3cr3t-value\"\n");
  CHECK(e.find("metrics.token") != std::string::npos);
  CHECK(e.find("never written inline") != std::string::npos);
  CHECK(e.find("s3cr3t-value") == std::string::npos);
}

TEST_CASE("a metrics token file that is missing, empty or short is a config error", "[config]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rosterd-config-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  auto check = [&](const std::string& content) {
    if (!content.empty()) {
      std::ofstream(dir / "metrics.token") << content;
    }
    auto c = parse_config("[metrics]\ntoken_file = \"metrics.token\"\n", "test.toml", dir);
    REQUIRE(c.has_value());
    return check_referenced_files(*c);
  };
  auto missing = check("");
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().detail.find("metrics.token_file") != std::string::npos);
  auto empty = check("\n");
  REQUIRE_FALSE(empty.has_value());
  CHECK(empty.error().detail.find("metrics.token_file") != std::string::npos);
  auto short_token = check("abc123\n");
  REQUIRE_FALSE(short_token.has_value());
  CHECK(short_token.error().detail.find("metrics.token_file") != std::string::npos);
  CHECK(short_token.error().detail.find("at least 16") != std::string::npos);
  CHECK(short_token.error().detail.find("abc123") == std::string::npos);
  CHECK(check("0123456789abcdef0123\n").has_value());
  std::filesystem::remove_all(dir);
}

TEST_CASE("an http public_url is refused on a listener other people can reach",
          "[config][public-url]") {
  const auto detail = parse_error(
      "[server]\nlisten = [\"0.0.0.0:8080\"]\npublic_url = \"http://roster.example.com\"\n");
  INFO(detail);
  CHECK(detail.find("server.public_url") != std::string::npos);
  CHECK(detail.find("0.0.0.0:8080") != std::string::npos);
  CHECK(detail.find("https://") != std::string::npos);   // the fix
  CHECK(detail.find("127.0.0.1") != std::string::npos);  // the other fix
  // One reachable listener among loopback ones is enough to refuse.
  CHECK_FALSE(parse_config("[server]\nlisten = [\"127.0.0.1:8080\", \"[2001:db8::1]:8080\"]\n",
                           "test.toml", "/etc/rosterd")
                  .has_value());
  // The default public_url is http://127.0.0.1:8080, so a listen change alone is refused too.
  CHECK_FALSE(
      parse_config("[server]\nlisten = [\"192.0.2.10:8080\"]\n", "test.toml", "/etc").has_value());
}

TEST_CASE("http on loopback listeners and https anywhere are accepted", "[config][public-url]") {
  parse_ok(
      "[server]\nlisten = [\"127.0.0.1:8080\", \"[::1]:8080\", \"127.0.0.2:9\"]\n"
      "public_url = \"http://localhost:8080\"\n");
  // TLS terminated by a reverse proxy on another host: rosterd listens on all interfaces and
  // the public URL is the proxy's https address.
  parse_ok("[server]\nlisten = [\"0.0.0.0:8080\"]\npublic_url = \"https://roster.example.com\"\n");
}

TEST_CASE("the plain-http rule applies to sockets given by systemd too", "[config][public-url]") {
  using boost::asio::ip::make_address;
  using boost::asio::ip::tcp;
  CHECK(check_plain_http_listeners("http://127.0.0.1:8080", {{make_address("127.0.0.1"), 80}}));
  CHECK(check_plain_http_listeners("http://127.0.0.1:8080",
                                   {{make_address("::ffff:127.0.0.1"), 80}}));
  CHECK(check_plain_http_listeners("https://r.example", {{make_address("0.0.0.0"), 80}}));
  const auto refused = check_plain_http_listeners(
      "http://r.example", {{make_address("::1"), 80}, {make_address("::"), 8080}});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().detail.find("[::]:8080") != std::string::npos);
}

TEST_CASE("trusted proxies are addresses or CIDR blocks, each mistake reported",
          "[config][proxies]") {
  const auto c = parse_ok(
      "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"192.0.2.7\", \"fd00::/8\", \"::1\"]\n"
      "forwarded_header = \"forwarded\"\n");
  CHECK(c.server.trusted_proxies.size() == 4);
  CHECK(c.server.forwarded_header == forwarding_header::forwarded);
  CHECK(parse_ok("").server.trusted_proxies.empty());
  CHECK(parse_ok("").server.forwarded_header == forwarding_header::x_forwarded_for);

  const auto detail = parse_error(
      "[server]\ntrusted_proxies = [\"proxy.internal\", \"10.0.0.1/8\", \"10.0.0.0/33\"]\n");
  INFO(detail);
  CHECK(detail.find("server.trusted_proxies: \"proxy.internal\" is not a numeric IP") !=
        std::string::npos);
  CHECK(detail.find("did you mean \"10.0.0.0/8\"") != std::string::npos);
  CHECK(detail.find("0 to 32") != std::string::npos);
  CHECK(
      parse_error("[server]\nforwarded_header = \"x-real-ip\"\n").find("server.forwarded_header") !=
      std::string::npos);
  CHECK(parse_error("[server]\ntrusted_proxies = \"10.0.0.1\"\n").find("server.trusted_proxies") !=
        std::string::npos);
}

TEST_CASE("the hashing pool's size and queue are read and checked", "[config][passwords]") {
  const auto defaults = parse_ok("");
  CHECK(defaults.passwords.hashing_threads == 0);
  CHECK(defaults.passwords.hash_queue_limit == 32);
  const auto c = parse_ok("[passwords]\nhashing_threads = 3\nhash_queue_limit = 0\n");
  CHECK(c.passwords.hashing_threads == 3);
  CHECK(c.passwords.hash_queue_limit == 0);
  CHECK(parse_error("[passwords]\nhashing_threads = 65\n").find("passwords.hashing_threads") !=
        std::string::npos);
  CHECK(parse_error("[passwords]\nhash_queue_limit = -1\n").find("passwords.hash_queue_limit") !=
        std::string::npos);
}

TEST_CASE("the new server and password keys render and parse back", "[config]") {
  const auto c = parse_ok(
      "[server]\ntrusted_proxies = [\"10.1.0.0/16\"]\n[passwords]\nhashing_threads = 2\n"
      "hash_queue_limit = 7\n");
  const auto text = render_config(c);
  const auto back = parse_ok(text.substr(text.find('\n') + 1));
  REQUIRE(back.server.trusted_proxies.size() == 1);
  CHECK(back.server.trusted_proxies[0].base == boost::asio::ip::make_address("10.1.0.0"));
  CHECK(back.server.trusted_proxies[0].prefix_length == 16);
  CHECK(back.passwords.hash_queue_limit == 7);
  CHECK(keys_needing_restart(c, back).empty());
  CHECK(keys_needing_restart(parse_ok(""), c) ==
        std::vector<std::string>{"server.trusted_proxies", "passwords.hash_queue_limit",
                                 "passwords.hashing_threads"});
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

TEST_CASE("each word of a choice reads as its value and prints back as the same word",
          "[config][words]") {
  for (const auto tls : {mail_tls::starttls, mail_tls::implicit, mail_tls::none}) {
    const auto word = std::string(config_word(tls));
    INFO(word);
    const auto c = parse_ok("[mail]\ntls = \"" + word + "\"\n");
    CHECK(c.mail.tls == tls);
    CHECK(render_config(c).find("tls = '" + word + "'") != std::string::npos);
  }
  for (const auto header : {forwarding_header::x_forwarded_for, forwarding_header::forwarded}) {
    const auto word = std::string(config_word(header));
    const auto c = parse_ok("[server]\nforwarded_header = \"" + word + "\"\n");
    CHECK(c.server.forwarded_header == header);
    CHECK(render_config(c).find("forwarded_header = '" + word + "'") != std::string::npos);
  }
  for (const auto level : {log_level::trace, log_level::debug, log_level::info, log_level::warn,
                           log_level::error, log_level::critical, log_level::off}) {
    const auto word = std::string(config_word(level));
    INFO(word);
    const auto c =
        parse_ok("[log]\nlevel = \"" + word + "\"\n[log.modules]\nstore = \"" + word + "\"\n");
    CHECK(c.log.level == level);
    CHECK(c.log.modules.at("store") == level);
    const auto text = render_config(c);
    CHECK(text.find("level = '" + word + "'") != std::string::npos);
    CHECK(text.find("store = '" + word + "'") != std::string::npos);
  }
  for (const auto auth : {token_endpoint_auth::basic, token_endpoint_auth::form}) {
    const auto word = std::string(config_word(auth));
    const auto c = parse_ok(
        "[vault]\nkey_file = \"/k\"\n[oauth.providers.mastodon]\nkind = \"generic\"\n"
        "client_id = \"m\"\nclient_secret_file = \"/s\"\nauthorize_url = \"https://m.example/a\"\n"
        "token_url = \"https://m.example/t\"\nidentity_url = \"https://m.example/i\"\n"
        "client_auth = \"" +
        word + "\"\n");
    CHECK(c.oauth.providers.at(0).client_auth == auth);
    const auto text = render_config(c);
    CHECK(text.find("client_auth = '" + word + "'") != std::string::npos);
    CHECK(text.find("kind = 'generic'") != std::string::npos);
  }
}

TEST_CASE("a word a choice does not accept is reported with its key and every allowed word",
          "[config][words]") {
  CHECK(parse_error("[mail]\ntls = \"ssl\"\n")
            .find("mail.tls: \"ssl\" is not one of: starttls, implicit, none") !=
        std::string::npos);
  CHECK(parse_error("[server]\nforwarded_header = \"x-real-ip\"\n")
            .find("server.forwarded_header: \"x-real-ip\" is not one of: x-forwarded-for, "
                  "forwarded") != std::string::npos);
  CHECK(parse_error("[log]\nlevel = \"loud\"\n")
            .find("log.level: \"loud\" is not one of: trace, debug, info, warn, error, critical, "
                  "off") != std::string::npos);
  CHECK(parse_error("[log.modules]\nnotify = \"loud\"\n")
            .find("log.modules.notify: \"loud\" is not one of: trace") != std::string::npos);
  const auto kind = parse_error(
      "[vault]\nkey_file = \"/k\"\n[oauth.providers.mastodon]\nkind = \"oidc\"\n"
      "client_id = \"m\"\nclient_secret_file = \"/s\"\n");
  CHECK(kind.find("oauth.providers.mastodon.kind: \"oidc\" is not one of: builtin, generic") !=
        std::string::npos);
  const auto auth = parse_error(
      "[vault]\nkey_file = \"/k\"\n[oauth.providers.tiktok]\nclient_id = \"a\"\n"
      "client_secret_file = \"/s\"\nclient_auth = \"jwt\"\n");
  CHECK(auth.find("oauth.providers.tiktok.client_auth: \"jwt\" is not one of: basic, form") !=
        std::string::npos);
}

TEST_CASE("every library's logger takes its own level", "[config][log]") {
  const auto c = parse_ok(
      "[log.modules]\nmain = \"warn\"\nconfig = \"info\"\nstore = \"error\"\nhttp = \"debug\"\n"
      "lifecycle = \"trace\"\nnotify = \"critical\"\n");
  CHECK(c.log.modules.size() == log_modules.size());
  CHECK(c.log.modules.at("lifecycle") == log_level::trace);
  CHECK(c.log.modules.at("notify") == log_level::critical);
  CHECK(parse_error("[log.modules]\nroster = \"debug\"\n").find("log.modules.roster") !=
        std::string::npos);
}

TEST_CASE("trusted proxies are held parsed and print as they were written", "[config][proxies]") {
  const auto c = parse_ok(
      "[server]\ntrusted_proxies = [\"10.0.0.0/8\", \"192.0.2.7\", \"fd00::/8\", \"::1\"]\n");
  REQUIRE(c.server.trusted_proxies.size() == 4);
  CHECK(c.server.trusted_proxies[1].base == boost::asio::ip::make_address("192.0.2.7"));
  CHECK(c.server.trusted_proxies[1].prefix_length == 32);
  CHECK(c.server.trusted_proxies[2].prefix_length == 8);
  CHECK(
      render_config(c).find("trusted_proxies = [ '10.0.0.0/8', '192.0.2.7', 'fd00::/8', '::1' ]") !=
      std::string::npos);
}

TEST_CASE("a provider's URLs are read into their fields and print under their keys",
          "[config][oauth]") {
  std::string text =
      "[vault]\nkey_file = \"/k\"\n[oauth.providers.facebook]\nclient_id = \"f\"\n"
      "client_secret_file = \"/s\"\n";
  for (const auto& [key, field] : provider_url_keys) {
    text += std::string(key) + " = \"https://fake.example/" + std::string(key) + "\"\n";
  }
  const auto c = parse_ok(text);
  const auto rendered = render_config(c);
  for (const auto& [key, field] : provider_url_keys) {
    INFO(key);
    CHECK(c.oauth.providers.at(0).urls.*field == "https://fake.example/" + std::string(key));
    CHECK(rendered.find(std::string(key) + " = 'https://fake.example/" + std::string(key) + "'") !=
          std::string::npos);
  }
}

TEST_CASE("every built-in provider id is read as built-in and named when a kind is missing",
          "[config][oauth]") {
  REQUIRE(rosterd::oauth::builtin_profiles().size() == rosterd::oauth::builtin_provider_ids.size());
  for (const auto id : rosterd::oauth::builtin_provider_ids) {
    INFO(id);
    CHECK(rosterd::oauth::find_builtin_profile(id));
    const auto c = parse_ok("[oauth.providers." + std::string(id) + "]\nenabled = false\n");
    CHECK(c.oauth.providers.at(0).kind == provider_kind::builtin);
  }
  const auto e = parse_error("[oauth.providers.myspace]\nenabled = false\n");
  CHECK(e.find("not a built-in provider (" + rosterd::oauth::builtin_provider_list() + ")") !=
        std::string::npos);
  for (const auto id : rosterd::oauth::builtin_provider_ids) {
    CHECK(e.find(id) != std::string::npos);
  }
  const auto pages = parse_error("[oauth.providers.tiktok]\nenabled = false\npage_tokens = true\n");
  CHECK(pages.find("page_tokens: is only for instagram_facebook and facebook") !=
        std::string::npos);
}
