#include "lifecycle/webhook_dispatcher.hpp"

#include <algorithm>
#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log_field.hpp"
#include "base/random.hpp"
#include "lifecycle/invitation_expiry.hpp"
#include "notify/webhook_signature.hpp"
#include "store/timestamp.hpp"
#include "store/transaction.hpp"

namespace rosterd::lifecycle {
namespace {

namespace asio = boost::asio;
using std::chrono::system_clock;

std::uint64_t random_seed() {
  const auto bytes = base::random_bytes(sizeof(std::uint64_t));
  std::uint64_t seed = 0;
  std::memcpy(&seed, bytes.data(), sizeof seed);
  return seed;
}

const char* verdict_label(webhook_verdict v) {
  switch (v) {
    case webhook_verdict::delivered:
      return "delivered";
    case webhook_verdict::retry:
      return "retried";
    case webhook_verdict::failed:
      return "failed";
    case webhook_verdict::gone:
      return "disabled";
    case webhook_verdict::released:
      return "released";
  }
  return "failed";
}

}  // namespace

struct webhook_dispatcher::instruments {
  base::metrics::counter_family& deliveries;
};

webhook_dispatcher::webhook_dispatcher(boost::asio::any_io_executor executor, store::store& store,
                                       webhook_dispatcher_settings settings,
                                       std::shared_ptr<spdlog::logger> log,
                                       base::metrics::registry* metrics)
    : strand_(asio::make_strand(std::move(executor))),
      store_(store),
      settings_(std::move(settings)),
      log_(log ? std::move(log) : std::make_shared<spdlog::logger>("lifecycle")),
      jitter_random_(random_seed()),
      wake_(strand_),
      grace_(strand_),
      senders_(static_cast<std::size_t>(std::max(settings_.concurrency, 1))) {
  settings_.concurrency = std::max(settings_.concurrency, 1);
  if (metrics != nullptr) {
    instruments_ = std::make_unique<instruments>(instruments{metrics->counter(
        "rosterd_webhook_deliveries_total",
        "Webhook delivery attempts by what followed: delivered (2xx), retried, failed (gave "
        "up after the retry window) or disabled (410 Gone disabled the endpoint).",
        {"outcome"})});
  }
}

webhook_dispatcher::~webhook_dispatcher() {
  abort_.request_stop();
  senders_.join();
}

void webhook_dispatcher::start() {
  running_ = true;
  if (settings_.sender.allow_private_targets) {
    log_->warn(
        "webhooks_private_targets_allowed note=test_only_setting_lets_webhooks_reach_loopback_"
        "and_private_networks");
  }
  asio::co_spawn(strand_, loop(), asio::bind_executor(strand_, [this](const std::exception_ptr& e) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       log_->error("webhook_dispatcher_crashed error={}",
                                   base::log_field(ex.what()));
                     }
                     loop_ended_ = true;
                     finished();
                   }
                 }));
}

void webhook_dispatcher::nudge() {
  nudged_ = true;
  asio::post(strand_, [this] { wake_.cancel(); });
}

void webhook_dispatcher::request_stop(std::optional<std::chrono::steady_clock::time_point> at) {
  asio::post(strand_, [this, at] { begin_stop(at); });
}

asio::awaitable<void> webhook_dispatcher::stop(
    std::optional<std::chrono::steady_clock::time_point> abort_at) {
  co_await asio::co_spawn(
      strand_,
      [this, abort_at]() -> asio::awaitable<void> {
        begin_stop(abort_at);
        if (!running_) {
          co_return;
        }
        asio::steady_timer waiter(strand_, std::chrono::steady_clock::time_point::max());
        stop_waiters_.push_back(&waiter);
        co_await waiter.async_wait(asio::as_tuple(asio::use_awaitable));
        std::erase(stop_waiters_, &waiter);
      },
      asio::use_awaitable);
}

void webhook_dispatcher::begin_stop(std::optional<std::chrono::steady_clock::time_point> at) {
  const auto latest = std::chrono::steady_clock::now() + settings_.stop_grace;
  const auto abort_at = at ? std::min(*at, latest) : latest;
  if (stopping_ && abort_at >= grace_.expiry()) {
    return;
  }
  stopping_ = true;
  wake_.cancel();
  grace_.expires_at(abort_at);
  grace_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      abort_.request_stop();
    }
  });
}

