#include "lifecycle/signals.hpp"

#include <vector>

#include "lifecycle/connection_identities.hpp"
#include "lifecycle/connection_pages.hpp"
#include "lifecycle/connections.hpp"
#include "roster/audit.hpp"
#include "roster/error.hpp"
#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace sql = store::sql;

namespace {

using namespace std::chrono_literals;

constexpr std::string_view deletion_reason = "the creator asked the platform to delete their data";

/// The connections a signal issued at `issued_at` may act on: those known as `external_id`
/// (`live_only`: still holding tokens) and connected before it. Platforms give the time to the
/// second, so a connection made within that second counts as before it.
base::result<std::vector<connection_record>> connections_before(store::database& db,
                                                                std::string_view provider,
                                                                std::string_view external_id,
                                                                time_point issued_at,
                                                                bool live_only) {
  // The signal may name the account by any id the platform gave us (Instagram's deauthorize
  // callback carries the app-scoped id, not the professional user_id we keep as external_id).
  auto found = live_only ? live_connections_known_as(db, provider, external_id)
                         : connections_known_as(db, provider, external_id);
  if (!found) {
    return found.error();
  }
  const auto limit = roster::stamp(issued_at + 1s);
  std::vector<connection_record> out;
  for (const auto& id : *found) {
    auto connection = find_connection(db, id);
    if (!connection) {
      return connection.error();
    }
    if (*connection && (*connection)->connected_at < limit) {
      out.push_back(std::move(**connection));
    }
  }
  return out;
}

/// Erases what names the platform account from one connection and what was written about it,
/// leaving the rows the team and the audit need (that a connection to this platform existed,
/// when, and that it was deleted).
base::result<void> erase_platform_account(store::database& db, const connection_record& c,
                                          time_point now) {
  // Details first, so the entries written below are the only ones left with any text. The
  // creator's connect events without a connection (denials, failures) carry platform text too.
  if (auto events = sql::run(db,
                             "UPDATE connection_events SET detail = '' WHERE creator_id = ? AND "
                             "provider = ? AND (connection_id = ? OR connection_id IS NULL)",
                             c.creator_id, c.provider, c.id);
      !events) {
    return events;
  }
  if (auto audit = sql::run(db,
                            "UPDATE audit_log SET detail = ? WHERE target_kind = 'connection' "
                            "AND target_id = ?",
                            c.provider, c.id);
      !audit) {
    return audit;
  }
  auto holds_tokens = sql::integer(db,
                                   "SELECT COUNT(*) FROM connections WHERE id = ? AND "
                                   "(access_token IS NOT NULL OR refresh_token IS NOT NULL)",
                                   c.id);
  if (!holds_tokens) {
    return holds_tokens.error();
  }
  if (*holds_tokens != 0) {
    if (auto dropped = drop_tokens(db, c, connection_status::revoked, status_reason::data_deleted,
                                   deletion_reason, std::nullopt, now);
        !dropped) {
      return dropped;
    }
  } else if (auto pages = delete_pages(db, c.id); !pages) {
    return pages;
  }
  const auto now_text = roster::stamp(now);
  if (auto erased = sql::run(db,
                             "UPDATE connections SET external_id = '', username = '', "
                             "previous_external_id = NULL, account_changed_at = NULL, "
                             "last_error = ?, last_error_at = ? WHERE id = ?",
                             deletion_reason, now_text, c.id);
      !erased) {
    return erased;
  }
  if (auto ids = replace_other_ids(db, c.id, c.provider, "", {}); !ids) {
    return ids;
  }
  const std::optional<std::string> connection_id = c.id;
  if (auto e = add_event(db, c.account_id, c.creator_id, c.provider, connection_id, "data_deleted",
                         "at the platform's request: the platform account's ids and name, its "
                         "Pages and the details naming it were deleted",
                         now);
      !e) {
    return e;
  }
  return roster::record(
      db, roster::actor::system(),
      {c.account_id, "connection.data_deleted", "connection", c.id, c.creator_id, c.provider}, now);
}

}  // namespace

base::result<std::int64_t> revoke_by_platform(store::database& db, std::string_view provider,
                                              std::string_view external_id, std::string_view reason,
                                              time_point issued_at, time_point now) {
  auto found = connections_before(db, provider, external_id, issued_at, true);
  if (!found) {
    return found.error();
  }
  for (const auto& connection : *found) {
    auto dropped = drop_tokens(db, connection, connection_status::revoked,
                               status_reason::app_removed, reason, std::nullopt, now);
    if (!dropped) {
      return dropped.error();
    }
  }
  return static_cast<std::int64_t>(found->size());
}

base::result<std::int64_t> record_data_deletion(store::database& db, std::string_view provider,
                                                std::string_view external_id,
                                                std::string_view confirmation_code,
                                                time_point issued_at, time_point now) {
  auto found = connections_before(db, provider, external_id, issued_at, false);
  if (!found) {
    return found.error();
  }
  for (const auto& connection : *found) {
    if (auto erased = erase_platform_account(db, connection, now); !erased) {
      return erased.error();
    }
  }
  const auto erased = static_cast<std::int64_t>(found->size());
  // external_id stays empty: the request is kept for its status page, not to say who asked.
  auto recorded =
      sql::run(db,
               "INSERT INTO data_deletion_requests (confirmation_code, provider, "
               "external_id, received_at, connections_affected) VALUES (?, ?, '', ?, ?)",
               confirmation_code, provider, roster::stamp(now), erased);
  if (!recorded) {
    return recorded.error();
  }
  return erased;
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
