#include "daemon/oauth_wiring.hpp"

#include <set>

#include "oauth/error.hpp"
#include "roster/clock.hpp"
#include "roster/sql.hpp"
#include "store/in_transaction.hpp"
#include "vault/error.hpp"

namespace rosterd::daemon {
namespace {

namespace sql = roster::sql;

constexpr std::string_view credential_prefix = "credential:";

base::result<vault::keyring> load_keyring(const secret_file& ref) {
  if (ref.reference.rfind(credential_prefix, 0) == 0) {
    return vault::keyring::load_credential(ref.reference.substr(credential_prefix.size()));
  }
  return vault::keyring::load_file(ref.resolved);
}

/// The key versions of every ciphertext the database holds.
base::result<std::set<std::uint32_t>> versions_in_use(store::database& db) {
  std::set<std::uint32_t> out;
  auto note = [&](store::statement& s) {
    for (int column = 0; column < s.column_count(); ++column) {
      if (!s.column_is_null(column)) {
        if (auto v = vault::key_version_of(s.column_blob(column))) {
          out.insert(*v);
        }
      }
    }
  };
  if (auto done = sql::each(db, "SELECT access_token, refresh_token FROM connections", note);
      !done) {
    return done.error();
  }
  if (auto done = sql::each(db,
                            "SELECT pkce_verifier FROM oauth_attempts WHERE pkce_verifier IS "
                            "NOT NULL",
                            note);
      !done) {
    return done.error();
  }
  return out;
}

base::result<void> check_keys(store::database& db, const vault::keyring* keys,
                              roster::time_point now) {
  std::map<std::uint32_t, std::string> known;
  auto read =
      sql::each(db, "SELECT version, check_value FROM vault_keys", [&](store::statement& s) {
        known[static_cast<std::uint32_t>(s.column_int64(0))] = s.column_text(1);
      });
  if (!read) {
    return read;
  }
  auto in_use = versions_in_use(db);
  if (!in_use) {
    return in_use.error();
  }
  if (keys == nullptr) {
    if (!in_use->empty()) {
      return base::fail(vault::errc::no_keys,
                        "the database holds tokens sealed with the vault key, but [vault] "
                        "key_file is not set: configure the key file they were sealed with");
    }
    return {};
  }
  for (const auto& [version, check_value] : known) {
    if (keys->has_version(version)) {
      if (auto ok = keys->verify_check_value(version, check_value); !ok) {
        return base::fail(vault::errc::check_value_mismatch,
                          "vault key version " + std::to_string(version) +
                              " is not the key this database was sealed with: restore the right "
                              "key file (nothing was written)");
      }
    }
  }
  for (const auto version : *in_use) {
    if (!keys->has_version(version)) {
      return base::fail(vault::errc::unknown_key_version,
                        "stored tokens are sealed with vault key version " +
                            std::to_string(version) +
                            ", which the key file does not have: add it back (it can be retired "
                            "once `rosterctl keys rotate` has moved every token)");
    }
  }
  for (const auto version : keys->versions()) {
    if (known.count(version) == 0) {
      auto value = keys->check_value(version);
      if (!value) {
        return value.error();
      }
      auto added = sql::run(
          db, "INSERT INTO vault_keys (version, check_value, first_seen_at) VALUES (?, ?, ?)",
          static_cast<std::int64_t>(version), *value, roster::stamp(now));
      if (!added) {
        return added;
      }
    }
  }
  return {};
}

oauth::param_list params_of(const std::map<std::string, std::string>& m) {
  oauth::param_list out;
  for (const auto& [k, v] : m) {
    out.emplace_back(k, v);
  }
  return out;
}

base::result<oauth::provider> resolve_provider(const oauth_provider_config& p) {
  std::optional<oauth::provider_profile> profile;
  if (p.kind == "generic") {
    oauth::generic_profile_config g;
    g.id = p.id;
    g.display_name = p.display_name;
    g.authorize_url = p.urls.count("authorize_url") ? p.urls.at("authorize_url") : "";
    g.token_url = p.urls.count("token_url") ? p.urls.at("token_url") : "";
    g.identity_url = p.urls.count("identity_url") ? p.urls.at("identity_url") : "";
    if (p.urls.count("revoke_url")) {
      g.revoke_url = p.urls.at("revoke_url");
    }
    g.scopes = p.scopes.value_or(std::vector<std::string>{});
    g.scope_separator = p.scope_separator;
    g.token_auth =
        p.client_auth == "form" ? oauth::client_auth::form_body : oauth::client_auth::http_basic;
    g.pkce = p.pkce ? oauth::pkce_mode::s256 : oauth::pkce_mode::none;
    g.identity.id = p.id_field;
    g.identity.username = p.username_field;
    auto made = oauth::make_generic_profile(g);
    if (!made) {
      return made.error();
    }
    profile = std::move(*made);
  } else {
    profile = oauth::find_builtin_profile(p.id);
    if (!profile) {
      return base::fail(oauth::errc::invalid_profile, p.id + ": no such built-in provider");
    }
  }
  auto secret = read_secret(p.client_secret_file);
  if (!secret) {
    return base::fail(oauth::errc::invalid_profile,
                      p.id + ": client_secret_file: " + secret.error().detail);
  }
  oauth::provider_settings s;
  s.client_id = p.client_id;
  s.client_secret = std::move(*secret);
  s.redirect_uri = p.redirect_uri;
  s.scopes = p.scopes;
  const auto url = [&](const char* key) -> std::optional<std::string> {
    const auto it = p.urls.find(key);
    return it == p.urls.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  s.authorize_url = url("authorize_url");
  s.token_url = url("token_url");
  s.long_lived_url = url("long_lived_url");
  s.refresh_url = url("refresh_url");
  s.identity_url = url("identity_url");
  s.revoke_url = url("revoke_url");
  s.debug_token_url = url("debug_token_url");
  if (p.continuous_refresh) {
    s.extra_refresh_params =
        *p.continuous_refresh ? params_of({{"continuous_refresh", "true"}}) : oauth::param_list{};
  }
  if (!p.config_id.empty()) {
    auto extra = profile->extra_authorize_params;
    extra.emplace_back("config_id", p.config_id);
    s.extra_authorize_params = extra;
  }
  return oauth::resolve(*profile, std::move(s));
}

}  // namespace

base::result<std::shared_ptr<const vault::keyring>> open_vault(const config& c, store::store& db) {
  std::shared_ptr<const vault::keyring> keys;
  if (!c.vault.key_file.empty()) {
    auto loaded = load_keyring(c.vault.key_file);
    if (!loaded) {
      return loaded.error();
    }
    keys = std::make_shared<const vault::keyring>(std::move(*loaded));
  }
  auto check = store::in_transaction(
      [&keys, now = std::chrono::system_clock::now()](store::database& d) -> base::result<void> {
        return check_keys(d, keys.get(), now);
      });
  if (auto checked = db.write_now(check); !checked) {
    return checked.error();
  }
  return keys;
}

base::result<std::shared_ptr<api::oauth_services>> make_oauth_services(
    const config& c, std::shared_ptr<const vault::keyring> keys) {
  auto services = std::make_shared<api::oauth_services>();
  std::string problems;
  for (const auto& p : c.oauth.providers) {
    if (!p.enabled) {
      continue;
    }
    auto resolved = resolve_provider(p);
    if (!resolved) {
      problems += (problems.empty() ? "" : "\n") + std::string("oauth.providers.") +
                  resolved.error().detail;
      continue;
    }
    services->providers.add(std::move(*resolved));
  }
  if (!problems.empty()) {
    return base::fail(oauth::errc::invalid_profile, std::move(problems));
  }
  if (services->providers.empty()) {
    return std::shared_ptr<api::oauth_services>();
  }
  oauth::https_settings http;
  http.ca_file = c.oauth.ca_file;
  http.connect_timeout = c.oauth.connect_timeout;
  http.total_timeout = c.oauth.total_timeout;
  http.max_response_bytes = c.oauth.max_response_bytes;
  auto client = oauth::https_client::create(http);
  if (!client) {
    return client.error();
  }
  services->http = std::move(*client);
  services->keys->replace(std::move(keys));
  services->links.ttl = std::chrono::duration_cast<std::chrono::seconds>(c.oauth.link_ttl);
  services->links.public_url = c.server.public_url;
  services->broker_refresh_margin =
      std::chrono::duration_cast<std::chrono::seconds>(c.oauth.broker_refresh_margin);
  return services;
}

}  // namespace rosterd::daemon
