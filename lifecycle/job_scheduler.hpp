#pragma once
// Runs the durable jobs (jobs.hpp): sleeps until the earliest due job, claims what is due with a
// lease, hands each job to the handler registered for its kind, and records the outcome. The
// schedule lives in the database, so a restart loses nothing and overdue jobs run once, a few
// at a time. Due times are UTC stamps compared with the wall clock at each wake, and the wait
// is a monotonic timer bounded by poll_interval, so a wall-clock jump neither skips a job (it
// is due by the database's clock at the next wake) nor doubles one (a job runs under its lease
// and its outcome is fenced by it).

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <spdlog/logger.h>

#include "lifecycle/jobs.hpp"
#include "store/store.hpp"

namespace rosterd::lifecycle {

/// What a handler did with its job.
struct job_outcome {
  enum class kind {
    recorded,  ///< the handler finished the job itself, in the transaction that did the work
    done,      ///< finished: the scheduler records it done
    retry,     ///< a passing problem: run again at retry_at
    failed,    ///< give up: the scheduler records it failed with `error`
  };
  kind what = kind::done;
  std::optional<time_point> retry_at;
  std::string error;  ///< for the jobs table and the log; never a secret
};

struct job_scheduler_settings {
  int max_concurrent = 4;  ///< jobs at once
  int batch_size = 32;     ///< jobs claimed per pass
  std::chrono::seconds lease{std::chrono::minutes(5)};
  std::chrono::milliseconds poll_interval{std::chrono::seconds(60)};
  int max_attempts = 8;  ///< a job whose handler keeps failing is given up after this many
};

class job_scheduler {
 public:
  using clock_fn = std::function<time_point()>;
  using handler = std::function<boost::asio::awaitable<job_outcome>(const job&)>;

  /// `db` must outlive the scheduler; `log` may be null. `owner` names this runner in leases.
  job_scheduler(boost::asio::any_io_executor executor, store::store& db, std::string owner,
                job_scheduler_settings settings = {}, std::shared_ptr<spdlog::logger> log = nullptr,
                clock_fn clock = nullptr);
  job_scheduler(const job_scheduler&) = delete;
  job_scheduler& operator=(const job_scheduler&) = delete;

  /// Registers the handler for `kind`; before start(). A due job of a kind with no handler is
  /// put back for an hour and logged (a newer version may know it; nothing is lost).
  void on(std::string kind, handler h);
  void start();
  /// Looks for due work now (a job was just scheduled, or a test moved the clock).
  void nudge();
  /// Asks the loop to end and returns at once: no new job starts. Thread-safe.
  void request_stop();
  /// request_stop(), then completes once the loop has ended with every job in flight done
  /// (true), or at `give_up_at` with some still running (false: their leases run out and they
  /// run again after the next start). The scheduler must outlive the returned awaitable.
  [[nodiscard]] boost::asio::awaitable<bool> stop(
      std::optional<std::chrono::steady_clock::time_point> give_up_at = std::nullopt);
  [[nodiscard]] bool running() const noexcept { return running_.load(); }
  /// Jobs handed to a handler so far, and passes that found nothing due (tests, metrics).
  [[nodiscard]] std::int64_t started_total() const noexcept { return started_.load(); }
  [[nodiscard]] std::int64_t finished_total() const noexcept { return finished_.load(); }

 private:
  boost::asio::awaitable<void> loop();
  boost::asio::awaitable<void> run_one(job j);
  boost::asio::awaitable<void> sleep(std::chrono::steady_clock::duration d);
  boost::asio::awaitable<void> record(const job& j, const job_outcome& outcome);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  store::store& db_;
  std::string owner_;
  job_scheduler_settings settings_;
  std::shared_ptr<spdlog::logger> log_;
  clock_fn clock_;
  std::map<std::string, handler, std::less<>> handlers_;

  // Strand only.
  boost::asio::steady_timer wake_;
  int active_ = 0;
  bool stopping_ = false;
  std::vector<boost::asio::steady_timer*> stop_waiters_;

  std::atomic<bool> nudged_{false};
  std::atomic<bool> running_{false};
  std::atomic<std::int64_t> started_{0};
  std::atomic<std::int64_t> finished_{0};
};

}  // namespace rosterd::lifecycle
