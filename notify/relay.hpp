#pragma once
// The relay: delivers committed outbox emails, at least once. A coroutine on
// its own strand claims due rows (a lease, see outbox.hpp), hands each to the sender on a
// thread of its own (sending blocks), and records the outcome:
//   delivered                  -> sent, bodies cleared, on_sent hook
//   deferred (4xx), unavailable -> tried again after retry_delay, until give_up_after
//   rejected (5xx)             -> failed at once, bodies cleared, on_failed hook; never retried
// "Unavailable" (no server reachable) hands the rest of the batch back untried, so an outage
// costs one connection attempt per poll, not one per queued message.
//
// It sleeps until the earliest next_attempt_at, at most poll_interval (rows queued by another
// process, a changed wall clock), and wakes early on nudge(). Retries happen here only: the
// sender never retries on its own, so tries do not multiply.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <stop_token>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/logger.h>

#include "base/failure.hpp"
#include "base/metrics.hpp"
#include "notify/outbox.hpp"
#include "notify/retry_policy.hpp"
#include "notify/sender.hpp"
#include "store/store.hpp"

namespace rosterd::notify {

struct relay_settings {
  retry_policy retry;
  /// How long a claimed row stays invisible to other claims. Longer than the sender's total
  /// timeout, so a slow send is never claimed twice; after a crash it is the redelivery delay.
  std::chrono::seconds lease{std::chrono::minutes(15)};
  int batch_size = 20;  // rows claimed per transaction
  std::chrono::milliseconds poll_interval{std::chrono::seconds(60)};
  /// After stop(), how long a send in progress may take to finish before it is aborted (the
  /// row is then retried on the next start, with the same Message-ID).
  std::chrono::milliseconds stop_grace{std::chrono::seconds(15)};
};

/// Called inside the transaction that records the outcome, after the row is marked (its
/// in-memory copy still has the bodies: never log them). The daemon marks an invitation
/// 'bounced' from ref_kind/ref_id. A failing hook is rolled back alone (a savepoint) and logged;
/// the outcome is recorded regardless, so a rejected message is never sent again.
using relay_hook = std::function<base::result<void>(store::database&, const outbox_row&)>;

struct relay_hooks {
  relay_hook on_sent;
  relay_hook on_failed;  // rejected, or given up after give_up_after
};

class relay {
 public:
  /// Nothing runs until start(). `store` and `sender` must outlive the relay; `log` and
  /// `metrics` may be null. Metrics: rosterd_notify_emails_total{outcome=sent|retried|failed},
  /// rosterd_notify_send_seconds{outcome}, rosterd_notify_outbox_pending.
  relay(boost::asio::any_io_executor executor, store::store& store, email_sender& sender,
        relay_settings settings, relay_hooks hooks = {},
        std::shared_ptr<spdlog::logger> log = nullptr, base::metrics::registry* metrics = nullptr);
  /// Aborts a send still in progress and joins the sender thread. Destroy the relay only after
  /// its loop has ended (co_await stop()) or its executor is gone.
  ~relay();
  relay(const relay&) = delete;
  relay& operator=(const relay&) = delete;

  /// Starts the delivery loop on the executor. Call once.
  void start();
  /// Looks for due rows now instead of at the next timer: call after committing new rows.
  /// Thread-safe.
  void nudge();
  /// Asks the loop to end and returns at once: no new send starts, claimed rows not yet sent
  /// are handed back, and a send in progress may run until `abort_at` (and at most stop_grace
  /// from now), then it is aborted and its row handed back for the next start, with the same
  /// Message-ID. A later call may bring the abort closer, never push it back. Thread-safe.
  void request_stop(std::optional<std::chrono::steady_clock::time_point> abort_at = std::nullopt);
  /// request_stop(abort_at), then completes once the loop has ended: the send in progress has
  /// finished (or was aborted) and its outcome is recorded. Completes at once when the loop
  /// never started or has ended. The relay must outlive the returned awaitable.
  [[nodiscard]] boost::asio::awaitable<void> stop(
      std::optional<std::chrono::steady_clock::time_point> abort_at = std::nullopt);
  /// True from start() until the loop has ended.
  [[nodiscard]] bool running() const noexcept { return running_.load(); }

 private:
  struct instruments;
  enum class batch_end { drained, more_due, paused };

  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<batch_end> deliver_batch();
  boost::asio::awaitable<send_result> send_on_sender_thread(const outbox_row& row);
  boost::asio::awaitable<void> record(const outbox_row& row, const send_result& result,
                                      std::chrono::steady_clock::duration took);
  boost::asio::awaitable<void> release(std::vector<outbox_row> rows, time_point due);
  boost::asio::awaitable<void> wait_for_work(std::chrono::steady_clock::duration delay);
  void run_hook(store::database& db, const relay_hook& hook, const outbox_row& row,
                const char* which);
  void begin_stop(std::optional<std::chrono::steady_clock::time_point> abort_at);
  void arm_abort(std::chrono::steady_clock::time_point at);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  store::store& store_;
  email_sender& sender_;
  relay_settings settings_;
  relay_hooks hooks_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<instruments> instruments_;
  std::shared_ptr<std::atomic<std::int64_t>> pending_;  // shared with the metrics gauge
  std::mt19937_64 jitter_random_;                       // strand only

  // Strand only.
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer grace_;
  bool stopping_ = false;
  std::vector<boost::asio::steady_timer*> stop_waiters_;  // each stop() waiting; cancelled at end

  std::atomic<bool> nudged_{false};
  std::atomic<bool> running_{false};
  std::stop_source abort_;  // aborts a send in progress once its grace after a stop has passed
  boost::asio::thread_pool sender_thread_{1};
};

}  // namespace rosterd::notify
