#pragma once
// Checks that a result failed with a given roster error code (printing comes from
// tests/support/catch_result.hpp).

#include "base/failure.hpp"
#include "roster/error.hpp"
#include "tests/support/catch_result.hpp"

namespace rosterd::roster::testing {

/// The failure's roster code name ("unterminated_quote"), or "ok" / "other category".
template <class T>
std::string failure_code(const base::result<T>& r) {
  if (r) {
    return "ok";
  }
  if (r.error().code.category() != roster_category()) {
    return "other category";
  }
  return std::string(errc_name(static_cast<errc>(r.error().code.value())));
}

/// The failure's detail, or "" when `r` holds a value.
template <class T>
std::string failure_detail(const base::result<T>& r) {
  return r ? std::string() : r.error().detail;
}

}  // namespace rosterd::roster::testing
