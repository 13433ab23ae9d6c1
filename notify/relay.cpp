#include "notify/relay.hpp"

#include <algorithm>
#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log_field.hpp"
#include "base/random.hpp"
#include "store/timestamp.hpp"
#include "store/transaction.hpp"

namespace rosterd::notify {
namespace {

namespace asio = boost::asio;
using std::chrono::system_clock;

const char* outcome_label(send_outcome o) {
  switch (o) {
    case send_outcome::delivered:
      return "delivered";
    case send_outcome::deferred:
      return "deferred";
    case send_outcome::rejected:
      return "rejected";
    case send_outcome::unavailable:
      return "unavailable";
  }
  return "unavailable";
}

std::uint64_t random_seed() {
  const auto bytes = base::random_bytes(sizeof(std::uint64_t));
  std::uint64_t seed = 0;
  std::memcpy(&seed, bytes.data(), sizeof seed);
  return seed;
}

// What the relay decided about one attempt, before it is written.
enum class verdict { sent, retry, fail, release };

struct decision {
  verdict what = verdict::retry;
  time_point at;      // now, or the next attempt
  std::string error;  // for last_error and the log
};

std::string describe_span(std::chrono::seconds s) {
  const auto hours = std::chrono::duration_cast<std::chrono::hours>(s).count();
  if (hours >= 48) {
    return std::to_string(hours / 24) + " days";
  }
  if (hours >= 1) {
    return std::to_string(hours) + " h";
  }
  return std::to_string(s.count()) + " s";
}

}  // namespace

struct relay::instruments {
  base::metrics::counter_family& emails;
  base::metrics::histogram_family& seconds;
};

relay::relay(boost::asio::any_io_executor executor, store::store& store, email_sender& sender,
             relay_settings settings, relay_hooks hooks, std::shared_ptr<spdlog::logger> log,
             base::metrics::registry* metrics)
    : strand_(asio::make_strand(std::move(executor))),
      store_(store),
      sender_(sender),
      settings_(std::move(settings)),
      hooks_(std::move(hooks)),
      log_(log ? std::move(log) : std::make_shared<spdlog::logger>("notify")),
      pending_(std::make_shared<std::atomic<std::int64_t>>(0)),
      jitter_random_(random_seed()),
      wake_(strand_),
      grace_(strand_) {
  settings_.batch_size = std::max(settings_.batch_size, 1);
  if (metrics != nullptr) {
    instruments_ = std::make_unique<instruments>(instruments{
        metrics->counter("rosterd_notify_emails_total",
                         "Email delivery attempts by what followed: sent, retried (4xx or no "
                         "server) or failed (5xx, or gave up).",
                         {"outcome"}),
        metrics->histogram("rosterd_notify_send_seconds",
                           "Time one SMTP delivery took, by send outcome.", {"outcome"},
                           {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 600}),
    });
    // The gauge owns its state, so a registry that outlives the relay still reads safely.
    metrics->gauge(
        "rosterd_notify_outbox_pending", "Emails queued and not yet delivered.", {},
        [p = pending_] {
          return std::vector<base::metrics::gauge_sample>{{{}, static_cast<double>(p->load())}};
        });
  }
}

relay::~relay() {
  abort_.request_stop();
  sender_thread_.join();
}

void relay::start() {
  running_ = true;
  asio::co_spawn(strand_, loop(), asio::bind_executor(strand_, [this](const std::exception_ptr& e) {
                   grace_.cancel();
                   running_ = false;
                   for (auto* waiter : stop_waiters_) {
                     waiter->cancel();
                   }
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       log_->error("outbox_relay_crashed error={}", base::log_field(ex.what()));
                     }
                   }
                 }));
}

void relay::nudge() {
  nudged_ = true;
  asio::post(strand_, [this] { wake_.cancel(); });
}

void relay::request_stop(std::optional<std::chrono::steady_clock::time_point> abort_at) {
  asio::post(strand_, [this, abort_at] { begin_stop(abort_at); });
}

asio::awaitable<void> relay::stop(std::optional<std::chrono::steady_clock::time_point> abort_at) {
  // On the strand, so the check of running_ and the wait below happen in one step before the
  // loop's end can cancel the waiters: an end is either seen here or wakes the wait.
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

void relay::begin_stop(std::optional<std::chrono::steady_clock::time_point> abort_at) {
  const auto latest = std::chrono::steady_clock::now() + settings_.stop_grace;
  const auto at = abort_at ? std::min(*abort_at, latest) : latest;
  if (!stopping_) {
    stopping_ = true;
    wake_.cancel();
    if (running_) {
      arm_abort(at);
    }
    return;
  }
  if (running_ && at < grace_.expiry()) {
    arm_abort(at);
  }
}

void relay::arm_abort(std::chrono::steady_clock::time_point at) {
  grace_.expires_at(at);  // a wait armed before ends as cancelled and aborts nothing
  grace_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      abort_.request_stop();
    }
  });
}

