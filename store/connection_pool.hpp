#pragma once
// connection_pool: a fixed set of connections, each lent to one thread at a time.

#include <semaphore>
#include <vector>

#include "base/guarded.hpp"
#include "store/database.hpp"

namespace rosterd::store {

class connection_pool {
 public:
  /// Takes ownership of `connections` (at least one).
  explicit connection_pool(std::vector<database> connections);
  connection_pool(const connection_pool&) = delete;
  connection_pool& operator=(const connection_pool&) = delete;

  /// A borrowed connection, returned to the pool when the lease dies.
  class lease {
   public:
    lease(connection_pool& pool, database db) : pool_(&pool), db_(std::move(db)) {}
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease() { pool_->give_back(std::move(db_)); }
    database& operator*() noexcept { return db_; }
    database* operator->() noexcept { return &db_; }

   private:
    connection_pool* pool_;
    database db_;
  };

  /// Blocks until a connection is free. Every lease must end before the pool does.
  [[nodiscard]] lease acquire();

 private:
  void give_back(database db);

  std::counting_semaphore<> available_;  // counts the connections in free_
  base::guarded<std::vector<database>> free_;
};

}  // namespace rosterd::store
