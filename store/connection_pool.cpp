#include "store/connection_pool.hpp"

#include <cassert>

namespace rosterd::store {

connection_pool::connection_pool(std::vector<database> connections)
    : available_(static_cast<std::ptrdiff_t>(connections.size())), free_(std::move(connections)) {
  assert(!free_.lock()->empty());
}

connection_pool::lease connection_pool::acquire() {
  available_.acquire();
  auto free = free_.lock();
  database db = std::move(free->back());
  free->pop_back();
  return lease(*this, std::move(db));
}

void connection_pool::give_back(database db) {
  free_.lock()->push_back(std::move(db));
  available_.release();
}

}  // namespace rosterd::store
