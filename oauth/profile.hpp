#pragma once
// Provider profiles as data: everything that differs between Instagram, Facebook, TikTok,
// Pinterest and a configured OAuth 2.0 provider is a field here (URLs, parameter names,
// separators, client authentication, PKCE, refresh and long-lived styles, lifetime fallbacks).
// What cannot be said with a field (response shapes, error bodies) is selected by `dialect`:
// the one hook the parsers and the error classifier switch on.
//
// A profile says how a platform works; `provider_settings` say how this deployment is
// registered with it (client id and secret, redirect URI, overrides); `resolve` checks both and
// returns the `provider` that the request builders take.

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"

namespace rosterd::oauth {

/// The Graph API version in every built-in Meta URL (one constant, bumped deliberately).
inline constexpr std::string_view graph_api_version = "v22.0";

/// The built-in providers' ids. They name the [oauth.providers] tables, the /oauth/<id>/ paths
/// and the provider of every stored connection, so they never change once released.
namespace builtin_id {
inline constexpr std::string_view instagram = "instagram";
inline constexpr std::string_view instagram_facebook = "instagram_facebook";
inline constexpr std::string_view facebook = "facebook";
inline constexpr std::string_view tiktok = "tiktok";
inline constexpr std::string_view pinterest = "pinterest";
}  // namespace builtin_id

/// Every built-in id, in builtin_profiles() order.
inline constexpr std::array<std::string_view, 5> builtin_provider_ids{
    builtin_id::instagram, builtin_id::instagram_facebook, builtin_id::facebook, builtin_id::tiktok,
    builtin_id::pinterest};

/// True when `id` is one of builtin_provider_ids.
bool is_builtin_provider(std::string_view id) noexcept;

/// The built-in ids as "instagram, instagram_facebook, facebook, tiktok, pinterest", for
/// messages that list what is accepted.
std::string builtin_provider_list();

/// Which provider's conventions the parsers and the error classifier apply.
enum class dialect {
  instagram_login,  // graph.instagram.com: Graph errors plus the legacy token-endpoint shape,
                    // token answers flat or wrapped in a `data` array
  meta_graph,       // graph.facebook.com (Facebook Login, Instagram via Facebook Login)
  tiktok,           // open.tiktokapis.com: error.code strings, errors inside HTTP 200 bodies
  pinterest,        // api.pinterest.com/v5: {"code": int, "message"}
  generic,          // RFC 6749 / 6750 / 7009 only
};

/// How the client authenticates at the token endpoint.
enum class client_auth {
  form_body,   // client id and secret as form fields (Instagram, TikTok)
  http_basic,  // Authorization: Basic base64(id:secret) (Pinterest)
  query,       // client_id and client_secret in the query of a GET (Meta Graph)
};

/// How the token endpoint is called.
enum class token_method {
  post_form,  // POST application/x-www-form-urlencoded
  get_query,  // GET with the parameters in the query (Meta Graph)
};

enum class pkce_mode { none, s256 };  // never `plain`: it protects nothing

/// How a token is kept alive without the creator.
enum class refresh_style {
  none,                 // Facebook Login: only the login dialog mints a new token
  ig_refresh_token,     // Instagram: GET refresh_access_token re-issues the long-lived token
  refresh_token_grant,  // RFC 6749 §6 (TikTok, Pinterest, generic); the refresh token may rotate
};

/// How a short-lived token becomes a long-lived one.
enum class long_lived_style { none, ig_exchange_token, fb_exchange_token };

/// How a grant is revoked.
enum class revoke_style {
  none,              // Instagram Login, Pinterest: no endpoint for user tokens
  tiktok,            // POST form client_key, client_secret, token
  meta_permissions,  // DELETE /{user-id}/permissions with the user token
  rfc7009,           // POST token (+ token_type_hint), client authentication as configured
};

/// Where the identity fields sit in a generic provider's identity answer: dotted paths
/// ("sub", "data.user.id").
struct identity_fields {
  std::string id = "sub";
  std::string username = "preferred_username";
  std::string display_name = "name";  // empty: none
};

/// Lifetimes used only when an answer does not say (always prefer expires_in and friends).
struct lifetime_fallbacks {
  std::optional<std::chrono::seconds> access_token;             // after a code exchange / refresh
  std::optional<std::chrono::seconds> long_lived_access_token;  // after a long-lived exchange
                                                                // or an ig_refresh_token
  std::optional<std::chrono::seconds> refresh_token;            // refresh_expires_in fallback
  std::optional<std::chrono::seconds> reauth_horizon;   // when the creator must log in again if
                                                        // nothing extends the grant (Meta 60 d)
  std::optional<std::chrono::seconds> min_refresh_age;  // Instagram: refresh only when ≥ 24 h old
};

using param_list = std::vector<std::pair<std::string, std::string>>;

struct provider_profile {
  std::string id;            // one of builtin_provider_ids or a configured generic id
  std::string display_name;  // for people: "Instagram", "TikTok"
  oauth::dialect dialect = oauth::dialect::generic;

  std::string authorize_url;
  std::string token_url;
  std::optional<std::string> long_lived_url;
  std::optional<std::string> refresh_url;      // absent with refresh_token_grant: token_url
  std::string identity_url;                    // with its ?fields= where the provider wants them
  std::optional<std::string> revoke_url;       // meta_permissions: contains "{user_id}"
  std::optional<std::string> debug_token_url;  // Meta only
  std::optional<std::string> pages_url;        // Facebook Login: the user's Pages with tokens

