#include "store/schema.hpp"

#include "store/instance.hpp"

namespace rosterd::store {

base::result<migration_report> upgrade_schema(database& db, spdlog::logger& log) {
  auto report = migrate(db, builtin_migrations(), log);
  if (!report) {
    return report.error();
  }
  if (auto identity = ensure_instance(db); !identity) {
    return identity.error();
  }
  return report;
}

}  // namespace rosterd::store
