#include "store/instance.hpp"

#include <chrono>

#include "base/random.hpp"
#include "store/error.hpp"
#include "store/timestamp.hpp"
#include "store/transaction.hpp"

namespace rosterd::store {
namespace {

// ON CONFLICT ... DO NOTHING reads the same in SQLite (>= 3.24) and PostgreSQL.
constexpr std::string_view insert_once_sql =
    "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO NOTHING";
constexpr std::string_view select_sql = "SELECT value FROM settings WHERE key = ?";

}  // namespace

base::result<void> ensure_instance(database& db) {
  auto tx = transaction::begin(db, transaction::kind::immediate);
  if (!tx) {
    return tx.error();
  }
  auto insert = db.prepare(insert_once_sql);
  if (!insert) {
    return insert.error();
  }
  const auto now = iso8601_utc(std::chrono::system_clock::now());
  insert->bind_all("instance_id", base::random_hex(16), now);
  if (auto done = insert->run(); !done) {
    return done.error();
  }
  insert->reset();
  insert->bind_all("created_at", now, now);
  if (auto done = insert->run(); !done) {
    return done.error();
  }
  return tx->commit();
}

base::result<std::string> instance_id(database& db) {
  auto select = db.prepare(select_sql);
  if (!select) {
    return select.error();
  }
  select->bind(1, "instance_id");
  auto row = select->step();
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return base::fail(errc::not_found, "no instance_id in settings of " + db.path().string());
  }
  return select->column_text(0);
}

}  // namespace rosterd::store
