#pragma once
// Sign-in state: sessions (cookie tokens), password resets and the lookups login needs.
// Tokens are issued by base/token.hpp and stored only as their SHA-256. Password hashing
// (Argon2id, slow on purpose) is done by the caller outside any transaction, so the writer is
// never held for it.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "roster/clock.hpp"
#include "roster/mail.hpp"
#include "roster/settings.hpp"
#include "store/database.hpp"

namespace rosterd::roster {

struct session_settings {
  std::chrono::seconds idle_timeout = std::chrono::hours(1);
  std::chrono::seconds absolute_timeout = std::chrono::hours(12);
  /// last_seen_at is written at most this often, so a busy session is not a write per request.
  std::chrono::seconds touch_interval = std::chrono::seconds(60);
};

/// The token prefixes, so each kind of token is refused where another is expected.
inline constexpr std::string_view session_token_prefix = "rdses";
inline constexpr std::string_view reset_token_prefix = "rdrst";

struct login_candidate {
  std::string user_id;
  std::string email;
  std::string password_hash;  // empty when the person never set one
  bool active = false;
  std::string display_name;
};

/// The user a login names, by normalised email (nullopt when nobody has that address).
base::result<std::optional<login_candidate>> find_login(store::database& db,
                                                        std::string_view email);

/// Creates a session for the user and returns its token (the cookie value). `replaced`, when
/// given, is the token of the session the browser had before: it is deleted, so a login always
/// rotates the session (no fixation).
base::result<base::secret> start_session(store::database& db, std::string_view user_id,
                                         const session_settings& settings, time_point now,
                                         std::optional<std::string_view> replaced = {});

struct session_user {
  std::string user_id;
  std::string email;
  std::string display_name;
  std::string token_hash;
  bool needs_touch = false;  // last_seen_at is older than touch_interval
};

/// The signed-in user for a session token, or nullopt when the token is unknown, idle or past
/// its absolute expiry, or the user is disabled. Reads only.
base::result<std::optional<session_user>> find_session(store::database& db, std::string_view token,
                                                       const session_settings& settings,
                                                       time_point now);
/// Moves the idle expiry forward.
base::result<void> touch_session(store::database& db, std::string_view token_hash, time_point now);
/// Logout. Unknown tokens are fine (logging out twice is not an error).
base::result<void> end_session(store::database& db, std::string_view token);
/// Ends every session of the user (password change, disabled account).
base::result<void> end_all_sessions(store::database& db, std::string_view user_id);

/// The CSRF token bound to a session: derived from the session token, so it needs no storage,
/// changes with every login and cannot be computed without the cookie.
std::string csrf_token_for(std::string_view session_token);

/// Replaces the stored hash of the same password (a cost upgrade at login): sessions stay.
base::result<void> upgrade_password_hash(store::database& db, std::string_view user_id,
                                         std::string_view password_phc);

/// Stores a new password hash (already Argon2id) and ends the user's other sessions.
base::result<void> set_password(store::database& db, std::string_view user_id,
                                std::string_view password_phc, time_point now);

/// Password reset, step one: when `email` belongs to an active user with a password, issues a
/// single-use reset token and queues the email. Says nothing about whether it did (the caller
/// answers the same either way, and answers before calling this: the work it does for a known
/// address would otherwise show in the answer's timing).
base::result<void> request_password_reset(store::database& db, mailer& mail,
                                          const roster_settings& settings, std::string_view email,
                                          time_point now);

/// Step two: the user whose reset token this is, if it is unused and unexpired. Reads only;
/// fails with token_invalid, token_used or token_expired.
base::result<std::string> check_password_reset(store::database& db, std::string_view token,
                                               time_point now);
/// Uses the token: sets the password, ends every session of the user and revokes their
/// personal API tokens in every account (audited; service tokens stay). Returns the user id.
base::result<std::string> complete_password_reset(store::database& db, std::string_view token,
                                                  std::string_view password_phc, time_point now);

}  // namespace rosterd::roster
