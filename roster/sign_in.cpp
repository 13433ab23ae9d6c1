#include "roster/sign_in.hpp"

#include <vector>

#include "base/token.hpp"
#include "roster/audit.hpp"
#include "roster/error.hpp"
#include "store/sql.hpp"

namespace rosterd::roster {

base::result<std::optional<login_candidate>> find_login(store::database& db,
                                                        std::string_view email) {
  return store::sql::first(
      db,
      "SELECT id, email, COALESCE(password_hash, ''), status = 'active', display_name FROM users "
      "WHERE email = ?",
      [](store::statement& s) {
        return login_candidate{s.column_text(0), s.column_text(1), s.column_text(2),
                               s.column_int64(3) != 0, s.column_text(4)};
      },
      email);
}

base::result<base::secret> start_session(store::database& db, std::string_view user_id,
                                         const session_settings& settings, time_point now,
                                         std::optional<std::string_view> replaced) {
  if (replaced && base::looks_like_token(*replaced, session_token_prefix)) {
    if (auto gone = end_session(db, *replaced); !gone) {
      return gone.error();
    }
  }
  auto token = base::issue_token(session_token_prefix);
  const auto at = stamp(now);
  auto inserted =
      store::sql::run(db,
                      "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, "
                      "expires_at) VALUES (?, ?, ?, ?, ?)",
                      token.hash, user_id, at, at, stamp(now + settings.absolute_timeout));
  if (!inserted) {
    return inserted.error();
  }
  return std::move(token.value);
}

base::result<std::optional<session_user>> find_session(store::database& db, std::string_view token,
                                                       const session_settings& settings,
                                                       time_point now) {
  if (!base::looks_like_token(token, session_token_prefix)) {
    return std::optional<session_user>{};
  }
  const auto now_text = stamp(now);
  const auto idle_limit = stamp(now - settings.idle_timeout);
  const auto touch_limit = stamp(now - settings.touch_interval);
  return store::sql::first(
      db,
      "SELECT u.id, u.email, u.display_name, s.token_hash, s.last_seen_at < ?4 "
      "FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE s.token_hash = ?1 AND s.expires_at > ?2 AND s.last_seen_at > ?3 "
      "AND u.status = 'active'",
      [](store::statement& s) {
        return session_user{s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3),
                            s.column_int64(4) != 0};
      },
      base::hash_token(token), now_text, idle_limit, touch_limit);
}

base::result<void> touch_session(store::database& db, std::string_view token_hash, time_point now) {
  return store::sql::run(db, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?",
                         stamp(now), token_hash);
}

base::result<void> end_session(store::database& db, std::string_view token) {
  return store::sql::run(db, "DELETE FROM sessions WHERE token_hash = ?", base::hash_token(token));
}

base::result<void> end_all_sessions(store::database& db, std::string_view user_id) {
  return store::sql::run(db, "DELETE FROM sessions WHERE user_id = ?", user_id);
}

std::string csrf_token_for(std::string_view session_token) {
  std::string input("csrf:");
  input += session_token;
  return base::hash_token(input);
}

base::result<void> upgrade_password_hash(store::database& db, std::string_view user_id,
                                         std::string_view password_phc) {
  return store::sql::run(db, "UPDATE users SET password_hash = ? WHERE id = ?", password_phc,
                         user_id);
}

base::result<void> set_password(store::database& db, std::string_view user_id,
                                std::string_view password_phc, time_point now) {
  auto set = store::sql::run(
      db, "UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?", password_phc,
      stamp(now), user_id);
  if (!set) {
    return set;
  }
  return end_all_sessions(db, user_id);
}

base::result<void> request_password_reset(store::database& db, mailer& mail,
                                          const roster_settings& settings, std::string_view email,
                                          time_point now) {
  auto user = find_login(db, email);
  if (!user) {
    return user.error();
  }
  if (!*user || !(*user)->active || (*user)->password_hash.empty()) {
    return {};
  }
  auto token = base::issue_token(reset_token_prefix);
  auto inserted = store::sql::run(db,
                                  "INSERT INTO password_resets (token_hash, user_id, created_at, "
                                  "expires_at) VALUES (?, ?, ?, ?)",
                                  token.hash, (*user)->user_id, stamp(now),
                                  stamp(now + settings.password_reset_ttl));
  if (!inserted) {
    return inserted;
  }
  mail_intent m;
  m.template_name = "password_reset";
  m.idempotency_key = "password_reset:" + token.hash;
  m.recipient = (*user)->email;
  m.values = {
      {"reset_url",
       settings.public_url + "/password-reset?token=" + std::string(token.value.reveal())},
      {"expires_in_minutes",
       std::to_string(
           std::chrono::duration_cast<std::chrono::minutes>(settings.password_reset_ttl).count())}};
  return mail.enqueue(db, m);
}

