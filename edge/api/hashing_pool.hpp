#pragma once
// The threads that run Argon2id (slow on purpose, so never on the I/O threads), with a bounded
// queue. Without a bound, a burst of logins queued minutes of hashing in front of everyone
// (one thread, every login waiting its turn); with it, a caller beyond the bound is refused at
// once, before any work, and told when to come back.
//
// A caller first reserves a slot, then runs its hashes with it (a login may need two: the
// check and a rehash). At most `threads + queue_limit` slots exist at a time.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace rosterd::edge::api {

class hashing_pool {
 public:
  /// `threads` 0 means the default_threads(). `queue_limit` callers may wait while every
  /// thread is busy.
  hashing_pool(unsigned threads, unsigned queue_limit);
  hashing_pool(const hashing_pool&) = delete;
  hashing_pool& operator=(const hashing_pool&) = delete;
  /// Waits for the hashes in progress.
  ~hashing_pool();
  /// Waits for the hashes in progress and stops the threads; call it while the executors the
  /// callers resume on still exist (their completions are posted there).
  void join();

  /// One per core, at most 8: each running hash holds passwords.memory_kib of memory.
  static unsigned default_threads();

  /// A reservation: returned to the pool when destroyed.
  class slot {
   public:
    slot(slot&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)) {}
    slot& operator=(slot&&) = delete;
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    ~slot() {
      if (pool_ != nullptr) {
        pool_->pending_.fetch_sub(1);
      }
    }

   private:
    friend class hashing_pool;
    explicit slot(hashing_pool& pool) : pool_(&pool) {}
    hashing_pool* pool_;
  };

  /// A slot, or nullopt when every thread is busy and `queue_limit` callers already wait.
  [[nodiscard]] std::optional<slot> reserve();

  /// For a refused caller's `Retry-After`: the time the reserved work would take to drain at
  /// the recent hashing speed, rounded up, from 1 s to 60 s.
  [[nodiscard]] std::chrono::seconds retry_after() const;

  /// Slots reserved now.
  [[nodiscard]] unsigned pending() const { return pending_.load(); }
  [[nodiscard]] unsigned threads() const { return threads_; }
  [[nodiscard]] unsigned capacity() const { return threads_ + queue_limit_; }

  /// Runs f() on a hashing thread and resumes on the caller's executor. `f` is moved from;
  /// like store::read it must be a named object. The slot proves the caller was let in.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> run(const slot& reserved, F& f) {
    (void)reserved;
    return task(std::move(f));
  }

 private:
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&>> task(F f) {
    using R = std::invoke_result_t<F&>;
    auto work = [this, f = std::move(f)]() mutable -> boost::asio::awaitable<std::optional<R>> {
      const auto started = std::chrono::steady_clock::now();
      std::optional<R> value(f());
      note_duration(std::chrono::steady_clock::now() - started);
      co_return value;
    };
    auto value = co_await boost::asio::co_spawn(threads_pool_.get_executor(), std::move(work),
                                                boost::asio::use_awaitable);
    co_return std::move(*value);
  }

  void note_duration(std::chrono::steady_clock::duration d);

  unsigned threads_;
  unsigned queue_limit_;
  std::atomic<unsigned> pending_{0};
  /// A moving average of how long one hash took, in microseconds (0 until the first).
  std::atomic<std::int64_t> average_us_{0};
  boost::asio::thread_pool threads_pool_;
};

}  // namespace rosterd::edge::api
