#include "store/migrations.hpp"

#include <catch2/catch.hpp>

#include "log_capture.hpp"
#include "store/connection.hpp"
#include "store/embedded_migrations.hpp"
#include "store/error.hpp"
#include "store/instance.hpp"
#include "store/schema.hpp"
#include "temp_dir.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd::store;
using rosterd::base::embedded_file;

namespace {

constexpr std::chrono::milliseconds busy{1000};

std::int64_t query_int(database& db, std::string_view sql) {
  auto st = db.prepare(sql).value();
  REQUIRE(st.step().value());
  return st.column_int64(0);
}

bool table_exists(database& db, std::string_view name) {
  auto st =
      db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").value();
  st.bind(1, name);
  REQUIRE(st.step().value());
  return st.column_int64(0) == 1;
}

const migration first{1, "0001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY);"};
const migration second{2, "0002_b.sql",
                       "CREATE TABLE b (id INTEGER PRIMARY KEY);"
                       "INSERT INTO b (id) VALUES (1);"};
// Its first statement succeeds; the second fails, so only a rollback can undo the first.
const migration broken{3, "0003_broken.sql",
                       "CREATE TABLE c (id INTEGER PRIMARY KEY);"
                       "INSERT INTO no_such_table VALUES (1);"};

}  // namespace

TEST_CASE("migration files load in version order whatever order they come in", "[store]") {
  const embedded_file files[] = {{"0002_b.sql", "B"}, {"0001_a.sql", "A"}};
  auto loaded = load_migrations(files);
  REQUIRE(loaded);
  REQUIRE(loaded->size() == 2);
  CHECK((*loaded)[0].version == 1);
  CHECK((*loaded)[0].name == "0001_a.sql");
  CHECK((*loaded)[1].version == 2);
  CHECK((*loaded)[1].sql == "B");
}

TEST_CASE("a migration set with a duplicate version is rejected", "[store]") {
  const embedded_file files[] = {{"0001_a.sql", ""}, {"0001_b.sql", ""}};
  auto loaded = load_migrations(files);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().code == errc::invalid_migrations);
  CHECK(loaded.error().detail.find("0001_b.sql") != std::string::npos);
}

TEST_CASE("a migration set with a gap is rejected", "[store]") {
  const embedded_file files[] = {{"0001_a.sql", ""}, {"0003_c.sql", ""}};
  auto loaded = load_migrations(files);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().code == errc::invalid_migrations);
  CHECK(loaded.error().detail.find("version 2 is missing") != std::string::npos);
}

TEST_CASE("a migration set that does not start at 1 is rejected", "[store]") {
  const embedded_file files[] = {{"0002_b.sql", ""}};
  CHECK_FALSE(load_migrations(files));
}

TEST_CASE("migration file names must be NNNN_<what>.sql", "[store]") {
  for (const char* name : {"0001.sql", "0001_a.txt", "abcd_a.sql", "_a.sql", "0000_zero.sql",
                           "0001_.sql", "1234567890_too_long.sql"}) {
    INFO(name);
    const embedded_file files[] = {{name, ""}};
    auto loaded = load_migrations(files);
    REQUIRE_FALSE(loaded);
    CHECK(loaded.error().code == errc::invalid_migrations);
  }
}

TEST_CASE("the migrations built into the binary form a valid set starting at 0001_instance",
          "[store]") {
  auto loaded = load_migrations(embedded_migrations());
  REQUIRE(loaded);
  REQUIRE_FALSE(loaded->empty());
  CHECK(loaded->front().name == "0001_instance.sql");
  CHECK(head_version() == static_cast<int>(loaded->size()));
}

TEST_CASE("an empty database migrates to head and a second run changes nothing", "[store]") {
  testing::temp_dir dir;
  testing::log_capture log;
  auto db = open_writer(dir / "m.db", busy, head_version()).value();
  CHECK(current_version(db).value() == 0);

  auto report = upgrade_schema(db, log.logger());
  REQUIRE(report);
  CHECK(report->from == 0);
  CHECK(report->to == head_version());
  CHECK(report->applied.size() == static_cast<std::size_t>(head_version()));
  CHECK(current_version(db).value() == head_version());
  CHECK(table_exists(db, "settings"));
  CHECK(query_int(db, "SELECT count(*) FROM schema_migrations") == head_version());
  const auto id = instance_id(db).value();
  CHECK(id.size() == 32);

  auto again = upgrade_schema(db, log.logger());
  REQUIRE(again);
  CHECK(again->from == head_version());
  CHECK(again->to == head_version());
  CHECK(again->applied.empty());
  CHECK(instance_id(db).value() == id);
  CHECK(query_int(db, "SELECT count(*) FROM schema_migrations") == head_version());
}

