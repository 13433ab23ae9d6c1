#include "lifecycle/connections.hpp"

#include <algorithm>
#include <set>

#include "lifecycle/check_requests.hpp"
#include "lifecycle/connection_identities.hpp"
#include "lifecycle/connection_webhooks.hpp"
#include "lifecycle/error.hpp"
#include "lifecycle/words.hpp"
#include "roster/audit.hpp"
#include "roster/error.hpp"
#include "roster/roster_view.hpp"
#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace sql = store::sql;
using detail::join_words;
using detail::split_words;

namespace {

constexpr std::string_view table = "connections";

constexpr std::string_view connection_columns =
    "SELECT id, account_id, creator_id, provider, status, status_changed_at, external_id, "
    "username, previous_external_id, account_changed_at, requested_scopes, granted_scopes, "
    "access_expires_at, refresh_expires_at, data_access_expires_at, reauth_due_at, "
    "connected_at, refreshed_at, last_error, last_error_at, refresh_token IS NOT NULL "
    "FROM connections ";

std::optional<std::string> stamp_of(const std::optional<time_point>& t) {
  if (!t) {
    return std::nullopt;
  }
  return roster::stamp(*t);
}

connection_record read_connection(store::statement& s) {
  connection_record c;
  c.id = s.column_text(0);
  c.account_id = s.column_text(1);
  c.creator_id = s.column_text(2);
  c.provider = s.column_text(3);
  c.status = parse_connection_status(s.column_text(4)).value_or(connection_status::error);
  c.status_changed_at = s.column_text(5);
  c.external_id = s.column_text(6);
  c.username = s.column_text(7);
  c.previous_external_id = s.column_optional_text(8);
  c.account_changed_at = s.column_optional_text(9);
  c.requested_scopes = split_words(s.column_text(10));
  c.granted_scopes = split_words(s.column_text(11));
  c.access_expires_at = s.column_optional_text(12);
  c.refresh_expires_at = s.column_optional_text(13);
  c.data_access_expires_at = s.column_optional_text(14);
  c.reauth_due_at = s.column_optional_text(15);
  c.connected_at = s.column_text(16);
  c.refreshed_at = s.column_optional_text(17);
  c.last_error = s.column_optional_text(18);
  c.last_error_at = s.column_optional_text(19);
  c.has_refresh_token = s.column_int64(20) != 0;
  return c;
}

/// Adds the connection's Pages to a record read from the connections table.
base::result<void> add_pages(store::database& db, connection_record& c) {
  auto pages = list_pages(db, c.id);
  if (!pages) {
    return pages.error();
  }
  c.pages = std::move(*pages);
  return {};
}

/// The scopes requested but not granted. Providers may grant scopes in another order or
/// spelling case; both lists are compared as sets.
std::vector<std::string> missing(const std::vector<std::string>& requested,
                                 const std::vector<std::string>& granted) {
  const std::set<std::string> have(granted.begin(), granted.end());
  std::vector<std::string> out;
  for (const auto& r : requested) {
    if (have.count(r) == 0) {
      out.push_back(r);
    }
  }
  return out;
}

}  // namespace

std::string_view to_string(connection_status s) noexcept {
  switch (s) {
    case connection_status::connected:
      return "connected";
    case connection_status::expiring:
      return "expiring";
    case connection_status::expired:
      return "expired";
    case connection_status::revoked:
      return "revoked";
    case connection_status::error:
      return "error";
    case connection_status::disconnected:
      return "disconnected";
  }
  return "error";
}

std::optional<connection_status> parse_connection_status(std::string_view text) noexcept {
  for (auto s :
       {connection_status::connected, connection_status::expiring, connection_status::expired,
        connection_status::revoked, connection_status::error, connection_status::disconnected}) {
    if (to_string(s) == text) {
      return s;
    }
  }
  return std::nullopt;
}

