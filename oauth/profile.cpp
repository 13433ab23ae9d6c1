#include "oauth/profile.hpp"

#include <algorithm>

#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>
#include <boost/url/url_view.hpp>

#include "oauth/error.hpp"

namespace rosterd::oauth {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::seconds days(long n) {
  return std::chrono::seconds(n * 24 * 3600);
}

std::string graph(std::string_view host, std::string_view path) {
  std::string out = "https://";
  out.append(host);
  out.push_back('/');
  out.append(graph_api_version);
  out.append(path);
  return out;
}

provider_profile instagram() {
  provider_profile p;
  p.id = builtin_id::instagram;
  p.display_name = "Instagram";
  p.dialect = dialect::instagram_login;
  // www.instagram.com: the Business Login embed URL and integrations use it; the reference page
  // still shows api.instagram.com.
  p.authorize_url = "https://www.instagram.com/oauth/authorize";
  p.token_url = "https://api.instagram.com/oauth/access_token";
  p.long_lived_url = "https://graph.instagram.com/access_token";
  p.refresh_url = "https://graph.instagram.com/refresh_access_token";
  p.identity_url = graph("graph.instagram.com", "/me?fields=user_id,username,name");
  p.scope_separator = ",";
  p.token_auth = client_auth::form_body;
  p.token_method = token_method::post_form;
  p.refresh = refresh_style::ig_refresh_token;
  p.long_lived = long_lived_style::ig_exchange_token;
  p.default_scopes = {"instagram_business_basic"};
  p.code_has_fragment_suffix = true;
  p.pkce = pkce_mode::none;  // Instagram Login documents no PKCE
  p.lifetimes.access_token = 1h;
  p.lifetimes.long_lived_access_token = days(60);
  p.lifetimes.reauth_horizon = days(60);
  p.lifetimes.min_refresh_age = 24h;
  return p;
}

provider_profile facebook_login(std::string id, std::string display_name,
                                std::vector<std::string> scopes) {
  provider_profile p;
  p.id = std::move(id);
  p.display_name = std::move(display_name);
  p.dialect = dialect::meta_graph;
  p.authorize_url = graph("www.facebook.com", "/dialog/oauth");
  p.token_url = graph("graph.facebook.com", "/oauth/access_token");
  p.long_lived_url = p.token_url;  // grant_type=fb_exchange_token on the same endpoint
  p.identity_url = graph("graph.facebook.com", "/me?fields=id,name");
  p.revoke_url = graph("graph.facebook.com", "/{user_id}/permissions");
  p.debug_token_url = graph("graph.facebook.com", "/debug_token");
  // The Pages the user manages, each with its Page token (used only where the deployment
  // turns page_tokens on) and its linked Instagram professional account.
  p.pages_url = graph("graph.facebook.com",
                      "/me/accounts?fields=id,name,access_token,instagram_business_account");
  p.scope_separator = ",";
  p.token_auth = client_auth::query;
  p.token_method = token_method::get_query;
  p.refresh = refresh_style::none;
  p.long_lived = long_lived_style::fb_exchange_token;
  p.revoke = revoke_style::meta_permissions;
  p.default_scopes = std::move(scopes);
  p.reconsent_authorize_params = {{"auth_type", "rerequest"}};
  p.appsecret_proof = true;
  // The login dialog takes code_challenge (S256) and the token endpoint code_verifier
  // (Meta's code flow accepts PKCE). A deployment can turn it off (pkce = false)
  // should Meta refuse it for an app.
  p.pkce = pkce_mode::s256;
  p.lifetimes.access_token = 1h;
  p.lifetimes.long_lived_access_token = days(60);
  p.lifetimes.reauth_horizon = days(60);
  return p;
}

provider_profile tiktok() {
  provider_profile p;
  p.id = builtin_id::tiktok;
  p.display_name = "TikTok";
  p.dialect = dialect::tiktok;
  p.authorize_url = "https://www.tiktok.com/v2/auth/authorize/";
  p.token_url = "https://open.tiktokapis.com/v2/oauth/token/";
  p.refresh_url = p.token_url;
  p.identity_url =
      "https://open.tiktokapis.com/v2/user/info/?fields=open_id,union_id,display_name,username";
  p.revoke_url = "https://open.tiktokapis.com/v2/oauth/revoke/";
  p.client_id_param = "client_key";
  p.scope_separator = ",";
  p.token_auth = client_auth::form_body;
  p.token_method = token_method::post_form;
  // Login Kit uses PKCE for desktop and mobile apps only (desktop with a hex challenge); the
  // web flow this daemon runs has none.
  p.pkce = pkce_mode::none;
  p.refresh = refresh_style::refresh_token_grant;
  p.revoke = revoke_style::tiktok;
  p.default_scopes = {"user.info.basic", "user.info.profile"};
  // TikTok documents two values; take the shorter. The answers say the real ones.
  p.lifetimes.access_token = 2h;
  p.lifetimes.refresh_token = days(180);
  p.lifetimes.reauth_horizon = days(180);
  return p;
}

provider_profile pinterest() {
  provider_profile p;
  p.id = builtin_id::pinterest;
  p.display_name = "Pinterest";
  p.dialect = dialect::pinterest;
  p.authorize_url = "https://www.pinterest.com/oauth/";
  p.token_url = "https://api.pinterest.com/v5/oauth/token";
  p.refresh_url = p.token_url;
  p.identity_url = "https://api.pinterest.com/v5/user_account";
  p.scope_separator = ",";
  p.token_auth = client_auth::http_basic;
  p.token_method = token_method::post_form;
  p.refresh = refresh_style::refresh_token_grant;
  p.revoke = revoke_style::none;  // the revoke endpoint is for system-user tokens only
  p.pkce = pkce_mode::none;       // not documented by Pinterest
  p.default_scopes = {"user_accounts:read"};
  p.extra_refresh_params = {{"continuous_refresh", "true"}};
  p.lifetimes.access_token = days(30);
  p.lifetimes.refresh_token = days(60);
  return p;
}

std::vector<provider_profile> make_builtins() {
  std::vector<provider_profile> out;
  out.push_back(instagram());
  provider_profile via_facebook =
      facebook_login(std::string(builtin_id::instagram_facebook), "Instagram (Facebook Login)",
                     {"instagram_basic", "pages_show_list"});
  // The Facebook user (revoke and deauthorize callbacks name it) plus the Instagram accounts
  // linked to their Pages, in one call. Field expansion braces are percent-encoded; the Pages'
  // own access tokens are deliberately not requested.
  via_facebook.identity_url =
      graph("graph.facebook.com",
            "/me?fields=id,name,accounts%7Binstagram_business_account%7Bid,username%7D%7D");
  out.push_back(std::move(via_facebook));
  out.push_back(facebook_login(std::string(builtin_id::facebook), "Facebook", {"public_profile"}));
  out.push_back(tiktok());
  out.push_back(pinterest());
  return out;
}

base::failure invalid(std::string_view provider_id, std::string_view field, std::string_view why) {
  std::string detail = "provider ";
  detail.append(provider_id.empty() ? std::string_view("(no id)") : provider_id);
  detail.append(": ");
  detail.append(field);
  detail.append(" ");
  detail.append(why);
  return base::fail(errc::invalid_profile, std::move(detail));
}

/// Empty when `url` is an absolute https URL with a host, no user info and (unless allowed) no
/// query; otherwise why not.
std::string check_https_url(std::string_view url, bool allow_query) {
  if (url.empty()) {
    return "is empty";
  }
  std::string candidate(url);
  // A template's placeholder is not URL syntax; check the URL it becomes.
  if (const auto at = candidate.find("{user_id}"); at != std::string::npos) {
    candidate.replace(at, 9, "0");
  }
  const auto parsed = boost::urls::parse_absolute_uri(candidate);
  if (!parsed) {
    return "is not an absolute URL";
  }
  if (parsed->scheme_id() != boost::urls::scheme::https) {
    return "must use https";
  }
  if (!parsed->has_authority() || parsed->encoded_host().empty()) {
    return "has no host";
  }
  if (parsed->has_userinfo()) {
    return "must not carry user info";
  }
  if (parsed->has_fragment()) {
    return "must not have a fragment";
  }
  if (!allow_query && parsed->has_query()) {
    return "must not have a query";
  }
  return {};
}

/// As check_https_url, except that plain http is accepted for a loopback host (localhost,
/// 127.0.0.1, [::1]): RFC 8252 §7.3, what the platforms allow for development.
std::string check_redirect_uri(std::string_view url) {
  const auto parsed = boost::urls::parse_absolute_uri(url);
  if (parsed && parsed->scheme_id() == boost::urls::scheme::http && !parsed->has_userinfo() &&
      !parsed->has_fragment()) {
    const auto host = parsed->encoded_host();
    if (host == "localhost" || host == "127.0.0.1" || host == "[::1]") {
      return {};
    }
    return "must use https (plain http only for localhost, 127.0.0.1 or [::1])";
  }
  return check_https_url(url, true);
}

bool valid_generic_id(std::string_view id) {
  if (id.empty() || id.size() > 32) {
    return false;
  }
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

/// Client credentials reach headers (HTTP Basic, Meta's app token): visible ASCII only.
bool visible_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c > 0x20 && c < 0x7f; });
}