// Called on the strand when a request ends (or the loop did): the loop may claim again, and
// once the loop has ended and nothing is in flight, stop() waiters complete.
void webhook_dispatcher::finished() {
  if (loop_ended_ && busy_.empty()) {
    if (running_.exchange(false)) {
      grace_.cancel();
      for (auto* waiter : stop_waiters_) {
        waiter->cancel();
      }
      log_->info("webhook_dispatcher_stopped");
    }
    return;
  }
  nudged_ = true;
  wake_.cancel();
}

asio::awaitable<void> webhook_dispatcher::loop() {
  log_->info("webhook_dispatcher_started concurrency={} timeout_ms={}", settings_.concurrency,
             settings_.sender.total_timeout.count());
  while (!stopping_) {
    std::chrono::steady_clock::duration delay = settings_.poll_interval;
    try {
      if (std::chrono::steady_clock::now() >= next_sweep_) {
        co_await sweep_expired_invitations();
      }
      const int free = settings_.concurrency - static_cast<int>(busy_.size());
      if (free > 0) {
        auto claim = [this, free, busy = busy_, now = system_clock::now()](
                         store::database& db) -> base::result<std::vector<webhook_delivery_claim>> {
          auto tx = store::transaction::begin(db);
          if (!tx) {
            return tx.error();
          }
          auto rows = claim_due_webhook_deliveries(db, now, settings_.lease, free, busy);
          if (!rows) {
            return rows;
          }
          if (auto committed = tx->commit(); !committed) {
            return committed.error();
          }
          return rows;
        };
        auto claimed = co_await store_.write(claim);
        if (!claimed) {
          log_->warn("webhook_claim_failed error={}",
                     base::log_field(base::describe(claimed.error())));
        } else {
          for (auto& c : *claimed) {
            busy_.insert(c.endpoint_id);
            asio::co_spawn(strand_, deliver(std::move(c)), asio::detached);
          }
        }
      }
      auto next_query = [](store::database& db) { return next_webhook_due(db); };
      auto next = co_await store_.read(next_query);
      if (next && *next) {
        const auto until = **next - system_clock::now();
        // Due now but not claimable (its endpoint is busy, or no slot is free): a finishing
        // request wakes the loop, so wait for that rather than spin.
        if (until > std::chrono::steady_clock::duration::zero()) {
          delay = std::min<std::chrono::steady_clock::duration>(until, settings_.poll_interval);
        }
      }
      delay = std::max<std::chrono::steady_clock::duration>(
          std::min<std::chrono::steady_clock::duration>(
              delay, next_sweep_ - std::chrono::steady_clock::now()),
          std::chrono::milliseconds(1));
    } catch (const std::exception& e) {
      log_->error("webhook_dispatcher_failed error={}", base::log_field(e.what()));
    }
    if (stopping_) {
      break;
    }
    if (nudged_.exchange(false)) {
      continue;
    }
    wake_.expires_after(delay);
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
  loop_ended_ = true;
  finished();
}

asio::awaitable<void> webhook_dispatcher::sweep_expired_invitations() {
  next_sweep_ = std::chrono::steady_clock::now() + settings_.invitation_sweep_interval;
  const auto now = system_clock::now();
  const auto since = swept_until_.value_or(now - settings_.retry.give_up_after);
  auto sweep = [since, now](store::database& db) -> base::result<int> {
    auto tx = store::transaction::begin(db);
    if (!tx) {
      return tx.error();
    }
    auto queued = publish_expired_invitations(db, since, now);
    if (!queued) {
      return queued;
    }
    if (auto committed = tx->commit(); !committed) {
      return committed.error();
    }
    return queued;
  };
  auto queued = co_await store_.write(sweep);
  if (!queued) {
    // The window stays open: the next sweep covers it again (the events' keys make that safe).
    log_->warn("webhook_invitation_sweep_failed error={}",
               base::log_field(base::describe(queued.error())));
    co_return;
  }
  swept_until_ = now;
  if (*queued > 0) {
    log_->info("webhook_invitations_expired queued={}", *queued);
  }
}

asio::awaitable<void> webhook_dispatcher::deliver(webhook_delivery_claim claim) {
  const auto endpoint = claim.endpoint_id;
  try {
    std::vector<base::secret> keys;
    for (const auto& s : claim.secrets) {
      if (auto key = notify::webhook_signing_key(s.reveal())) {
        keys.push_back(std::move(*key));
      }
    }
    notify::webhook_request request{.url = claim.url,
                                    .webhook_id = claim.webhook_id,
                                    .body = claim.payload,
                                    .keys = &keys,
                                    .timestamp = system_clock::now()};
    const auto started = std::chrono::steady_clock::now();
    notify::webhook_send_result sent;
    if (keys.empty()) {
      sent.error = "the endpoint has no valid signing secret";
    } else {
      sent = co_await asio::co_spawn(
          senders_.get_executor(),
          [this, &request]() -> asio::awaitable<notify::webhook_send_result> {
            co_return notify::send_webhook(settings_.sender, request, abort_.get_token());
          },
          asio::use_awaitable);
    }
    co_await record(claim, sent,
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started));
  } catch (const std::exception& e) {
    log_->error("webhook_delivery_crashed delivery={} error={}", claim.id,
                base::log_field(e.what()));
  }
  busy_.erase(endpoint);
  finished();
}

