#pragma once
// transaction: RAII over BEGIN ... COMMIT. Leaving scope without commit() rolls back, so an
// early return or an exception can never leave half a change behind.

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::store {

class transaction {
 public:
  enum class kind {
    deferred,   // takes the write lock at the first write; for read-only snapshots
    immediate,  // takes the write lock now, so a later write cannot fail with busy midway
  };

  /// Begins a transaction on `db`, which must outlive it. Fails with busy if another
  /// connection holds the write lock past busy_timeout (immediate only).
  [[nodiscard]] static base::result<transaction> begin(database& db, kind k = kind::immediate);

  transaction(transaction&& other) noexcept;
  transaction& operator=(transaction&&) = delete;
  transaction(const transaction&) = delete;
  transaction& operator=(const transaction&) = delete;
  /// Rolls back unless commit() succeeded.
  ~transaction();

  /// Commits. On failure the transaction stays open and the destructor rolls it back.
  [[nodiscard]] base::result<void> commit();
  /// Rolls back now; the destructor then does nothing.
  void rollback() noexcept;

 private:
  explicit transaction(database& db) noexcept : db_(&db) {}
  database* db_;  // null once committed, rolled back or moved from
};

}  // namespace rosterd::store