bool has_space(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
  });
}

}  // namespace

const std::vector<provider_profile>& builtin_profiles() {
  static const std::vector<provider_profile> profiles = make_builtins();
  return profiles;
}

bool is_builtin_provider(std::string_view id) noexcept {
  return std::find(builtin_provider_ids.begin(), builtin_provider_ids.end(), id) !=
         builtin_provider_ids.end();
}

std::string builtin_provider_list() {
  std::string out;
  for (const auto id : builtin_provider_ids) {
    out.append(out.empty() ? "" : ", ").append(id);
  }
  return out;
}

std::optional<provider_profile> find_builtin_profile(std::string_view id) {
  for (const auto& p : builtin_profiles()) {
    if (p.id == id) {
      return p;
    }
  }
  return std::nullopt;
}

base::result<provider_profile> make_generic_profile(const generic_profile_config& config) {
  if (!valid_generic_id(config.id)) {
    return invalid(config.id, "id", "must be 1-32 characters of [a-z0-9_-]");
  }
  if (find_builtin_profile(config.id)) {
    return invalid(config.id, "id", "is a built-in provider's id");
  }
  if (config.scope_separator.empty() || config.scope_separator.size() > 1) {
    return invalid(config.id, "scope_separator", "must be one character (\" \" or \",\")");
  }
  if (config.identity.id.empty()) {
    return invalid(config.id, "identity id field", "is empty");
  }
  if (config.identity.username.empty()) {
    return invalid(config.id, "identity username field", "is empty");
  }
  provider_profile p;
  p.id = config.id;
  p.display_name = config.display_name.empty() ? config.id : config.display_name;
  p.dialect = dialect::generic;
  p.authorize_url = config.authorize_url;
  p.token_url = config.token_url;
  p.identity_url = config.identity_url;
  p.revoke_url = config.revoke_url;
  p.scope_separator = config.scope_separator;
  p.token_auth = config.token_auth;
  if (p.token_auth == client_auth::query) {
    return invalid(config.id, "client_auth", "must be form_body or http_basic");
  }
  p.token_method = token_method::post_form;
  p.pkce = config.pkce;
  p.refresh = refresh_style::refresh_token_grant;
  p.revoke = config.revoke_url ? revoke_style::rfc7009 : revoke_style::none;
  p.default_scopes = config.scopes;
  p.extra_authorize_params = config.extra_authorize_params;
  p.extra_refresh_params = config.extra_refresh_params;
  p.identity = config.identity;
  p.lifetimes.access_token = config.access_token_lifetime;
  p.lifetimes.refresh_token = config.refresh_token_lifetime;
  p.issuer = config.issuer;
  return p;
}

