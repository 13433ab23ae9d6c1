#pragma once
// A change on the writer as one immediate transaction: all of it or none.

#include "store/database.hpp"
#include "store/transaction.hpp"

namespace rosterd::store {

/// Wraps f(database&) -> result<T> so it runs between BEGIN IMMEDIATE and COMMIT; a failure
/// from f (or from the commit) rolls everything back.
template <class F>
auto in_transaction(F f) {
  return [f = std::move(f)](database& db) mutable -> decltype(f(db)) {
    auto tx = transaction::begin(db);
    if (!tx) {
      return tx.error();
    }
    auto value = f(db);
    if (!value) {
      return value;
    }
    if (auto c = tx->commit(); !c) {
      return c.error();
    }
    return value;
  };
}

}  // namespace rosterd::store
