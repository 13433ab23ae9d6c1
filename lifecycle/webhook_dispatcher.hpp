#pragma once
// The webhook dispatcher: delivers queued webhook deliveries (webhook_deliveries.hpp) on its
// own loop and threads, so a slow or hanging receiver never holds up email or another
// endpoint. At most `concurrency` requests run at once, at most one per endpoint; each attempt
// is bounded by the sender's total timeout.
//
//   2xx -> delivered;   410 -> the endpoint is disabled, its pending deliveries cancelled;
//   anything else -> tried again after a jittered exponential backoff, until give_up_after
//   (3 days from the event) has passed, then failed.
//
// Every attempt carries the delivery's fixed webhook-id and body, a fresh webhook-timestamp and
// a signature by every secret the endpoint signs with (two during a rotation).

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <stop_token>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/logger.h>

#include "base/metrics.hpp"
#include "lifecycle/webhook_deliveries.hpp"
#include "notify/retry_policy.hpp"
#include "notify/webhook_sender.hpp"
#include "store/store.hpp"

namespace rosterd::lifecycle {

struct webhook_dispatcher_settings {
  notify::webhook_sender_settings sender;
  /// Requests in flight at once (each on a thread of the dispatcher's own).
  int concurrency = 4;
  /// A claimed delivery stays invisible this long; after a crash it is the redelivery delay.
  std::chrono::seconds lease{std::chrono::minutes(2)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(30)};
  notify::retry_policy retry{.initial_backoff = std::chrono::seconds(30),
                             .max_backoff = std::chrono::hours(6),
                             .give_up_after = std::chrono::hours(72),
                             .jitter = 0.5};
  /// How often pending invitations are checked for an expiry that just passed
  /// (invitation.expired; see invitation_expiry.hpp).
  std::chrono::milliseconds invitation_sweep_interval{std::chrono::minutes(1)};
  /// After stop(), how long requests in flight may take before they are aborted (and handed
  /// back for the next start, attempt not counted).
  std::chrono::milliseconds stop_grace{std::chrono::seconds(10)};
};

class webhook_dispatcher {
 public:
  /// Nothing runs until start(). `store` must outlive the dispatcher; `log` and `metrics` may be
  /// null. Metrics: rosterd_webhook_deliveries_total{outcome=delivered|retried|failed|disabled}.
  webhook_dispatcher(boost::asio::any_io_executor executor, store::store& store,
                     webhook_dispatcher_settings settings,
                     std::shared_ptr<spdlog::logger> log = nullptr,
                     base::metrics::registry* metrics = nullptr);
  /// Aborts requests in flight and joins the threads. Destroy only after co_await stop().
  ~webhook_dispatcher();
  webhook_dispatcher(const webhook_dispatcher&) = delete;
  webhook_dispatcher& operator=(const webhook_dispatcher&) = delete;

  /// Starts the loop. Call once.
  void start();
  /// Looks for due deliveries now: call after committing new ones. Thread-safe.
  void nudge();
  /// Asks the loop to end; requests in flight may run until `abort_at` (at most stop_grace
  /// from now), then they are aborted. Thread-safe.
  void request_stop(std::optional<std::chrono::steady_clock::time_point> abort_at = std::nullopt);
  /// request_stop(abort_at), then completes once the loop and every request it started have
  /// ended and their outcomes are recorded.
  [[nodiscard]] boost::asio::awaitable<void> stop(
      std::optional<std::chrono::steady_clock::time_point> abort_at = std::nullopt);
  [[nodiscard]] bool running() const noexcept { return running_.load(); }

 private:
  struct instruments;
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> sweep_expired_invitations();
  boost::asio::awaitable<void> deliver(webhook_delivery_claim claim);
  boost::asio::awaitable<void> record(const webhook_delivery_claim& claim,
                                      const notify::webhook_send_result& sent,
                                      std::chrono::milliseconds took);
  void begin_stop(std::optional<std::chrono::steady_clock::time_point> abort_at);
  void finished();

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  store::store& store_;
  webhook_dispatcher_settings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<instruments> instruments_;
  std::mt19937_64 jitter_random_;  // strand only

  // Strand only.
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer grace_;
  bool stopping_ = false;
  bool loop_ended_ = false;
  std::set<std::string> busy_;  // endpoints with a request in flight
  // Expiries up to here were swept; at start, the retry window back (older news is stale).
  std::optional<std::chrono::system_clock::time_point> swept_until_;
  std::chrono::steady_clock::time_point next_sweep_{};
  std::vector<boost::asio::steady_timer*> stop_waiters_;

  std::atomic<bool> nudged_{false};
  std::atomic<bool> running_{false};
  std::stop_source abort_;
  boost::asio::thread_pool senders_;
};

}  // namespace rosterd::lifecycle
