#include "lifecycle/refresh_scheduler.hpp"

#include <algorithm>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log_field.hpp"
#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace {

namespace asio = boost::asio;
namespace sql = store::sql;

struct due_row {
  std::string id;
  std::int64_t seconds_until = 0;  // <= 0: due now
};

}  // namespace

refresh_scheduler::refresh_scheduler(asio::any_io_executor executor, store::store& db,
                                     refresher& refresher, scheduler_settings settings,
                                     std::shared_ptr<spdlog::logger> log, clock_fn clock)
    : strand_(asio::make_strand(std::move(executor))),
      db_(db),
      refresher_(refresher),
      settings_(settings),
      log_(log ? std::move(log) : std::make_shared<spdlog::logger>("refresh")),
      clock_(clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); }),
      wake_(strand_) {
  settings_.max_concurrent = std::max(settings_.max_concurrent, 1);
  settings_.batch_size = std::max(settings_.batch_size, settings_.max_concurrent);
}

void refresh_scheduler::start() {
  running_ = true;
  asio::co_spawn(strand_, loop(), asio::bind_executor(strand_, [this](const std::exception_ptr& e) {
                   running_ = false;
                   for (auto* waiter : stop_waiters_) {
                     waiter->cancel();
                   }
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& ex) {
                       log_->error("refresh_scheduler_crashed error={}",
                                   base::log_field(ex.what()));
                     }
                   }
                 }));
}

void refresh_scheduler::nudge() {
  nudged_ = true;
  asio::post(strand_, [this] { wake_.cancel(); });
}

void refresh_scheduler::request_stop() {
  asio::post(strand_, [this] {
    stopping_ = true;
    wake_.cancel();
  });
}

asio::awaitable<bool> refresh_scheduler::stop(
    std::optional<std::chrono::steady_clock::time_point> give_up_at) {
  // On the strand, so the check of running_ and the wait below happen in one step before the
  // loop's end can cancel the waiters: an end is either seen here or wakes the wait.
  co_return co_await asio::co_spawn(
      strand_,
      [this, give_up_at]() -> asio::awaitable<bool> {
        stopping_ = true;
        wake_.cancel();
        if (!running_) {
          co_return true;
        }
        asio::steady_timer waiter(
            strand_, give_up_at.value_or(std::chrono::steady_clock::time_point::max()));
        stop_waiters_.push_back(&waiter);
        co_await waiter.async_wait(asio::as_tuple(asio::use_awaitable));
        std::erase(stop_waiters_, &waiter);
        co_return !running_;
      },
      asio::use_awaitable);
}

asio::awaitable<void> refresh_scheduler::sleep(std::chrono::steady_clock::duration d) {
  // A stop or a nudge that came while the loop was reading cancelled no wait: seen here, in the
  // same step on the strand as the wait below, so neither can be missed.
  if (nudged_.exchange(false) || (stopping_ && active_.empty())) {
    co_return;
  }
  wake_.expires_after(d);
  co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> refresh_scheduler::run_one(std::string connection_id) {
  auto done = co_await refresher_.refresh(connection_id, refresh_reason::scheduled);
  if (!done) {
    log_->error("scheduled_refresh_failed connection={} problem={}", connection_id,
                base::log_field(done.error().detail));
  } else if (settings_.on_outcome) {
    settings_.on_outcome(done->outcome);
  }
}

asio::awaitable<void> refresh_scheduler::loop() {
  while (!stopping_) {
    const auto now = roster::stamp(clock_());
    auto read_due = [now, limit = settings_.batch_size](store::database& db) {
      std::vector<due_row> rows;
      auto done = sql::each(
          db,
          "SELECT id, CAST(ROUND((julianday(next_refresh_at) - julianday(?1)) * 86400.0) AS "
          "INTEGER) FROM connections WHERE next_refresh_at IS NOT NULL "
          "ORDER BY next_refresh_at LIMIT ?2",
          [&](store::statement& s) {
            rows.push_back({s.column_text(0), s.column_int64(1)});
          },
          now, limit);
      return done ? base::result<std::vector<due_row>>(std::move(rows))
                  : base::result<std::vector<due_row>>(done.error());
    };
    auto due = co_await db_.read(read_due);
    std::chrono::steady_clock::duration wait = settings_.poll_interval;
    if (!due) {
      log_->error("refresh_scheduler_read_failed problem={}", base::log_field(due.error().detail));
    } else {
      for (const auto& row : *due) {
        if (row.seconds_until > 0) {
          wait = std::min<std::chrono::steady_clock::duration>(
              wait, std::chrono::seconds(row.seconds_until));
          break;
        }
        if (active_.count(row.id) != 0) {
          continue;
        }
        if (static_cast<int>(active_.size()) >= settings_.max_concurrent || stopping_) {
          break;  // a finishing refresh wakes the loop
        }
        active_.insert(row.id);
        ++started_;
        asio::co_spawn(
            strand_.get_inner_executor(), run_one(row.id),
            asio::bind_executor(strand_, [this, id = row.id](const std::exception_ptr& e) {
              active_.erase(id);
              nudged_ = true;  // the loop may be reading, not sleeping
              wake_.cancel();
              if (e) {
                try {
                  std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                  log_->error("scheduled_refresh_crashed connection={} error={}", id,
                              base::log_field(ex.what()));
                }
              }
            }));
      }
    }
    co_await sleep(wait);
  }
  // Let refreshes in flight store their outcome: a cut-off refresh would leave its marker.
  while (!active_.empty()) {
    co_await sleep(settings_.poll_interval);
  }
}

}  // namespace rosterd::lifecycle
