#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "base/log_field.hpp"
#include "base/secret.hpp"
#include "edge/api/authn.hpp"
#include "edge/api/client_address.hpp"
#include "edge/api/json_io.hpp"
#include "edge/api/routes.hpp"
#include "http/cookies.hpp"
#include "lifecycle/webhooks.hpp"
#include "roster/access.hpp"
#include "roster/email_address.hpp"
#include "roster/error.hpp"
#include "roster/invitations.hpp"
#include "roster/password.hpp"
#include "roster/sign_in.hpp"
#include "roster/sign_in_policy.hpp"
#include "store/transaction.hpp"
#include "views/api_views.hpp"

namespace rosterd::edge::api {

using views::to_json;
namespace {

namespace asio = boost::asio;
using awaitable_response = asio::awaitable<http::response>;

std::string session_cookie(const api_context& api, const base::secret& token) {
  http::set_cookie c;
  c.name = http::session_cookie_name(api.settings.secure_cookies);
  c.value = std::string(token.reveal());
  c.secure = api.settings.secure_cookies;
  c.max_age = api.settings.sessions.absolute_timeout;
  return http::format_set_cookie(c);
}

std::string expired_cookie(const api_context& api) {
  http::set_cookie c;
  c.name = http::session_cookie_name(api.settings.secure_cookies);
  c.value = "";
  c.secure = api.settings.secure_cookies;
  c.expire_now = true;
  return http::format_set_cookie(c);
}

http::response rate_limited(const http::request_context& ctx, std::chrono::seconds wait) {
  auto res =
      problem_response(ctx, http::make_problem(http::status::too_many_requests, "rate-limited",
                                               "Too many failed sign-ins; try again in " +
                                                   std::to_string(wait.count()) + " seconds."));
  res.set(http::beast_http::field::retry_after, std::to_string(wait.count()));
  return res;
}

/// Every hashing thread is busy and the queue is full: refused before any work, so a burst
/// cannot queue minutes of Argon2id in front of everyone.
http::response busy_hashing(api_context& api, const http::request_context& ctx) {
  const auto wait = api.hashing.retry_after();
  api.log->warn("password_checks_busy request_id={} pending={} capacity={}", ctx.request_id,
                api.hashing.pending(), api.hashing.capacity());
  auto res = problem_response(
      ctx, http::make_problem(http::status::service_unavailable, "busy",
                              "Too many sign-ins are being checked right now; try again in " +
                                  std::to_string(wait.count()) + " seconds."));
  res.set(http::beast_http::field::retry_after, std::to_string(wait.count()));
  return res;
}

/// The signed-in person's view: who they are, their accounts, and (for a session) the CSRF token
/// their changes must carry.
asio::awaitable<http::response> whoami(api_context& api, const http::request_context& ctx,
                                       const std::string& user_id, const std::string& email,
                                       const std::string& display_name,
                                       const std::string& session_token,
                                       http::status code = http::status::ok) {
  auto accounts_of_user_query = [user_id](store::database& db) {
    return roster::accounts_of_user(db, user_id);
  };
  auto accounts = co_await api.db.read(accounts_of_user_query);
  if (!accounts) {
    co_return failure_response(api, ctx, accounts.error());
  }
  json list = json::array();
  for (const auto& a : *accounts) {
    list.push_back(to_json(a));
  }
  json body{{"user", {{"id", user_id}, {"email", email}, {"display_name", display_name}}},
            {"accounts", list}};
  body["csrf_token"] =
      session_token.empty() ? json(nullptr) : json(roster::csrf_token_for(session_token));
  co_return json_response(ctx, body, code);
}

/// Checks the password policy, then hashes on the hashing pool (the caller holds a slot).
asio::awaitable<base::result<std::string>> hash_new_password(api_context& api,
                                                             const hashing_pool::slot& slot,
                                                             std::string password) {
  base::secret secret(std::move(password));
  if (auto ok = roster::check_password_policy(secret); !ok) {
    co_return ok.error();
  }
  const auto cost = api.settings.password_cost;
  auto hash_password_work_2 = [s = std::move(secret), cost]() {
    return roster::hash_password(s, cost);
  };
  co_return co_await api.hashing.run(slot, hash_password_work_2);
}

awaitable_response login(api_context& api, http::request_context& ctx) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"email", "password"});
  auto email_text = f.required_string("email");
  auto password_text = f.raw_string("password", roster::max_password_bytes).value_or("");
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto slot = api.hashing.reserve();
  if (!slot) {
    co_return busy_hashing(api, ctx);
  }
  auto email = roster::normalize_email(email_text);
  auto admitted = api.throttle.admit_login(email ? *email : email_text,
                                           client_address(ctx, api.settings.proxies),
                                           std::chrono::steady_clock::now());
  if (auto* refused = std::get_if<roster::throttled>(&admitted)) {
    api.log->info("login_rate_limited request_id={}", ctx.request_id);
    co_return rate_limited(ctx, refused->retry_after);
  }
  // Counted as a failed attempt from here on, unless settled otherwise below.
  auto& attempt = std::get<roster::login_attempt>(admitted);
  std::optional<roster::login_candidate> candidate;
  if (email) {
    auto find_login_query = [e = *email](store::database& db) { return roster::find_login(db, e); };
    auto found = co_await api.db.read(find_login_query);
    if (!found) {
      attempt.not_checked();
      co_return failure_response(api, ctx, found.error());
    }
    candidate = std::move(*found);
  }
  base::secret password(std::move(password_text));
  const auto cost = api.settings.password_cost;
  auto judge_login_work = [&candidate, &password, cost]() {
    return roster::judge_login(candidate, password, cost);
  };
  const auto verdict = co_await api.hashing.run(*slot, judge_login_work);
  if (!verdict.verified) {
    co_return failure_response(api, ctx, base::fail(roster::errc::invalid_credentials));
  }
  attempt.succeeded();
  if (verdict.needs_rehash) {
    auto hash_password_work = [&password, cost]() { return roster::hash_password(password, cost); };
    auto fresh = co_await api.hashing.run(*slot, hash_password_work);
    if (fresh) {
      auto upgrade_password_hash_change = [user = candidate->user_id,
                                           phc = *fresh](store::database& db) {
        return roster::upgrade_password_hash(db, user, phc);
      };
      (void)co_await api.db.write(upgrade_password_hash_change);
    }
  }
  slot.reset();  // the rest is quick: let the next sign-in have the place
  std::optional<std::string> previous;
  if (auto old = http::find_cookie(ctx.req[http::beast_http::field::cookie],
                                   http::session_cookie_name(api.settings.secure_cookies))) {
    previous = std::string(*old);
  }
  const auto user_id = candidate->user_id;
  auto start_session_change = [user_id, previous, settings = api.settings.sessions,
                               now = api.now()](store::database& db) {
    return roster::start_session(
        db, user_id, settings, now,
        previous ? std::optional<std::string_view>(*previous) : std::nullopt);
  };
  auto session = co_await api.db.write(start_session_change);
  if (!session) {
    co_return failure_response(api, ctx, session.error());
  }
  auto res = co_await whoami(api, ctx, user_id, candidate->email, candidate->display_name,
                             std::string(session->reveal()));
  res.set(http::beast_http::field::set_cookie, session_cookie(api, *session));
  co_return res;
}