base::result<saved_connection> save_connection(store::database& db, const vault::keyring& keys,
                                               std::string_view account_id,
                                               std::string_view creator_id, const new_grant& grant,
                                               time_point now) {
  auto before =
      sql::first(db, std::string(connection_columns) + "WHERE creator_id = ? AND provider = ?",
                 read_connection, creator_id, grant.provider);
  if (!before) {
    return before.error();
  }
  saved_connection out;
  out.first_time = !before->has_value();
  const std::string id = out.first_time ? roster::new_id("con") : (*before)->id;
  const auto now_text = roster::stamp(now);
  auto access = keys.seal(grant.access_token.reveal(), {table, id, "access_token"});
  if (!access) {
    return access.error();
  }
  std::optional<std::vector<std::uint8_t>> refresh;
  if (grant.refresh_token) {
    auto sealed = keys.seal(grant.refresh_token->reveal(), {table, id, "refresh_token"});
    if (!sealed) {
      return sealed.error();
    }
    refresh = std::move(*sealed);
  }
  std::optional<std::string> previous_external;
  std::optional<std::string> changed_at;
  if (!out.first_time) {
    previous_external = (*before)->previous_external_id;
    changed_at = (*before)->account_changed_at;
    // An erased connection (a data-deletion request emptied its ids) names no account that
    // this one could differ from.
    if (!(*before)->external_id.empty() && (*before)->external_id != grant.external_id) {
      out.account_changed = true;
      previous_external = (*before)->external_id;
      changed_at = now_text;
    }
  }
  auto written = sql::run(
      db,
      "INSERT INTO connections (id, account_id, creator_id, provider, status, status_changed_at, "
      "external_id, username, previous_external_id, account_changed_at, requested_scopes, "
      "granted_scopes, access_token, refresh_token, access_expires_at, refresh_expires_at, "
      "data_access_expires_at, reauth_due_at, connected_at, refreshed_at, refresh_started_at, "
      "refresh_failures, next_refresh_at, last_error, last_error_at, status_reason, "
      "deadline_cause, deadline_self_renewing) "
      "VALUES (?1, ?2, ?3, ?4, 'connected', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
      "?16, ?17, ?5, NULL, NULL, 0, ?18, NULL, NULL, 'none', ?19, ?20) "
      "ON CONFLICT (creator_id, provider) DO UPDATE SET status = 'connected', "
      "status_changed_at = ?5, external_id = ?6, username = ?7, previous_external_id = ?8, "
      "account_changed_at = ?9, requested_scopes = ?10, granted_scopes = ?11, "
      "access_token = ?12, refresh_token = ?13, access_expires_at = ?14, "
      "refresh_expires_at = ?15, data_access_expires_at = ?16, reauth_due_at = ?17, "
      "connected_at = ?5, refreshed_at = NULL, refresh_started_at = NULL, refresh_failures = 0, "
      "next_refresh_at = ?18, last_error = NULL, last_error_at = NULL, status_reason = 'none', "
      "deadline_cause = ?19, deadline_self_renewing = ?20",
      id, account_id, creator_id, grant.provider, now_text, grant.external_id, grant.username,
      previous_external, changed_at, join_words(grant.requested_scopes),
      join_words(grant.granted_scopes), *access, refresh, stamp_of(grant.access_expires_at),
      stamp_of(grant.refresh_expires_at), stamp_of(grant.data_access_expires_at),
      grant.reconsent ? stamp_of(grant.reconsent->at) : std::nullopt,
      stamp_of(grant.next_refresh_at),
      grant.reconsent ? std::optional(std::string(to_string(grant.reconsent->cause)))
                      : std::nullopt,
      grant.reconsent && grant.reconsent->self_renewing ? 1 : 0);
  if (!written) {
    return written.error();
  }
  if (auto ids = replace_other_ids(db, id, grant.provider, grant.external_id, grant.other_ids);
      !ids) {
    return ids.error();
  }
  if (auto pages = replace_pages(db, keys, id, grant.pages, now); !pages) {
    return pages.error();
  }
  const std::optional<std::string> connection_id = id;
  const auto who = grant.username.empty() ? grant.external_id : "@" + grant.username;
  if (auto e = add_event(db, account_id, creator_id, grant.provider, connection_id,
                         out.first_time ? "connected" : "reconnected", who, now);
      !e) {
    return e.error();
  }
  if (out.account_changed) {
    if (auto e =
            add_event(db, account_id, creator_id, grant.provider, connection_id, "account_changed",
                      "was " + *previous_external + ", now " + grant.external_id, now);
        !e) {
      return e.error();
    }
  }
  out.missing_scopes = missing(grant.requested_scopes, grant.granted_scopes);
  if (!out.missing_scopes.empty() && !grant.granted_scopes.empty()) {
    if (auto e = add_event(db, account_id, creator_id, grant.provider, connection_id,
                           "scopes_missing", join_words(out.missing_scopes), now);
        !e) {
      return e.error();
    }
  } else if (grant.granted_scopes.empty()) {
    out.missing_scopes.clear();  // the platform did not say what it granted
  }
  auto logged = roster::record(db, roster::actor::system(),
                               {std::string(account_id), "connection.connected", "connection", id,
                                std::string(creator_id), grant.provider + " " + who},
                               now);
  if (!logged) {
    return logged.error();
  }
  if (auto check = request_connection_check(db, id, now, true); !check) {
    return check.error();
  }
  auto saved = find_connection(db, id);
  if (!saved) {
    return saved.error();
  }
  out.record = std::move(**saved);
  // In this transaction: the agency's systems hear of the connect exactly when it is stored.
  // Each connect is its own event (a reconnect tomorrow is another one).
  if (auto published = publish_connection_event(db, webhook_event::connection_connected, out.record,
                                                id + ":" + now_text, now);
      !published) {
    return published.error();
  }
  if (out.account_changed) {
    if (auto published =
            publish_connection_event(db, webhook_event::connection_account_changed, out.record,
                                     id + ":account_changed:" + now_text, now);
        !published) {
      return published.error();
    }
  }
  return out;
}

