#pragma once
// Opening configured connections. The order matters: nothing may write to the file before
// the schema version is known to be one this build understands.

#include <chrono>
#include <filesystem>

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::store {

/// Opens the read-write connection, creating the file with mode 0600 if missing: foreign_keys and
/// busy_timeout, then refuses a schema newer than `head` (schema_too_new; the file is left
/// byte-for-byte as it was), then journal_mode=WAL, synchronous=FULL and a 64 MiB page cache. Does
/// not migrate.
[[nodiscard]] base::result<database> open_writer(const std::filesystem::path& path,
                                                 std::chrono::milliseconds busy_timeout, int head);

/// Opens a read-only connection to an existing database: foreign_keys, busy_timeout and
/// query_only, so even a write through a bug fails with errc::readonly.
[[nodiscard]] base::result<database> open_reader(const std::filesystem::path& path,
                                                 std::chrono::milliseconds busy_timeout);

}  // namespace rosterd::store
