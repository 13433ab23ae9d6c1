#include "store/error.hpp"

#include <set>
#include <string>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "store/sqlite_failure.hpp"
#include "tests/support/errc_walk.hpp"

using rosterd::store::errc;

TEST_CASE("every store error code has a message and a unique name in the store category",
          "[store]") {
  const std::string unknown = make_error_code(static_cast<errc>(0)).message();
  std::set<std::string> names;
  const auto all = rosterd::testing::every_errc(rosterd::store::errc_name);
  CHECK(all.front() == errc::busy);
  CHECK(all.back() == errc::sqlite_error);
  for (const auto e : all) {
    const std::error_code code = e;
    INFO("errc value " << code.value());
    CHECK(code.category().name() == std::string("store"));
    CHECK_FALSE(code.message().empty());
    CHECK(code.message() != unknown);
    CHECK(names.insert(std::string(rosterd::store::errc_name(e))).second);
  }
  CHECK(rosterd::store::errc_name(static_cast<errc>(0)) == "unknown");
}

TEST_CASE("SQLite result codes map to the store's error codes", "[store]") {
  using rosterd::store::errc_from_sqlite;
  CHECK(errc_from_sqlite(SQLITE_BUSY) == errc::busy);
  CHECK(errc_from_sqlite(SQLITE_LOCKED) == errc::busy);
  CHECK(errc_from_sqlite(SQLITE_CONSTRAINT_UNIQUE) == errc::constraint);
  CHECK(errc_from_sqlite(SQLITE_CONSTRAINT_FOREIGNKEY) == errc::constraint);
  CHECK(errc_from_sqlite(SQLITE_FULL) == errc::full);
  CHECK(errc_from_sqlite(SQLITE_CORRUPT) == errc::corrupt);
  CHECK(errc_from_sqlite(SQLITE_NOTADB) == errc::corrupt);
  CHECK(errc_from_sqlite(SQLITE_IOERR_FSYNC) == errc::io);
  CHECK(errc_from_sqlite(SQLITE_READONLY) == errc::readonly);
  CHECK(errc_from_sqlite(SQLITE_CANTOPEN) == errc::open_failed);
  CHECK(errc_from_sqlite(SQLITE_MISUSE) == errc::misuse);
  CHECK(errc_from_sqlite(SQLITE_RANGE) == errc::misuse);
  CHECK(errc_from_sqlite(SQLITE_ERROR) == errc::sqlite_error);
}