base::result<provider> resolve(const provider_profile& profile, provider_settings settings) {
  provider out;
  out.profile = profile;
  provider_profile& p = out.profile;
  const std::string_view id = profile.id;
  if (id.empty()) {
    return invalid(id, "id", "is empty");
  }
  if (settings.authorize_url) {
    p.authorize_url = *settings.authorize_url;
  }
  if (settings.token_url) {
    p.token_url = *settings.token_url;
    // Refresh and long-lived exchange at the same endpoint follow the override.
    if (profile.refresh_url == profile.token_url) {
      p.refresh_url = p.token_url;
    }
    if (profile.long_lived_url == profile.token_url) {
      p.long_lived_url = p.token_url;
    }
  }
  if (settings.long_lived_url) {
    p.long_lived_url = *settings.long_lived_url;
  }
  if (settings.refresh_url) {
    p.refresh_url = *settings.refresh_url;
  }
  if (settings.identity_url) {
    p.identity_url = *settings.identity_url;
  }
  if (settings.revoke_url) {
    p.revoke_url = *settings.revoke_url;
  }
  if (settings.debug_token_url) {
    p.debug_token_url = *settings.debug_token_url;
  }
  if (settings.pages_url) {
    p.pages_url = *settings.pages_url;
  }
  if (settings.extra_authorize_params) {
    p.extra_authorize_params = std::move(*settings.extra_authorize_params);
  }
  if (settings.extra_refresh_params) {
    p.extra_refresh_params = std::move(*settings.extra_refresh_params);
  }
  if (settings.pkce) {
    p.pkce = *settings.pkce;
  }
  if (settings.appsecret_proof) {
    p.appsecret_proof = *settings.appsecret_proof;
  }

  struct url_field {
    std::string_view name;
    const std::string* value;
    bool allow_query;
  };
  std::vector<url_field> urls = {
      {"authorize_url", &p.authorize_url, true},
      {"token_url", &p.token_url, false},
      {"identity_url", &p.identity_url, true},
  };
  if (p.long_lived_url) {
    urls.push_back({"long_lived_url", &*p.long_lived_url, false});
  }
  if (p.refresh_url) {
    urls.push_back({"refresh_url", &*p.refresh_url, false});
  }
  if (p.revoke_url) {
    urls.push_back({"revoke_url", &*p.revoke_url, false});
  }
  if (p.debug_token_url) {
    urls.push_back({"debug_token_url", &*p.debug_token_url, false});
  }
  if (p.pages_url) {
    urls.push_back({"pages_url", &*p.pages_url, true});
  }
  if (p.issuer) {
    urls.push_back({"issuer", &*p.issuer, false});
  }
  for (const auto& u : urls) {
    if (auto why = check_https_url(*u.value, u.allow_query); !why.empty()) {
      return invalid(id, u.name, why);
    }
  }
  if (p.long_lived != long_lived_style::none && !p.long_lived_url) {
    return invalid(id, "long_lived_url", "is required by the long-lived exchange");
  }
  if (p.refresh == refresh_style::ig_refresh_token && !p.refresh_url) {
    return invalid(id, "refresh_url", "is required by ig_refresh_token");
  }
  if (p.revoke != revoke_style::none && !p.revoke_url) {
    return invalid(id, "revoke_url", "is required by the revoke style");
  }
  if (settings.page_tokens && (p.dialect != dialect::meta_graph || !p.pages_url)) {
    return invalid(id, "page_tokens", "needs a Facebook Login provider with a pages_url");
  }
  if (p.revoke == revoke_style::meta_permissions &&
      p.revoke_url->find("{user_id}") == std::string::npos) {
    return invalid(id, "revoke_url", "must contain {user_id}");
  }
  if (p.client_id_param.empty()) {
    return invalid(id, "client_id parameter name", "is empty");
  }
  if (p.scope_separator.size() != 1) {
    return invalid(id, "scope_separator", "must be one character");
  }

  if (auto why = check_redirect_uri(settings.redirect_uri); !why.empty()) {
    return invalid(id, "redirect_uri", why);
  }
  if (settings.client_id.empty()) {
    return invalid(id, "client_id", "is empty");
  }
  if (!visible_ascii(settings.client_id)) {
    return invalid(id, "client_id", "contains whitespace or characters outside visible ASCII");
  }
  if (p.token_auth == client_auth::http_basic &&
      settings.client_id.find(':') != std::string::npos) {
    return invalid(id, "client_id", "contains ':', which HTTP Basic authentication cannot carry");
  }
  if (settings.client_secret.empty()) {
    return invalid(id, "client_secret", "is empty");
  }
  if (!visible_ascii(settings.client_secret.reveal())) {
    return invalid(id, "client_secret",
                   "contains whitespace or characters outside visible ASCII (a trailing newline "
                   "in the credential file?)");
  }

  out.scopes = settings.scopes ? std::move(*settings.scopes) : p.default_scopes;
  if (out.scopes.empty()) {
    return invalid(id, "scopes", "are empty");
  }
  for (const auto& scope : out.scopes) {
    if (scope.empty()) {
      return invalid(id, "scopes", "contain an empty scope");
    }
    if (has_space(scope) || scope.find(p.scope_separator[0]) != std::string::npos) {
      return invalid(id, "scopes", "contain '" + scope + "', which holds a separator");
    }
  }
  // /me/accounts lists nothing without pages_show_list: asking for Page tokens asks for it.
  if (settings.page_tokens &&
      std::find(out.scopes.begin(), out.scopes.end(), "pages_show_list") == out.scopes.end()) {
    out.scopes.emplace_back("pages_show_list");
  }
  out.page_tokens = settings.page_tokens;
  out.reauth_after = settings.reauth_after;
  out.client_id = std::move(settings.client_id);
  out.client_secret = std::move(settings.client_secret);
  out.redirect_uri = std::move(settings.redirect_uri);
  return out;
}

