#pragma once
// Timestamps are stored as ISO-8601 UTC text ("2025-11-25T19:20:00Z"): it sorts correctly as
// text and reads the same in SQLite and PostgreSQL.

#include <chrono>
#include <string>

namespace rosterd::store {

/// `t` as ISO-8601 UTC with whole seconds and a trailing 'Z'.
std::string iso8601_utc(std::chrono::system_clock::time_point t);

}  // namespace rosterd::store