asio::awaitable<void> relay::loop() {
  log_->info("outbox_relay_started batch_size={} lease_s={}", settings_.batch_size,
             settings_.lease.count());
  while (!stopping_) {
    std::chrono::steady_clock::duration delay = settings_.poll_interval;
    try {
      const auto end = co_await deliver_batch();
      if (instruments_) {
        auto read_outbox_stats_query = [](store::database& db) { return read_outbox_stats(db); };
        auto stats = co_await store_.read(read_outbox_stats_query);
        if (stats) {
          pending_->store(stats->pending);
        }
      }
      if (end == batch_end::more_due) {
        continue;
      }
      if (end == batch_end::drained) {
        auto next_email_due_query = [](store::database& db) { return next_email_due(db); };
        auto next = co_await store_.read(next_email_due_query);
        if (!next) {
          log_->warn("outbox_read_failed error={}", base::log_field(base::describe(next.error())));
        } else if (*next) {
          delay = std::clamp<std::chrono::steady_clock::duration>(
              **next - system_clock::now(), std::chrono::steady_clock::duration::zero(),
              settings_.poll_interval);
        }
      }
    } catch (const std::exception& e) {
      // The job boundary: log, keep the daemon running, try again after a poll interval.
      log_->error("outbox_relay_failed error={}", base::log_field(e.what()));
    }
    co_await wait_for_work(delay);
  }
  log_->info("outbox_relay_stopped");
}

asio::awaitable<void> relay::wait_for_work(std::chrono::steady_clock::duration delay) {
  // nudge() sets the flag before it posts the cancel, and this check and the wait below run in
  // one step on the strand: a nudge is either seen here or cancels the wait.
  if (stopping_ || nudged_.exchange(false) ||
      delay <= std::chrono::steady_clock::duration::zero()) {
    co_return;
  }
  wake_.expires_after(delay);
  co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<relay::batch_end> relay::deliver_batch() {
  const auto now = system_clock::now();
  auto claim_due = [now, this](store::database& db) -> base::result<std::vector<outbox_row>> {
    auto tx = store::transaction::begin(db);
    if (!tx) {
      return tx.error();
    }
    auto rows = claim_due_emails(db, now, settings_.lease, settings_.batch_size);
    if (!rows) {
      return rows;
    }
    if (auto committed = tx->commit(); !committed) {
      return committed.error();
    }
    return rows;
  };
  auto claimed = co_await store_.write(claim_due);
  if (!claimed) {
    log_->warn("outbox_claim_failed error={}", base::log_field(base::describe(claimed.error())));
    co_return batch_end::paused;
  }
  auto& rows = *claimed;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (stopping_) {
      // Untried rows go back due now, so the next start sends them without waiting a lease.
      co_await release({rows.begin() + static_cast<std::ptrdiff_t>(i), rows.end()},
                       system_clock::now());
      co_return batch_end::drained;
    }
    const auto started = std::chrono::steady_clock::now();
    const auto result = co_await send_on_sender_thread(rows[i]);
    co_await record(rows[i], result, std::chrono::steady_clock::now() - started);
    if (result.outcome == send_outcome::unavailable) {
      // No server to talk to: the rest wait for the next round instead of each failing in
      // turn (on shutdown they are due at once, for the next start).
      const auto due = stopping_
                           ? system_clock::now()
                           : system_clock::now() +
                                 std::chrono::ceil<std::chrono::seconds>(settings_.poll_interval);
      if (i + 1 < rows.size()) {
        co_await release({rows.begin() + static_cast<std::ptrdiff_t>(i) + 1, rows.end()}, due);
      }
      co_return batch_end::paused;
    }
  }
  co_return static_cast<int>(rows.size()) == settings_.batch_size ? batch_end::more_due
                                                                  : batch_end::drained;
}

asio::awaitable<send_result> relay::send_on_sender_thread(const outbox_row& row) {
  co_return co_await asio::co_spawn(
      sender_thread_.get_executor(),
      [this, &row]() -> asio::awaitable<send_result> {
        co_return sender_.send(row, abort_.get_token());
      },
      asio::use_awaitable);
}

