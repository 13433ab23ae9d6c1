#include "roster/access.hpp"

#include "base/token.hpp"
#include "roster/error.hpp"
#include "roster/people.hpp"
#include "store/sql.hpp"
#include "store/store.hpp"

namespace rosterd::roster {
namespace {

constexpr std::string_view token_columns =
    "SELECT id, account_id, COALESCE(user_id, ''), kind, name, created_at, last_used_at, "
    "expires_at, revoked_at FROM api_tokens ";

api_token_record read_token(store::statement& s) {
  return api_token_record{
      s.column_text(0),          s.column_text(1),          s.column_text(2),
      s.column_text(3),          s.column_text(4),          s.column_text(5),
      s.column_optional_text(6), s.column_optional_text(7), s.column_optional_text(8)};
}

}  // namespace

base::result<caller> caller_for_user(store::database& db, std::string_view user_id,
                                     std::string_view account_id) {
  auto found = store::sql::first(
      db,
      "SELECT m.role, u.email FROM account_members m "
      "JOIN users u ON u.id = m.user_id JOIN accounts a ON a.id = m.account_id "
      "WHERE m.account_id = ? AND m.user_id = ? AND m.status = 'active' "
      "AND m.joined_at IS NOT NULL AND u.status = 'active' AND a.status = 'active'",
      [](store::statement& s) {
        return std::pair{s.column_text(0), s.column_text(1)};
      },
      account_id, user_id);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return base::fail(errc::not_found, "no such account");
  }
  caller c;
  c.who = caller::kind::user;
  c.account_id = std::string(account_id);
  c.user_id = std::string(user_id);
  c.member_role = parse_role((*found)->first).value_or(role::creator);
  c.label = (*found)->second;
  return c;
}

base::result<std::vector<account_record>> accounts_of_user(store::database& db,
                                                           std::string_view user_id) {
  std::vector<account_record> out;
  auto done = store::sql::each(
      db,
      "SELECT a.id, a.name, a.status, a.agents_use_tokens, a.created_at, m.role "
      "FROM account_members m JOIN accounts a ON a.id = m.account_id "
      "WHERE m.user_id = ? AND m.status = 'active' AND m.joined_at IS NOT NULL "
      "AND a.status = 'active' ORDER BY a.name",
      [&](store::statement& s) {
        out.push_back(account_record{s.column_text(0), s.column_text(1), s.column_text(2),
                                     s.column_int64(3) != 0, s.column_text(4),
                                     parse_role(s.column_text(5))});
      },
      user_id);
  if (!done) {
    return done.error();
  }
  return out;
}

base::result<std::optional<caller>> caller_for_api_token(store::database& db,
                                                         std::string_view token, time_point now) {
  const bool personal = base::looks_like_token(token, personal_token_prefix);
  if (!personal && !base::looks_like_token(token, service_token_prefix)) {
    return std::optional<caller>{};
  }
  auto row = store::sql::first(
      db,
      std::string(token_columns) +
          "WHERE token_hash = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
      read_token, base::hash_token(token), stamp(now));
  if (!row) {
    return row.error();
  }
  if (!*row || ((*row)->kind == "personal") != personal) {
    return std::optional<caller>{};
  }
  const auto& t = **row;
  if (t.kind == "personal") {
    auto c = caller_for_user(db, t.user_id, t.account_id);
    if (!c) {
      if (c.error().code == errc::not_found) {
        return std::optional<caller>{};
      }
      return c.error();
    }
    c->token_id = t.id;
    c->token_expires_at = t.expires_at;
    return std::optional<caller>(std::move(*c));
  }
  auto active = store::sql::integer(
      db, "SELECT COUNT(*) FROM accounts WHERE id = ? AND status = 'active'", t.account_id);
  if (!active) {
    return active.error();
  }
  if (*active == 0) {
    return std::optional<caller>{};
  }
  caller c;
  c.who = caller::kind::service_token;
  c.account_id = t.account_id;
  c.token_id = t.id;
  c.label = t.name;
  c.token_expires_at = t.expires_at;
  return std::optional<caller>(std::move(c));
}

std::uint64_t api_token_changes(const store::store& db) noexcept {
  // Every table caller_for_api_token and caller_for_user read.
  return db.changes_to({"api_tokens", "account_members", "users", "accounts"});
}

