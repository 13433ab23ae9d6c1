#pragma once
// The store's error vocabulary: every expected SQLite failure is classified into errc, so
// callers can decide (retry on busy, 409 on constraint, alert on full) without reading text.

#include <string_view>
#include <system_error>

namespace rosterd::store {

enum class errc {
  busy = 1,            // another connection held the lock past busy_timeout; retry later
  constraint,          // UNIQUE, FOREIGN KEY, NOT NULL or CHECK violated
  full,                // the disk (or quota) is full
  corrupt,             // the file is not a database, or is damaged
  io,                  // the OS reported a read or write error
  readonly,            // a write on a read-only connection, file or directory
  not_found,           // the row or file asked for does not exist
  open_failed,         // the database file could not be opened or created
  schema_too_new,      // the database was migrated by a newer rosterd
  migration_failed,    // a migration's SQL failed; it was rolled back
  invalid_migrations,  // the migration set has a duplicate, a gap or a bad file name
  backup_failed,       // the backup could not be written or did not verify
  misuse,              // the API was used wrongly (a bug): bad bind index, bad SQL text
  sqlite_error,        // any other SQLite failure
  // Values run from 1 without gaps: tests walk them until errc_name() answers "unknown".
};

/// The category named "store". Its messages are short and for operators (logs, rosterctl);
/// what a client reads is chosen by the HTTP edge for each code.
const std::error_category& store_category() noexcept;

std::error_code make_error_code(errc e) noexcept;

/// The enumerator's name ("busy"): a stable identifier for logs and tests. Returns "unknown" for
/// a value outside the enum.
std::string_view errc_name(errc e) noexcept;

}  // namespace rosterd::store

template <>
struct std::is_error_code_enum<rosterd::store::errc> : std::true_type {};