std::string join_scopes(const provider_profile& profile, const std::vector<std::string>& scopes) {
  std::string out;
  for (const auto& scope : scopes) {
    if (!out.empty()) {
      out.append(profile.scope_separator);
    }
    out.append(scope);
  }
  return out;
}

std::vector<std::string> split_scopes(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  const auto is_separator = [](char c) {
    return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || is_separator(text[i])) {
      if (i > start) {
        out.emplace_back(text.substr(start, i - start));
      }
      start = i + 1;
    }
  }
  return out;
}

std::string_view strip_code_suffix(const provider_profile& profile, std::string_view code) {
  if (!profile.code_has_fragment_suffix) {
    return code;
  }
  if (code.ends_with("#_")) {
    code.remove_suffix(2);
  } else if (code.ends_with('#')) {
    code.remove_suffix(1);
  }
  return code;
}

std::string_view dialect_name(dialect d) noexcept {
  switch (d) {
    case dialect::instagram_login:
      return "instagram_login";
    case dialect::meta_graph:
      return "meta_graph";
    case dialect::tiktok:
      return "tiktok";
    case dialect::pinterest:
      return "pinterest";
    case dialect::generic:
      return "generic";
  }
  return "unknown";
}

std::string_view client_auth_name(client_auth a) noexcept {
  switch (a) {
    case client_auth::form_body:
      return "form_body";
    case client_auth::http_basic:
      return "http_basic";
    case client_auth::query:
      return "query";
  }
  return "unknown";
}

std::string_view refresh_style_name(refresh_style r) noexcept {
  switch (r) {
    case refresh_style::none:
      return "none";
    case refresh_style::ig_refresh_token:
      return "ig_refresh_token";
    case refresh_style::refresh_token_grant:
      return "refresh_token_grant";
  }
  return "unknown";
}

}  // namespace rosterd::oauth
