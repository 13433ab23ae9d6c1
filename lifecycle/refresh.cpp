#include "lifecycle/refresh.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log_field.hpp"
#include "lifecycle/check_requests.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/deadlines.hpp"
#include "lifecycle/error.hpp"
#include "lifecycle/status_reasons.hpp"
#include "oauth/backoff.hpp"
#include "oauth/error.hpp"
#include "oauth/provider_error.hpp"
#include "oauth/token_requests.hpp"
#include "oauth/token_responses.hpp"
#include "store/in_transaction.hpp"
#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {
namespace {

namespace asio = boost::asio;
namespace sql = store::sql;
using std::chrono::seconds;

constexpr std::string_view table = "connections";

using done_channel = asio::experimental::concurrent_channel<void(boost::system::error_code)>;

/// The row as a refresh needs it. Tokens stay sealed until the decision to refresh is made.
struct refresh_row {
  std::string account_id;
  std::string creator_id;
  std::string provider;
  std::string status;
  std::optional<std::vector<std::uint8_t>> access_token;
  std::optional<std::vector<std::uint8_t>> refresh_token;
  std::optional<std::string> access_expires_at;
  std::optional<std::string> issued_at;  // refreshed_at, else connected_at
  std::optional<std::string> refresh_started_at;
  int failures = 0;
  std::string connected_at;  // the last consent, where re-authorisation horizons count from
  std::optional<std::string> refresh_expires_at;
  std::optional<std::string> data_access_expires_at;
  std::optional<std::string> reauth_due_at;
};

base::result<std::optional<refresh_row>> load_row(store::database& db, std::string_view id) {
  return sql::first(
      db,
      "SELECT account_id, creator_id, provider, status, access_token, refresh_token, "
      "access_expires_at, COALESCE(refreshed_at, connected_at), refresh_started_at, "
      "refresh_failures, connected_at, refresh_expires_at, data_access_expires_at, "
      "reauth_due_at FROM connections WHERE id = ?",
      [](store::statement& s) {
        refresh_row r;
        r.account_id = s.column_text(0);
        r.creator_id = s.column_text(1);
        r.provider = s.column_text(2);
        r.status = s.column_text(3);
        r.access_token = s.column_optional_blob(4);
        r.refresh_token = s.column_optional_blob(5);
        r.access_expires_at = s.column_optional_text(6);
        r.issued_at = s.column_optional_text(7);
        r.refresh_started_at = s.column_optional_text(8);
        r.failures = static_cast<int>(s.column_int64(9));
        r.connected_at = s.column_text(10);
        r.refresh_expires_at = s.column_optional_text(11);
        r.data_access_expires_at = s.column_optional_text(12);
        r.reauth_due_at = s.column_optional_text(13);
        return r;
      },
      id);
}

/// What the claim decided: go ahead (with the tokens, opened) or answer at once.
struct claim {
  std::optional<refresh_report> answer;
  refresh_row row;
  std::string started_at;  // the marker written: the outcome's update must find it unchanged
  bool interrupted = false;
  std::optional<base::secret> access_token;
  std::optional<base::secret> refresh_token;
};

refresh_report answer(refresh_outcome o, std::string detail) {
  refresh_report r;
  r.outcome = o;
  r.detail = std::move(detail);
  return r;
}

/// Transport failures after which the request may have reached the provider: a rotation may
/// have happened whose answer we never read.
bool outcome_unclear(const std::error_code& ec) {
  return ec == oauth::errc::timeout || ec == oauth::errc::connection_closed ||
         ec == oauth::errc::malformed_response || ec == oauth::errc::response_too_large;
}

/// Decides, inside the writer's transaction, whether this refresh goes ahead; if it does,
/// opens the tokens and commits the in-flight marker.
base::result<claim> take_claim(store::database& db, const vault::keyring* keys,
                               const provider_registry& providers, std::string_view id,
                               refresh_reason reason, seconds margin, time_point now) {
  claim c;
  auto row = load_row(db, id);
  if (!row) {
    return row.error();
  }
  if (!*row || !(*row)->access_token || (*row)->status == "revoked" ||
      (*row)->status == "disconnected") {
    c.answer = answer(refresh_outcome::not_connected, "the connection holds no tokens");
    return c;
  }
  c.row = std::move(**row);
  const auto* p = providers.find(c.row.provider);
  if (p == nullptr) {
    c.answer = answer(refresh_outcome::rejected, c.row.provider + " is not enabled here");
    return c;
  }
  c.interrupted = c.row.refresh_started_at.has_value();
  if (reason == refresh_reason::on_demand && !c.interrupted) {
    if (!c.row.access_expires_at || *c.row.access_expires_at > roster::stamp(now + margin)) {
      c.answer = answer(refresh_outcome::still_valid, "the access token is still valid");
      return c;
    }
  }
  const auto style = p->profile.refresh;
  if (style == oauth::refresh_style::none ||
      (style == oauth::refresh_style::refresh_token_grant && !c.row.refresh_token)) {
    if (auto cleared =
            sql::run(db, "UPDATE connections SET next_refresh_at = NULL WHERE id = ?", id);
        !cleared) {
      return cleared.error();
    }
    c.answer = answer(refresh_outcome::not_refreshable,
                      p->profile.display_name + " tokens are renewed only by reconnecting");
    return c;
  }
  if (style == oauth::refresh_style::refresh_token_grant && c.row.refresh_expires_at &&
      *c.row.refresh_expires_at <= roster::stamp(now)) {
    // The platform said when the refresh token ends, and that moment has passed: presenting it
    // would only earn a refusal that reads like a revocation. The deadline has come instead,
    // and the lifecycle tells the creator in those words.
    if (auto cleared =
            sql::run(db, "UPDATE connections SET next_refresh_at = NULL WHERE id = ?", id);
        !cleared) {
      return cleared.error();
    }
    c.answer = answer(refresh_outcome::not_refreshable,
                      "the refresh token reached its end: only reconnecting renews it");
    return c;
  }
  if (const auto& min_age = p->profile.lifetimes.min_refresh_age; min_age && c.row.issued_at) {
    // Instagram refuses to refresh a token younger than 24 hours; such a token has ~60 days
    // left, so it is valid and the schedule simply moves to the first allowed moment.
    if (*c.row.issued_at > roster::stamp(now - *min_age)) {
      if (auto moved =
              sql::run(db,
                       "UPDATE connections SET next_refresh_at = "
                       "strftime('%Y-%m-%dT%H:%M:%SZ', ?, ?) WHERE id = ?",
                       *c.row.issued_at, "+" + std::to_string(min_age->count()) + " seconds", id);
          !moved) {
        return moved.error();
      }
      c.answer = answer(refresh_outcome::still_valid, "too young to refresh yet");
      return c;
    }
  }
  if (keys == nullptr) {
    return base::fail(errc::vault_unavailable, "no vault key is configured");
  }
  auto access = keys->open(*c.row.access_token, {table, id, "access_token"});
  if (!access) {
    return access.error();
  }
  c.access_token = std::move(*access);
  if (c.row.refresh_token) {
    auto refresh = keys->open(*c.row.refresh_token, {table, id, "refresh_token"});
    if (!refresh) {
      return refresh.error();
    }
    c.refresh_token = std::move(*refresh);
  }
  c.started_at = roster::stamp(now);
  if (auto marked = sql::run(db, "UPDATE connections SET refresh_started_at = ? WHERE id = ?",
                             c.started_at, id);
      !marked) {
    return marked.error();
  }
  return c;
}

/// The new tokens and clocks after a successful refresh, sealed for the row.
struct refreshed_tokens {
  std::vector<std::uint8_t> access;
  std::optional<std::vector<std::uint8_t>> refresh;  // absent: the refresh token did not rotate
  std::optional<std::string> access_expires_at;
  std::optional<std::string> refresh_expires_at;  // absent: unchanged
  std::optional<std::string> next_refresh_at;
};

std::optional<time_point> parsed(const std::optional<std::string>& stamp) {
  if (!stamp) {
    return std::nullopt;
  }
  return store::parse_iso8601_utc(*stamp);
}

/// The re-consent deadline after a renewal, from the clocks as they now stand.
std::optional<deadline> renewed_deadline(const oauth::provider& p, const refresh_row& row,
                                         const refreshed_tokens& fresh) {
  connection_clocks clocks;
  clocks.consented_at = parsed(row.connected_at).value_or(time_point{});
  clocks.access_expires_at = parsed(fresh.access_expires_at);
  clocks.refresh_expires_at =
      parsed(fresh.refresh_expires_at ? fresh.refresh_expires_at : row.refresh_expires_at);
  clocks.data_access_expires_at = parsed(row.data_access_expires_at);
  return reconsent_deadline(p.profile, clocks, p.reauth_after);
}

}  // namespace

