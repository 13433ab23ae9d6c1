#include "edge/api/authn.hpp"

#include "base/token.hpp"
#include "edge/api/json_io.hpp"
#include "http/cookies.hpp"
#include "roster/access.hpp"
#include "roster/error.hpp"
#include "roster/text.hpp"

namespace rosterd::edge::api {
namespace {

namespace asio = boost::asio;

bool is_safe(http::verb v) {
  return v == http::verb::get || v == http::verb::head || v == http::verb::options;
}

http::response unauthenticated(const http::request_context& ctx) {
  auto res = problem_response(
      ctx, http::make_problem(http::status::unauthorized, "unauthenticated",
                              "Sign in, or send an API token as Authorization: Bearer <token>."));
  res.set(http::beast_http::field::www_authenticate, "Bearer");
  return res;
}

std::string origin_of(std::string_view url) {
  const auto scheme = url.find("://");
  if (scheme == std::string_view::npos) {
    return std::string(url);
  }
  const auto path = url.find('/', scheme + 3);
  return std::string(url.substr(0, path));
}

}  // namespace

bool passes_csrf(const api_context& api, const http::request_context& ctx, const principal& p) {
  if (is_safe(ctx.req.method()) || p.how == principal::kind::token) {
    return true;
  }
  const auto origin = ctx.req[http::beast_http::field::origin];
  if (!origin.empty() && origin != origin_of(api.settings.roster.public_url)) {
    return false;
  }
  const auto sent = ctx.req["X-CSRF-Token"];
  const auto expected = roster::csrf_token_for(p.session_token);
  return base::token_matches_hash(expected, base::hash_token(sent));
}

bool from_own_pages(const api_context& api, const http::request_context& ctx) {
  const auto site = ctx.req["Sec-Fetch-Site"];
  if (!site.empty() && site != "same-origin" && site != "none") {
    return false;
  }
  const auto origin = ctx.req[http::beast_http::field::origin];
  return origin.empty() || origin == origin_of(api.settings.roster.public_url);
}

asio::awaitable<std::optional<principal>> authenticate(api_context& api,
                                                       http::request_context& ctx) {
  const auto now = api.now();
  const auto authorization = ctx.req[http::beast_http::field::authorization];
  if (!authorization.empty()) {
    constexpr std::string_view scheme = "Bearer ";
    if (authorization.size() <= scheme.size() ||
        !roster::equals_ignoring_case(authorization.substr(0, scheme.size()), "bearer ")) {
      co_return std::nullopt;
    }
    std::string token(authorization.substr(scheme.size()));
    // Read before the lookup, so a write racing it (a revocation) makes the result unusable.
    const auto generation = roster::api_token_changes(api.db);
    auto hash = base::hash_token(token);
    auto who = api.token_callers_seen.find(hash, generation, now);
    if (!who) {
      auto caller_for_api_token_query = [token, now](store::database& db) {
        return roster::caller_for_api_token(db, token, now);
      };
      auto found = co_await api.db.read(caller_for_api_token_query);
      if (!found || !*found) {
        co_return std::nullopt;
      }
      who = std::move(**found);
      api.token_callers_seen.keep(std::move(hash), generation, now, *who);
    }
    principal p;
    p.how = principal::kind::token;
    p.user_id = who->user_id;
    p.email = who->is_service() ? "" : who->label;
    p.token = std::move(*who);
    auto id = p.token->token_id;
    if (api.token_uses.due(id, now)) {
      auto touch_api_token_change = [id, now](store::database& db) {
        return roster::touch_api_token(db, id, now);
      };
      (void)co_await api.db.write(touch_api_token_change);
    }
    co_return p;
  }
  const auto cookie_header = ctx.req[http::beast_http::field::cookie];
  auto value =
      http::find_cookie(cookie_header, http::session_cookie_name(api.settings.secure_cookies));
  if (!value) {
    co_return std::nullopt;
  }
  std::string token(*value);
  const auto settings = api.settings.sessions;
  auto find_session_query = [token, settings, now](store::database& db) {
    return roster::find_session(db, token, settings, now);
  };
  auto found = co_await api.db.read(find_session_query);
  if (!found || !*found) {
    co_return std::nullopt;
  }
  if ((*found)->needs_touch) {
    auto hash = (*found)->token_hash;
    auto touch_session_change = [hash, now](store::database& db) {
      return roster::touch_session(db, hash, now);
    };
    (void)co_await api.db.write(touch_session_change);
  }
  principal p;
  p.how = principal::kind::session;
  p.user_id = (*found)->user_id;
  p.email = (*found)->email;
  p.display_name = (*found)->display_name;
  p.session_token = std::move(token);
  co_return p;
}

api_handler signed_in(handler_with_principal h, bool tokens_allowed) {
  return [h = std::move(h), tokens_allowed](
             api_context& api, http::request_context& ctx) -> asio::awaitable<http::response> {
    auto p = co_await authenticate(api, ctx);
    if (!p) {
      co_return unauthenticated(ctx);
    }
    if (p->how == principal::kind::token && !tokens_allowed) {
      co_return problem_response(
          ctx, http::make_problem(http::status::forbidden, "forbidden",
                                  "This needs a signed-in person, not an API token."));
    }
    if (!passes_csrf(api, ctx, *p)) {
      co_return problem_response(
          ctx, http::make_problem(http::status::forbidden, "csrf",
                                  "Send the X-CSRF-Token from GET /v1/session with every change "
                                  "made with a session cookie."));
    }
    co_return co_await h(api, ctx, *p);
  };
}

api_handler in_account(handler_with_caller h) {
  return signed_in([h = std::move(h)](api_context& api, http::request_context& ctx,
                                      principal& p) -> asio::awaitable<http::response> {
    const std::string account(ctx.params.get("account"));
    if (p.how == principal::kind::token) {
      if (p.token->account_id != account) {
        co_return failure_response(api, ctx, base::failure{roster::errc::not_found, ""});
      }
      co_return co_await h(api, ctx, *p.token);
    }
    auto user = p.user_id;
    auto caller_for_user_query = [user, account](store::database& db) {
      return roster::caller_for_user(db, user, account);
    };
    auto who = co_await api.db.read(caller_for_user_query);
    if (!who) {
      co_return failure_response(api, ctx, who.error());
    }
    co_return co_await h(api, ctx, *who);
  });
}

}  // namespace rosterd::edge::api
