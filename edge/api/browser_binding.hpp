#pragma once
// The cookie that binds an OAuth attempt to the browser that started it: a
// random value set on the first connect page, whose hash each attempt stores. A callback or
// result page opened in another browser does not carry it and is refused.

#include <optional>
#include <string>
#include <utility>

#include "edge/api/api_context.hpp"
#include "http/types.hpp"

namespace rosterd::edge::api {

/// The browser's binding secret, when it sent a plausible one.
std::optional<std::string> browser_secret(const api_context& api, const http::request_context& ctx);

/// The browser's binding secret; when it has none, a fresh one and the Set-Cookie value that
/// gives it to the browser (HttpOnly, SameSite=Lax so the platform's redirect back carries it,
/// Secure and __Host- over HTTPS, one day).
std::pair<std::string, std::optional<std::string>> ensure_browser_secret(
    const api_context& api, const http::request_context& ctx);

}  // namespace rosterd::edge::api
