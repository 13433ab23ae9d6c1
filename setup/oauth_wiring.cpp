#include "setup/oauth_wiring.hpp"

#include <map>

#include "lifecycle/key_checks.hpp"
#include "oauth/error.hpp"
#include "setup/vault_keys.hpp"
#include "store/in_transaction.hpp"

namespace rosterd::setup {
namespace {

oauth::param_list params_of(const std::map<std::string, std::string>& m) {
  oauth::param_list out;
  for (const auto& [k, v] : m) {
    out.emplace_back(k, v);
  }
  return out;
}

oauth::client_auth client_auth_of(token_endpoint_auth a) {
  switch (a) {
    case token_endpoint_auth::basic:
      return oauth::client_auth::http_basic;
    case token_endpoint_auth::form:
      return oauth::client_auth::form_body;
  }
  return oauth::client_auth::http_basic;
}

base::result<oauth::provider_profile> profile_of(const oauth_provider_config& p) {
  switch (p.kind) {
    case provider_kind::builtin: {
      auto profile = oauth::find_builtin_profile(p.id);
      if (!profile) {
        return base::fail(oauth::errc::invalid_profile, p.id + ": no such built-in provider");
      }
      return std::move(*profile);
    }
    case provider_kind::generic: {
      oauth::generic_profile_config g;
      g.id = p.id;
      g.display_name = p.display_name;
      g.authorize_url = p.urls.authorize.value_or("");
      g.token_url = p.urls.token.value_or("");
      g.identity_url = p.urls.identity.value_or("");
      g.revoke_url = p.urls.revoke;
      g.scopes = p.scopes.value_or(std::vector<std::string>{});
      g.scope_separator = p.scope_separator;
      g.token_auth = client_auth_of(p.client_auth);
      g.pkce = p.pkce ? oauth::pkce_mode::s256 : oauth::pkce_mode::none;
      g.identity.id = p.id_field;
      g.identity.username = p.username_field;
      if (!p.issuer.empty()) {
        g.issuer = p.issuer;
      }
      return oauth::make_generic_profile(g);
    }
  }
  return base::fail(oauth::errc::invalid_profile, p.id + ": unknown kind");
}

base::result<oauth::provider> resolve_provider(const oauth_provider_config& p) {
  auto profile = profile_of(p);
  if (!profile) {
    return profile.error();
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
  s.authorize_url = p.urls.authorize;
  s.token_url = p.urls.token;
  s.long_lived_url = p.urls.long_lived;
  s.refresh_url = p.urls.refresh;
  s.identity_url = p.urls.identity;
  s.revoke_url = p.urls.revoke;
  s.debug_token_url = p.urls.debug_token;
  s.pages_url = p.urls.pages;
  s.page_tokens = p.page_tokens;
  if (p.reauth_after) {
    s.reauth_after = std::chrono::duration_cast<std::chrono::seconds>(*p.reauth_after);
  }
  // pkce = false turns PKCE off where the built-in profile uses it (Facebook Login, should
  // Meta refuse it for an app); it never turns it on where the platform does not take it.
  if (p.kind == provider_kind::builtin && !p.pkce) {
    s.pkce = oauth::pkce_mode::none;
  }
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
  auto keys = load_vault_keys(c);
  if (!keys) {
    return keys.error();
  }
  // One write transaction: the check and the recording of new versions' check values see the
  // same rows, and the write lock is held for one scan of the sealed columns' headers
  // (milliseconds for 10,000 connections), which the SIGHUP path can afford too.
  auto check = store::in_transaction([&keys, now = std::chrono::system_clock::now()](
                                         store::database& d) -> base::result<void> {
    return lifecycle::check_vault_keys(d, keys->get(), lifecycle::new_key_versions::record, now);
  });
  if (auto checked = db.write_now(check); !checked) {
    return checked.error();
  }
  return keys;
}

base::result<std::optional<vault_reload>> reload_vault(const config& c, store::store& db,
                                                       vault::key_holder& holder) {
  if (c.vault.key_file.empty()) {
    return std::optional<vault_reload>();  // no vault, nothing to re-read
  }
  // The start-up check again, before the holder changes: a version dropped from the file
  // while values still use it is refused, so every read that works now keeps working.
  auto keys = open_vault(c, db);
  if (!keys) {
    return keys.error();
  }
  vault_reload out{(*keys)->versions(), (*keys)->current_version(), (*keys)->memory_locked()};
  holder.replace(std::move(*keys));
  return std::optional<vault_reload>(std::move(out));
}

base::result<std::shared_ptr<oauth_services>> make_oauth_services(
    const config& c, std::shared_ptr<const vault::keyring> keys) {
  auto services = std::make_shared<oauth_services>();
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
    // Two providers with one issuer would defeat the mix-up check (RFC 9207 §4).
    if (const auto& issuer = resolved->profile.issuer) {
      for (const auto& other : services->providers.ids()) {
        if (services->providers.find(other)->profile.issuer == issuer) {
          problems += (problems.empty() ? "" : "\n") + std::string("oauth.providers.") + p.id +
                      ": issuer " + *issuer + " is also " + other +
                      "'s; each provider needs its own";
        }
      }
    }
    services->providers.add(std::move(*resolved));
  }
  if (!problems.empty()) {
    return base::fail(oauth::errc::invalid_profile, std::move(problems));
  }
  if (services->providers.empty()) {
    return std::shared_ptr<oauth_services>();
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

}  // namespace rosterd::setup
