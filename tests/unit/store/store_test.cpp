#include "store/store.hpp"

#include <future>
#include <stdexcept>
#include <sys/stat.h>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "log_capture.hpp"
#include "store/error.hpp"
#include "store/instance.hpp"
#include "store/migrations.hpp"
#include "store/transaction.hpp"
#include "temp_dir.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd::store;
namespace asio = boost::asio;

namespace {

std::unique_ptr<store> open_store(const std::filesystem::path& path,
                                  rosterd::base::metrics::registry* metrics = nullptr,
                                  std::chrono::milliseconds busy = std::chrono::seconds(5)) {
  auto opened = store::open({.path = path, .busy_timeout = busy, .metrics = metrics}, nullptr);
  REQUIRE(opened);
  return std::move(*opened);
}

std::int64_t count_items(database& db) {
  auto st = db.prepare("SELECT count(*) FROM items").value();
  st.step().value();
  return st.column_int64(0);
}

void create_items(store& s) {
  s.write_now([](database& db) { db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY)").value(); });
}

/// Runs `body` as a coroutine on a one-thread io_context until it finishes; rethrows.
template <class Body>
void run_coroutine(Body body) {
  asio::io_context io;
  asio::co_spawn(io, std::move(body), [](std::exception_ptr e) {
    if (e) {
      std::rethrow_exception(e);
    }
  });
  io.run();
}

}  // namespace

TEST_CASE(
    "opening a store creates the database and missing parent directories private to the owner",
    "[store]") {
  testing::temp_dir dir;
  const auto path = dir / "state" / "nested" / "rosterd.db";
  auto s = open_store(path);
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);  // it holds secrets, whatever the umask
  REQUIRE(::stat((dir / "state").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  REQUIRE(::stat((dir / "state" / "nested").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
}

TEST_CASE("an opened store is migrated to head and keeps its instance id across reopening",
          "[store]") {
  testing::temp_dir dir;
  std::string id;
  {
    auto s = open_store(dir / "s.db");
    CHECK(s->schema_version() == head_version());
    CHECK(s->healthy());
    id = s->read_now([](database& db) { return instance_id(db); }).value();
  }
  auto s = open_store(dir / "s.db");
  CHECK(s->read_now([](database& db) { return instance_id(db); }).value() == id);
}

TEST_CASE("read and write run on store threads and resume the coroutine on its own thread",
          "[store]") {
  testing::temp_dir dir;
  auto s = open_store(dir / "s.db");
  create_items(*s);
  std::thread::id before, after_write, after_read, writer, reader;
  std::int64_t count = -1;
  run_coroutine([&]() -> asio::awaitable<void> {
    before = std::this_thread::get_id();
    auto insert_item = [&](database& db) {
      writer = std::this_thread::get_id();
      db.exec("INSERT INTO items DEFAULT VALUES").value();
    };
    co_await s->write(insert_item);
    after_write = std::this_thread::get_id();
    auto count_on_reader = [&](database& db) {
      reader = std::this_thread::get_id();
      return count_items(db);
    };
    count = co_await s->read(count_on_reader);
    after_read = std::this_thread::get_id();
  });
  CHECK(count == 1);
  CHECK(before == std::this_thread::get_id());
  CHECK(after_write == before);
  CHECK(after_read == before);
  CHECK(writer != before);
  CHECK(reader != before);
  CHECK(reader != writer);
}

TEST_CASE("an exception thrown by a store operation reaches the awaiting coroutine", "[store]") {
  testing::temp_dir dir;
  auto s = open_store(dir / "s.db");
  std::string caught;
  run_coroutine([&]() -> asio::awaitable<void> {
    try {
      auto throwing_write = [](database&) -> int { throw std::runtime_error("boom"); };
      co_await s->write(throwing_write);
    } catch (const std::runtime_error& e) {
      caught = e.what();
    }
  });
  CHECK(caught == "boom");
  CHECK_FALSE(s->healthy());  // an operation that throws is not business as usual
  s->read_now([](database&) {});
  CHECK(s->healthy());
}

TEST_CASE("a failed result comes back as a value and an expected failure keeps the store healthy",
          "[store]") {
  testing::temp_dir dir;
  auto s = open_store(dir / "s.db");
  std::optional<rosterd::base::result<void>> outcome;
  run_coroutine([&]() -> asio::awaitable<void> {
    auto failing_write = [](database& db) {
      return db.exec(
          "INSERT INTO settings (key, value, updated_at) VALUES ('instance_id', 'x', 'y')");
    };
    outcome = co_await s->write(failing_write);
  });
  REQUIRE(outcome);
  REQUIRE_FALSE(*outcome);
  CHECK(outcome->error().code == errc::constraint);
  CHECK(s->healthy());
}

TEST_CASE("reads are not blocked while a write transaction is open", "[store]") {
  testing::temp_dir dir;
  // A read that waited for the writer would fail with busy after this timeout, not hang.
  constexpr std::chrono::seconds busy{2};
  auto s = open_store(dir / "s.db", nullptr, busy);
  create_items(*s);
  std::promise<void> write_open, reads_done;
  auto writer = std::async(std::launch::async, [&] {
    return s->write_now([&](database& db) {
      auto tx = transaction::begin(db).value();
      db.exec("INSERT INTO items DEFAULT VALUES").value();
      write_open.set_value();
      reads_done.get_future().wait();
      return tx.commit();
    });
  });
  write_open.get_future().wait();

  const auto started = std::chrono::steady_clock::now();
  const auto uncommitted = s->read_now([](database& db) { return count_items(db); });
  std::int64_t from_coroutine = -1;
  run_coroutine([&]() -> asio::awaitable<void> {
    auto count_from_coroutine = [](database& db) { return count_items(db); };
    from_coroutine = co_await s->read(count_from_coroutine);
  });
  const auto elapsed = std::chrono::steady_clock::now() - started;
  reads_done.set_value();

  CHECK(uncommitted == 0);
  CHECK(from_coroutine == 0);
  CHECK(elapsed < busy);
  CHECK(writer.get());
  CHECK(s->read_now([](database& db) { return count_items(db); }) == 1);
}

TEST_CASE("a transaction an operation leaves open is rolled back and logged", "[store]") {
  testing::temp_dir dir;
  testing::log_capture log;
  auto s = std::move(store::open({.path = dir / "s.db"}, log.shared()).value());
  create_items(*s);
  s->write_now(
      [](database& db) { db.exec("BEGIN IMMEDIATE; INSERT INTO items DEFAULT VALUES").value(); });
  CHECK(log.text().find("store_transaction_left_open") != std::string::npos);
  CHECK(s->read_now([](database& db) { return count_items(db); }) == 0);
  s->write_now([](database& db) { db.exec("INSERT INTO items DEFAULT VALUES").value(); });
  CHECK(s->read_now([](database& db) { return count_items(db); }) == 1);
}

TEST_CASE("store operations are counted and timed in the metrics registry", "[store]") {
  testing::temp_dir dir;
  rosterd::base::metrics::registry metrics;
  {
    auto s = open_store(dir / "s.db", &metrics);
    s->read_now([](database&) {});
    s->write_now([](database& db) { return db.exec("SELEKT"); });
    const auto text = metrics.expose();
    CHECK(text.find("rosterd_store_operations_total{kind=\"read\",outcome=\"ok\"} 1") !=
          std::string::npos);
    CHECK(text.find("rosterd_store_operations_total{kind=\"write\",outcome=\"error\"} 1") !=
          std::string::npos);
    CHECK(text.find("rosterd_store_operation_seconds_count{kind=\"read\"} 1") != std::string::npos);
    CHECK(text.find("rosterd_store_schema_version " + std::to_string(head_version())) !=
          std::string::npos);
  }
  // The gauge outlives the store safely.
  CHECK_FALSE(metrics.expose().empty());
}

TEST_CASE("close is idempotent and later use is a logic error", "[store]") {
  testing::temp_dir dir;
  auto s = open_store(dir / "s.db");
  s->close();
  s->close();
  CHECK_THROWS_AS(s->read_now([](database&) {}), std::logic_error);
  CHECK_FALSE(std::filesystem::exists(dir / "s.db-wal"));  // checkpointed on close
}

TEST_CASE("a store needs at least one read connection", "[store]") {
  testing::temp_dir dir;
  auto opened = store::open({.path = dir / "s.db", .read_connections = 0}, nullptr);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == errc::misuse);
}
