#pragma once
// The few patterns every query of roster, lifecycle and the benchmarks uses, on cached prepared
// statements: run, each row, the first row, one integer.

#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::store::sql {

/// Runs a statement that returns no rows.
template <class... Args>
base::result<void> run(database& db, std::string_view text, const Args&... args) {
  auto st = db.cached(text);
  if (!st) {
    return st.error();
  }
  (*st)->bind_all(args...);
  return (*st)->run();
}

/// Calls row(statement&) for each row; row may return void or bool (false stops).
template <class Row, class... Args>
base::result<void> each(database& db, std::string_view text, Row&& row, const Args&... args) {
  auto st = db.cached(text);
  if (!st) {
    return st.error();
  }
  (*st)->bind_all(args...);
  for (;;) {
    auto more = (*st)->step();
    if (!more) {
      return more.error();
    }
    if (!*more) {
      return {};
    }
    if constexpr (std::is_same_v<decltype(row(**st)), bool>) {
      if (!row(**st)) {
        return {};
      }
    } else {
      row(**st);
    }
  }
}

/// The first row mapped by make(statement&), or nullopt when there is none.
template <class Make, class... Args>
auto first(database& db, std::string_view text, Make&& make, const Args&... args)
    -> base::result<std::optional<decltype(make(std::declval<statement&>()))>> {
  using T = decltype(make(std::declval<statement&>()));
  auto st = db.cached(text);
  if (!st) {
    return st.error();
  }
  (*st)->bind_all(args...);
  auto more = (*st)->step();
  if (!more) {
    return more.error();
  }
  if (!*more) {
    return std::optional<T>{};
  }
  return std::optional<T>(make(**st));
}

/// The single integer of the first row (0 when there is no row).
template <class... Args>
base::result<std::int64_t> integer(database& db, std::string_view text, const Args&... args) {
  auto value = first(
      db, text, [](statement& s) { return s.column_int64(0); }, args...);
  if (!value) {
    return value.error();
  }
  return value->value_or(0);
}

}  // namespace rosterd::store::sql
