#pragma once
// The sign-in policy, apart from HTTP: how many attempts a person and a client address get
// (sign_in_throttle), and how one login attempt is judged (judge_login). The handler decodes
// the request, asks these, and encodes their typed answers.
//
// Attempts are counted when they are let in, not when their password check fails: Argon2id
// takes tens of milliseconds, and counting only afterwards let every attempt that arrived
// meanwhile pass the same check, so parallel connections got hundreds of guesses per window
// instead of the limit.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "base/rate_limiter.hpp"
#include "base/secret.hpp"
#include "roster/password.hpp"
#include "roster/sign_in.hpp"

namespace rosterd::roster {

struct sign_in_limits {
  /// Failed logins for one email address.
  base::rate_limit_policy per_account = base::account_login_policy;
  /// Failed logins, and (separately) password reset requests, from one client address.
  base::rate_limit_policy per_address = base::address_login_policy;
};

/// Refused before any password was checked: wait this long (for `Retry-After`).
struct throttled {
  std::chrono::seconds retry_after;
};

class sign_in_throttle;

/// One login attempt that was let in. It counts as a failure for its email address and its
/// client address from the moment it was let in, and keeps counting unless it is told
/// otherwise: a path that forgets to settle it cannot hand out free guesses.
class login_attempt {
 public:
  login_attempt(login_attempt&& other) noexcept;
  login_attempt& operator=(login_attempt&&) = delete;
  login_attempt(const login_attempt&) = delete;
  login_attempt& operator=(const login_attempt&) = delete;
  ~login_attempt() = default;

  /// The password was right: the email address's count starts again, and this attempt stops
  /// counting against the client address (whose other failures stay: one valid account must
  /// not clear an address that is guessing at others).
  void succeeded();
  /// No password was checked (the store failed before): the attempt counts against neither.
  void not_checked();

 private:
  friend class sign_in_throttle;
  login_attempt(sign_in_throttle& owner, std::string account_key, std::string address_key,
                base::rate_limiter::clock::time_point at)
      : owner_(&owner),
        account_key_(std::move(account_key)),
        address_key_(std::move(address_key)),
        at_(at) {}

  sign_in_throttle* owner_;  // null once settled or moved from
  std::string account_key_;
  std::string address_key_;
  base::rate_limiter::clock::time_point at_;
};

/// The login and reset-request rate limits of one process (in memory; a restart forgets
/// them). Thread-safe.
class sign_in_throttle {
 public:
  using clock = base::rate_limiter::clock;

  explicit sign_in_throttle(const sign_in_limits& limits = {});

  /// Lets a login attempt in and counts it against both keys, or refuses it (counting
  /// nothing) when either key has used up its failures. `account_key` is the normalised email
  /// (or the text as sent when it is not an address); `address_key` the client address.
  std::variant<login_attempt, throttled> admit_login(std::string account_key,
                                                     std::string address_key,
                                                     clock::time_point now);

  /// Every password reset request counts against its client address; nullopt when this one
  /// may go ahead.
  std::optional<throttled> admit_reset_request(std::string_view address_key, clock::time_point now);

 private:
  friend class login_attempt;
  base::rate_limiter accounts_;
  base::rate_limiter addresses_;
};

/// What checking a login's password found. `needs_rehash`: the stored hash was made at
/// another cost, so a fresh one should be stored while the password is at hand.
struct login_verdict {
  bool verified = false;
  bool needs_rehash = false;
};

/// Checks `password` against the candidate's stored hash, in constant time. An unknown
/// address, a disabled user or one without a password spends the time of a real check and
/// fails, so the time a login takes does not tell which addresses are registered. Slow on
/// purpose (Argon2id): run it off the I/O threads.
login_verdict judge_login(const std::optional<login_candidate>& candidate,
                          const base::secret& password, const password_cost& cost);

}  // namespace rosterd::roster