base::result<std::vector<connection_record>> list_connections(store::database& db,
                                                              const roster::caller& who,
                                                              std::string_view creator_id) {
  auto creator = roster::get_creator(db, who, creator_id);
  if (!creator) {
    return creator.error();
  }
  return creator_connections(db, creator->account_id, creator->id);
}

base::result<std::vector<connection_record>> creator_connections(store::database& db,
                                                                 std::string_view account_id,
                                                                 std::string_view creator_id) {
  std::vector<connection_record> out;
  auto done = sql::each(
      db,
      std::string(connection_columns) + "WHERE account_id = ? AND creator_id = ? ORDER BY provider",
      [&](store::statement& s) { out.push_back(read_connection(s)); }, account_id, creator_id);
  if (!done) {
    return done.error();
  }
  for (auto& c : out) {
    if (auto pages = add_pages(db, c); !pages) {
      return pages.error();
    }
  }
  return out;
}

base::result<connection_record> get_connection(store::database& db, const roster::caller& who,
                                               std::string_view connection_id) {
  auto found = sql::first(db, std::string(connection_columns) + "WHERE account_id = ? AND id = ?",
                          read_connection, who.account_id, connection_id);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return base::fail(roster::errc::not_found, "no such connection");
  }
  if (auto creator = roster::get_creator(db, who, (*found)->creator_id); !creator) {
    return creator.error();
  }
  if (auto pages = add_pages(db, **found); !pages) {
    return pages.error();
  }
  return std::move(**found);
}

base::result<std::optional<connection_record>> find_connection(store::database& db,
                                                               std::string_view connection_id) {
  auto found = sql::first(db, std::string(connection_columns) + "WHERE id = ?", read_connection,
                          connection_id);
  if (found && *found) {
    if (auto pages = add_pages(db, **found); !pages) {
      return pages.error();
    }
  }
  return found;
}

