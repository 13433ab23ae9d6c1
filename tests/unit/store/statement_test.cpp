#include "store/statement.hpp"

#include <catch2/catch.hpp>

#include "store/database.hpp"
#include "store/error.hpp"
#include "temp_dir.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd::store;

namespace {

database scratch_database(const testing::temp_dir& dir) {
  auto db = database::open(dir / "scratch.db", open_mode::read_write_create).value();
  db.exec("CREATE TABLE t (i INTEGER, r REAL, s TEXT, n INTEGER)").value();
  return db;
}

}  // namespace

TEST_CASE("bound values come back with their types", "[store]") {
  testing::temp_dir dir;
  auto db = scratch_database(dir);
  auto insert = db.prepare("INSERT INTO t (i, r, s, n) VALUES (?, ?, ?, ?)").value();
  const std::string text("a\0b", 3);  // embedded NUL: bound by size, not strlen
  insert.bind_all(std::int64_t{1} << 40, 2.5, std::string_view(text), nullptr);
  REQUIRE(insert.run());
  CHECK(db.changes() == 1);
  CHECK(db.last_insert_rowid() == 1);

  auto select = db.prepare("SELECT i, r, s, n FROM t").value();
  REQUIRE(select.step().value());
  CHECK(select.column_count() == 4);
  CHECK(select.column_int64(0) == std::int64_t{1} << 40);
  CHECK(select.column_double(1) == 2.5);
  CHECK(select.column_text(2) == text);
  CHECK(select.column_is_null(3));
  CHECK_FALSE(select.column_is_null(0));
  CHECK(select.column_int64(3) == 0);
  CHECK(select.column_text(3).empty());
  CHECK_FALSE(select.step().value());
}

TEST_CASE("optional, nullopt, bool and small integers bind as expected", "[store]") {
  testing::temp_dir dir;
  auto db = scratch_database(dir);
  auto insert = db.prepare("INSERT INTO t (i, r, s, n) VALUES (?, ?, ?, ?)").value();
  insert.bind_all(7, std::optional<double>{}, std::optional<std::string>{"x"}, std::nullopt);
  REQUIRE(insert.run());
  insert.reset();
  insert.bind_all(true, std::optional<double>{1.5}, "y", std::optional<std::int64_t>{3});
  REQUIRE(insert.run());

  auto select = db.prepare("SELECT i, r, s, n FROM t ORDER BY rowid").value();
  REQUIRE(select.step().value());
  CHECK(select.column_int64(0) == 7);
  CHECK(select.column_is_null(1));
  CHECK(select.column_text(2) == "x");
  CHECK(select.column_is_null(3));
  REQUIRE(select.step().value());
  CHECK(select.column_int64(0) == 1);
  CHECK(select.column_double(1) == 1.5);
  CHECK(select.column_text(2) == "y");
  CHECK(select.column_int64(3) == 3);
}

TEST_CASE("a reset statement runs again with its bindings kept", "[store]") {
  testing::temp_dir dir;
  auto db = scratch_database(dir);
  auto insert = db.prepare("INSERT INTO t (i) VALUES (?)").value();
  insert.bind(1, 5);
  REQUIRE(insert.run());
  insert.reset();
  REQUIRE(insert.run());
  insert.reset();
  insert.clear_bindings();
  REQUIRE(insert.run());
  auto count = db.prepare("SELECT count(*), count(i), sum(i) FROM t").value();
  REQUIRE(count.step().value());
  CHECK(count.column_int64(0) == 3);
  CHECK(count.column_int64(1) == 2);
  CHECK(count.column_int64(2) == 10);
}

TEST_CASE("binding a parameter index that does not exist throws misuse", "[store]") {
  testing::temp_dir dir;
  auto db = scratch_database(dir);
  auto insert = db.prepare("INSERT INTO t (i) VALUES (?)").value();
  try {
    insert.bind(2, 1);
    FAIL("bind did not throw");
  } catch (const std::system_error& e) {
    CHECK(e.code() == errc::misuse);
    CHECK(std::string(e.what()).find("INSERT INTO t") != std::string::npos);
  }
}

