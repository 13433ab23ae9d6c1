// What a SIGHUP reload reports as needing a restart: every difference between two loaded
// configs except the log levels, which the reload applies, named by its key.

#include <catch2/catch.hpp>

#include "setup/config.hpp"

using namespace rosterd::setup;

namespace {

config parse_ok(const std::string& text) {
  auto c = parse_config(text, "test.toml", "/etc/rosterd");
  INFO((c ? std::string() : c.error().detail));
  REQUIRE(c.has_value());
  return *c;
}

// A deployment with two built-in providers and a generic one; each field's lines are added to
// that table.
struct deployment {
  std::string tiktok = {};
  std::string facebook = {};
  std::string mastodon = {};
  std::string log = {};

  [[nodiscard]] config load() const {
    return parse_ok(R"(
[server]
public_url = "https://roster.example.com"
[vault]
key_file = "/etc/rosterd/vault.key"
[oauth.providers.tiktok]
client_id = "aw123"
client_secret_file = "credential:tiktok-secret"
)" + tiktok + R"(
[oauth.providers.facebook]
client_id = "f1"
client_secret_file = "/etc/rosterd/facebook.secret"
)" + facebook + R"(
[oauth.providers.mastodon]
kind = "generic"
client_id = "m1"
client_secret_file = "/etc/rosterd/mastodon.secret"
authorize_url = "https://mastodon.example/oauth/authorize"
token_url = "https://mastodon.example/oauth/token"
identity_url = "https://mastodon.example/api/v1/accounts/verify_credentials"
)" + mastodon + R"(
[log]
)" + log);
  }
};

using keys = std::vector<std::string>;

keys restart_keys(const deployment& before, const deployment& after) {
  return keys_needing_restart(before.load(), after.load());
}

}  // namespace

TEST_CASE("an unchanged config needs no restart", "[config][reload]") {
  const deployment d{.tiktok = "scopes = [\"user.info.basic\"]\n",
                     .mastodon = "client_auth = \"form\"\n"};
  CHECK(restart_keys(d, d).empty());
  CHECK(keys_needing_restart(parse_ok(""), parse_ok("")).empty());
}

TEST_CASE("a changed provider scope needs a restart", "[config][reload][oauth]") {
  const deployment before{.tiktok = "scopes = [\"user.info.basic\"]\n"};
  const deployment after{.tiktok = "scopes = [\"user.info.basic\", \"video.list\"]\n"};
  CHECK(restart_keys(before, after) == keys{"oauth.providers.tiktok.scopes"});
  // Setting scopes where the profile's defaults applied is a change too.
  CHECK(restart_keys(deployment{}, after) == keys{"oauth.providers.tiktok.scopes"});
}

TEST_CASE("turning a provider's PKCE off needs a restart", "[config][reload][oauth]") {
  CHECK(restart_keys(deployment{}, deployment{.facebook = "pkce = false\n"}) ==
        keys{"oauth.providers.facebook.pkce"});
  CHECK(restart_keys(deployment{}, deployment{.mastodon = "pkce = false\n"}) ==
        keys{"oauth.providers.mastodon.pkce"});
}

TEST_CASE("a changed client_auth needs a restart", "[config][reload][oauth]") {
  CHECK(restart_keys(deployment{}, deployment{.mastodon = "client_auth = \"form\"\n"}) ==
        keys{"oauth.providers.mastodon.client_auth"});
}

TEST_CASE("a provider change that --print-config does not show is named by its provider",
          "[config][reload][oauth]") {
  // A built-in provider's client_auth is read but not printed (its profile decides); the
  // structs still differ, so the reload says so.
  CHECK(restart_keys(deployment{}, deployment{.tiktok = "client_auth = \"form\"\n"}) ==
        keys{"oauth.providers.tiktok"});
}