TEST_CASE("schema_migrations records name, checksum and an ISO-8601 UTC time", "[store]") {
  testing::temp_dir dir;
  testing::log_capture log;
  auto db = open_writer(dir / "m.db", busy, 2).value();
  const migration list[] = {first, second};
  REQUIRE(migrate(db, list, log.logger()));
  auto st = db.prepare(
                  "SELECT version, name, checksum, applied_at FROM schema_migrations "
                  "ORDER BY version")
                .value();
  REQUIRE(st.step().value());
  CHECK(st.column_int64(0) == 1);
  CHECK(st.column_text(1) == "0001_a.sql");
  CHECK(st.column_text(2) == migration_checksum(first.sql));
  const auto applied_at = st.column_text(3);
  CHECK(applied_at.size() == 20);
  CHECK(applied_at[10] == 'T');
  CHECK(applied_at.back() == 'Z');
}

TEST_CASE("a failing migration leaves the database at the previous version, nothing half-applied",
          "[store]") {
  testing::temp_dir dir;
  testing::log_capture log;
  auto db = open_writer(dir / "m.db", busy, 3).value();
  const migration good[] = {first, second};
  REQUIRE(migrate(db, good, log.logger()));

  const migration with_broken[] = {first, second, broken};
  auto result = migrate(db, with_broken, log.logger());
  REQUIRE_FALSE(result);
  CHECK(result.error().code == errc::migration_failed);
  CHECK(result.error().detail.find("0003_broken.sql") != std::string::npos);
  CHECK(result.error().detail.find("schema version 2") != std::string::npos);
  CHECK(result.error().detail.find("no_such_table") != std::string::npos);
  CHECK_FALSE(db.in_transaction());
  CHECK(current_version(db).value() == 2);
  CHECK_FALSE(table_exists(db, "c"));  // the statement that succeeded was rolled back too
  CHECK(query_int(db, "SELECT count(*) FROM b") == 1);
}

TEST_CASE("a failing first migration leaves an empty database at version 0", "[store]") {
  testing::temp_dir dir;
  testing::log_capture log;
  auto db = open_writer(dir / "m.db", busy, 1).value();
  const migration only_broken[] = {{1, "0001_broken.sql", broken.sql}};
  REQUIRE_FALSE(migrate(db, only_broken, log.logger()));
  CHECK(current_version(db).value() == 0);
  CHECK_FALSE(table_exists(db, "c"));
  CHECK_FALSE(table_exists(db, "schema_migrations"));
}

TEST_CASE("a migration that commits on its own is refused and rolled back", "[store]") {
  testing::temp_dir dir;
  testing::log_capture log;
  auto db = open_writer(dir / "m.db", busy, 1).value();
  const migration commits[] = {{1, "0001_commits.sql", "CREATE TABLE a (id INTEGER); COMMIT;"}};
  auto result = migrate(db, commits, log.logger());
  REQUIRE_FALSE(result);
  CHECK(result.error().detail.find("BEGIN/COMMIT") != std::string::npos);
}

TEST_CASE("an applied migration whose file changed is reported as a warning", "[store]") {
  testing::temp_dir dir;
  testing::log_capture log;
  auto db = open_writer(dir / "m.db", busy, 1).value();
  const migration original[] = {first};
  REQUIRE(migrate(db, original, log.logger()));
  CHECK(log.text().find("warn") == std::string::npos);

  const migration edited[] = {{1, "0001_a.sql", "CREATE TABLE a (id INTEGER PRIMARY KEY, x);"}};
  auto report = migrate(db, edited, log.logger());
  REQUIRE(report);
  CHECK(report->applied.empty());
  CHECK(log.text().find("warning migration_checksum_mismatch version=1 file=0001_a.sql") !=
        std::string::npos);
}

TEST_CASE("migrate refuses a database newer than the migrations it is given", "[store]") {
  testing::temp_dir dir;
  testing::log_capture log;
  auto db = open_writer(dir / "m.db", busy, 2).value();
  const migration two[] = {first, second};
  REQUIRE(migrate(db, two, log.logger()));
  const migration one[] = {first};
  auto result = migrate(db, one, log.logger());
  REQUIRE_FALSE(result);
  CHECK(result.error().code == errc::schema_too_new);
}