std::string_view to_string(refresh_outcome o) noexcept {
  switch (o) {
    case refresh_outcome::refreshed:
      return "refreshed";
    case refresh_outcome::still_valid:
      return "still_valid";
    case refresh_outcome::not_refreshable:
      return "not_refreshable";
    case refresh_outcome::retry_later:
      return "retry_later";
    case refresh_outcome::needs_reconnect:
      return "needs_reconnect";
    case refresh_outcome::rejected:
      return "rejected";
    case refresh_outcome::not_connected:
      return "not_connected";
  }
  return "rejected";
}

std::optional<time_point> next_refresh_time(const oauth::provider_profile& profile,
                                            std::optional<seconds> lifetime, time_point now) {
  if (profile.refresh == oauth::refresh_style::none || !lifetime) {
    return std::nullopt;
  }
  // Half the lifetime left: a 2-hour TikTok token survives a 1-hour outage.
  auto wait = *lifetime / 2;
  if (profile.lifetimes.min_refresh_age) {
    wait = std::max(wait, *profile.lifetimes.min_refresh_age);
  }
  return now + wait;
}

struct refresher::flight {
  std::optional<base::result<refresh_report>> result;
  std::vector<std::shared_ptr<done_channel>> waiters;
};

refresher::refresher(store::store& db, std::shared_ptr<vault::key_holder> keys,
                     const provider_registry& providers, const oauth::https_client& http,
                     refresh_settings settings, std::shared_ptr<spdlog::logger> log, clock_fn clock,
                     random_fn random)
    : db_(db),
      keys_(std::move(keys)),
      providers_(providers),
      http_(http),
      settings_(settings),
      log_(log ? std::move(log) : std::make_shared<spdlog::logger>("refresh")),
      clock_(clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); }),
      random_(random ? std::move(random) : oauth::default_unit_random()) {}

