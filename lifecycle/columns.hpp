#pragma once
// Nullable columns read as std::optional, as the lifecycle tables have many of them.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/statement.hpp"

namespace rosterd::lifecycle::detail {

inline std::optional<std::string> optional_text(const store::statement& s, int column) {
  if (s.column_is_null(column)) {
    return std::nullopt;
  }
  return s.column_text(column);
}

inline std::optional<std::vector<std::uint8_t>> optional_blob(const store::statement& s,
                                                              int column) {
  if (s.column_is_null(column)) {
    return std::nullopt;
  }
  return s.column_blob(column);
}

}  // namespace rosterd::lifecycle::detail
