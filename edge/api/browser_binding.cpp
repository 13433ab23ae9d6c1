#include "edge/api/browser_binding.hpp"

#include "base/token.hpp"
#include "http/cookies.hpp"

namespace rosterd::edge::api {
namespace {

constexpr std::string_view binding_prefix = "rdb";

std::string cookie_name(const api_context& api) {
  return api.settings.secure_cookies ? "__Host-rosterd_oauth" : "rosterd_oauth";
}

}  // namespace

std::optional<std::string> browser_secret(const api_context& api,
                                          const http::request_context& ctx) {
  const auto header = ctx.req[http::beast_http::field::cookie];
  auto value = http::find_cookie(header, cookie_name(api));
  if (!value || !base::looks_like_token(*value, binding_prefix)) {
    return std::nullopt;
  }
  return std::string(*value);
}

std::pair<std::string, std::optional<std::string>> ensure_browser_secret(
    const api_context& api, const http::request_context& ctx) {
  if (auto existing = browser_secret(api, ctx)) {
    return {*existing, std::nullopt};
  }
  auto fresh = base::issue_token(binding_prefix);
  http::set_cookie c;
  c.name = cookie_name(api);
  c.value = std::string(fresh.value.reveal());
  c.secure = api.settings.secure_cookies;
  c.max_age = std::chrono::hours(24);
  return {c.value, http::format_set_cookie(c)};
}

}  // namespace rosterd::edge::api
