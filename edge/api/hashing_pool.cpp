#include "edge/api/hashing_pool.hpp"

#include <algorithm>
#include <thread>

namespace rosterd::edge::api {
namespace {

unsigned effective_threads(unsigned configured) {
  return configured != 0 ? configured : hashing_pool::default_threads();
}

}  // namespace

hashing_pool::hashing_pool(unsigned threads, unsigned queue_limit)
    : threads_(effective_threads(threads)),
      queue_limit_(queue_limit),
      threads_pool_(effective_threads(threads)) {}

hashing_pool::~hashing_pool() {
  join();
}

void hashing_pool::join() {
  threads_pool_.join();
}

unsigned hashing_pool::default_threads() {
  return std::clamp(std::thread::hardware_concurrency(), 1U, 8U);
}

std::optional<hashing_pool::slot> hashing_pool::reserve() {
  unsigned now = pending_.load();
  do {
    if (now >= capacity()) {
      return std::nullopt;
    }
  } while (!pending_.compare_exchange_weak(now, now + 1));
  return slot(*this);
}

std::chrono::seconds hashing_pool::retry_after() const {
  // Before the first hash finishes there is no measurement: assume Argon2id's usual 100 ms.
  const auto average = average_us_.load();
  const std::chrono::microseconds each(average > 0 ? average : 100'000);
  const auto drain = each * pending_.load() / threads_;
  return std::clamp(std::chrono::ceil<std::chrono::seconds>(drain), std::chrono::seconds(1),
                    std::chrono::seconds(60));
}

void hashing_pool::note_duration(std::chrono::steady_clock::duration d) {
  const auto sample = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  auto old = average_us_.load();
  // Weighted 1/8 toward the newest hash; a lost update under a race only skips one sample.
  const auto next = old == 0 ? sample : old + (sample - old) / 8;
  average_us_.compare_exchange_strong(old, next);
}

}  // namespace rosterd::edge::api
