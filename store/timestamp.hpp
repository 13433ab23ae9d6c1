#pragma once
// Timestamps are stored as ISO-8601 UTC text ("2025-11-25T19:20:00Z"): it sorts correctly as
// text and reads the same in SQLite and PostgreSQL.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::store {

/// `t` as ISO-8601 UTC with whole seconds and a trailing 'Z'.
std::string iso8601_utc(std::chrono::system_clock::time_point t);

/// Reads back what iso8601_utc wrote ("2025-11-25T19:20:00Z", exactly that shape); nullopt for
/// anything else, including impossible dates.
std::optional<std::chrono::system_clock::time_point> parse_iso8601_utc(std::string_view text);

}  // namespace rosterd::store