base::result<token_pair> read_tokens(store::database& db, const vault::keyring& keys,
                                     std::string_view connection_id) {
  struct sealed_pair {
    std::vector<std::uint8_t> access;
    std::optional<std::vector<std::uint8_t>> refresh;
    bool has_access = false;
  };
  auto row = sql::first(
      db,
      "SELECT access_token, refresh_token, access_token IS NOT NULL FROM connections WHERE id = ?",
      [](store::statement& s) {
        sealed_pair p;
        p.access = s.column_blob(0);
        if (!s.column_is_null(1)) {
          p.refresh = s.column_blob(1);
        }
        p.has_access = s.column_int64(2) != 0;
        return p;
      },
      connection_id);
  if (!row) {
    return row.error();
  }
  if (!*row || !(*row)->has_access) {
    return base::fail(errc::not_connected, "the connection holds no tokens");
  }
  auto access = keys.open((*row)->access, {table, connection_id, "access_token"});
  if (!access) {
    return access.error();
  }
  token_pair out{std::move(*access), std::nullopt};
  if ((*row)->refresh) {
    auto refresh = keys.open(*(*row)->refresh, {table, connection_id, "refresh_token"});
    if (!refresh) {
      return refresh.error();
    }
    out.refresh_token = std::move(*refresh);
  }
  return out;
}

base::result<connection_record> check_may_disconnect(store::database& db, const roster::caller& who,
                                                     std::string_view connection_id) {
  auto connection = get_connection(db, who, connection_id);
  if (!connection) {
    return connection.error();
  }
  if (who.is_admin()) {
    return connection;
  }
  if (!who.is_service() && who.member_role == roster::role::creator) {
    auto creator = roster::get_creator(db, who, connection->creator_id);
    if (creator && creator->user_id == who.user_id) {
      return connection;
    }
  }
  return base::reject(roster::errc::forbidden,
                      "only the creator or an account admin may disconnect a profile");
}

base::result<void> drop_tokens(store::database& db, const connection_record& connection,
                               connection_status status, status_reason code,
                               std::string_view reason, const std::optional<roster::caller>& who,
                               time_point now) {
  const auto now_text = roster::stamp(now);
  auto updated =
      sql::run(db,
               "UPDATE connections SET access_token = NULL, refresh_token = NULL, status = ?, "
               "status_reason = ?, status_changed_at = ?, next_refresh_at = NULL, "
               "refresh_started_at = NULL, last_error = ?, last_error_at = ? WHERE id = ?",
               to_string(status), to_string(code), now_text, reason, now_text, connection.id);
  if (!updated) {
    return updated;
  }
  if (auto check = request_connection_check(db, connection.id, now, true); !check) {
    return check;
  }
  // Page tokens came from the same grant: they go with it (disconnect, deauthorize, deletion).
  if (auto pages = delete_pages(db, connection.id); !pages) {
    return pages;
  }
  const std::optional<std::string> id = connection.id;
  if (auto e = add_event(db, connection.account_id, connection.creator_id, connection.provider, id,
                         to_string(status), reason, now);
      !e) {
    return e;
  }
  const auto actor = who ? roster::actor::of(*who) : roster::actor::system();
  return roster::record(
      db, actor,
      {connection.account_id, "connection." + std::string(to_string(status)), "connection",
       connection.id, connection.creator_id, connection.provider + ": " + std::string(reason)},
      now);
}

base::result<void> add_event(store::database& db, std::string_view account_id,
                             std::string_view creator_id, std::string_view provider,
                             const std::optional<std::string>& connection_id, std::string_view kind,
                             std::string_view detail, time_point now) {
  return sql::run(db,
                  "INSERT INTO connection_events (at, account_id, creator_id, provider, "
                  "connection_id, kind, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                  roster::stamp(now), account_id, creator_id, provider, connection_id, kind,
                  detail);
}

base::result<std::vector<connection_event>> list_events(store::database& db,
                                                        const roster::caller& who,
                                                        std::string_view creator_id, int limit) {
  auto creator = roster::get_creator(db, who, creator_id);
  if (!creator) {
    return creator.error();
  }
  std::vector<connection_event> out;
  auto done = sql::each(
      db,
      "SELECT seq, at, creator_id, provider, connection_id, kind, detail FROM connection_events "
      "WHERE account_id = ? AND creator_id = ? ORDER BY seq DESC LIMIT ?",
      [&](store::statement& s) {
        out.push_back({s.column_int64(0), s.column_text(1), s.column_text(2), s.column_text(3),
                       s.column_optional_text(4), s.column_text(5), s.column_text(6)});
      },
      creator->account_id, creator->id, std::clamp(limit, 1, 500));
  if (!done) {
    return done.error();
  }
  return out;
}

}  // namespace rosterd::lifecycle
