#pragma once
// rate_limiter: slows down password guessing, "per account and per address".
//
// Semantics (a sliding window log per key):
// - A key is blocked while it has `max_failures` recorded failures within the last `window`.
//   A failure recorded at t counts while now < t + window.
// - Only the newest `max_failures` failures of a key are kept, so memory per key is bounded
//   and a failure recorded while blocked extends the block.
// - try_count(key) is the check and the count in one step, under the lock: an attempt is
//   counted as a failure when it is let through, before anyone knows how it ends. Checking
//   first and recording the failure only after the slow password check would let every
//   attempt that arrives while the checks run pass the same check (parallel connections then
//   get hundreds of guesses instead of max_failures). An attempt that turns out not to be a
//   failure is taken back with forgive().
// - reset(key) forgets a key: call it for the account after a successful login. Do not reset
//   the address on success, or one valid account would reset the limit for an attacker's
//   address.
// - At most `max_keys` keys are tracked. Expired keys are dropped as failures arrive; when the
//   table is still full, the key whose newest failure is oldest is evicted (it is the one that
//   has waited longest anyway). Evicting a key forgets its failures, so an attacker who can
//   fill the table within one window can reset an account's count: keep max_keys well above
//   what the per-address limit lets a handful of addresses produce in a window.
// - Time is passed in (steady_clock, so a wall-clock change neither blocks nor frees anyone),
//   which keeps the limiter testable without sleeps.
//
// Use one limiter per policy (one for accounts, one for addresses). All members are
// thread-safe; one mutex is enough at login rates.

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace rosterd::base {

struct rate_limit_policy {
  std::size_t max_failures = 5;
  std::chrono::seconds window = std::chrono::minutes(15);
  std::size_t max_keys = 100'000;
};

/// 5 failed logins per 15 minutes for one account (OWASP Authentication CS: lock out softly,
/// for minutes, so an attacker cannot lock a user out for good).
inline constexpr rate_limit_policy account_login_policy{5, std::chrono::minutes(15), 100'000};

/// 20 failed logins per 15 minutes from one client address: several people behind one NAT may
/// mistype, but an address cannot spray passwords across many accounts.
inline constexpr rate_limit_policy address_login_policy{20, std::chrono::minutes(15), 100'000};

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;

  /// Throws std::invalid_argument when max_failures, window or max_keys is zero.
  explicit rate_limiter(rate_limit_policy policy);

  /// True when an attempt for `key` may go ahead at `now`.
  [[nodiscard]] bool allow(std::string_view key, clock::time_point now) const;

  /// Counts one failed attempt for `key` at `now`.
  void record_failure(std::string_view key, clock::time_point now);

  /// When `key` is allowed at `now`, counts one attempt for it at `now` (as record_failure)
  /// and returns nullopt; when it is blocked, counts nothing and returns the wait (as
  /// retry_after). Atomic: of any number of concurrent calls, at most the policy's
  /// max_failures within a window get through.
  [[nodiscard]] std::optional<std::chrono::seconds> try_count(std::string_view key,
                                                              clock::time_point now);

  /// Takes back one attempt that try_count (or record_failure) counted for `key` at `at`, for
  /// an attempt that turned out not to be a failure. Nothing happens when that attempt is no
  /// longer kept (the key expired, was reset or evicted, or newer failures pushed it out).
  void forgive(std::string_view key, clock::time_point at);

  /// How long until `key` is allowed again (rounded up to whole seconds, at least 1), or
  /// nullopt when it is allowed now. For a `Retry-After` header.
  [[nodiscard]] std::optional<std::chrono::seconds> retry_after(std::string_view key,
                                                                clock::time_point now) const;

  /// Forgets every failure of `key`.
  void reset(std::string_view key);

  /// How many keys are tracked (expired ones included until they are dropped).
  [[nodiscard]] std::size_t tracked_keys() const;

  [[nodiscard]] const rate_limit_policy& policy() const { return policy_; }

 private:
  struct string_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>{}(s);
    }
  };
  // Keys from least to most recently failed: the front is the first to expire or be evicted.
  using order_list = std::list<std::string>;
  struct entry {
    std::vector<clock::time_point> failures;  // ascending, at most max_failures
    order_list::iterator position;
  };
  using table = std::unordered_map<std::string, entry, string_hash, std::equal_to<>>;

  [[nodiscard]] std::optional<clock::time_point> blocked_until(std::string_view key,
                                                               clock::time_point now) const;
  void drop_expired(clock::time_point now);
  void record_locked(std::string_view key, clock::time_point now);

  rate_limit_policy policy_;
  mutable std::mutex mutex_;
  table entries_;
  order_list order_;
};

}  // namespace rosterd::base
