#pragma once
// The instance's identity, kept in the `settings` table (migration 0001).

#include <string>

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::store {

/// Records a random instance id and the creation time the first time it runs on a database;
/// later calls change nothing. Needs a read-write connection migrated to version >= 1.
[[nodiscard]] base::result<void> ensure_instance(database& db);

/// The instance id written by ensure_instance(); fails with not_found before that.
[[nodiscard]] base::result<std::string> instance_id(database& db);

}  // namespace rosterd::store