/// Password reset, in the background: the answer never waits for it. Only an address that
/// belongs to someone who can sign in gets a token, a row and an email (writes and a sync to
/// disk that an unknown address does not cause), so doing this before answering let the
/// answer's timing tell which addresses have an account. Every request spawns this, whatever
/// it named.
asio::awaitable<void> issue_password_reset(api_context& api, std::string email_text) {
  struct in_flight {
    explicit in_flight(api_context& a) : api(a) {}
    in_flight(const in_flight&) = delete;
    in_flight& operator=(const in_flight&) = delete;
    ~in_flight() { api.pending_reset_requests.fetch_sub(1); }
    api_context& api;
  } counted(api);
  auto email = roster::normalize_email(email_text);
  if (!email) {
    co_return;
  }
  auto request_password_reset_change =
      [&api, e = *email, now = api.now()](store::database& db) -> base::result<void> {
    auto tx = store::transaction::begin(db);
    if (!tx) {
      return tx.error();
    }
    if (auto r = roster::request_password_reset(db, api.mail, api.settings.roster, e, now); !r) {
      return r;
    }
    return tx->commit();
  };
  try {
    auto done = co_await api.db.write(request_password_reset_change);
    if (!done) {
      // The person was already told "on its way"; they can ask again.
      api.log->warn("password_reset_request_failed problem={}",
                    base::log_field(base::describe(done.error()), 512));
      co_return;
    }
  } catch (const std::exception& e) {
    api.log->error("password_reset_request_failed problem={}", base::log_field(e.what(), 512));
    co_return;
  }
  api.mail_queued();
}

