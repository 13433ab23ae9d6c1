#pragma once
// store: the daemon's database. One read-write connection on its own thread and a pool of
// read-only connections on theirs (SQLite blocks; I/O threads must not). Coroutines hop onto
// those threads with read()/write() and resume on their own executor.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/logger.h>

#include "base/failure.hpp"
#include "base/guarded.hpp"
#include "base/metrics.hpp"
#include "store/connection_pool.hpp"
#include "store/database.hpp"
#include "store/options.hpp"
#include "store/table_changes.hpp"

namespace rosterd::store {

class store {
 public:
  /// Creates the parent directory if missing (mode 0700), opens the writer (refusing a schema
  /// newer than this build, before anything is written), migrates it to head, then opens
  /// `read_connections` read-only connections. `log` may be null (then nothing is logged).
  [[nodiscard]] static base::result<std::unique_ptr<store>> open(
      const options& opts, std::shared_ptr<spdlog::logger> log);

  store(const store&) = delete;
  store& operator=(const store&) = delete;
  /// Calls close().
  ~store();

  // Operations. f gets a connection only it uses until it returns; keep it short, keep no
  // reference to the connection, and never start another store operation inside f (the
  // connection it would wait for may be the one f holds).

  /// Runs f(database&) on a read-only connection on the read pool and resumes the caller on
  /// its own executor with f's value; an exception from f is rethrown in the caller. The
  /// store must outlive the call. `f` is moved from.
  ///
  /// f must be a named object, never a lambda written in the co_await expression: g++ 12
  /// destroys a closure temporary in a co_await expression twice (a double free when it
  /// captures a string). Hence the lvalue reference: the mistake does not compile.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&, database&>> read(F& f) {
    return hop(op_kind::read, std::move(f));
  }
  /// Like read(), on the single writer thread and connection: writes are serialised. Use
  /// transaction::begin inside f; a transaction f leaves open is rolled back and logged.
  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&, database&>> write(F& f) {
    return hop(op_kind::write, std::move(f));
  }

  /// Runs f on a read connection on the calling thread (blocking until one is free). For the
  /// CLI and startup, never for I/O threads.
  template <class F>
  std::invoke_result_t<F&, database&> read_now(F&& f) {
    return run(op_kind::read, f);
  }
  /// Runs f on the writer connection on the calling thread, holding its lock.
  template <class F>
  std::invoke_result_t<F&, database&> write_now(F&& f) {
    return run(op_kind::write, f);
  }

  /// The schema version after migration (== head when open succeeded).
  [[nodiscard]] int schema_version() const noexcept;
  /// Cheap: false when the latest operation threw or failed for an environmental reason
  /// (io, full, corrupt, readonly, open_failed); a constraint or busy failure keeps it true.
  [[nodiscard]] bool healthy() const noexcept;
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// A number that moves once a write operation of this store that changed a row of one of
  /// `tables` (names as created) has returned, committed or rolled back. Read before a read
  /// operation and unchanged later, it means no write of this process touched those tables in
  /// between: what answer caches key on. Writes by other processes (rosterctl) do not move it;
  /// a cache bounds how long it trusts an answer for them.
  [[nodiscard]] std::uint64_t changes_to(
      std::initializer_list<std::string_view> tables) const noexcept {
    return table_changes_.count(tables);
  }

  /// Waits for queued operations, stops the threads and closes every connection (the writer
  /// last, so SQLite checkpoints the WAL). Idempotent; must not race with other calls. Any
  /// operation after close() throws std::logic_error.
  void close();

 private:
  enum class op_kind { read, write };
  enum class outcome { ok, failed, broken };

  struct instruments;

  /// Rolls back (and logs) a transaction that the operation left open on its connection.
  class transaction_check {
   public:
    transaction_check(database& db, spdlog::logger& log) noexcept : db_(db), log_(log) {}
    transaction_check(const transaction_check&) = delete;
    transaction_check& operator=(const transaction_check&) = delete;
    ~transaction_check();

   private:
    database& db_;
    spdlog::logger& log_;
  };

  /// Publishes the tables the writer touched during one operation (holding the writer lock).
  class publish_changes {
   public:
    explicit publish_changes(store& s) noexcept : store_(s) {}
    publish_changes(const publish_changes&) = delete;
    publish_changes& operator=(const publish_changes&) = delete;
    ~publish_changes() {
      store_.table_changes_.publish(store_.touched_tables_);
      store_.touched_tables_ = 0;
    }