asio::awaitable<void> webhook_dispatcher::record(const webhook_delivery_claim& claim,
                                                 const notify::webhook_send_result& sent,
                                                 std::chrono::milliseconds took) {
  const auto now = system_clock::now();
  webhook_verdict verdict = webhook_verdict::retry;
  time_point next = now;
  std::string error = sent.error;
  switch (sent.outcome) {
    case notify::webhook_send_outcome::delivered:
      verdict = webhook_verdict::delivered;
      break;
    case notify::webhook_send_outcome::gone:
      verdict = webhook_verdict::gone;
      break;
    case notify::webhook_send_outcome::aborted:
      verdict = webhook_verdict::released;
      break;
    case notify::webhook_send_outcome::failed: {
      const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_random_);
      next = now + notify::retry_delay(settings_.retry, claim.attempts, unit);
      if (next - claim.created_at > settings_.retry.give_up_after) {
        verdict = webhook_verdict::failed;
        error = "gave up after " + std::to_string(claim.attempts) + " attempts: " + error;
      }
      break;
    }
  }
  const webhook_attempt_result attempt{sent.status_code, took, error};
  auto write = [&claim, verdict, &attempt, next, now](store::database& db) -> base::result<bool> {
    auto tx = store::transaction::begin(db);
    if (!tx) {
      return tx.error();
    }
    auto recorded = record_webhook_attempt(db, claim, verdict, attempt, next, now);
    if (!recorded) {
      return recorded;
    }
    if (auto committed = tx->commit(); !committed) {
      return committed.error();
    }
    return recorded;
  };
  auto applied = co_await store_.write(write);
  if (instruments_ && verdict != webhook_verdict::released) {
    instruments_->deliveries.inc({verdict_label(verdict)});
  }
  const auto status = sent.status_code ? std::to_string(*sent.status_code) : std::string("-");
  if (!applied) {
    log_->error("webhook_record_failed delivery={} error={}", claim.id,
                base::log_field(base::describe(applied.error())));
    co_return;
  }
  if (!*applied) {
    log_->warn("webhook_claim_lost delivery={}", claim.id);
    co_return;
  }
  switch (verdict) {
    case webhook_verdict::delivered:
      log_->info(
          "webhook_delivered delivery={} endpoint={} webhook_id={} type={} status={} "
          "attempt={} ms={}",
          claim.id, claim.endpoint_id, claim.webhook_id, claim.event_type, status, claim.attempts,
          took.count());
      break;
    case webhook_verdict::retry:
      log_->warn(
          "webhook_retry_scheduled delivery={} endpoint={} webhook_id={} status={} "
          "attempt={} next_attempt_at={} reason={}",
          claim.id, claim.endpoint_id, claim.webhook_id, status, claim.attempts,
          store::iso8601_utc(next), base::log_field(error));
      break;
    case webhook_verdict::failed:
      log_->warn("webhook_failed delivery={} endpoint={} webhook_id={} reason={}", claim.id,
                 claim.endpoint_id, claim.webhook_id, base::log_field(error));
      break;
    case webhook_verdict::gone:
      log_->warn("webhook_endpoint_disabled endpoint={} reason=410_gone", claim.endpoint_id);
      break;
    case webhook_verdict::released:
      log_->info("webhook_released delivery={} reason=shutdown", claim.id);
      break;
  }
}

}  // namespace rosterd::lifecycle
