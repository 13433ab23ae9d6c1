#pragma once
// Bringing a database to this build's schema: the one call the daemon and rosterctl share.

#include <spdlog/logger.h>

#include "base/failure.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

namespace rosterd::store {

/// Applies the built-in migrations to `db` (a connection from open_writer) and records the
/// instance identity on first use. Fails like migrate().
[[nodiscard]] base::result<migration_report> upgrade_schema(database& db, spdlog::logger& log);

}  // namespace rosterd::store
