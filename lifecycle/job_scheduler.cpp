#include "lifecycle/job_scheduler.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "base/log_field.hpp"
#include "store/in_transaction.hpp"

namespace rosterd::lifecycle {
namespace {

namespace asio = boost::asio;

constexpr auto unknown_kind_retry = std::chrono::hours(1);

}  // namespace

job_scheduler::job_scheduler(asio::any_io_executor executor, store::store& db, std::string owner,
                             job_scheduler_settings settings, std::shared_ptr<spdlog::logger> log,
                             clock_fn clock)
    : strand_(asio::make_strand(std::move(executor))),
      db_(db),
      owner_(std::move(owner)),
      settings_(settings),
      log_(log ? std::move(log) : std::make_shared<spdlog::logger>("jobs")),
      clock_(clock ? std::move(clock) : [] { return std::chrono::system_clock::now(); }),
      wake_(strand_) {
  settings_.max_concurrent = std::max(settings_.max_concurrent, 1);
  settings_.batch_size = std::max(settings_.batch_size, 1);
}

void job_scheduler::on(std::string kind, handler h) {
  handlers_[std::move(kind)] = std::move(h);
}

void job_scheduler::start() {
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
                       log_->error("job_scheduler_crashed error={}", base::log_field(ex.what()));
                     }
                   }
                 }));
}

void job_scheduler::nudge() {
  nudged_ = true;
  asio::post(strand_, [this] { wake_.cancel(); });
}

void job_scheduler::request_stop() {
  asio::post(strand_, [this] {
    stopping_ = true;
    wake_.cancel();
  });
}

asio::awaitable<bool> job_scheduler::stop(
    std::optional<std::chrono::steady_clock::time_point> give_up_at) {
  // On the strand, so the check of running_ and the wait happen in one step before the loop's
  // end can cancel the waiters.
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

asio::awaitable<void> job_scheduler::sleep(std::chrono::steady_clock::duration d) {
  // A stop or nudge that came while the loop was reading cancelled no wait: seen here, in the
  // same step on the strand as the wait, so neither is missed.
  if (nudged_.exchange(false) || (stopping_ && active_ == 0)) {
    co_return;
  }
  wake_.expires_after(d);
  co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> job_scheduler::record(const job& j, const job_outcome& outcome) {
  const auto now = clock_();
  auto op = store::in_transaction([&](store::database& db) -> base::result<bool> {
    switch (outcome.what) {
      case job_outcome::kind::recorded:
        return true;
      case job_outcome::kind::done:
        return finish_job(db, j, job_state::done, outcome.error, now);
      case job_outcome::kind::failed:
        return finish_job(db, j, job_state::failed, outcome.error, now);
      case job_outcome::kind::retry:
        if (j.attempts >= settings_.max_attempts) {
          return finish_job(
              db, j, job_state::failed,
              "gave up after " + std::to_string(j.attempts) + " attempts: " + outcome.error, now);
        }
        return retry_job(db, j, outcome.retry_at.value_or(now + std::chrono::minutes(10)),
                         outcome.error);
    }
    return true;
  });
  auto written = co_await db_.write(op);
  if (!written) {
    log_->error("job_outcome_not_recorded job={} kind={} problem={}", j.id, j.kind,
                base::log_field(written.error().detail));
  } else if (!*written) {
    log_->warn("job_lease_lost job={} kind={} note=another_runner_or_a_cancel_took_it", j.id,
               j.kind);
  }
  if (outcome.what == job_outcome::kind::failed || outcome.what == job_outcome::kind::retry) {
    log_->warn("job_{} job={} kind={} attempts={} problem={}",
               outcome.what == job_outcome::kind::failed ? "failed" : "retrying", j.id, j.kind,
               j.attempts, base::log_field(outcome.error));
  }
}

asio::awaitable<void> job_scheduler::run_one(job j) {
  const auto found = handlers_.find(j.kind);
  job_outcome outcome;
  if (found == handlers_.end()) {
    log_->warn("job_kind_unknown job={} kind={} note=put_back_for_an_hour", j.id,
               base::log_field(j.kind));
    outcome = {job_outcome::kind::retry, clock_() + unknown_kind_retry, "no handler for kind"};
    // Not counted against the job: a newer version may run it.
    --j.attempts;
  } else {
    try {
      outcome = co_await found->second(j);
    } catch (const std::exception& e) {
      outcome = {job_outcome::kind::retry, clock_() + std::chrono::minutes(10),
                 std::string("handler threw: ") + e.what()};
    }
  }
  co_await record(j, outcome);
  ++finished_;
}

asio::awaitable<void> job_scheduler::loop() {
  while (!stopping_) {
    std::chrono::steady_clock::duration wait = settings_.poll_interval;
    const int room = settings_.max_concurrent - active_;
    if (room > 0) {
      const auto now = clock_();
      auto claim = store::in_transaction(
          [&, limit = std::min(room, settings_.batch_size)](store::database& db) {
            return claim_due_jobs(db, owner_, now, settings_.lease, limit);
          });
      auto claimed = co_await db_.write(claim);
      if (!claimed) {
        log_->error("job_claim_failed problem={}", base::log_field(claimed.error().detail));
      } else {
        for (auto& j : *claimed) {
          ++active_;
          ++started_;
          asio::co_spawn(strand_.get_inner_executor(), run_one(std::move(j)),
                         asio::bind_executor(strand_, [this](const std::exception_ptr&) {
                           --active_;
                           nudged_ = true;  // the loop may be reading, not sleeping
                           wake_.cancel();
                         }));
        }
        if (static_cast<int>(claimed->size()) == std::min(room, settings_.batch_size)) {
          continue;  // there may be more due at once
        }
      }
      auto read_next = [](store::database& db) { return next_job_due(db); };
      auto next = co_await db_.read(read_next);
      if (next && *next) {
        const auto until = **next - clock_();
        wait = std::clamp<std::chrono::steady_clock::duration>(
            std::chrono::duration_cast<std::chrono::steady_clock::duration>(until),
            std::chrono::milliseconds(0), settings_.poll_interval);
      }
    }
    co_await sleep(wait);
  }
  // Jobs in flight record their outcome: one cut off keeps its lease and runs again later.
  while (active_ > 0) {
    co_await sleep(settings_.poll_interval);
  }
}

}  // namespace rosterd::lifecycle
