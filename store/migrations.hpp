#pragma once
// Numbered schema migrations: store/migrations/NNNN_<what>.sql, applied in order, one
// transaction each, recorded in schema_migrations. A migration is never edited once landed.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>

#include "base/embedded_file.hpp"
#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::store {

struct migration {
  int version;            // the file name's numeric prefix
  std::string_view name;  // the file name, e.g. "0001_instance.sql"
  std::string_view sql;   // must not contain BEGIN/COMMIT: the runner owns the transaction
};

/// Parses and checks a set of migration files: each name is "<digits>_<what>.sql", and the
/// versions run 1, 2, 3... with no duplicate and no gap. Fails with invalid_migrations naming
/// the offending file. The views point into `files`, which must outlive the result.
[[nodiscard]] base::result<std::vector<migration>> load_migrations(
    std::span<const base::embedded_file> files);

/// The migrations compiled into this binary. A broken set is a build bug caught by the unit
/// tests, so this throws (std::system_error) rather than returning a result.
std::span<const migration> builtin_migrations();

/// The newest schema version `migrations` (default: the built-in set) lead to; 0 if empty.
int head_version(std::span<const migration> migrations);
int head_version();

/// The version recorded in schema_migrations, or 0 for a database never migrated (including
/// a new, empty file). Writes nothing.
[[nodiscard]] base::result<int> current_version(database& db);

/// Succeeds with the current version if this build knows it (<= head). Otherwise fails with
/// schema_too_new and an operator-facing message naming the file and both versions. Writes
/// nothing, so it is safe before any pragma that would touch the file.
[[nodiscard]] base::result<int> check_schema_version(database& db, int head);

struct migration_report {
  int from = 0;                      // version before
  int to = 0;                        // version after
  std::vector<std::string> applied;  // names of the files applied, in order
};

/// Brings `db` (a read-write connection) up to head_version(migrations). Each pending
/// migration runs in one BEGIN IMMEDIATE transaction together with its schema_migrations row;
/// on failure that transaction is rolled back and the error (migration_failed) names the file
/// and the version the database was left at. A migration already applied whose checksum
/// differs from `migrations` is logged as a warning. Refuses a database newer than head.
[[nodiscard]] base::result<migration_report> migrate(database& db,
                                                     std::span<const migration> migrations,
                                                     spdlog::logger& log);

/// Lower-case hex SHA-256 of a migration's SQL, as stored in schema_migrations.checksum.
std::string migration_checksum(std::string_view sql);

}  // namespace rosterd::store
