#pragma once
// Runs due refreshes: sleeps until the earliest connections.next_refresh_at (the schedule lives
// in the database, so a restart loses nothing and overdue refreshes run at once, a few at a
// time), then refreshes what is due through the refresher (single flight per connection).
// Wakes at least every poll_interval, so a changed wall clock or rows written by another
// process are noticed.

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/logger.h>

#include "lifecycle/refresh.hpp"
#include "store/store.hpp"

namespace rosterd::lifecycle {

struct scheduler_settings {
  int max_concurrent = 4;  ///< refreshes at once (catch-up after downtime is rate-limited)
  int batch_size = 64;     ///< due rows read per pass
  std::chrono::milliseconds poll_interval{std::chrono::seconds(60)};
  /// Told each scheduled refresh's outcome (the metrics count them); may be empty.
  std::function<void(refresh_outcome)> on_outcome;
};

class refresh_scheduler {
 public:
  using clock_fn = std::function<time_point()>;

  /// Nothing runs until start(). `db` and `refresher` must outlive it; `log` may be null.
  refresh_scheduler(boost::asio::any_io_executor executor, store::store& db, refresher& refresher,
                    scheduler_settings settings = {}, std::shared_ptr<spdlog::logger> log = nullptr,
                    clock_fn clock = nullptr);
  refresh_scheduler(const refresh_scheduler&) = delete;
  refresh_scheduler& operator=(const refresh_scheduler&) = delete;

  void start();
  /// Looks for due work now (after a connect stored a schedule, or a test moved the clock).
  void nudge();
  /// Asks the loop to end and returns at once: no new refresh starts; those in flight finish
  /// and store their outcome. Thread-safe.
  void request_stop();
  /// request_stop(), then completes once the loop has ended with every refresh in flight done
  /// (true), or at `give_up_at` with some still in flight (false: each leaves its marker, and
  /// recover_interrupted settles it at the next start). At once when the loop never started or
  /// has ended. The scheduler must outlive the returned awaitable.
  [[nodiscard]] boost::asio::awaitable<bool> stop(
      std::optional<std::chrono::steady_clock::time_point> give_up_at = std::nullopt);
  [[nodiscard]] bool running() const noexcept { return running_.load(); }
  /// Refreshes started by the scheduler so far (for tests and metrics).
  [[nodiscard]] std::int64_t started_total() const noexcept { return started_.load(); }

 private:
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> run_one(std::string connection_id);
  boost::asio::awaitable<void> sleep(std::chrono::steady_clock::duration d);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  store::store& db_;
  refresher& refresher_;
  scheduler_settings settings_;
  std::shared_ptr<spdlog::logger> log_;
  clock_fn clock_;

  // Strand only.
  boost::asio::steady_timer wake_;
  std::set<std::string> active_;
  bool stopping_ = false;
  std::vector<boost::asio::steady_timer*> stop_waiters_;  // each stop() waiting; cancelled at end

  std::atomic<bool> nudged_{false};
  std::atomic<bool> running_{false};
  std::atomic<std::int64_t> started_{0};
};

}  // namespace rosterd::lifecycle
