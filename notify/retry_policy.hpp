#pragma once
// When to try a message again: capped exponential backoff with jitter,
// and a deadline after which the relay gives up. RFC 5321 4.5.4.1 asks for at least 30 minutes
// between tries and 4-5 days before giving up; tests shorten both.

#include <chrono>

namespace rosterd::notify {

struct retry_policy {
  std::chrono::seconds initial_backoff{std::chrono::minutes(30)};
  std::chrono::seconds max_backoff{std::chrono::hours(4)};
  std::chrono::seconds give_up_after{std::chrono::hours(96)};  // counted from enqueue
  /// Each delay is shortened by a random fraction up to this (0 = none, at most 1), so
  /// messages deferred together do not all come back at the same moment.
  double jitter = 0.2;
};

/// The delay after the `attempts`-th failed attempt (1 for the first): initial_backoff doubled
/// per earlier attempt, capped at max_backoff, then shortened by jitter * `unit_random`
/// (a value in [0, 1)). Never less than one second.
std::chrono::seconds retry_delay(const retry_policy& policy, int attempts, double unit_random);

}  // namespace rosterd::notify
