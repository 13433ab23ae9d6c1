#include "lifecycle/broker.hpp"

#include <algorithm>

#include "lifecycle/error.hpp"
#include "roster/audit.hpp"
#include "roster/error.hpp"
#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace sql = store::sql;

namespace {

base::result<void> audit(store::database& db, const roster::caller& who, const connection_record& c,
                         std::string_view action, std::string detail, time_point now) {
  return roster::record(db, roster::actor::of(who),
                        {c.account_id, std::string(action), "connection", c.id, c.creator_id,
                         c.provider + ": " + detail},
                        now);
}

}  // namespace

base::result<connection_record> check_may_use_token(store::database& db, const roster::caller& who,
                                                    std::string_view connection_id) {
  const auto refuse = [] {
    return base::reject(roster::errc::forbidden,
                        "access tokens go to the account's service tokens (and to agents on the "
                        "creator's team where the account allows it)");
  };
  // Who may never take a token is refused before the object is looked at.
  if (!who.is_service()) {
    if (who.member_role != roster::role::agent) {
      return refuse();
    }
    auto allowed =
        sql::integer(db, "SELECT agents_use_tokens FROM accounts WHERE id = ?", who.account_id);
    if (!allowed) {
      return allowed.error();
    }
    if (*allowed == 0) {
      return refuse();
    }
  }
  // An agent sees exactly the creators on their teams: visible means on the team.
  return get_connection(db, who, connection_id);
}

base::result<issued_token> issue_token(store::database& db, const vault::keyring& keys,
                                       const roster::caller& who, std::string_view connection_id,
                                       const refresh_report& refresh, time_point now) {
  auto connection = check_may_use_token(db, who, connection_id);
  if (!connection) {
    return connection.error();
  }
  issued_token out{std::move(*connection), std::nullopt, std::nullopt};
  const auto& c = out.connection;
  const bool usable_status =
      c.status != connection_status::revoked && c.status != connection_status::disconnected;
  const bool expired = c.access_expires_at && *c.access_expires_at <= roster::stamp(now);
  if (!usable_status) {
    out.refused = base::reject(
        errc::needs_reconnect,
        "the connection is " + std::string(to_string(c.status)) + ": the creator must reconnect");
  } else if (expired) {
    const bool passing = refresh.outcome == refresh_outcome::retry_later ||
                         refresh.outcome == refresh_outcome::rejected;
    if (passing) {
      std::string when = refresh.retry_at ? " after " + roster::stamp(*refresh.retry_at) : "";
      out.refused = base::reject(errc::refresh_unavailable,
                                 "the access token expired and the platform could not renew it "
                                 "right now; try again" +
                                     when);
    } else {
      out.refused = base::reject(errc::needs_reconnect,
                                 "the access token expired and only the creator can renew it by "
                                 "reconnecting");
    }
  }
  if (out.refused) {
    if (auto logged = audit(db, who, c, "connection.token_refused", out.refused->detail, now);
        !logged) {
      return logged.error();
    }
    return out;
  }
  auto tokens = read_tokens(db, keys, c.id);
  if (!tokens) {
    return tokens.error();
  }
  std::string detail = "access token handed out";
  if (c.access_expires_at) {
    detail += ", valid until " + *c.access_expires_at;
  }
  if (refresh.outcome == refresh_outcome::refreshed && !refresh.joined) {
    detail += " (refreshed first)";
  }
  if (auto logged = audit(db, who, c, "connection.token_issued", detail, now); !logged) {
    return logged.error();
  }
  out.access_token = std::move(tokens->access_token);
  return out;
}

base::result<std::vector<roster::audit_record>> list_token_uses(store::database& db,
                                                                const roster::caller& who,
                                                                std::string_view connection_id,
                                                                int limit) {
  auto connection = get_connection(db, who, connection_id);
  if (!connection) {
    return connection.error();
  }
  std::vector<roster::audit_record> out;
  auto done = sql::each(
      db,
      "SELECT seq, at, actor_kind, COALESCE(actor_id, ''), actor_label, action, target_kind, "
      "target_id, creator_id, detail FROM audit_log WHERE creator_id = ?1 AND account_id = ?2 "
      "AND target_kind = 'connection' AND target_id = ?3 AND action IN "
      "('connection.token_issued', 'connection.token_refused') ORDER BY seq DESC LIMIT ?4",
      [&](store::statement& s) {
        out.push_back({s.column_int64(0), s.column_text(1), s.column_text(2), s.column_text(3),
                       s.column_text(4), s.column_text(5), s.column_text(6), s.column_text(7),
                       s.column_text(8), s.column_text(9)});
      },
      connection->creator_id, connection->account_id, connection->id, std::clamp(limit, 1, 500));
  if (!done) {
    return done.error();
  }
  return out;
}

}  // namespace rosterd::lifecycle
