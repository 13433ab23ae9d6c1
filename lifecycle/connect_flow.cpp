#include "lifecycle/connect_flow.hpp"

#include <algorithm>
#include <array>

#include "base/token.hpp"
#include "lifecycle/deadlines.hpp"
#include "lifecycle/error.hpp"
#include "lifecycle/oauth_attempts.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "lifecycle/refresh.hpp"
#include "lifecycle/words.hpp"
#include "oauth/authorize.hpp"
#include "oauth/error.hpp"
#include "oauth/pkce.hpp"
#include "oauth/token_requests.hpp"
#include "oauth/token_responses.hpp"
#include "oauth/utf8.hpp"
#include "roster/error.hpp"
#include "roster/people.hpp"
#include "store/in_transaction.hpp"
#include "store/sql.hpp"
#include "store/transaction.hpp"

namespace rosterd::lifecycle {
namespace sql = store::sql;
using detail::join_words;

namespace {

base::result<void> link_names(const link_record& link, std::string_view provider) {
  if (std::find(link.providers.begin(), link.providers.end(), provider) == link.providers.end()) {
    // The provider came from the request: the caller reads only what the link is for.
    return base::reject(
        errc::provider_not_enabled, "this link is for " + join_words(link.providers) + " only",
        "this link is for " + join_words(link.providers) + ", not " + std::string(provider));
  }
  return {};
}

/// The creator a signed-in caller is: only creators connect, and only their own profiles.
base::result<roster::creator_row> own_creator(store::database& db, const roster::caller& who) {
  const auto refuse = [] {
    return base::reject(roster::errc::forbidden,
                        "only a creator connects their own profiles; send them a reconnect link");
  };
  if (who.is_service() || who.member_role != roster::role::creator) {
    return refuse();
  }
  auto creator = roster::find_creator_by_user(db, who.account_id, who.user_id);
  if (!creator) {
    return creator.error();
  }
  if (!*creator || (*creator)->status != "active") {
    return refuse();
  }
  return std::move(**creator);
}

std::optional<time_point> after(time_point now, std::optional<std::chrono::seconds> d) {
  if (!d) {
    return std::nullopt;
  }
  return now + *d;
}

/// What a completed exchange gives us, before it is stored.
struct exchanged {
  oauth::token_grant grant;
  oauth::phase lifetime_phase = oauth::phase::code_exchange;
  oauth::identity who;
  std::optional<oauth::token_debug_info> debug;
  std::vector<oauth::managed_page> pages;
  std::optional<std::string> pages_problem;  ///< page_tokens on, but the Pages were not read
};

using step_result = base::result<oauth::http_response>;

/// A step's failure as the platform (or the network) put it, or nullopt when it succeeded.
std::optional<oauth::provider_error> refusal(const oauth::provider& p, oauth::phase step,
                                             const step_result& response, time_point now,
                                             std::span<const std::string_view> never_echo) {
  if (!response) {
    return oauth::classify_transport(response.error().code, step);
  }
  return oauth::classify_response(p.profile, step, *response, now, never_echo);
}

/// A callback refused before the code exchange, for a reason the creator cannot fix there.
oauth::provider_error refused_callback(std::string code, std::string message) {
  oauth::provider_error e;
  e.kind = oauth::error_kind::rejected;
  e.phase = oauth::phase::code_exchange;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

oauth::provider_error invalid_answer(oauth::phase step, const base::failure& f) {
  oauth::provider_error e;
  e.kind = oauth::error_kind::rejected;
  e.phase = step;
  e.code = "invalid_response";
  e.message = f.detail;
  return e;
}

/// The Pages and their tokens, or why they could not be read.
struct pages_outcome {
  std::vector<oauth::managed_page> pages;
  std::optional<std::string> problem;
};

/// Facebook Login with page_tokens: one /me/accounts call with the long-lived user token, so
/// the Page tokens it returns do not expire.
boost::asio::awaitable<pages_outcome> fetch_pages(const oauth::provider& p,
                                                  const oauth::https_client& http,
                                                  std::string_view user_token, time_point now) {
  const std::array<std::string_view, 2> never_echo{user_token, p.client_secret.reveal()};
  pages_outcome out;
  auto request = oauth::pages_request(p, user_token);
  if (!request) {
    out.problem = request.error().detail;
    co_return out;
  }
  const auto answer = co_await http.send(*request);
  if (auto e = refusal(p, oauth::phase::api_call, answer, now, never_echo)) {
    out.problem = oauth::describe(*e);
    co_return out;
  }
  auto pages = oauth::parse_pages_response(p.profile, answer->body);
  if (!pages) {
    out.problem = oauth::describe(invalid_answer(oauth::phase::api_call, pages.error()));
    co_return out;
  }
  out.pages = std::move(*pages);
  co_return out;
}

/// The three calls after a valid callback. Each is made once; the first refusal ends the flow.
boost::asio::awaitable<boost::system::result<exchanged, oauth::provider_error>> exchange_all(
    const oauth::provider& p, const oauth::https_client& http, std::string_view code,
    std::optional<std::string_view> verifier, time_point now) {
  const std::array<std::string_view, 2> never_echo{code, p.client_secret.reveal()};
  exchanged out;

  const auto exchange = oauth::code_exchange_request(p, code, verifier);
  const auto exchange_answer = co_await http.send(exchange);
  if (auto e = refusal(p, oauth::phase::code_exchange, exchange_answer, now, never_echo)) {
    co_return *e;
  }
  auto grant = oauth::parse_token_response(p.profile, exchange_answer->body);
  if (!grant) {
    co_return invalid_answer(oauth::phase::code_exchange, grant.error());
  }
  out.grant = std::move(*grant);

  if (p.profile.long_lived != oauth::long_lived_style::none) {
    auto request = oauth::long_lived_exchange_request(p, out.grant.access_token.reveal());
    if (!request) {
      co_return invalid_answer(oauth::phase::long_lived_exchange, request.error());
    }
    const auto answer = co_await http.send(*request);
    if (auto e = refusal(p, oauth::phase::long_lived_exchange, answer, now, never_echo)) {
      co_return *e;
    }
    auto long_lived = oauth::parse_token_response(p.profile, answer->body);
    if (!long_lived) {
      co_return invalid_answer(oauth::phase::long_lived_exchange, long_lived.error());
    }
    out.grant.access_token = std::move(long_lived->access_token);
    out.grant.expires_in = long_lived->expires_in;
    if (long_lived->refresh_token) {
      out.grant.refresh_token = std::move(long_lived->refresh_token);
    }
    out.lifetime_phase = oauth::phase::long_lived_exchange;
  }

  const auto identity = oauth::identity_request(p, out.grant.access_token.reveal());
  const auto identity_answer = co_await http.send(identity);
  if (auto e = refusal(p, oauth::phase::identity, identity_answer, now, never_echo)) {
    co_return *e;
  }
  auto who = oauth::parse_identity_response(p.profile, identity_answer->body);
  if (!who) {
    co_return invalid_answer(oauth::phase::identity, who.error());
  }
  out.who = std::move(*who);

  // Meta: the data-access clock is only visible through debug_token. Best effort: a failure
  // here does not undo a working connection.
  if (p.profile.debug_token_url) {
    if (auto request = oauth::debug_token_request(p, out.grant.access_token.reveal())) {
      const auto answer = co_await http.send(*request);
      if (answer && answer->status == 200) {
        if (auto info = oauth::parse_debug_token_response(answer->body)) {
          out.debug = std::move(*info);
        }
      }
    }
  }

  // Also best effort: without its Pages the connection still works for the user's own data.
  if (p.page_tokens) {
    auto fetched = co_await fetch_pages(p, http, out.grant.access_token.reveal(), now);
    out.pages = std::move(fetched.pages);
    out.pages_problem = std::move(fetched.problem);
  }
  co_return out;
}

new_grant to_new_grant(const oauth::provider& p, exchanged&& x,
                       const std::optional<std::vector<std::string>>& callback_scopes,
                       time_point now) {
  new_grant g;
  g.provider = p.profile.id;
  g.external_id =
      !x.who.external_id.empty() ? x.who.external_id : x.grant.external_user_id.value_or("");
  g.other_ids = x.who.other_ids;
  g.username = !x.who.username.empty() ? x.who.username : x.who.display_name;
  g.requested_scopes = p.scopes;
  g.granted_scopes = x.grant.granted_scopes;
  if (g.granted_scopes.empty() && callback_scopes) {
    g.granted_scopes = *callback_scopes;
  }
  if (g.granted_scopes.empty() && x.debug) {
    g.granted_scopes = x.debug->scopes;
  }
  const auto lifetime = oauth::access_lifetime(p.profile, x.grant, x.lifetime_phase);
  g.access_expires_at = after(now, lifetime);
  g.refresh_expires_at = oauth::refresh_expiry(p.profile, x.grant, now);
  if (x.debug) {
    g.data_access_expires_at = x.debug->data_access_expires_at;
    if (x.debug->expires_at) {
      g.access_expires_at = x.debug->expires_at;
    }
  }
  g.reconsent = reconsent_deadline(
      p.profile, {now, g.access_expires_at, g.refresh_expires_at, g.data_access_expires_at},
      p.reauth_after);
  g.next_refresh_at = next_refresh_time(p.profile, lifetime, now);
  g.access_token = std::move(x.grant.access_token);
  g.refresh_token = std::move(x.grant.refresh_token);
  g.pages = std::move(x.pages);
  return g;
}

}  // namespace

std::string_view to_string(callback_outcome o) noexcept {
  switch (o) {
    case callback_outcome::connected:
      return "connected";
    case callback_outcome::denied:
      return "denied";
    case callback_outcome::failed:
      return "failed";
  }
  return "failed";
}

base::result<started_connect> start_connect(store::database& db, const vault::keyring& keys,
                                            const provider_registry& providers,
                                            const connect_start& start, time_point now) {
  const auto* p = providers.find(start.provider);
  if (p == nullptr) {
    return base::fail(errc::provider_not_enabled,
                      start.provider + " is not a provider enabled here");
  }
  attempt_request request;
  request.provider = start.provider;
  request.redirect_uri = p->redirect_uri;
  request.scopes = p->scopes;
  if (start.retry_of) {
    auto previous = find_attempt_origin(db, *start.retry_of);
    if (!previous) {
      return previous.error();
    }
    if (!base::token_matches_hash(start.browser_secret, previous->browser_hash)) {
      return base::reject(errc::state_wrong_browser,
                          "this connection attempt was started in another browser");
    }
    if (previous->user_id) {
      // Signed in when it started: still an active creator of that roster?
      auto still = sql::integer(
          db,
          "SELECT COUNT(*) FROM account_members m JOIN creators c ON c.user_id = m.user_id "
          "AND c.account_id = m.account_id JOIN users u ON u.id = m.user_id "
          "WHERE m.account_id = ? AND m.user_id = ? AND c.id = ? AND m.role = 'creator' "
          "AND m.status = 'active' AND c.status = 'active' AND u.status = 'active'",
          previous->account_id, *previous->user_id, previous->creator_id);
      if (!still) {
        return still.error();
      }
      if (*still == 0) {
        return base::reject(roster::errc::forbidden,
                            "only a creator on the roster connects their own profiles");
      }
    }
    if (previous->link_id) {
      // The same checks as starting from the link's page: a retry is no way around them.
      auto link = usable_link(db, *previous->link_id, now);
      if (!link) {
        return link.error();
      }
      if (auto named = link_names(*link, start.provider); !named) {
        return named.error();
      }
      if (auto open = check_not_done(db, *link, start.provider, p->profile.display_name); !open) {
        return open.error();
      }
    }
    request.account_id = previous->account_id;
    request.creator_id = previous->creator_id;
    request.link_id = previous->link_id;
    request.user_id = previous->user_id;
  } else if (start.link_token) {
    auto link = open_link(db, *start.link_token, now);
    if (!link) {
      return link.error();
    }
    if (auto named = link_names(link->link, start.provider); !named) {
      return named.error();
    }
    if (auto open = check_not_done(db, link->link, start.provider, p->profile.display_name);
        !open) {
      return open.error();
    }
    request.account_id = link->link.account_id;
    request.creator_id = link->link.creator_id;
    request.link_id = link->link.id;
  } else if (start.creator) {
    auto creator = own_creator(db, *start.creator);
    if (!creator) {
      return creator.error();
    }
    request.account_id = start.creator->account_id;
    request.creator_id = creator->id;
    request.user_id = start.creator->user_id;
  } else {
    throw std::invalid_argument("start_connect: no link, creator or earlier attempt");
  }
  std::optional<std::string> challenge;
  if (p->profile.pkce == oauth::pkce_mode::s256) {
    const auto verifier = oauth::make_code_verifier();
    challenge = oauth::code_challenge_s256(verifier.reveal());
    request.pkce_verifier = std::string(verifier.reveal());
  }
  auto attempt = create_attempt(db, keys, request, start.browser_secret, now);
  if (!attempt) {
    return attempt.error();
  }
  auto url =
      oauth::authorize_url(*p, attempt->state.reveal(),
                           challenge ? std::optional<std::string_view>(*challenge) : std::nullopt);
  return started_connect{attempt->id, base::secret(std::move(url))};
}

base::result<started_connect> retry_connect(store::database& db, const vault::keyring& keys,
                                            const provider_registry& providers,
                                            std::string_view attempt_id,
                                            std::string_view browser_secret, time_point now) {
  auto origin = find_attempt_origin(db, attempt_id);
  if (!origin) {
    return origin.error();
  }
  connect_start start;
  start.provider = origin->provider;
  start.browser_secret = std::string(browser_secret);
  start.retry_of = std::string(attempt_id);
  return start_connect(db, keys, providers, start, now);
}

boost::asio::awaitable<base::result<callback_result>> complete_callback(
    store::store& db, const vault::keyring& keys, const provider_registry& providers,
    const oauth::https_client& http, callback_input input, time_point now) {
  const auto* p = providers.find(input.provider);
  if (p == nullptr) {
    co_return base::fail(errc::provider_not_enabled,
                         input.provider + " is not a provider enabled here");
  }
  auto params = oauth::parse_callback(p->profile, input.query);
  if (!params) {
    co_return params.error();
  }
  const std::optional<std::string_view> browser =
      input.browser_secret ? std::optional<std::string_view>(*input.browser_secret) : std::nullopt;
  // Committed whatever the answer: a refused claim may have burned the attempt (a mix-up, a
  // foreign browser), and that must stick.
  auto claim = [&](store::database& d) -> base::result<claimed_attempt> {
    auto tx = store::transaction::begin(d);
    if (!tx) {
      return tx.error();
    }
    auto claimed = claim_attempt(d, keys, params->state, input.provider, browser, now);
    if (auto c = tx->commit(); !c) {
      return c.error();
    }
    return claimed;
  };
  auto claimed = co_await db.write(claim);
  if (!claimed) {
    co_return claimed.error();
  }
  callback_result out;
  out.attempt_id = claimed->id;
  out.creator_id = claimed->creator_id;
  out.provider = claimed->provider;

  // Something the team should know about, recorded with the attempt's outcome. The detail
  // quotes platform text: valid UTF-8 whatever the platform sent.
  const auto record_outcome = [&](std::string_view outcome, std::string_view kind,
                                  const std::string& text) {
    return store::in_transaction(
        [&, outcome, kind, detail = oauth::repair_utf8(text)](store::database& d) {
          if (auto f = finish_attempt(d, claimed->id, outcome); !f) {
            return f;
          }
          return add_event(d, claimed->account_id, claimed->creator_id, claimed->provider,
                           std::nullopt, kind, detail, now);
        });
  };

  // Refused before anything in the answer is believed or any code is exchanged: an answer
  // that does not name the issuer this provider always names (a mix-up: it may come from
  // another authorization server), and an attempt whose PKCE setting is no longer the
  // provider's (started before a configuration change).
  std::optional<oauth::provider_error> refused;
  if (auto mixup = oauth::issuer_mismatch(p->profile, *params)) {
    refused = refused_callback("issuer_mismatch", std::move(*mixup));
  } else if (params->code &&
             (p->profile.pkce == oauth::pkce_mode::s256) != claimed->pkce_verifier.has_value()) {
    refused = refused_callback(
        "pkce_changed",
        "the attempt was started before this provider's PKCE setting changed; start again");
  }
  if (refused) {
    out.outcome = callback_outcome::failed;
    out.failure = *refused;
    auto failed = record_outcome("failed", "connect_failed", oauth::describe(*refused));
    if (auto done = co_await db.write(failed); !done) {
      co_return done.error();
    }
    co_return out;
  }

  if (params->error) {
    out.outcome = callback_outcome::denied;
    out.denial = *params->error;
    const auto detail =
        *params->error +
        (params->error_description ? ": " + *params->error_description : std::string());
    auto denied = record_outcome("denied", "connect_denied", detail);
    if (auto done = co_await db.write(denied); !done) {
      co_return done.error();
    }
    co_return out;
  }
  if (!params->code) {
    co_return base::fail(oauth::errc::malformed_request,
                         "the callback carried neither a code nor an error");
  }
  std::optional<std::string_view> verifier;
  if (claimed->pkce_verifier) {
    verifier = claimed->pkce_verifier->reveal();
  }
  auto exchange = co_await exchange_all(*p, http, params->code->reveal(), verifier, now);
  if (!exchange) {
    out.outcome = callback_outcome::failed;
    out.failure = exchange.error();
    auto failed = record_outcome("failed", "connect_failed", oauth::describe(exchange.error()));
    if (auto done = co_await db.write(failed); !done) {
      co_return done.error();
    }
    co_return out;
  }
  const auto pages_problem = exchange->pages_problem;
  auto grant = to_new_grant(*p, std::move(*exchange), params->granted_scopes, now);
  auto save = store::in_transaction([&](store::database& d) -> base::result<saved_connection> {
    auto saved = save_connection(d, keys, claimed->account_id, claimed->creator_id, grant, now);
    if (!saved) {
      return saved.error();
    }
    if (pages_problem) {
      const std::optional<std::string> connection_id = saved->record.id;
      if (auto e = add_event(d, claimed->account_id, claimed->creator_id, claimed->provider,
                             connection_id, "pages_unavailable",
                             "connected without its Pages' tokens: " + *pages_problem, now);
          !e) {
        return e.error();
      }
    }
    if (auto f = finish_attempt(d, claimed->id, "connected"); !f) {
      return f.error();
    }
    if (claimed->link_id) {
      if (auto c = complete_link_if_done(d, *claimed->link_id, now); !c) {
        return c.error();
      }
    }
    return saved;
  });
  auto saved = co_await db.write(save);
  if (!saved) {
    co_return saved.error();
  }
  out.outcome = callback_outcome::connected;
  out.connection = std::move(*saved);
  co_return out;
}

base::result<attempt_view> view_attempt(store::database& db, const provider_registry& providers,
                                        std::string_view attempt_id,
                                        std::optional<std::string_view> browser_secret,
                                        time_point now) {
  struct row {
    attempt_view view;
    std::string browser_hash;
    std::string creator_id;
    std::optional<std::string> link_id;
    bool signed_in = false;
  };
  auto found = sql::first(
      db,
      "SELECT a.id, c.display_name, a.provider, COALESCE(a.outcome, ''), a.browser_hash, "
      "a.creator_id, a.link_id, a.user_id IS NOT NULL FROM oauth_attempts a "
      "JOIN creators c ON c.id = a.creator_id WHERE a.id = ?",
      [](store::statement& s) {
        row r;
        r.view.attempt_id = s.column_text(0);
        r.view.creator_name = s.column_text(1);
        r.view.provider = s.column_text(2);
        r.view.outcome = s.column_text(3);
        r.browser_hash = s.column_text(4);
        r.creator_id = s.column_text(5);
        if (!s.column_is_null(6)) {
          r.link_id = s.column_text(6);
        }
        r.signed_in = s.column_int64(7) != 0;
        return r;
      },
      attempt_id);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return base::fail(roster::errc::not_found, "no such connection attempt");
  }
  auto& r = **found;
  if (!browser_secret || !base::token_matches_hash(*browser_secret, r.browser_hash)) {
    return base::reject(errc::state_wrong_browser,
                        "this connection attempt was started in another browser");
  }
  const auto* p = providers.find(r.view.provider);
  r.view.provider_name = p != nullptr ? p->profile.display_name : r.view.provider;
  auto connection = sql::first(
      db, "SELECT id FROM connections WHERE creator_id = ? AND provider = ?",
      [](store::statement& s) { return s.column_text(0); }, r.creator_id, r.view.provider);
  if (!connection) {
    return connection.error();
  }
  if (*connection) {
    auto record = find_connection(db, **connection);
    if (!record) {
      return record.error();
    }
    r.view.connection = std::move(*record);
  }
  if (r.link_id) {
    auto link = usable_link(db, *r.link_id, now);
    r.view.can_retry = link.has_value() && link_names(*link, r.view.provider).has_value() &&
                       p != nullptr &&
                       check_not_done(db, *link, r.view.provider, r.view.provider_name).has_value();
  } else {
    r.view.can_retry = r.signed_in && p != nullptr;
  }
  return std::move(r.view);
}

}  // namespace rosterd::lifecycle
