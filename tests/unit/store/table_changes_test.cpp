// What an answer cache compares: a number per set of tables that moves once a write to one of
// them is final, and not for writes elsewhere.

#include <catch2/catch.hpp>

#include "store/store.hpp"
#include "store/transaction.hpp"
#include "temp_dir.hpp"

using namespace rosterd::store;

namespace {

std::unique_ptr<store> open_store(const std::filesystem::path& path) {
  auto opened = store::open({.path = path}, nullptr);
  REQUIRE(opened);
  return std::move(*opened);
}

/// The first name after `base` whose counter is not shared with any of `taken` (64 counters).
std::string unshared_name(const std::string& base, std::initializer_list<std::string_view> taken) {
  for (int i = 0;; ++i) {
    auto name = base + std::to_string(i);
    bool shared = false;
    for (const auto t : taken) {
      shared = shared || table_changes::bit_of(t) == table_changes::bit_of(name);
    }
    if (!shared) {
      return name;
    }
  }
}

}  // namespace

TEST_CASE("a write moves the change count of the tables it touched, and only theirs",
          "[store][table-changes]") {
  testing::temp_dir dir;
  auto s = open_store(dir.path() / "t.db");
  const auto watched = unshared_name("watched", {});
  const auto other = unshared_name("other", {watched});
  s->write_now([&](database& db) {
    db.exec("CREATE TABLE " + watched + " (id INTEGER PRIMARY KEY, v TEXT)").value();
    db.exec("CREATE TABLE " + other + " (id INTEGER PRIMARY KEY, v TEXT)").value();
  });
  auto count = [&] { return s->changes_to({watched}); };
  const auto before = count();

  s->write_now(
      [&](database& db) { db.exec("INSERT INTO " + other + " (v) VALUES ('x')").value(); });
  CHECK(count() == before);

  s->write_now(
      [&](database& db) { db.exec("INSERT INTO " + watched + " (v) VALUES ('a')").value(); });
  const auto after_insert = count();
  CHECK(after_insert != before);

  s->write_now([&](database& db) { db.exec("UPDATE " + watched + " SET v = 'b'").value(); });
  const auto after_update = count();
  CHECK(after_update != after_insert);

  // A rolled-back write moves it too: a cache may let go early, never hold on too long.
  s->write_now([&](database& db) {
    auto tx = transaction::begin(db).value();
    db.exec("DELETE FROM " + watched + " WHERE id = 1").value();
  });
  CHECK(count() != after_update);

  // Reads move nothing.
  const auto settled = count();
  s->read_now([&](database& db) { db.exec("SELECT * FROM " + watched).value(); });
  CHECK(count() == settled);
}

TEST_CASE("every table of the schema is seen by the change counts (none is WITHOUT ROWID)",
          "[store][table-changes]") {
  // SQLite's update hook, which the counts come from, does not see WITHOUT ROWID tables.
  testing::temp_dir dir;
  auto s = open_store(dir.path() / "t.db");
  std::vector<std::string> without_rowid;
  s->read_now([&](database& db) {
    auto st = db.prepare(
                    "SELECT name FROM sqlite_schema WHERE type = 'table' AND "
                    "upper(sql) LIKE '%WITHOUT ROWID%'")
                  .value();
    while (st.step().value()) {
      without_rowid.emplace_back(st.column_text(0));
    }
  });
  CHECK(without_rowid.empty());
}
