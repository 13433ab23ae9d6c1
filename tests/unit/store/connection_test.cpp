#include "store/connection.hpp"

#include <fstream>

#include <catch2/catch.hpp>

#include "store/error.hpp"
#include "store/migrations.hpp"
#include "store/store.hpp"
#include "temp_dir.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd::store;

namespace {

constexpr std::chrono::milliseconds busy{1000};

std::string pragma(database& db, std::string_view name) {
  auto st = db.prepare("PRAGMA " + std::string(name)).value();
  REQUIRE(st.step().value());
  return st.column_text(0);
}

/// A database that a far-future rosterd migrated to version 999 (far enough that adding a
/// migration never makes it current).
void make_newer_database(const std::filesystem::path& path, bool wal) {
  auto db = database::open(path, open_mode::read_write_create).value();
  if (wal) {
    db.exec("PRAGMA journal_mode = WAL").value();
  }
  db.exec(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        "  checksum TEXT NOT NULL, applied_at TEXT NOT NULL);"
        "INSERT INTO schema_migrations VALUES (999, '0999_future.sql', 'x',"
        "  '2030-01-01T00:00:00Z');"
        "CREATE TABLE future (id INTEGER PRIMARY KEY)")
      .value();
}

}  // namespace

TEST_CASE("a read-write connection uses WAL, foreign keys and synchronous=FULL", "[store]") {
  testing::temp_dir dir;
  auto db = open_writer(dir / "w.db", std::chrono::milliseconds(1234), head_version()).value();
  CHECK(pragma(db, "journal_mode") == "wal");
  CHECK(pragma(db, "foreign_keys") == "1");
  CHECK(pragma(db, "synchronous") == "2");
  CHECK(pragma(db, "busy_timeout") == "1234");
}

TEST_CASE("a read-only connection cannot write", "[store]") {
  testing::temp_dir dir;
  {
    auto writer = open_writer(dir / "r.db", busy, head_version()).value();
    writer.exec("CREATE TABLE t (id INTEGER)").value();
  }
  auto reader = open_reader(dir / "r.db", busy).value();
  CHECK(pragma(reader, "query_only") == "1");
  CHECK(pragma(reader, "foreign_keys") == "1");
  auto write = reader.exec("INSERT INTO t VALUES (1)");
  REQUIRE_FALSE(write);
  CHECK(write.error().code == errc::readonly);
  auto ddl = reader.exec("CREATE TABLE u (id INTEGER)");
  REQUIRE_FALSE(ddl);
  CHECK(ddl.error().code == errc::readonly);
}

TEST_CASE("opening a read-only connection to a missing file fails with open_failed", "[store]") {
  testing::temp_dir dir;
  auto reader = open_reader(dir / "missing.db", busy);
  REQUIRE_FALSE(reader);
  CHECK(reader.error().code == errc::open_failed);
  CHECK(reader.error().detail.find("missing.db") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "missing.db"));
}

TEST_CASE("a database with a newer schema is refused and its bytes are left untouched", "[store]") {
  const bool wal = GENERATE(false, true);
  INFO((wal ? "WAL mode" : "rollback-journal mode"));
  testing::temp_dir dir;
  const auto path = dir / "newer.db";
  make_newer_database(path, wal);
  REQUIRE_FALSE(std::filesystem::exists(path.string() + "-wal"));  // closed cleanly
  const auto before = testing::read_bytes(path);

  auto writer = open_writer(path, busy, head_version());
  REQUIRE_FALSE(writer);
  CHECK(writer.error().code == errc::schema_too_new);
  CHECK(writer.error().detail ==
        "database " + path.string() + " has schema version 999 but this rosterd knows versions " +
            "up to " + std::to_string(head_version()) + "; upgrade rosterd or restore a backup");
  CHECK(testing::read_bytes(path) == before);

  auto opened = store::open({.path = path}, nullptr);
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == errc::schema_too_new);
  CHECK(testing::read_bytes(path) == before);
  CHECK_FALSE(std::filesystem::exists(path.string() + "-wal"));
}

TEST_CASE("a file that is not a database is refused as corrupt without being changed", "[store]") {
  testing::temp_dir dir;
  const auto path = dir / "text.db";
  {
    std::ofstream out(path);
    out << std::string(4096, 'x');
  }
  const auto before = testing::read_bytes(path);
  auto writer = open_writer(path, busy, head_version());
  REQUIRE_FALSE(writer);
  CHECK(writer.error().code == errc::corrupt);
  CHECK(testing::read_bytes(path) == before);
}
