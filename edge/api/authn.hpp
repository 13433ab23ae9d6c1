#pragma once
// Who is calling: a bearer API token (Authorization: Bearer ...) or a session cookie. Sessions
// are resolved from the database on every request; a token's caller is kept in memory while
// nothing it was read from changed (token_callers.hpp), so a revocation through the daemon
// takes effect on the very next request. Cookie-authenticated requests that change
// state must carry the session's CSRF token in X-CSRF-Token and, when the browser sends one, an
// Origin matching public_url.

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "edge/api/api_context.hpp"
#include "edge/routes/route_table.hpp"
#include "http/types.hpp"
#include "roster/model.hpp"

namespace rosterd::edge::api {

struct principal {
  enum class kind { session, token };
  kind how = kind::session;
  std::string user_id;  // empty for a service token
  std::string email;
  std::string display_name;
  std::string session_token;            // the cookie value, for CSRF and logout (session only)
  std::optional<roster::caller> token;  // what a bearer token stands for (token only)
};

/// A /v1 route's handler, given the context the routes share.
using api_handler = route_handler<api_context>;
/// Handlers behind the checks below: they get who is calling.
using handler_with_principal = std::function<boost::asio::awaitable<http::response>(
    api_context&, http::request_context&, principal&)>;
using handler_with_caller = std::function<boost::asio::awaitable<http::response>(
    api_context&, http::request_context&, const roster::caller&)>;

/// The request's principal or nullopt (no credentials or invalid ones). Reads only; touches
/// the session or token last-use time when due.
boost::asio::awaitable<std::optional<principal>> authenticate(api_context& api,
                                                              http::request_context& ctx);

/// Wraps a handler that needs someone signed in: 401 with WWW-Authenticate when there are no
/// (valid) credentials, 403 for a failed CSRF or Origin check. `tokens_allowed` lets bearer
/// tokens through.
api_handler signed_in(handler_with_principal h, bool tokens_allowed = true);

/// Wraps a handler under /v1/accounts/{account}/...: the caller in that account, or 404 when
/// the principal is not an active member of it (or it is another account's token).
api_handler in_account(handler_with_caller h);

/// Whether a cookie-authenticated request passes the CSRF and Origin checks (true for safe
/// methods and bearer tokens).
bool passes_csrf(const api_context& api, const http::request_context& ctx, const principal& p);

/// Whether a form post to a page comes from rosterd's own pages, by what browsers send on every
/// cross-site request: Sec-Fetch-Site other than same-origin/none, or an Origin other than
/// server.public_url's, is refused. A link page's "Connect" must not be pressable by another
/// site in a victim's browser (it would attach the victim's platform account to the link's
/// creator). Clients that send neither header are not browsers and carry no victim's cookies.
bool from_own_pages(const api_context& api, const http::request_context& ctx);

}  // namespace rosterd::edge::api
