#include "store/transaction.hpp"

#include <utility>

namespace rosterd::store {

base::result<transaction> transaction::begin(database& db, kind k) {
  auto begun = db.exec(k == kind::immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  if (!begun) {
    return begun.error();
  }
  return transaction(db);
}

transaction::transaction(transaction&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

transaction::~transaction() {
  rollback();
}

base::result<void> transaction::commit() {
  auto committed = db_->exec("COMMIT");
  if (committed) {
    db_ = nullptr;
  }
  return committed;
}

void transaction::rollback() noexcept {
  if (db_ == nullptr) {
    return;
  }
  // Some errors (SQLITE_FULL, SQLITE_IOERR...) make SQLite roll back by itself; a second
  // ROLLBACK would only fail with "no transaction is active".
  if (db_->in_transaction()) {
    (void)db_->exec("ROLLBACK");
  }
  db_ = nullptr;
}

}  // namespace rosterd::store
