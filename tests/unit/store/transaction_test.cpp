#include "store/transaction.hpp"

#include <catch2/catch.hpp>

#include "store/connection.hpp"
#include "store/error.hpp"
#include "temp_dir.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd::store;

namespace {

std::int64_t count_rows(database& db, std::string_view table) {
  auto st = db.prepare("SELECT count(*) FROM " + std::string(table)).value();
  REQUIRE(st.step().value());
  return st.column_int64(0);
}

database writer_with_table(const testing::temp_dir& dir) {
  auto db = open_writer(dir / "tx.db", std::chrono::milliseconds(1000), 0).value();
  db.exec(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
        "CREATE TABLE child (id INTEGER PRIMARY KEY,"
        "  parent_id INTEGER NOT NULL REFERENCES parent (id))")
      .value();
  return db;
}

}  // namespace

TEST_CASE("a transaction that is not committed is rolled back when it ends", "[store]") {
  testing::temp_dir dir;
  auto db = writer_with_table(dir);
  {
    auto tx = transaction::begin(db).value();
    db.exec("INSERT INTO parent (name) VALUES ('a')").value();
    CHECK(db.in_transaction());
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(count_rows(db, "parent") == 0);
}

TEST_CASE("a committed transaction keeps its changes", "[store]") {
  testing::temp_dir dir;
  auto db = writer_with_table(dir);
  {
    auto tx = transaction::begin(db, transaction::kind::deferred).value();
    db.exec("INSERT INTO parent (name) VALUES ('a')").value();
    REQUIRE(tx.commit());
  }
  CHECK(count_rows(db, "parent") == 1);
}

TEST_CASE("an explicit rollback undoes the changes and the destructor does nothing more",
          "[store]") {
  testing::temp_dir dir;
  auto db = writer_with_table(dir);
  auto tx = transaction::begin(db).value();
  db.exec("INSERT INTO parent (name) VALUES ('a')").value();
  tx.rollback();
  CHECK(count_rows(db, "parent") == 0);
  db.exec("INSERT INTO parent (name) VALUES ('b')").value();  // autocommit again
  CHECK(count_rows(db, "parent") == 1);
}

TEST_CASE("unique and foreign key violations fail with errc::constraint", "[store]") {
  testing::temp_dir dir;
  auto db = writer_with_table(dir);
  db.exec("INSERT INTO parent (id, name) VALUES (1, 'a')").value();

  auto duplicate = db.prepare("INSERT INTO parent (name) VALUES (?)").value();
  duplicate.bind(1, "a");
  auto unique = duplicate.run();
  REQUIRE_FALSE(unique);
  CHECK(unique.error().code == errc::constraint);
  CHECK(unique.error().detail.find("UNIQUE constraint failed") != std::string::npos);

  auto orphan = db.exec("INSERT INTO child (parent_id) VALUES (42)");
  REQUIRE_FALSE(orphan);
  CHECK(orphan.error().code == errc::constraint);
  CHECK(orphan.error().detail.find("FOREIGN KEY") != std::string::npos);
}