namespace {

struct reset_row {
  std::string user_id;
  bool used = false;
  bool expired = false;
};

base::result<reset_row> find_reset(store::database& db, std::string_view token, time_point now) {
  if (!base::looks_like_token(token, reset_token_prefix)) {
    return base::reject(errc::token_invalid,
                        "this password reset link is not valid; request a new one");
  }
  auto row = store::sql::first(
      db,
      "SELECT r.user_id, r.used_at IS NOT NULL, r.expires_at <= ? FROM password_resets r "
      "JOIN users u ON u.id = r.user_id WHERE r.token_hash = ? AND u.status = 'active'",
      [](store::statement& s) {
        return reset_row{s.column_text(0), s.column_int64(1) != 0, s.column_int64(2) != 0};
      },
      stamp(now), base::hash_token(token));
  if (!row) {
    return row.error();
  }
  if (!*row) {
    return base::reject(errc::token_invalid,
                        "this password reset link is not valid; request a new one");
  }
  if ((*row)->used) {
    return base::reject(errc::token_used,
                        "this password reset link was already used; request a new one if needed");
  }
  if ((*row)->expired) {
    return base::reject(errc::token_expired,
                        "this password reset link has expired; request a new one");
  }
  return std::move(**row);
}

/// A reset is how someone takes their account back, so tokens made by whoever held the old
/// password stop working too, each one recorded in its agency's audit log. Service tokens
/// belong to an account, not to this person, and stay.
base::result<void> revoke_personal_tokens(store::database& db, std::string_view user_id,
                                          time_point now) {
  struct token_row {
    std::string id;
    std::string account_id;
    std::string name;
  };
  std::vector<token_row> tokens;
  auto listed = store::sql::each(
      db,
      "SELECT id, account_id, name FROM api_tokens "
      "WHERE user_id = ? AND kind = 'personal' AND revoked_at IS NULL",
      [&](store::statement& s) {
        tokens.push_back({s.column_text(0), s.column_text(1), s.column_text(2)});
      },
      user_id);
  if (!listed) {
    return listed;
  }
  for (const auto& t : tokens) {
    if (auto up = store::sql::run(db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ?",
                                  stamp(now), t.id);
        !up) {
      return up;
    }
    auto logged = record(db, actor{"user", std::string(user_id), ""},
                         {t.account_id, "token.revoked", "api_token", t.id, "",
                          t.name + " (ended by a password reset)"},
                         now);
    if (!logged) {
      return logged;
    }
  }
  return {};
}

}  // namespace

base::result<std::string> check_password_reset(store::database& db, std::string_view token,
                                               time_point now) {
  auto row = find_reset(db, token, now);
  if (!row) {
    return row.error();
  }
  return row->user_id;
}

base::result<std::string> complete_password_reset(store::database& db, std::string_view token,
                                                  std::string_view password_phc, time_point now) {
  auto row = find_reset(db, token, now);
  if (!row) {
    return row.error();
  }
  auto used = store::sql::run(db,
                              "UPDATE password_resets SET used_at = ? "
                              "WHERE user_id = ? AND used_at IS NULL",
                              stamp(now), row->user_id);
  if (!used) {
    return used.error();
  }
  if (auto set = set_password(db, row->user_id, password_phc, now); !set) {
    return set.error();
  }
  if (auto revoked = revoke_personal_tokens(db, row->user_id, now); !revoked) {
    return revoked.error();
  }
  auto logged = record(db, actor{"user", row->user_id, ""},
                       {"", "user.password_reset", "user", row->user_id, "", ""}, now);
  if (!logged) {
    return logged.error();
  }
  return row->user_id;
}

}  // namespace rosterd::roster
