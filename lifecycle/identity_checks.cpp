#include "lifecycle/identity_checks.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "base/log_field.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/status_reasons.hpp"
#include "oauth/provider_error.hpp"
#include "oauth/token_requests.hpp"
#include "store/in_transaction.hpp"
#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace {

namespace asio = boost::asio;
namespace sql = store::sql;

constexpr auto retry_later = std::chrono::hours(1);

// FNV-1a: stable across builds and machines, so a connection keeps its slot in the interval.
std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t h = 1469598103934665603ULL;
  for (const unsigned char c : text) {
    h = (h ^ c) * 1099511628211ULL;
  }
  return h;
}

bool checked_status(connection_status s) {
  return s == connection_status::connected || s == connection_status::expiring ||
         s == connection_status::expired || s == connection_status::error;
}

std::string next_key(std::string_view connection_id, time_point at) {
  return std::string(identity_check_kind) + ":" + std::string(connection_id) + ":" +
         roster::stamp(at);
}

}  // namespace

time_point first_identity_check(std::string_view connection_id, std::chrono::seconds interval,
                                time_point now) {
  if (interval.count() <= 0) {
    return now;
  }
  const auto span = static_cast<std::uint64_t>(interval.count());
  const auto offset =
      std::chrono::seconds(static_cast<std::int64_t>(stable_hash(connection_id) % span));
  const auto since_epoch =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  const auto slot_start = std::chrono::seconds(since_epoch - since_epoch % interval.count());
  auto at = time_point(std::chrono::duration_cast<time_point::duration>(slot_start + offset));
  if (at < now) {
    at += interval;
  }
  return at;
}

base::result<void> plan_identity_check(store::database& db, std::string_view connection_id,
                                       std::chrono::seconds interval, time_point now) {
  auto pending = sql::integer(
      db, "SELECT COUNT(*) FROM jobs WHERE subject = ? AND state = 'pending' AND kind = ?",
      connection_id, identity_check_kind);
  if (!pending) {
    return pending.error();
  }
  if (*pending > 0) {
    return {};
  }
  const auto at = first_identity_check(connection_id, interval, now);
  auto planned = schedule_job(db,
                              {std::string(identity_check_kind), std::string(connection_id),
                               next_key(connection_id, at), at, ""},
                              now);
  if (!planned) {
    return planned.error();
  }
  return {};
}

identity_checker::identity_checker(store::store& db, std::shared_ptr<vault::key_holder> keys,
                                   const provider_registry& providers,
                                   const oauth::https_client& http, std::chrono::seconds interval,
                                   std::shared_ptr<spdlog::logger> log,
                                   job_scheduler::clock_fn clock, refresher* refresh,
                                   std::chrono::seconds refresh_margin)
    : db_(db),
      keys_(std::move(keys)),
      providers_(providers),
      http_(http),
      interval_(interval),
      log_(log ? std::move(log) : std::make_shared<spdlog::logger>("identity")),
      clock_(std::move(clock)),
      refresher_(refresh),
      refresh_margin_(refresh_margin) {}