asio::awaitable<void> relay::record(const outbox_row& row, const send_result& result,
                                    std::chrono::steady_clock::duration took) {
  const auto now = system_clock::now();
  decision d{verdict::retry, now, result.detail};
  switch (result.outcome) {
    case send_outcome::delivered:
      d.what = verdict::sent;
      break;
    case send_outcome::rejected:
      d.what = verdict::fail;
      break;
    case send_outcome::deferred:
    case send_outcome::unavailable: {
      if (stopping_ && result.outcome == send_outcome::unavailable) {
        d.what = verdict::release;  // aborted by our own shutdown: not the message's attempt
        break;
      }
      const double unit = std::uniform_real_distribution<double>(0.0, 1.0)(jitter_random_);
      d.at = now + retry_delay(settings_.retry, row.attempts, unit);
      if (d.at - row.created_at > settings_.retry.give_up_after) {
        d.what = verdict::fail;
        d.at = now;
        d.error =
            "gave up after " + std::to_string(row.attempts) + " attempts over " +
            describe_span(std::chrono::duration_cast<std::chrono::seconds>(now - row.created_at)) +
            ": " + result.detail;
      }
      break;
    }
  }
  auto record_outcome = [this, &row, &d](store::database& db) -> base::result<bool> {
    auto tx = store::transaction::begin(db);
    if (!tx) {
      return tx.error();
    }
    base::result<bool> marked = false;
    switch (d.what) {
      case verdict::sent:
        marked = mark_sent(db, row, d.at);
        if (marked && *marked) {
          run_hook(db, hooks_.on_sent, row, "on_sent");
        }
        break;
      case verdict::fail:
        marked = mark_failed(db, row, d.at, d.error);
        if (marked && *marked) {
          run_hook(db, hooks_.on_failed, row, "on_failed");
        }
        break;
      case verdict::retry:
        marked = mark_retry(db, row, d.at, d.error);
        break;
      case verdict::release:
        marked = release_claim(db, row, d.at);
        break;
    }
    if (!marked) {
      return marked;
    }
    if (auto committed = tx->commit(); !committed) {
      return committed.error();
    }
    return marked;
  };

  auto applied = co_await store_.write(record_outcome);

  const auto seconds = std::chrono::duration<double>(took).count();
  const char* counted = d.what == verdict::sent    ? "sent"
                        : d.what == verdict::fail  ? "failed"
                        : d.what == verdict::retry ? "retried"
                                                   : nullptr;
  if (instruments_) {
    instruments_->seconds.observe({outcome_label(result.outcome)}, seconds);
    if (counted != nullptr) {
      instruments_->emails.inc({counted});
    }
  }
  if (!applied) {
    // The outcome is lost; the lease brings the row back and it is sent again (same ID).
    log_->error("outbox_record_failed id={} outcome={} error={}", row.id,
                outcome_label(result.outcome), base::log_field(base::describe(applied.error())));
    co_return;
  }
  if (!*applied) {
    log_->warn("outbox_claim_lost id={} outcome={}", row.id, outcome_label(result.outcome));
    co_return;
  }
  switch (d.what) {
    case verdict::sent:
      log_->info("email_sent id={} template={} attempts={} seconds={:.3f}", row.id,
                 base::log_field(row.template_name), row.attempts, seconds);
      break;
    case verdict::fail:
      log_->warn("email_failed id={} template={} attempts={} reply={} reason={}", row.id,
                 base::log_field(row.template_name), row.attempts, result.reply_code,
                 base::log_field(d.error));
      break;
    case verdict::retry:
      log_->warn(
          "email_retry_scheduled id={} template={} attempts={} outcome={} reply={} "
          "next_attempt_at={} reason={}",
          row.id, base::log_field(row.template_name), row.attempts, outcome_label(result.outcome),
          result.reply_code, store::iso8601_utc(d.at), base::log_field(d.error));
      break;
    case verdict::release:
      log_->info("email_released id={} reason=shutdown", row.id);
      break;
  }
}

asio::awaitable<void> relay::release(std::vector<outbox_row> rows, time_point due) {
  auto release_claims = [&rows, due](store::database& db) -> base::result<void> {
    auto tx = store::transaction::begin(db);
    if (!tx) {
      return tx.error();
    }
    for (const auto& row : rows) {
      if (auto ok = release_claim(db, row, due); !ok) {
        return ok.error();
      }
    }
    return tx->commit();
  };
  auto released = co_await store_.write(release_claims);
  if (!released) {
    // Harmless: the rows come back when their lease runs out.
    log_->warn("outbox_release_failed count={} error={}", rows.size(),
               base::log_field(base::describe(released.error())));
  }
}

void relay::run_hook(store::database& db, const relay_hook& hook, const outbox_row& row,
                     const char* which) {
  if (!hook) {
    return;
  }
  // A savepoint, so a hook that fails halfway takes back only its own writes.
  if (auto ok = db.exec("SAVEPOINT notify_hook"); !ok) {
    log_->error("outbox_hook_failed hook={} id={} error={}", which, row.id,
                base::log_field(base::describe(ok.error())));
    return;
  }
  std::string error;
  try {
    if (auto ok = hook(db, row); !ok) {
      error = base::describe(ok.error());
    }
  } catch (const std::exception& e) {
    error = e.what();
  }
  if (error.empty()) {
    if (auto ok = db.exec("RELEASE notify_hook"); !ok) {
      log_->error("outbox_hook_failed hook={} id={} error={}", which, row.id,
                  base::log_field(base::describe(ok.error())));
    }
    return;
  }
  (void)db.exec("ROLLBACK TO notify_hook; RELEASE notify_hook");
  log_->error("outbox_hook_failed hook={} id={} error={}", which, row.id, base::log_field(error));
}

}  // namespace rosterd::notify
