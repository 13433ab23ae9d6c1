#include "base/rate_limiter.hpp"

#include <algorithm>
#include <stdexcept>

namespace rosterd::base {

rate_limiter::rate_limiter(rate_limit_policy policy) : policy_(policy) {
  if (policy_.max_failures == 0 || policy_.window <= std::chrono::seconds::zero() ||
      policy_.max_keys == 0) {
    throw std::invalid_argument("rate_limit_policy needs max_failures, window and max_keys > 0");
  }
}

std::optional<rate_limiter::clock::time_point> rate_limiter::blocked_until(
    std::string_view key, clock::time_point now) const {
  const auto it = entries_.find(key);
  if (it == entries_.end() || it->second.failures.size() < policy_.max_failures) {
    return std::nullopt;
  }
  // Only the newest max_failures are kept, so the oldest kept one decides.
  const clock::time_point until = it->second.failures.front() + policy_.window;
  if (now >= until) {
    return std::nullopt;
  }
  return until;
}

bool rate_limiter::allow(std::string_view key, clock::time_point now) const {
  std::lock_guard lock(mutex_);
  return !blocked_until(key, now);
}

std::optional<std::chrono::seconds> rate_limiter::retry_after(std::string_view key,
                                                              clock::time_point now) const {
  std::lock_guard lock(mutex_);
  const auto until = blocked_until(key, now);
  if (!until) {
    return std::nullopt;
  }
  // Rounded up: a client that waits the advertised time must find the key allowed.
  return std::max(std::chrono::ceil<std::chrono::seconds>(*until - now), std::chrono::seconds(1));
}

void rate_limiter::drop_expired(clock::time_point now) {
  while (!order_.empty()) {
    const auto it = entries_.find(order_.front());
    if (now < it->second.failures.back() + policy_.window) {
      return;  // the front has the oldest newest-failure: nothing behind it is expired
    }
    entries_.erase(it);
    order_.pop_front();
  }
}

void rate_limiter::record_failure(std::string_view key, clock::time_point now) {
  std::lock_guard lock(mutex_);
  record_locked(key, now);
}

std::optional<std::chrono::seconds> rate_limiter::try_count(std::string_view key,
                                                            clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (const auto until = blocked_until(key, now)) {
    return std::max(std::chrono::ceil<std::chrono::seconds>(*until - now), std::chrono::seconds(1));
  }
  record_locked(key, now);
  return std::nullopt;
}

void rate_limiter::forgive(std::string_view key, clock::time_point at) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) {
    return;
  }
  auto& failures = it->second.failures;
  const auto found = std::lower_bound(failures.begin(), failures.end(), at);
  if (found == failures.end() || *found != at) {
    return;
  }
  failures.erase(found);
  if (failures.empty()) {
    order_.erase(it->second.position);
    entries_.erase(it);
  }
  // The key keeps its place in the order, which may now be later than its newest failure
  // says: keys behind it then expire (and are dropped) a little later, costing only memory.
}

void rate_limiter::record_locked(std::string_view key, clock::time_point now) {
  drop_expired(now);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= policy_.max_keys) {
      entries_.erase(order_.front());
      order_.pop_front();
    }
    order_.emplace_back(key);
    it = entries_.emplace(order_.back(), entry{{}, std::prev(order_.end())}).first;
  } else {
    order_.splice(order_.end(), order_, it->second.position);
  }
  auto& failures = it->second.failures;
  // Callers on other threads may pass slightly older times; keep the log sorted regardless.
  failures.insert(std::upper_bound(failures.begin(), failures.end(), now), now);
  if (failures.size() > policy_.max_failures) {
    failures.erase(failures.begin());
  }
}

void rate_limiter::reset(std::string_view key) {
  std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) {
    return;
  }
  order_.erase(it->second.position);
  entries_.erase(it);
}

std::size_t rate_limiter::tracked_keys() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace rosterd::base
