#include "lifecycle/signals.hpp"

#include <vector>

#include "lifecycle/connection_identities.hpp"
#include "lifecycle/connections.hpp"
#include "roster/error.hpp"
#include "roster/sql.hpp"

namespace rosterd::lifecycle {
namespace sql = roster::sql;

base::result<std::int64_t> revoke_by_platform(store::database& db, std::string_view provider,
                                              std::string_view external_id, std::string_view reason,
                                              time_point now) {
  // The signal may name the account by any id the platform gave us (Instagram's deauthorize
  // callback carries the app-scoped id, not the professional user_id we keep as external_id).
  auto found = live_connections_known_as(db, provider, external_id);
  if (!found) {
    return found.error();
  }
  const auto& ids = *found;
  for (const auto& id : ids) {
    auto connection = find_connection(db, id);
    if (!connection) {
      return connection.error();
    }
    if (!*connection) {
      continue;
    }
    auto dropped =
        drop_tokens(db, **connection, connection_status::revoked, reason, std::nullopt, now);
    if (!dropped) {
      return dropped.error();
    }
  }
  return static_cast<std::int64_t>(ids.size());
}

base::result<std::int64_t> record_data_deletion(store::database& db, std::string_view provider,
                                                std::string_view external_id,
                                                std::string_view confirmation_code,
                                                time_point now) {
  auto revoked = revoke_by_platform(db, provider, external_id,
                                    "the creator asked the platform to delete their data", now);
  if (!revoked) {
    return revoked;
  }
  auto recorded = sql::run(db,
                           "INSERT INTO data_deletion_requests (confirmation_code, provider, "
                           "external_id, received_at, connections_affected) VALUES (?, ?, ?, ?, ?)",
                           confirmation_code, provider, external_id, roster::stamp(now), *revoked);
  if (!recorded) {
    return recorded.error();
  }
  return revoked;
}

base::result<deletion_status> find_data_deletion(store::database& db,
                                                 std::string_view confirmation_code) {
  auto found = sql::first(
      db,
      "SELECT confirmation_code, provider, received_at, connections_affected FROM "
      "data_deletion_requests WHERE confirmation_code = ?",
      [](store::statement& s) {
        return deletion_status{s.column_text(0), s.column_text(1), s.column_text(2),
                               s.column_int64(3)};
      },
      confirmation_code);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return base::fail(roster::errc::not_found, "no such deletion request");
  }
  return std::move(**found);
}

base::result<bool> first_delivery(store::database& db, std::string_view provider,
                                  std::string_view event_key, time_point now) {
  auto inserted = sql::run(db,
                           "INSERT INTO inbound_events (provider, event_key, received_at) VALUES "
                           "(?, ?, ?) ON CONFLICT (provider, event_key) DO NOTHING",
                           provider, event_key, roster::stamp(now));
  if (!inserted) {
    return inserted.error();
  }
  return db.changes() == 1;
}

}  // namespace rosterd::lifecycle
