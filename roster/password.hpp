#pragma once
// Password storage and policy. Hashes are Argon2id (OWASP Password Storage
// Cheat Sheet), stored as PHC strings so the cost travels with each hash and can be raised
// later: needs_rehash says when a successful login should store a new hash.

#include <cstdint>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "base/secret.hpp"

namespace rosterd::roster {

/// Argon2id cost. The defaults are OWASP's first recommendation and also the floor we accept:
/// 19 MiB, 2 iterations, 1 lane.
struct password_cost {
  std::uint32_t memory_kib = 19456;
  std::uint32_t iterations = 2;
  std::uint32_t parallelism = 1;

  friend bool operator==(const password_cost&, const password_cost&) = default;
};

inline constexpr password_cost minimum_password_cost{};

/// Upper bounds, so a typo in the config (or a corrupted stored hash) cannot make every login
/// allocate gigabytes or run for minutes.
inline constexpr password_cost maximum_password_cost{4u * 1024 * 1024, 64, 16};

/// Fails with errc::invalid_argument naming the field ("memory_kib", "iterations",
/// "parallelism") and the accepted range when `cost` is outside [minimum, maximum].
[[nodiscard]] base::result<void> check_password_cost(const password_cost& cost);

/// `$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>` with a fresh 16-byte salt and a 32-byte hash.
/// Fails as check_password_cost does; throws std::runtime_error when Argon2 itself fails
/// (memory allocation, thread creation): environmental, not the caller's fault.
[[nodiscard]] base::result<std::string> hash_password(const base::secret& password,
                                                      const password_cost& cost);

/// True when `password` matches the PHC string. Comparison is constant-time (libargon2).
/// False for anything that is not an Argon2id v19 PHC string, and for costs above
/// maximum_password_cost (a corrupted row must not allocate gigabytes). Costs below the
/// minimum still verify, so older hashes keep working until needs_rehash replaces them.
[[nodiscard]] bool verify_password(const base::secret& password, std::string_view phc);

/// True when `phc` was not made by hash_password at `cost` (another cost, algorithm, version,
/// salt or hash length, or malformed). Call it after a successful verify_password and store a
/// fresh hash_password then, while the plain password is at hand.
[[nodiscard]] bool needs_rehash(std::string_view phc, const password_cost& cost);

/// Burns the time of one verification at `cost`: one Argon2id hash of `password` at that cost.
/// Call it when the account does not exist (or has no password), so the time a login takes
/// does not reveal which emails are registered. True when the hash ran to the end, which it
/// does for any password the login accepts; false (having spent nothing) only for a cost
/// outside [minimum, maximum], which configuration never lets through.
bool spend_equal_time(const base::secret& password, const password_cost& cost);

/// Lengths the policy accepts: at least 12 characters (Unicode code points, so a password in
/// any script counts what the user typed) and at most 1024 bytes (bounds the hashing input).
inline constexpr std::size_t min_password_characters = 12;
inline constexpr std::size_t max_password_bytes = 1024;

/// For a password being set (not at login). ASVS 6.2: length over composition, so no
/// "one digit and one symbol" rules. Fails with errc::weak_password and a detail meant for the
/// person choosing the password, one rule at a time: not UTF-8, too short, too long, one
/// character repeated, or on the built-in list of the most common passwords.
[[nodiscard]] base::result<void> check_password_policy(const base::secret& password);

}  // namespace rosterd::roster