std::size_t refresher::in_flight() const {
  const std::lock_guard lock(mutex_);
  return flights_.size();
}

seconds refresher::retry_delay(std::optional<seconds> retry_after) const {
  const auto spread = std::chrono::duration<double>(settings_.retry_spread) * random_();
  auto delay = settings_.retry_floor + std::chrono::duration_cast<seconds>(spread);
  if (retry_after) {
    delay = std::max(delay, std::min(*retry_after, settings_.max_retry_after));
  }
  return delay;
}

base::result<int> refresher::recover_interrupted(store::database& db) const {
  auto due = sql::run(db,
                      "UPDATE connections SET next_refresh_at = ? WHERE refresh_started_at IS "
                      "NOT NULL AND access_token IS NOT NULL",
                      roster::stamp(now()));
  if (!due) {
    return due.error();
  }
  return static_cast<int>(db.changes());
}

asio::awaitable<base::result<refresh_report>> refresher::refresh(std::string connection_id,
                                                                 refresh_reason reason,
                                                                 seconds margin) {
  const auto executor = co_await asio::this_coro::executor;
  std::shared_ptr<flight> f;
  std::shared_ptr<done_channel> wait;
  {
    const std::lock_guard lock(mutex_);
    auto it = flights_.find(connection_id);
    if (it == flights_.end()) {
      f = std::make_shared<flight>();
      flights_.emplace(connection_id, f);
    } else {
      f = it->second;
      wait = std::make_shared<done_channel>(executor, 1);
      f->waiters.push_back(wait);
    }
  }
  if (wait) {
    co_await wait->async_receive(asio::as_tuple(asio::use_awaitable));
    const std::lock_guard lock(mutex_);
    auto joined = *f->result;
    if (joined) {
      joined->joined = true;
    }
    co_return joined;
  }

  std::exception_ptr crashed;
  base::result<refresh_report> result = base::fail(errc::refresh_unavailable, "not run");
  try {
    result = co_await lead(connection_id, reason, margin);
  } catch (...) {
    crashed = std::current_exception();
    result = base::fail(errc::refresh_unavailable, "the refresh failed unexpectedly");
  }
  std::vector<std::shared_ptr<done_channel>> waiters;
  {
    const std::lock_guard lock(mutex_);
    f->result = result;
    waiters = std::move(f->waiters);
    flights_.erase(connection_id);
  }
  for (const auto& w : waiters) {
    w->try_send(boost::system::error_code());
  }
  if (crashed) {
    std::rethrow_exception(crashed);
  }
  co_return result;
}