asio::awaitable<job_outcome> identity_checker::run(const job& j) {
  const auto now = clock_();
  auto find_op = [&](store::database& d) { return find_connection(d, j.subject); };
  auto found = co_await db_.read(find_op);
  if (!found) {
    co_return job_outcome{job_outcome::kind::retry, now + retry_later, found.error().detail};
  }
  if (!*found || !checked_status((*found)->status)) {
    co_return job_outcome{};  // gone, disconnected or revoked: nothing to keep alive
  }
  const auto* p = providers_.find((*found)->provider);
  const auto keys = keys_->current();
  if (p == nullptr || keys == nullptr) {
    co_return job_outcome{};  // the start-up sweep plans it again once it is enabled
  }
  if (refresher_ != nullptr) {
    // A check must never present an expired token while it could be renewed: to the platform
    // that looks like a dead grant. Refreshed first if it ends within the margin (joining a
    // scheduled refresh already running), then the connection is read again.
    auto refreshed =
        co_await refresher_->refresh(j.subject, refresh_reason::on_demand, refresh_margin_);
    if (!refreshed) {
      co_return job_outcome{job_outcome::kind::retry, now + retry_later, refreshed.error().detail};
    }
    found = co_await db_.read(find_op);
    if (!found) {
      co_return job_outcome{job_outcome::kind::retry, now + retry_later, found.error().detail};
    }
    if (!*found || !checked_status((*found)->status)) {
      co_return job_outcome{};  // the refresh found the grant gone
    }
  }
  const auto connection = std::move(**found);
  if (connection.access_expires_at && *connection.access_expires_at <= roster::stamp(now)) {
    // Expired and not renewable now: the platform can only refuse it, which would read as a
    // revocation. Its deadline already tells the creator; a reconnect's new token is checked
    // at the next planned time.
    bool skip_lost = false;
    auto skip_op = store::in_transaction([&](store::database& d) -> base::result<bool> {
      const auto next = now + interval_;
      if (auto planned = schedule_job(d,
                                      {std::string(identity_check_kind), connection.id,
                                       next_key(connection.id, next), next, ""},
                                      now);
          !planned) {
        return planned.error();
      }
      auto done = finish_job(d, j, job_state::done, "the access token has expired", now);
      if (!done) {
        return done.error();
      }
      if (!*done) {
        skip_lost = true;  // another runner holds the job now: plan nothing
        return base::failure{std::make_error_code(std::errc::operation_canceled),
                             "the job's claim is no longer current"};
      }
      return true;
    });
    if (auto skipped = co_await db_.write(skip_op); !skipped && !skip_lost) {
      co_return job_outcome{job_outcome::kind::retry, now + retry_later, skipped.error().detail};
    }
    co_return job_outcome{job_outcome::kind::recorded, std::nullopt, ""};
  }
  auto tokens_op = [&](store::database& d) { return read_tokens(d, *keys, connection.id); };
  auto tokens = co_await db_.read(tokens_op);
  if (!tokens) {
    co_return job_outcome{job_outcome::kind::retry, now + retry_later, tokens.error().detail};
  }
  const auto request = oauth::identity_request(*p, tokens->access_token.reveal());
  const auto answer = co_await http_.send(request);
  const std::array<std::string_view, 2> never_echo{tokens->access_token.reveal(),
                                                   p->client_secret.reveal()};
  const auto finished = clock_();
  std::optional<oauth::provider_error> failure;
  if (!answer) {
    failure = oauth::classify_transport(answer.error().code, oauth::phase::api_call);
  } else {
    failure =
        oauth::classify_response(p->profile, oauth::phase::api_call, *answer, finished, never_echo);
  }
  if (failure && failure->kind == oauth::error_kind::transient) {
    const auto wait = failure->retry_after.value_or(
        std::chrono::duration_cast<std::chrono::seconds>(retry_later));
    co_return job_outcome{job_outcome::kind::retry, finished + wait, oauth::describe(*failure)};
  }
  const bool gone = failure && failure->kind == oauth::error_kind::reconnect;
  bool claim_lost = false;
  auto op = store::in_transaction([&](store::database& d) -> base::result<bool> {
    if (gone) {
      // Only if it is still the grant that was checked: a reconnect meanwhile wins.
      auto now_row = find_connection(d, connection.id);
      if (!now_row) {
        return now_row.error();
      }
      if (*now_row && (*now_row)->connected_at == connection.connected_at &&
          checked_status((*now_row)->status)) {
        if (auto dropped = drop_tokens(
                d, **now_row, connection_status::revoked, reason_for(*failure),
                "the platform no longer accepts the connection: " + oauth::describe(*failure),
                std::nullopt, finished);
            !dropped) {
          return dropped.error();
        }
      }
    } else {
      if (auto stamped = sql::run(d, "UPDATE connections SET identity_checked_at = ? WHERE id = ?",
                                  roster::stamp(finished), connection.id);
          !stamped) {
        return stamped.error();
      }
      const auto next = finished + interval_;
      if (auto planned = schedule_job(d,
                                      {std::string(identity_check_kind), connection.id,
                                       next_key(connection.id, next), next, ""},
                                      finished);
          !planned) {
        return planned.error();
      }
    }
    auto done =
        finish_job(d, j, job_state::done, failure ? oauth::describe(*failure) : "", finished);
    if (!done) {
      return done.error();
    }
    if (!*done) {
      claim_lost = true;
      return base::failure{std::make_error_code(std::errc::operation_canceled),
                           "the job's claim is no longer current"};
    }
    return true;
  });
  auto written = co_await db_.write(op);
  if (!written && !claim_lost) {
    co_return job_outcome{job_outcome::kind::retry, finished + retry_later, written.error().detail};
  }
  if (gone) {
    log_->warn("identity_check_revoked connection={} provider={} error={}", connection.id,
               connection.provider, base::log_field(oauth::describe(*failure)));
  } else if (failure) {
    log_->info("identity_check_refused connection={} provider={} kind={} error={}", connection.id,
               connection.provider, oauth::error_kind_name(failure->kind),
               base::log_field(oauth::describe(*failure)));
  }
  co_return job_outcome{job_outcome::kind::recorded, std::nullopt, ""};
}

}  // namespace rosterd::lifecycle