  std::string client_id_param = "client_id";  // TikTok: "client_key"
  std::string scope_separator = " ";
  client_auth token_auth = client_auth::form_body;
  oauth::token_method token_method = oauth::token_method::post_form;
  pkce_mode pkce = pkce_mode::none;
  refresh_style refresh = refresh_style::none;
  long_lived_style long_lived = long_lived_style::none;
  revoke_style revoke = revoke_style::none;

  std::vector<std::string> default_scopes;
  param_list extra_authorize_params;
  param_list reconsent_authorize_params;  // added when asking again for declined scopes
  param_list extra_refresh_params;        // Pinterest: continuous_refresh=true

  bool code_has_fragment_suffix = false;  // Instagram appends "#_" after the code
  bool appsecret_proof = false;           // Meta: sign calls made with a user token
  // RFC 9207: the authorization server's issuer identifier, where it sends `iss` with its
  // answers; every callback must then carry exactly this value (mix-up defence). None of the
  // built-in platforms sends one.
  std::optional<std::string> issuer;
  lifetime_fallbacks lifetimes;
  identity_fields identity;  // generic dialect only
};

/// The five built-in profiles with the platforms' real URLs, in a fixed order: instagram,
/// instagram_facebook, facebook, tiktok, pinterest.
const std::vector<provider_profile>& builtin_profiles();

/// The built-in profile with that id, if any.
std::optional<provider_profile> find_builtin_profile(std::string_view id);

/// A configured RFC 6749 provider (refresh_token grant, RFC 7009 revoke when a URL is given).
struct generic_profile_config {
  std::string id;  // [a-z0-9_-], 1-32 characters, not a built-in id
  std::string display_name;
  std::string authorize_url;
  std::string token_url;
  std::string identity_url;
  std::optional<std::string> revoke_url;
  std::vector<std::string> scopes;
  std::string scope_separator = " ";
  client_auth token_auth = client_auth::http_basic;  // RFC 6749 §2.3.1's default
  pkce_mode pkce = pkce_mode::s256;
  identity_fields identity;
  param_list extra_authorize_params;
  param_list extra_refresh_params;
  std::optional<std::chrono::seconds> access_token_lifetime;   // fallback only
  std::optional<std::chrono::seconds> refresh_token_lifetime;  // fallback only
  std::optional<std::string> issuer;  // RFC 9207 issuer identifier, when the provider sends iss
};

/// Builds a generic profile; errc::invalid_profile naming the field when a value cannot work
/// (URLs are checked by resolve(), which sees the overrides too).
base::result<provider_profile> make_generic_profile(const generic_profile_config& config);

/// This deployment's registration with one provider (from the config file and credentials).
struct provider_settings {
  bool enabled = true;  // the caller skips disabled providers; resolve() ignores this
  std::string client_id;
  base::secret client_secret;
  std::string redirect_uri;  // exact, absolute https, no fragment: sent verbatim twice
  std::optional<std::vector<std::string>> scopes;  // replaces the profile's default scopes
  // Every URL can be overridden (tests point them at a local fake provider).
  std::optional<std::string> authorize_url;
  std::optional<std::string> token_url;
  std::optional<std::string> long_lived_url;
  std::optional<std::string> refresh_url;
  std::optional<std::string> identity_url;
  std::optional<std::string> revoke_url;
  std::optional<std::string> debug_token_url;
  std::optional<std::string> pages_url;
  std::optional<param_list> extra_authorize_params;  // e.g. Meta config_id
  std::optional<param_list> extra_refresh_params;    // e.g. drop continuous_refresh
  std::optional<pkce_mode> pkce;                     // once a provider is confirmed to take it
  std::optional<bool> appsecret_proof;
  /// Facebook Login: after connecting, fetch the creator's Pages and keep their Page tokens.
  /// Only for profiles with a pages_url; adds pages_show_list to the scopes when missing.
  bool page_tokens = false;
  /// The agency's own "log in again every N days" for this platform (config reauth_after):
  /// the re-consent deadline comes at the latest this long after the creator last consented.
  std::optional<std::chrono::seconds> reauth_after;
};

/// A profile with settings applied and checked: what every request builder takes.
struct provider {
  provider_profile profile;  // overrides applied
  std::string client_id;
  base::secret client_secret;
  std::string redirect_uri;
  std::vector<std::string> scopes;  // the ones to request
  bool page_tokens = false;         // fetch and keep the Pages' tokens (provider_settings)
  std::optional<std::chrono::seconds> reauth_after;  // provider_settings::reauth_after
};

/// Applies `settings` to `profile` and checks the result: every URL absolute https with a
/// host and no user info or fragment (the issuer also without a query); the redirect URI the
/// same (a query is allowed); client
/// id and secret present (and no ':' in an id sent with HTTP Basic); scopes free of whitespace
/// and of the separator. errc::invalid_profile with a detail naming the provider and field.
base::result<provider> resolve(const provider_profile& profile, provider_settings settings);

/// The scopes joined with the profile's separator.
std::string join_scopes(const provider_profile& profile, const std::vector<std::string>& scopes);

/// Splits a scope list as providers send it back (commas and/or whitespace), dropping empties.
std::vector<std::string> split_scopes(std::string_view text);

/// Removes Instagram's "#_" (or a bare trailing '#') from a callback code when the profile says
/// the provider appends it; other codes are returned unchanged.
std::string_view strip_code_suffix(const provider_profile& profile, std::string_view code);

std::string_view dialect_name(dialect d) noexcept;
std::string_view client_auth_name(client_auth a) noexcept;
std::string_view refresh_style_name(refresh_style r) noexcept;

}  // namespace rosterd::oauth