asio::awaitable<base::result<refresh_report>> refresher::lead(const std::string& connection_id,
                                                              refresh_reason reason,
                                                              seconds margin) {
  const auto keys = keys_->current();
  const auto started = now();
  auto claim_op = store::in_transaction(
      [this, &keys, &connection_id, reason, margin, started](store::database& db) {
        return take_claim(db, keys.get(), providers_, connection_id, reason, margin, started);
      });
  auto claimed = co_await db_.write(claim_op);
  if (!claimed) {
    co_return claimed.error();
  }
  if (claimed->answer) {
    co_return *claimed->answer;
  }
  const auto& row = claimed->row;
  const auto* p = providers_.find(row.provider);

  const oauth::token_view view{
      claimed->access_token->reveal(),
      claimed->refresh_token ? claimed->refresh_token->reveal() : std::string_view()};
  const std::array<std::string_view, 3> never_echo{view.access_token, view.refresh_token,
                                                   p->client_secret.reveal()};
  std::optional<oauth::provider_error> failure;
  bool unclear = false;
  std::optional<oauth::token_grant> grant;
  auto request = oauth::refresh_request(*p, view);
  if (!request) {
    failure = oauth::provider_error{oauth::error_kind::rejected, oauth::phase::refresh,
                                    "invalid_profile",           std::nullopt,
                                    request.error().detail,      std::nullopt};
  } else {
    const auto answer = co_await http_.send(*request);
    const auto answered = now();
    if (!answer) {
      failure = oauth::classify_transport(answer.error().code, oauth::phase::refresh);
      unclear = outcome_unclear(answer.error().code);
    } else if (auto refused = oauth::classify_response(p->profile, oauth::phase::refresh, *answer,
                                                       answered, never_echo)) {
      failure = std::move(*refused);
    } else if (auto parsed = oauth::parse_token_response(p->profile, answer->body); !parsed) {
      // A success status with a body we cannot read: the platform may have rotated.
      failure = oauth::provider_error{oauth::error_kind::transient,
                                      oauth::phase::refresh,
                                      "invalid_response",
                                      std::nullopt,
                                      oauth::scrub_message(parsed.error().detail, never_echo),
                                      std::nullopt};
      unclear = true;
    } else {
      grant = std::move(*parsed);
    }
  }
  if (failure && failure->kind == oauth::error_kind::rejected && request) {
    // Some platforms answer a dead refresh token with a generic refusal (Pinterest: 400 code
    // 283). What their access token does right after a failed refresh is the documented signal
    // (Pinterest 401 code 2, TikTok access_token_invalid): ask the identity endpoint once.
    const auto probe = oauth::identity_request(*p, view.access_token);
    const auto probed = co_await http_.send(probe);
    if (probed) {
      if (auto refused = oauth::classify_response(p->profile, oauth::phase::after_failed_refresh,
                                                  *probed, now(), never_echo);
          refused && refused->kind == oauth::error_kind::reconnect) {
        refused->message = failure->message + "; then the access token: " + refused->message;
        failure = std::move(*refused);
      }
    }
  }
  const auto finished = now();

  if (grant) {
    // Sealed before the transaction: only the write itself runs on the writer thread.
    refreshed_tokens fresh;
    auto access = keys->seal(grant->access_token.reveal(), {table, connection_id, "access_token"});
    if (!access) {
      co_return access.error();
    }
    fresh.access = std::move(*access);
    if (grant->refresh_token) {
      auto sealed =
          keys->seal(grant->refresh_token->reveal(), {table, connection_id, "refresh_token"});
      if (!sealed) {
        co_return sealed.error();
      }
      fresh.refresh = std::move(*sealed);
      if (auto until = oauth::refresh_expiry(p->profile, *grant, finished)) {
        fresh.refresh_expires_at = roster::stamp(*until);
      }
    }
    const auto lifetime = oauth::access_lifetime(p->profile, *grant, oauth::phase::refresh);
    if (lifetime) {
      fresh.access_expires_at = roster::stamp(finished + *lifetime);
    }
    if (auto next = next_refresh_time(p->profile, lifetime, finished)) {
      fresh.next_refresh_at = roster::stamp(*next);
    }
    const auto due = renewed_deadline(*p, row, fresh);
    const auto due_text = due ? std::optional(roster::stamp(due->at)) : std::nullopt;
    // The deadline stayed where it was: an expiring or expired connection stays so (its stages
    // go on); otherwise the renewal ends them and the lifecycle looks again.
    const bool deadline_moved = due_text != row.reauth_due_at;
    const bool keep_status =
        !deadline_moved && (row.status == "expiring" || row.status == "expired");
    auto store_op = store::in_transaction([&](store::database& db) -> base::result<bool> {
      const auto now_text = roster::stamp(finished);
      auto written = sql::run(
          db,
          "UPDATE connections SET access_token = ?1, refresh_token = COALESCE(?2, refresh_token), "
          "access_expires_at = ?3, refresh_expires_at = COALESCE(?4, refresh_expires_at), "
          "reauth_due_at = ?5, deadline_cause = ?10, deadline_self_renewing = ?11, "
          "status = CASE WHEN ?12 THEN status ELSE 'connected' END, "
          "status_reason = CASE WHEN ?12 THEN status_reason ELSE 'none' END, "
          "status_changed_at = CASE WHEN ?12 OR status = 'connected' THEN status_changed_at "
          "ELSE ?6 END, refreshed_at = ?6, refresh_started_at = NULL, "
          "refresh_failures = 0, next_refresh_at = ?7, last_error = NULL, last_error_at = NULL "
          "WHERE id = ?8 AND refresh_started_at = ?9",
          fresh.access, fresh.refresh, fresh.access_expires_at, fresh.refresh_expires_at, due_text,
          now_text, fresh.next_refresh_at, connection_id, claimed->started_at,
          due ? std::optional(std::string(to_string(due->cause))) : std::nullopt,
          due && due->self_renewing ? 1 : 0, keep_status ? 1 : 0);
      if (!written) {
        return written.error();
      }
      if (db.changes() == 0) {
        return false;  // reconnected or disconnected meanwhile: those tokens win
      }
      // A working connection whose deadline moved later needs nothing new: its planned check
      // reads the deadline as it then is and plans from there. Asking on every renewal would
      // add a job row per connection per renewal.
      const bool moved_earlier = due_text && (!row.reauth_due_at || *due_text < *row.reauth_due_at);
      if (moved_earlier || (!keep_status && row.status != "connected")) {
        if (auto check = request_connection_check(db, connection_id, finished, deadline_moved);
            !check) {
          return check.error();
        }
      }
      if (row.status == "error" || claimed->interrupted) {
        const std::optional<std::string> id = connection_id;
        auto e = add_event(
            db, row.account_id, row.creator_id, row.provider, id, "refresh_recovered",
            claimed->interrupted ? "an interrupted refresh completed" : "refreshing works again",
            finished);
        if (!e) {
          return e.error();
        }
      }
      return true;
    });
    auto stored = co_await db_.write(store_op);
    if (!stored) {
      co_return stored.error();
    }
    if (!*stored) {
      co_return answer(refresh_outcome::still_valid, "the connection changed during the refresh");
    }
    log_->info("connection_refreshed connection={} provider={} rotated={} took_ms={}",
               connection_id, row.provider, fresh.refresh ? "yes" : "no",
               std::chrono::duration_cast<std::chrono::milliseconds>(finished - started).count());
    co_return answer(refresh_outcome::refreshed, "refreshed");
  }

  refresh_report report;
  report.detail = oauth::describe(*failure);
  if (failure->kind == oauth::error_kind::reconnect) {
    report.outcome = refresh_outcome::needs_reconnect;
    report.lost_rotation = claimed->interrupted;
    std::string why = "the platform no longer accepts the refresh: " + report.detail;
    if (claimed->interrupted) {
      why =
          "an earlier refresh was interrupted before its answer was stored, and the platform "
          "no longer accepts the old refresh token (" +
          report.detail + "): the creator must reconnect";
    }
    auto revoke_op = store::in_transaction([&](store::database& db) -> base::result<void> {
      auto current = find_connection(db, connection_id);
      if (!current) {
        return current.error();
      }
      auto marker = sql::first(
          db, "SELECT refresh_started_at FROM connections WHERE id = ?",
          [](store::statement& s) { return s.column_optional_text(0); }, connection_id);
      if (!marker) {
        return marker.error();
      }
      if (!*current || !*marker || **marker != claimed->started_at) {
        return {};  // reconnected meanwhile: the refusal was about the old grant
      }
      return drop_tokens(db, **current, connection_status::revoked, reason_for(*failure), why,
                         std::nullopt, finished);
    });
    if (auto dropped = co_await db_.write(revoke_op); !dropped) {
      co_return dropped.error();
    }
    log_->warn("connection_refresh_refused connection={} provider={} lost_rotation={} error={}",
               connection_id, row.provider, claimed->interrupted ? "yes" : "no",
               base::log_field(report.detail));
    co_return report;
  }

  const bool passing =
      failure->kind == oauth::error_kind::transient || failure->kind == oauth::error_kind::refresh;
  report.outcome = passing ? refresh_outcome::retry_later : refresh_outcome::rejected;
  report.retry_at =
      finished + (passing ? retry_delay(failure->retry_after) : settings_.rejected_retry);
  const int failures = row.failures + 1;
  const bool expired = row.access_expires_at && *row.access_expires_at <= roster::stamp(finished);
  const bool to_error = !passing || failures >= settings_.error_after_failures || expired;
  auto fail_op = store::in_transaction([&](store::database& db) -> base::result<void> {
    const auto now_text = roster::stamp(finished);
    auto written = sql::run(
        db,
        "UPDATE connections SET refresh_failures = ?1, next_refresh_at = ?2, last_error = ?3, "
        "last_error_at = ?4, status = CASE WHEN ?5 THEN 'error' ELSE status END, "
        "status_reason = CASE WHEN ?5 THEN ?9 ELSE status_reason END, "
        "status_changed_at = CASE WHEN ?5 AND status <> 'error' THEN ?4 ELSE status_changed_at "
        "END, refresh_started_at = CASE WHEN ?6 THEN refresh_started_at ELSE NULL END "
        "WHERE id = ?7 AND refresh_started_at = ?8",
        failures, roster::stamp(*report.retry_at), report.detail, now_text, to_error ? 1 : 0,
        unclear ? 1 : 0, connection_id, claimed->started_at,
        to_string(passing ? status_reason::renewal_failing : reason_for(*failure)));
    if (!written) {
      return written;
    }
    if (db.changes() == 1 && to_error && row.status != "error") {
      // The team hears that renewal is failing; a self-renewing deadline's stages start.
      if (auto check = request_connection_check(db, connection_id, finished); !check) {
        return check;
      }
      const std::optional<std::string> id = connection_id;
      return add_event(db, row.account_id, row.creator_id, row.provider, id,
                       passing ? "refresh_failing" : "refresh_rejected", report.detail, finished);
    }
    return {};
  });
  if (auto recorded = co_await db_.write(fail_op); !recorded) {
    co_return recorded.error();
  }
  log_->warn(
      "connection_refresh_failed connection={} provider={} kind={} failures={} "
      "retry_at={} unclear={} error={}",
      connection_id, row.provider, oauth::error_kind_name(failure->kind), failures,
      roster::stamp(*report.retry_at), unclear ? "yes" : "no", base::log_field(report.detail));
  co_return report;
}

}  // namespace rosterd::lifecycle