awaitable_response request_reset(api_context& api, http::request_context& ctx) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"email"});
  auto email_text = f.required_string("email");
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  if (auto refused = api.throttle.admit_reset_request(client_address(ctx, api.settings.proxies),
                                                      std::chrono::steady_clock::now())) {
    co_return rate_limited(ctx, refused->retry_after);
  }
  // Only work every request does alike may come before the answer: the in-flight count below
  // is shared by all requests, whatever address they name.
  if (api.pending_reset_requests.fetch_add(1) >= api.settings.max_pending_reset_requests) {
    api.pending_reset_requests.fetch_sub(1);
    auto res = problem_response(
        ctx, http::make_problem(http::status::service_unavailable, "busy",
                                "Too many password reset requests are being handled right now; "
                                "try again in a few seconds."));
    res.set(http::beast_http::field::retry_after, "5");
    co_return res;
  }
  asio::co_spawn(co_await asio::this_coro::executor, issue_password_reset(api, email_text),
                 asio::detached);
  co_return json_response(
      ctx, {{"status", "If that address has an account, a reset link is on its way."}},
      http::status::accepted);
}

awaitable_response complete_reset(api_context& api, http::request_context& ctx) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"token", "password"});
  auto token = f.required_string("token", 200);
  auto password = f.raw_string("password", roster::max_password_bytes).value_or("");
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto check_password_reset_query = [token, now = api.now()](store::database& db) {
    return roster::check_password_reset(db, token, now);
  };
  auto valid = co_await api.db.read(check_password_reset_query);
  if (!valid) {
    co_return failure_response(api, ctx, valid.error());
  }
  auto slot = api.hashing.reserve();
  if (!slot) {
    co_return busy_hashing(api, ctx);
  }
  auto phc = co_await hash_new_password(api, *slot, std::move(password));
  slot.reset();
  if (!phc) {
    co_return failure_response(api, ctx, phc.error());
  }
  auto complete_password_reset_change =
      [token, phc = *phc, now = api.now()](store::database& db) -> base::result<std::string> {
    auto tx = store::transaction::begin(db);
    if (!tx) {
      return tx.error();
    }
    auto user = roster::complete_password_reset(db, token, phc, now);
    if (!user) {
      return user;
    }
    if (auto c = tx->commit(); !c) {
      return c.error();
    }
    return user;
  };
  auto done = co_await api.db.write(complete_password_reset_change);
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  co_return no_content(ctx);
}

awaitable_response inspect_invitation(api_context& api, http::request_context& ctx) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"token"});
  auto token = f.required_string("token", 200);
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto open_invitation_query_2 = [token, now = api.now()](store::database& db) {
    return roster::open_invitation(db, token, now);
  };
  auto preview = co_await api.db.read(open_invitation_query_2);
  if (!preview) {
    co_return failure_response(api, ctx, preview.error());
  }
  co_return json_response(ctx, {{"agency", preview->account_name},
                                {"email", preview->invitation.email},
                                {"kind", roster::to_string(preview->invitation.kind)},
                                {"creators", preview->invitation.creator_names},
                                {"expires_at", preview->invitation.expires_at},
                                {"needs_password", preview->needs_password}});
}

