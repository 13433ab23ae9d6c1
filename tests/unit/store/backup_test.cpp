#include "store/backup.hpp"

#include <atomic>
#include <fstream>
#include <sys/stat.h>
#include <thread>

#include <catch2/catch.hpp>

#include "store/connection.hpp"
#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "store/transaction.hpp"
#include "temp_dir.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd::store;

namespace {

std::int64_t query_int(database& db, std::string_view sql) {
  auto st = db.prepare(sql).value();
  REQUIRE(st.step().value());
  return st.column_int64(0);
}

/// Each transaction adds one item and bumps totals.n, so a consistent copy has n == count.
void add_item(database& db) {
  auto tx = transaction::begin(db).value();
  db.exec(
        "INSERT INTO items (payload) VALUES (hex(zeroblob(500)));"
        "UPDATE totals SET n = n + 1")
      .value();
  tx.commit().value();
}

std::unique_ptr<store> populated_store(const std::filesystem::path& path, int rows) {
  auto s = std::move(store::open({.path = path}, nullptr).value());
  s->write_now([&](database& db) {
    db.exec(
          "CREATE TABLE items (id INTEGER PRIMARY KEY, payload TEXT NOT NULL);"
          "CREATE TABLE totals (n INTEGER NOT NULL); INSERT INTO totals VALUES (0)")
        .value();
    for (int i = 0; i < rows; ++i) {
      add_item(db);
    }
  });
  return s;
}

bool has_temporary_files(const std::filesystem::path& dir) {
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().find(".tmp-") != std::string::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("a backup taken while another thread writes is a consistent, verified copy", "[store]") {
  testing::temp_dir dir;
  const auto source = dir / "live.db";
  const auto destination = dir / "backup.db";
  auto s = populated_store(source, 1000);

  std::atomic<bool> stop{false};
  std::atomic<int> written_during{0};
  std::thread writer([&] {
    while (!stop) {
      s->write_now([](database& db) { add_item(db); });
      ++written_during;
    }
  });
  while (written_during == 0) {
    std::this_thread::yield();
  }
  // Few pages per step, so the copy takes many steps with writes landing in between.
  auto report = backup(source, destination, {.pages_per_step = 4});
  stop = true;
  writer.join();

  REQUIRE(report);
  CHECK(report->destination == destination);
  CHECK(report->pages > 100);
  CHECK(report->bytes == std::filesystem::file_size(destination));
  CHECK(report->schema_version == head_version());
  CHECK_FALSE(has_temporary_files(dir.path()));

  struct stat info {};
  REQUIRE(::stat(destination.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);

  auto copy = open_reader(destination, std::chrono::seconds(1)).value();
  auto integrity = copy.prepare("PRAGMA integrity_check").value();
  REQUIRE(integrity.step().value());
  CHECK(integrity.column_text(0) == "ok");
  CHECK(current_version(copy).value() == head_version());
  const auto items = query_int(copy, "SELECT count(*) FROM items");
  CHECK(items == query_int(copy, "SELECT n FROM totals"));
  CHECK(items > 1000);
  CHECK(items <= 1000 + written_during.load());
  INFO("rows written during the backup: " << written_during.load());
}

TEST_CASE("a backup replaces an existing destination file", "[store]") {
  testing::temp_dir dir;
  const auto destination = dir / "backup.db";
  {
    std::ofstream old(destination);
    old << "previous backup";
  }
  auto s = populated_store(dir / "live.db", 10);
  auto report = backup(dir / "live.db", destination);
  REQUIRE(report);
  auto copy = open_reader(destination, std::chrono::seconds(1)).value();
  CHECK(query_int(copy, "SELECT count(*) FROM items") == 10);
}

TEST_CASE("a backup into a missing directory fails clearly and leaves nothing behind", "[store]") {
  testing::temp_dir dir;
  auto s = populated_store(dir / "live.db", 10);
  const auto destination = dir / "no" / "such" / "backup.db";
  auto report = backup(dir / "live.db", destination);
  REQUIRE_FALSE(report);
  CHECK(report.error().code == errc::backup_failed);
  CHECK(report.error().detail.find("destination directory " + (dir / "no" / "such").string() +
                                   " does not exist") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "no"));
  CHECK_FALSE(has_temporary_files(dir.path()));
}

TEST_CASE("a backup of a missing database fails with not_found", "[store]") {
  testing::temp_dir dir;
  auto report = backup(dir / "missing.db", dir / "backup.db");
  REQUIRE_FALSE(report);
  CHECK(report.error().code == errc::not_found);
  CHECK(report.error().detail.find("missing.db does not exist") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "backup.db"));
}

TEST_CASE("a backup onto the database itself is refused", "[store]") {
  testing::temp_dir dir;
  auto s = populated_store(dir / "live.db", 1);
  auto report = backup(dir / "live.db", dir / "live.db");
  REQUIRE_FALSE(report);
  CHECK(report.error().code == errc::backup_failed);
}