   private:
    store& store_;
  };
  static void on_row_change(void* self, int op, const char* db_name, const char* table,
                            long long rowid) noexcept;

  template <class T>
  struct is_result : std::false_type {};
  template <class T>
  struct is_result<base::result<T>> : std::true_type {};

  store(const options& opts, std::shared_ptr<spdlog::logger> log, database writer,
        std::vector<database> readers, int version);

  template <class F>
  boost::asio::awaitable<std::invoke_result_t<F&, database&>> hop(op_kind kind, F f);
  template <class F>
  std::invoke_result_t<F&, database&> run(op_kind kind, F& f);
  template <class F>
  std::invoke_result_t<F&, database&> with_connection(op_kind kind, F& f);

  template <class R>
  static outcome classify(const R& value) {
    if constexpr (is_result<R>::value) {
      return value ? outcome::ok : classify_failure(value.error());
    } else {
      return outcome::ok;
    }
  }
  static outcome classify_failure(const base::failure& f) noexcept;
  void finish(op_kind kind, std::chrono::steady_clock::time_point started, outcome result);
  void check_open() const;

  std::filesystem::path path_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<instruments> instruments_;
  std::shared_ptr<std::atomic<int>> version_;  // shared with the metrics gauge
  std::atomic<bool> healthy_{true};
  table_changes table_changes_;
  std::uint64_t touched_tables_ = 0;  // writer connection only: bits of the tables changed
  std::atomic<bool> closed_{false};
  std::unique_ptr<base::guarded<database>> writer_;
  std::unique_ptr<connection_pool> readers_;
  boost::asio::thread_pool writer_thread_;
  boost::asio::thread_pool reader_threads_;
};

template <class F>
boost::asio::awaitable<std::invoke_result_t<F&, database&>> store::hop(op_kind kind, F f) {
  using R = std::invoke_result_t<F&, database&>;
  static_assert(!std::is_reference_v<R>, "a store operation must return a value");
  auto executor =
      kind == op_kind::read ? reader_threads_.get_executor() : writer_thread_.get_executor();
  // The tasks are named, not written inside co_await: see read().
  if constexpr (std::is_void_v<R>) {
    auto task = [this, kind, f = std::move(f)]() mutable -> boost::asio::awaitable<void> {
      run(kind, f);
      co_return;
    };
    co_await boost::asio::co_spawn(executor, std::move(task), boost::asio::use_awaitable);
  } else {
    // Wrapped in optional because co_spawn default-constructs the value on its exception
    // path, and R (a result<T>, say) need not be default-constructible.
    auto task = [this, kind,
                 f = std::move(f)]() mutable -> boost::asio::awaitable<std::optional<R>> {
      co_return std::optional<R>(run(kind, f));
    };
    auto value =
        co_await boost::asio::co_spawn(executor, std::move(task), boost::asio::use_awaitable);
    co_return std::move(*value);
  }
}

template <class F>
std::invoke_result_t<F&, database&> store::run(op_kind kind, F& f) {
  using R = std::invoke_result_t<F&, database&>;
  const auto started = std::chrono::steady_clock::now();
  if constexpr (std::is_void_v<R>) {
    try {
      with_connection(kind, f);
    } catch (...) {
      finish(kind, started, outcome::broken);
      throw;
    }
    finish(kind, started, outcome::ok);
  } else {
    std::optional<R> value;
    try {
      value.emplace(with_connection(kind, f));
    } catch (...) {
      finish(kind, started, outcome::broken);
      throw;
    }
    finish(kind, started, classify(*value));
    return std::move(*value);
  }
}

template <class F>
std::invoke_result_t<F&, database&> store::with_connection(op_kind kind, F& f) {
  check_open();
  if (kind == op_kind::write) {
    auto db = writer_->lock();
    // Declared before the transaction check, so it runs after a left-open transaction was
    // rolled back: readers see the counters move only once the writes are final.
    const publish_changes publish(*this);
    transaction_check check(*db, *log_);
    return f(*db);
  }
  auto db = readers_->acquire();
  transaction_check check(*db, *log_);
  return f(*db);
}

}  // namespace rosterd::store