TEST_CASE("prepare refuses SQL with a second statement and reports syntax errors", "[store]") {
  testing::temp_dir dir;
  auto db = scratch_database(dir);
  auto two = db.prepare("SELECT 1; DELETE FROM t");
  REQUIRE_FALSE(two);
  CHECK(two.error().code == errc::misuse);
  CHECK(db.prepare("SELECT 1;  \n"));

  auto bad = db.prepare("SELEKT 1");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code == errc::sqlite_error);
  CHECK(bad.error().detail.find("syntax error") != std::string::npos);
}

TEST_CASE("a cached statement is prepared once and comes back reset", "[store]") {
  testing::temp_dir dir;
  auto db = scratch_database(dir);
  db.exec("INSERT INTO t (i) VALUES (1), (2), (3)").value();
  constexpr std::string_view sql = "SELECT i FROM t WHERE i >= ? ORDER BY i";
  {
    auto first = db.cached(sql).value();
    first->bind(1, 2);
    REQUIRE(first->step().value());
    CHECK(first->column_int64(0) == 2);
    // Left mid-iteration on purpose: giving it back must reset it.
  }
  CHECK(db.cached_count() == 1);
  auto again = db.cached(sql).value();
  again->bind(1, 1);
  REQUIRE(again->step().value());
  CHECK(again->column_int64(0) == 1);
  CHECK(db.cached_count() == 1);
}

TEST_CASE("a nested use of a cached query gets its own statement", "[store]") {
  testing::temp_dir dir;
  auto db = scratch_database(dir);
  db.exec("INSERT INTO t (i) VALUES (1), (2)").value();
  constexpr std::string_view sql = "SELECT i FROM t ORDER BY i";
  auto outer = db.cached(sql).value();
  REQUIRE(outer->step().value());
  auto inner = db.cached(sql).value();
  REQUIRE(inner->step().value());
  CHECK(inner->column_int64(0) == 1);
  REQUIRE(outer->step().value());
  CHECK(outer->column_int64(0) == 2);
  CHECK(db.cached_count() == 1);
}

TEST_CASE("a cached statement with bad SQL fails like prepare", "[store]") {
  testing::temp_dir dir;
  auto db = scratch_database(dir);
  CHECK_FALSE(db.cached("SELECT nope FROM t").has_value());
  CHECK(db.cached_count() == 0);
}

TEST_CASE("blobs round-trip byte for byte, an empty one is not NULL", "[store]") {
  testing::temp_dir dir;
  auto db = scratch_database(dir);
  db.exec("CREATE TABLE b (k INTEGER, v BLOB)").value();
  auto insert = db.prepare("INSERT INTO b (k, v) VALUES (?, ?)").value();
  const std::vector<std::uint8_t> bytes{0x00, 0xff, 0x10, 0x00, 0x7f};
  insert.bind_all(1, bytes);
  REQUIRE(insert.run());
  insert.reset();
  insert.bind_all(2, std::vector<std::uint8_t>{});
  REQUIRE(insert.run());
  insert.reset();
  insert.bind_all(3, std::optional<std::vector<std::uint8_t>>{});
  REQUIRE(insert.run());

  auto select = db.prepare("SELECT v, v IS NULL, typeof(v) FROM b ORDER BY k").value();
  REQUIRE(select.step().value());
  CHECK(select.column_blob(0) == bytes);
  CHECK(select.column_text(2) == "blob");
  REQUIRE(select.step().value());
  CHECK(select.column_blob(0).empty());
  CHECK(select.column_int64(1) == 0);
  REQUIRE(select.step().value());
  CHECK(select.column_int64(1) == 1);
  CHECK(select.column_blob(0).empty());
}
