#pragma once
// How long to wait before trying a provider again: capped
// exponential backoff with full or decorrelated jitter (AWS Builders' Library), the provider's
// Retry-After (or Meta's regain time) as a floor. Deterministic under an injected random source.
// A per-connection budget ("at most 8 refresh attempts an hour", so a broken provider is not
// hammered) is the scheduler's: jitter can make single delays short.

#include <chrono>
#include <functional>
#include <optional>

namespace rosterd::oauth {

enum class jitter_mode {
  full,          // uniform in [0, min(cap, base * 2^(attempt-1)))
  decorrelated,  // min(cap, uniform in [base, 3 * previous delay)), previous = base at first
};

struct backoff_policy {
  std::chrono::milliseconds base{std::chrono::seconds(30)};
  std::chrono::milliseconds cap{std::chrono::minutes(15)};
  std::chrono::milliseconds minimum{std::chrono::seconds(1)};    // no delay is shorter
  std::chrono::seconds max_retry_after{std::chrono::hours(24)};  // a provider's wait beyond
                                                                 // this is not believed
  jitter_mode mode = jitter_mode::full;
};

/// A source of uniformly distributed doubles in [0, 1).
using unit_random = std::function<double()>;

/// A per-thread std::mt19937_64 seeded from the CSPRNG (jitter needs spread, not secrecy).
unit_random default_unit_random();

/// Full jitter for the `attempt`-th retry (1 for the first), `u` in [0, 1).
std::chrono::milliseconds full_jitter_delay(const backoff_policy& policy, int attempt, double u);

/// Decorrelated jitter after a delay of `previous` (0 before the first retry), `u` in [0, 1).
std::chrono::milliseconds decorrelated_jitter_delay(const backoff_policy& policy,
                                                    std::chrono::milliseconds previous, double u);

/// `delay` raised to `retry_after` (capped at policy.max_retry_after) and to policy.minimum.
std::chrono::milliseconds apply_floors(const backoff_policy& policy,
                                       std::chrono::milliseconds delay,
                                       std::optional<std::chrono::seconds> retry_after);

/// The retry state of one thing (a connection's refresh, one outbound call).
class backoff {
 public:
  explicit backoff(backoff_policy policy = {}, unit_random random = default_unit_random());

  /// The wait after another failure. `retry_after`: what the provider asked for, a floor.
  std::chrono::milliseconds next(std::optional<std::chrono::seconds> retry_after = std::nullopt);

  /// After a success: the next failure starts from the base again.
  void reset();

  [[nodiscard]] int failures() const { return failures_; }
  [[nodiscard]] const backoff_policy& policy() const { return policy_; }

 private:
  backoff_policy policy_;
  unit_random random_;
  int failures_ = 0;
  std::chrono::milliseconds previous_{0};
};

}  // namespace rosterd::oauth
