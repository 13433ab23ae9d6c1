#include "notify/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace rosterd::notify {

std::chrono::seconds retry_delay(const retry_policy& policy, int attempts, double unit_random) {
  const double initial = static_cast<double>(policy.initial_backoff.count());
  const double cap =
      static_cast<double>(std::max(policy.max_backoff, policy.initial_backoff).count());
  // Doubling past 2^30 only matters as "the cap"; stopping there keeps the double finite.
  const double exponent = std::clamp(attempts - 1, 0, 30);
  double delay = std::min(cap, initial * std::exp2(exponent));
  delay *= 1.0 - std::clamp(policy.jitter, 0.0, 1.0) * std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::seconds(std::max<long long>(1, std::llround(delay)));
}

}  // namespace rosterd::notify
