#include "oauth/backoff.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>

#include "base/random.hpp"

namespace rosterd::oauth {
namespace {

using std::chrono::milliseconds;

double clamp_unit(double u) {
  if (!(u >= 0.0)) {  // also NaN
    return 0.0;
  }
  return u < 1.0 ? u : std::nextafter(1.0, 0.0);
}

milliseconds from_double(double ms) {
  return milliseconds(static_cast<std::int64_t>(std::floor(ms)));
}

}  // namespace

unit_random default_unit_random() {
  return [] {
    thread_local std::mt19937_64 engine = [] {
      const auto seed = base::random_bytes(sizeof(std::uint64_t));
      std::uint64_t value = 0;
      std::memcpy(&value, seed.data(), sizeof value);
      return std::mt19937_64(value);
    }();
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
  };
}

milliseconds full_jitter_delay(const backoff_policy& policy, int attempt, double u) {
  const double cap = static_cast<double>(policy.cap.count());
  const int exponent = std::clamp(attempt, 1, 62) - 1;
  const double ceiling =
      std::min(cap, static_cast<double>(policy.base.count()) * std::ldexp(1.0, exponent));
  return from_double(ceiling * clamp_unit(u));
}

milliseconds decorrelated_jitter_delay(const backoff_policy& policy, milliseconds previous,
                                       double u) {
  const double base = static_cast<double>(policy.base.count());
  const double cap = static_cast<double>(policy.cap.count());
  // Before the first retry AWS's formula starts from `base`: uniform in [base, 3 * base).
  const double last = previous.count() > 0 ? static_cast<double>(previous.count()) : base;
  const double upper = std::max(base, 3.0 * last);
  return from_double(std::min(cap, base + (upper - base) * clamp_unit(u)));
}

milliseconds apply_floors(const backoff_policy& policy, milliseconds delay,
                          std::optional<std::chrono::seconds> retry_after) {
  milliseconds out = std::max(delay, policy.minimum);
  if (retry_after && retry_after->count() > 0) {
    out = std::max(out, milliseconds(std::min(*retry_after, policy.max_retry_after)));
  }
  return out;
}

backoff::backoff(backoff_policy policy, unit_random random)
    : policy_(policy), random_(std::move(random)) {}

milliseconds backoff::next(std::optional<std::chrono::seconds> retry_after) {
  ++failures_;
  const double u = random_();
  const milliseconds jittered = policy_.mode == jitter_mode::full
                                    ? full_jitter_delay(policy_, failures_, u)
                                    : decorrelated_jitter_delay(policy_, previous_, u);
  previous_ = jittered;
  return apply_floors(policy_, jittered, retry_after);
}

void backoff::reset() {
  failures_ = 0;
  previous_ = milliseconds(0);
}

}  // namespace rosterd::oauth
