#include "lifecycle/connection_identities.hpp"

#include <set>

#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace sql = store::sql;

base::result<void> replace_other_ids(store::database& db, std::string_view connection_id,
                                     std::string_view provider, std::string_view external_id,
                                     const std::vector<std::string>& other_ids) {
  // A reconnect may bring another account: its ids replace the old account's, which must no
  // longer match a signal.
  if (auto cleared =
          sql::run(db, "DELETE FROM connection_identities WHERE connection_id = ?", connection_id);
      !cleared) {
    return cleared;
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& id : other_ids) {
    if (id.empty() || id == external_id || !seen.insert(id).second) {
      continue;
    }
    auto added = sql::run(db,
                          "INSERT INTO connection_identities (connection_id, provider, "
                          "external_id) VALUES (?, ?, ?)",
                          connection_id, provider, id);
    if (!added) {
      return added;
    }
  }
  return {};
}

base::result<std::vector<std::string>> other_ids_of(store::database& db,
                                                    std::string_view connection_id) {
  std::vector<std::string> out;
  auto done = sql::each(
      db,
      "SELECT external_id FROM connection_identities WHERE connection_id = ? ORDER BY external_id",
      [&](store::statement& s) { out.push_back(s.column_text(0)); }, connection_id);
  if (!done) {
    return done.error();
  }
  return out;
}

namespace {

/// The connections known by `id` on `provider`, as their own id or as another id of theirs;
/// with `live_only`, only those still holding tokens.
base::result<std::vector<std::string>> known_as(store::database& db, std::string_view provider,
                                                std::string_view id, bool live_only) {
  std::vector<std::string> out;
  if (id.empty()) {
    return out;
  }
  // Both halves use an index: connections_by_external and connection_identities_by_external.
  const std::string sql =
      std::string("SELECT id FROM connections WHERE provider = ?1 AND ") +
      (live_only ? "access_token IS NOT NULL AND " : "") +
      "(external_id = ?2 OR id IN (SELECT connection_id FROM connection_identities "
      "WHERE provider = ?1 AND external_id = ?2)) ORDER BY id";
  auto done = sql::each(
      db, sql, [&](store::statement& s) { out.push_back(s.column_text(0)); }, provider, id);
  if (!done) {
    return done.error();
  }
  return out;
}

}  // namespace

base::result<std::vector<std::string>> connections_known_as(store::database& db,
                                                            std::string_view provider,
                                                            std::string_view id) {
  return known_as(db, provider, id, false);
}

base::result<std::vector<std::string>> live_connections_known_as(store::database& db,
                                                                 std::string_view provider,
                                                                 std::string_view id) {
  return known_as(db, provider, id, true);
}

}  // namespace rosterd::lifecycle