awaitable_response accept_invitation(api_context& api, http::request_context& ctx) {
  http::problem bad;
  auto body = read_object(ctx, bad);
  if (!body) {
    co_return problem_response(ctx, bad);
  }
  fields f(*body);
  f.allow_only({"token", "password", "display_name"});
  auto token = f.required_string("token", 200);
  auto password = f.raw_string("password", roster::max_password_bytes, true);
  auto display_name = f.optional_string("display_name", 200).value_or("");
  if (!f.ok()) {
    co_return problem_response(ctx, f.problem());
  }
  auto open_invitation_query = [token, now = api.now()](store::database& db) {
    return roster::open_invitation(db, token, now);
  };
  auto preview = co_await api.db.read(open_invitation_query);
  if (!preview) {
    co_return failure_response(api, ctx, preview.error());
  }
  std::string phc;
  if (preview->needs_password) {
    if (!password) {
      f.add("password", "choose a password of at least 12 characters");
      co_return problem_response(ctx, f.problem());
    }
    auto slot = api.hashing.reserve();
    if (!slot) {
      co_return busy_hashing(api, ctx);
    }
    auto hashed = co_await hash_new_password(api, *slot, std::move(*password));
    if (!hashed) {
      co_return failure_response(api, ctx, hashed.error());
    }
    phc = std::move(*hashed);
  }
  const bool sign_in = preview->needs_password;
  auto accept_invitation_change =
      [token, phc, display_name, sign_in, invitation = preview->invitation,
       settings = api.settings.sessions, now = api.now()](store::database& db)
      -> base::result<std::pair<std::string, std::optional<base::secret>>> {
    auto tx = store::transaction::begin(db);
    if (!tx) {
      return tx.error();
    }
    auto user = roster::accept_invitation(db, token, phc, display_name, now);
    if (!user) {
      return user.error();
    }
    // The agency's systems hear of it with the change itself (or not at all, if it rolls back).
    if (auto published = lifecycle::publish_invitation_accepted(db, invitation, now); !published) {
      return published.error();
    }
    std::optional<base::secret> session;
    if (sign_in) {
      auto s = roster::start_session(db, *user, settings, now);
      if (!s) {
        return s.error();
      }
      session = std::move(*s);
    }
    if (auto c = tx->commit(); !c) {
      return c.error();
    }
    return std::pair{std::move(*user), std::move(session)};
  };
  auto accepted = co_await api.db.write(accept_invitation_change);
  if (!accepted) {
    co_return failure_response(api, ctx, accepted.error());
  }
  api.webhooks_queued();
  auto& [user_id, session] = *accepted;
  const std::string token_value = session ? std::string(session->reveal()) : std::string();
  auto res =
      co_await whoami(api, ctx, user_id, preview->invitation.email, display_name, token_value);
  if (session) {
    res.set(http::beast_http::field::set_cookie, session_cookie(api, *session));
  }
  co_return res;
}

awaitable_response current_session(api_context& api, http::request_context& ctx, principal& p) {
  return whoami(api, ctx, p.user_id, p.email, p.display_name, p.session_token);
}

awaitable_response end_session(api_context& api, http::request_context& ctx, principal& p) {
  auto token = p.session_token;
  auto end_session_change = [token](store::database& db) { return roster::end_session(db, token); };
  auto done = co_await api.db.write(end_session_change);
  if (!done) {
    co_return failure_response(api, ctx, done.error());
  }
  auto res = no_content(ctx);
  res.set(http::beast_http::field::set_cookie, expired_cookie(api));
  co_return res;
}

}  // namespace

api_route_table session_routes() {
  return {
      {http::verb::post, "/v1/session", login},
      {http::verb::get, "/v1/session", signed_in(current_session)},
      // A bearer token has no session to end.
      {http::verb::delete_, "/v1/session", signed_in(end_session, false)},
      {http::verb::post, "/v1/password-reset", request_reset},
      {http::verb::post, "/v1/password-reset/complete", complete_reset},
      {http::verb::post, "/v1/invitations/inspect", inspect_invitation},
      {http::verb::post, "/v1/invitations/accept", accept_invitation},
  };
}

}  // namespace rosterd::edge::api