base::result<void> touch_api_token(store::database& db, std::string_view token_id, time_point now) {
  return store::sql::run(db,
                         "UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2 AND "
                         "(last_used_at IS NULL OR last_used_at < ?3)",
                         stamp(now), token_id, stamp(now - std::chrono::minutes(1)));
}

base::result<created_api_token> create_api_token(store::database& db, const caller& who,
                                                 std::string_view kind, std::string_view name,
                                                 std::optional<time_point> expires_at,
                                                 time_point now) {
  if (kind != "personal" && kind != "service") {
    return base::reject(errc::invalid_argument, "kind: must be personal or service");
  }
  if (name.empty() || name.size() > 100) {
    return base::reject(errc::invalid_argument,
                        "name: give the token a name of 1 to 100 characters");
  }
  if (expires_at && *expires_at <= now) {
    return base::reject(errc::invalid_argument, "expires_at: must be in the future");
  }
  if (who.is_service() || !who.token_id.empty()) {
    return base::reject(errc::forbidden,
                        "tokens are created by a signed-in person, not with another token");
  }
  if (kind == "service" && !who.is_admin()) {
    return base::reject(errc::forbidden, "only owners and admins create service tokens");
  }
  auto token = base::issue_token(kind == "personal" ? personal_token_prefix : service_token_prefix);
  api_token_record r;
  r.id = new_id("tok");
  r.account_id = who.account_id;
  r.user_id = kind == "personal" ? who.user_id : "";
  r.kind = std::string(kind);
  r.name = std::string(name);
  r.created_at = stamp(now);
  if (expires_at) {
    r.expires_at = stamp(*expires_at);
  }
  auto inserted = store::sql::run(
      db,
      "INSERT INTO api_tokens (id, account_id, user_id, kind, name, token_hash, created_by, "
      "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      r.id, r.account_id,
      kind == "personal" ? std::optional<std::string_view>(who.user_id) : std::nullopt, r.kind,
      r.name, token.hash, who.user_id, r.created_at, r.expires_at);
  if (!inserted) {
    return inserted.error();
  }
  auto logged =
      record(db, actor::of(who),
             {who.account_id, "token.created", "api_token", r.id, "", r.kind + ": " + r.name}, now);
  if (!logged) {
    return logged.error();
  }
  return created_api_token{std::move(r), std::move(token.value)};
}

base::result<std::vector<api_token_record>> list_api_tokens(store::database& db, const caller& who,
                                                            std::string_view kind) {
  std::vector<api_token_record> out;
  auto push = [&](store::statement& s) { out.push_back(read_token(s)); };
  base::result<void> done;
  if (kind == "personal") {
    if (who.is_service()) {
      return base::reject(errc::forbidden, "a service token has no personal tokens");
    }
    done = store::sql::each(db,
                            std::string(token_columns) +
                                "WHERE account_id = ? AND user_id = ? AND kind = 'personal' "
                                "ORDER BY created_at DESC, id",
                            push, who.account_id, who.user_id);
  } else {
    if (!who.is_admin()) {
      return base::reject(errc::forbidden, "only owners and admins manage service tokens");
    }
    done = store::sql::each(
        db,
        std::string(token_columns) +
            "WHERE account_id = ? AND kind = 'service' ORDER BY created_at DESC, id",
        push, who.account_id);
  }
  if (!done) {
    return done.error();
  }
  return out;
}

base::result<void> revoke_api_token(store::database& db, const caller& who, std::string_view kind,
                                    std::string_view token_id, time_point now) {
  auto row = store::sql::first(db, std::string(token_columns) + "WHERE id = ? AND account_id = ?",
                               read_token, token_id, who.account_id);
  if (!row) {
    return row.error();
  }
  const bool of_kind = *row && (*row)->kind == kind;
  const bool mine =
      of_kind && kind == "personal" && (*row)->user_id == who.user_id && !who.is_service();
  const bool admins = of_kind && kind == "service" && who.is_admin();
  if (!mine && !admins) {
    return base::fail(errc::not_found, "no such token");
  }
  if ((*row)->revoked_at) {
    return {};
  }
  auto up = store::sql::run(db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?", stamp(now),
                            token_id);
  if (!up) {
    return up;
  }
  return record(
      db, actor::of(who),
      {who.account_id, "token.revoked", "api_token", std::string(token_id), "", (*row)->name}, now);
}

}  // namespace rosterd::roster
