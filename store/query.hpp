#pragma once
// One-value queries (pragmas, counts, versions) without the prepare/step boilerplate.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::store {

/// The first column of the first row as text; empty when there is no row.
[[nodiscard]] base::result<std::string> query_text(database& db, std::string_view sql);

/// The first column of the first row as an integer; 0 when there is no row.
[[nodiscard]] base::result<std::int64_t> query_int(database& db, std::string_view sql);

}  // namespace rosterd::store
