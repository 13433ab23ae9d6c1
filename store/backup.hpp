#pragma once
// Online backup: a consistent copy of a live database, written so that the destination is
// either the old file or a complete, verified new one, never something in between.

#include <chrono>
#include <cstdint>
#include <filesystem>

#include "base/failure.hpp"

namespace rosterd::store {

struct backup_report {
  std::filesystem::path destination;
  std::int64_t pages = 0;    // database pages copied
  std::uintmax_t bytes = 0;  // size of the backup file
  int schema_version = 0;    // schema version of the copy
};

struct backup_options {
  int pages_per_step = 256;                      // copied per lock; writers go between steps
  std::chrono::milliseconds busy_timeout{5000};  // longest wait for a lock on either file
};

/// Copies `source_db` (which may be in use by the daemon) with SQLite's online backup API
/// into `<destination>.tmp-XXXXXXXX` beside the destination (mode 0600), fsyncs it, checks
/// that PRAGMA integrity_check says "ok" and reads the copy's schema version, then renames
/// it over `destination`. On any failure the temporary file is removed and `destination` is
/// untouched. Fails with not_found (no source), backup_failed (missing destination directory,
/// verification failed, rename failed) or the classified SQLite error (full, io, busy...).
[[nodiscard]] base::result<backup_report> backup(const std::filesystem::path& source_db,
                                                 const std::filesystem::path& destination,
                                                 const backup_options& opts = {});

}  // namespace rosterd::store