TEST_CASE("changed provider URLs, client id and secret file reference need a restart",
          "[config][reload][oauth]") {
  const auto tiktok = [](const std::string& client_id, const std::string& secret_file,
                         const std::string& token_url) {
    return parse_ok(
        "[vault]\nkey_file = \"/etc/rosterd/vault.key\"\n[oauth.providers.tiktok]\n"
        "client_id = \"" +
        client_id + "\"\nclient_secret_file = \"" + secret_file + "\"\ntoken_url = \"" + token_url +
        "\"\n");
  };
  const auto running = tiktok("aw1", "credential:tiktok-1", "https://a.example/token");
  CHECK(keys_needing_restart(running,
                             tiktok("aw2", "credential:tiktok-1", "https://a.example/token")) ==
        keys{"oauth.providers.tiktok.client_id"});
  CHECK(keys_needing_restart(running,
                             tiktok("aw1", "credential:tiktok-2", "https://a.example/token")) ==
        keys{"oauth.providers.tiktok.client_secret_file"});
  CHECK(keys_needing_restart(running,
                             tiktok("aw1", "credential:tiktok-1", "https://b.example/token")) ==
        keys{"oauth.providers.tiktok.token_url"});
  CHECK(restart_keys(deployment{},
                     deployment{.tiktok = "revoke_url = \"https://localhost:9443/revoke\"\n"}) ==
        keys{"oauth.providers.tiktok.revoke_url"});
  CHECK(restart_keys(deployment{.tiktok = "redirect_uri = \"https://a.example/cb\"\n"},
                     deployment{.tiktok = "redirect_uri = \"https://b.example/cb\"\n"}) ==
        keys{"oauth.providers.tiktok.redirect_uri"});
}

TEST_CASE("a provider added or removed is named as a whole", "[config][reload][oauth]") {
  const auto with = deployment{}.load();
  auto without = with;
  std::erase_if(without.oauth.providers,
                [](const oauth_provider_config& p) { return p.id == "mastodon"; });
  CHECK(keys_needing_restart(with, without) == keys{"oauth.providers.mastodon"});
  CHECK(keys_needing_restart(without, with) == keys{"oauth.providers.mastodon"});
}

TEST_CASE("changing only the log levels needs no restart: the reload applies them",
          "[config][reload]") {
  const deployment quiet{.log = "level = \"warn\"\n[log.modules]\nlifecycle = \"error\"\n"};
  const deployment loud{.log = "level = \"debug\"\n[log.modules]\nnotify = \"trace\"\n"};
  CHECK(restart_keys(quiet, loud).empty());
  CHECK(restart_keys(deployment{}, loud).empty());
}

TEST_CASE("a change in any section is named by its key", "[config][reload]") {
  CHECK(keys_needing_restart(parse_ok(""), parse_ok("[mail]\ntls = \"implicit\"\n")) ==
        keys{"mail.tls"});
  CHECK(keys_needing_restart(parse_ok(""),
                             parse_ok("[server]\nforwarded_header = \"forwarded\"\n")) ==
        keys{"server.forwarded_header"});
  CHECK(keys_needing_restart(parse_ok(""), parse_ok("[server.tls]\nkey_file = \"tls.key\"\n")) ==
        keys{"server.tls.key_file"});
  CHECK(keys_needing_restart(parse_ok(""), parse_ok("[store]\nread_connections = 4\n")) ==
        keys{"store.read_connections"});
  CHECK(keys_needing_restart(parse_ok("[vault]\nkey_file = \"/etc/rosterd/a.key\"\n"),
                             parse_ok("[vault]\nkey_file = \"/etc/rosterd/b.key\"\n")) ==
        keys{"vault.key_file"});
  CHECK(keys_needing_restart(parse_ok(""), parse_ok("[oauth]\nlink_ttl = \"3d\"\n")) ==
        keys{"oauth.link_ttl"});
  CHECK(keys_needing_restart(parse_ok("[server]\nidle_timeout = \"1m\"\n[roster]\n"
                                      "invitation_ttl = \"2d\"\n"),
                             parse_ok("[server]\nidle_timeout = \"2m\"\n[roster]\n"
                                      "invitation_ttl = \"3d\"\n")) ==
        keys{"server.idle_timeout", "roster.invitation_ttl"});
}

TEST_CASE("a changed field that --print-config does not show is named by its section",
          "[config][reload]") {
  // The resolved path of a secret file is not printed (its reference is); configs differing
  // only there still differ.
  auto running = parse_ok("[vault]\nkey_file = \"vault.key\"\n");
  auto moved = running;
  moved.vault.key_file.resolved = "/srv/rosterd/vault.key";
  CHECK(keys_needing_restart(running, moved) == keys{"vault"});
}
