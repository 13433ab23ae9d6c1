#pragma once
// Shared by the oauth unit tests: resolved providers with recognisable (canary) credentials,
// and the oauth error name of a result.

#include <stdexcept>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "oauth/error.hpp"
#include "oauth/profile.hpp"
#include "tests/support/catch_result.hpp"

namespace rosterd::oauth::testing {

// Canaries: if one of these ever shows up in an error detail or message, a secret leaked.
inline constexpr std::string_view canary_secret = "SECRET-CANARY-9f3k2";
inline constexpr std::string_view canary_access = "ACCESS-CANARY-7q1x8";
inline constexpr std::string_view canary_refresh = "REFRESH-CANARY-4m6z0";
inline constexpr std::string_view canary_code = "CODE-CANARY-2w5y3";

inline std::string redirect_for(std::string_view id) {
  return "https://rosterd.example/oauth/" + std::string(id) + "/callback";
}

inline provider_settings settings_for(std::string_view id) {
  provider_settings s;
  s.client_id = id == "tiktok" ? "awclientkey" : "1234567890";
  s.client_secret = base::secret(std::string(canary_secret));
  s.redirect_uri = redirect_for(id);
  return s;
}

/// A built-in provider resolved with the test settings; throws if that fails.
inline provider builtin(std::string_view id, provider_settings settings) {
  auto profile = find_builtin_profile(id);
  if (!profile) {
    throw std::invalid_argument("no built-in profile " + std::string(id));
  }
  return resolve(*profile, std::move(settings)).value();
}

inline provider builtin(std::string_view id) {
  return builtin(id, settings_for(id));
}

inline generic_profile_config generic_config() {
  generic_profile_config c;
  c.id = "acme";
  c.display_name = "Acme Social";
  c.authorize_url = "https://auth.acme.example/oauth2/authorize";
  c.token_url = "https://auth.acme.example/oauth2/token";
  c.identity_url = "https://api.acme.example/v1/me";
  c.revoke_url = "https://auth.acme.example/oauth2/revoke";
  c.scopes = {"profile", "insights.read"};
  return c;
}

inline provider generic() {
  return resolve(make_generic_profile(generic_config()).value(), settings_for("acme")).value();
}

/// The oauth errc name of a failed result ("invalid_response"), "ok", or "other category".
template <class T>
std::string failure_code(const base::result<T>& r) {
  if (r) {
    return "ok";
  }
  if (r.error().code.category() != oauth_category()) {
    return "other category";
  }
  return std::string(errc_name(static_cast<errc>(r.error().code.value())));
}

template <class T>
std::string failure_detail(const base::result<T>& r) {
  return r ? std::string() : r.error().detail;
}

}  // namespace rosterd::oauth::testing
