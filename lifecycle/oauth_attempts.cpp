#include "lifecycle/oauth_attempts.hpp"

#include "base/token.hpp"
#include "lifecycle/error.hpp"
#include "lifecycle/words.hpp"
#include "roster/error.hpp"
#include "store/sql.hpp"

namespace rosterd::lifecycle {
namespace sql = store::sql;
using detail::join_words;
using detail::split_words;

namespace {

constexpr std::string_view attempts_table = "oauth_attempts";
constexpr std::string_view verifier_column = "pkce_verifier";

struct stored_attempt {
  claimed_attempt fields;
  std::string browser_hash;
  std::string expires_at;
  bool used = false;
  std::optional<std::vector<std::uint8_t>> sealed_verifier;
};

base::result<void> burn(store::database& db, const std::string& id, std::string_view outcome,
                        const std::string& now_text) {
  return sql::run(db,
                  "UPDATE oauth_attempts SET used_at = ?, outcome = ? WHERE id = ? AND "
                  "used_at IS NULL",
                  now_text, outcome, id);
}

}  // namespace

base::result<started_attempt> create_attempt(store::database& db, const vault::keyring& keys,
                                             const attempt_request& request,
                                             std::string_view browser_secret, time_point now) {
  if (browser_secret.empty()) {
    throw std::invalid_argument("create_attempt: the browser-binding secret is empty");
  }
  const auto state = base::issue_token(state_prefix);
  const auto id = roster::new_id("att");
  std::optional<std::vector<std::uint8_t>> sealed;
  if (request.pkce_verifier) {
    auto s = keys.seal(*request.pkce_verifier, {attempts_table, id, verifier_column});
    if (!s) {
      return s.error();
    }
    sealed = std::move(*s);
  }
  auto inserted = sql::run(
      db,
      "INSERT INTO oauth_attempts (id, state_hash, account_id, creator_id, provider, link_id, "
      "user_id, browser_hash, pkce_verifier, redirect_uri, requested_scopes, created_at, "
      "expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      id, state.hash, request.account_id, request.creator_id, request.provider, request.link_id,
      request.user_id, base::hash_token(browser_secret), sealed, request.redirect_uri,
      join_words(request.scopes), roster::stamp(now), roster::stamp(now + attempt_ttl));
  if (!inserted) {
    return inserted.error();
  }
  return started_attempt{id, base::secret(std::string(state.value.reveal()))};
}

base::result<claimed_attempt> claim_attempt(store::database& db, const vault::keyring& keys,
                                            std::string_view state,
                                            std::string_view callback_provider,
                                            std::optional<std::string_view> browser_secret,
                                            time_point now) {
  if (state.empty()) {
    return base::reject(errc::state_missing, "the callback carried no state");
  }
  if (!base::looks_like_token(state, state_prefix)) {
    return base::reject(errc::state_unknown, "the callback's state is not one this server issued");
  }
  const auto now_text = roster::stamp(now);
  auto found = sql::first(
      db,
      "SELECT id, account_id, creator_id, provider, link_id, user_id, redirect_uri, "
      "requested_scopes, browser_hash, expires_at, used_at IS NOT NULL, pkce_verifier "
      "FROM oauth_attempts WHERE state_hash = ?",
      [](store::statement& s) {
        stored_attempt a;
        a.fields.id = s.column_text(0);
        a.fields.account_id = s.column_text(1);
        a.fields.creator_id = s.column_text(2);
        a.fields.provider = s.column_text(3);
        if (!s.column_is_null(4)) {
          a.fields.link_id = s.column_text(4);
        }
        if (!s.column_is_null(5)) {
          a.fields.user_id = s.column_text(5);
        }
        a.fields.redirect_uri = s.column_text(6);
        a.fields.scopes = split_words(s.column_text(7));
        a.browser_hash = s.column_text(8);
        a.expires_at = s.column_text(9);
        a.used = s.column_int64(10) != 0;
        if (!s.column_is_null(11)) {
          a.sealed_verifier = s.column_blob(11);
        }
        return a;
      },
      base::hash_token(state));
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return base::reject(errc::state_unknown, "the callback's state is not one this server issued");
  }
  auto& a = **found;
  if (a.used) {
    return base::reject(errc::state_used, "this connection attempt was already used");
  }
  if (a.fields.provider != callback_provider) {
    if (auto b = burn(db, a.fields.id, "wrong_provider", now_text); !b) {
      return b.error();
    }
    return base::fail(errc::state_wrong_provider,
                      "the callback arrived for " + std::string(callback_provider) +
                          " but the attempt was for " + a.fields.provider);
  }
  if (a.expires_at <= now_text) {
    if (auto b = burn(db, a.fields.id, "expired", now_text); !b) {
      return b.error();
    }
    return base::reject(errc::state_expired, "this connection attempt is more than 10 minutes old");
  }
  if (!browser_secret || !base::token_matches_hash(*browser_secret, a.browser_hash)) {
    if (auto b = burn(db, a.fields.id, "wrong_browser", now_text); !b) {
      return b.error();
    }
    return base::reject(errc::state_wrong_browser,
                        "this connection attempt was started in another browser");
  }
  auto claimed =
      sql::run(db, "UPDATE oauth_attempts SET used_at = ? WHERE id = ? AND used_at IS NULL",
               now_text, a.fields.id);
  if (!claimed) {
    return claimed.error();
  }
  if (db.changes() != 1) {
    return base::reject(errc::state_used, "this connection attempt was already used");
  }
  if (a.sealed_verifier) {
    auto verifier = keys.open(*a.sealed_verifier, {attempts_table, a.fields.id, verifier_column});
    if (!verifier) {
      return verifier.error();
    }
    a.fields.pkce_verifier = std::move(*verifier);
  }
  return std::move(a.fields);
}

base::result<void> finish_attempt(store::database& db, std::string_view attempt_id,
                                  std::string_view outcome) {
  return sql::run(db, "UPDATE oauth_attempts SET outcome = ?, pkce_verifier = NULL WHERE id = ?",
                  outcome, attempt_id);
}

base::result<std::int64_t> delete_stale_attempts(store::database& db, time_point now) {
  auto done = sql::run(db, "DELETE FROM oauth_attempts WHERE expires_at < ?",
                       roster::stamp(now - std::chrono::hours(24)));
  if (!done) {
    return done.error();
  }
  return static_cast<std::int64_t>(db.changes());
}

base::result<attempt_origin> find_attempt_origin(store::database& db, std::string_view attempt_id) {
  auto found = sql::first(
      db,
      "SELECT account_id, creator_id, provider, link_id, user_id, browser_hash FROM "
      "oauth_attempts WHERE id = ?",
      [](store::statement& s) {
        attempt_origin a;
        a.account_id = s.column_text(0);
        a.creator_id = s.column_text(1);
        a.provider = s.column_text(2);
        if (!s.column_is_null(3)) {
          a.link_id = s.column_text(3);
        }
        if (!s.column_is_null(4)) {
          a.user_id = s.column_text(4);
        }
        a.browser_hash = s.column_text(5);
        return a;
      },
      attempt_id);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return base::fail(roster::errc::not_found, "no such connection attempt");
  }
  return std::move(**found);
}

}  // namespace rosterd::lifecycle
