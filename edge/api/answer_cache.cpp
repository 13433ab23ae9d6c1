#include "edge/api/answer_cache.hpp"

namespace rosterd::edge::api {

answer_cache::answer_cache(settings s) : settings_(std::move(s)) {}

std::chrono::steady_clock::time_point answer_cache::steady_now() const {
  return settings_.steady_now ? settings_.steady_now() : std::chrono::steady_clock::now();
}

bool answer_cache::holds(const entry& e, std::uint64_t generation,
                         std::chrono::system_clock::time_point now) const {
  // The wall clock may step back; an answer rendered "in the future" is as suspect as an old one.
  return e.generation == generation && steady_now() - e.kept_at < settings_.max_age &&
         now >= e.rendered_for && now - e.rendered_for < settings_.max_age;
}

std::shared_ptr<const std::string> answer_cache::find(
    std::string_view key, std::uint64_t generation,
    std::chrono::system_clock::time_point now) const {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end() || !holds(it->second, generation, now)) {
    return nullptr;
  }
  return it->second.body;
}

void answer_cache::keep(std::string key, std::uint64_t generation,
                        std::chrono::system_clock::time_point now,
                        std::shared_ptr<const std::string> body) {
  if (!body || body->size() > settings_.max_bytes / 4) {
    return;
  }
  const std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    bytes_ -= it->second.body->size();
    entries_.erase(it);
  }
  make_room(body->size(), generation, now);
  bytes_ += body->size();
  entries_.emplace(std::move(key), entry{generation, steady_now(), now, std::move(body)});
}

void answer_cache::make_room(std::size_t needed, std::uint64_t generation,
                             std::chrono::system_clock::time_point now) {
  if (bytes_ + needed <= settings_.max_bytes) {
    return;
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (holds(it->second, generation, now)) {
      ++it;
    } else {
      bytes_ -= it->second.body->size();
      it = entries_.erase(it);
    }
  }
  if (bytes_ + needed > settings_.max_bytes) {
    // Every answer still holds: a burst of distinct queries. Starting over is simpler than an
    // LRU list and costs one render per query that comes back.
    entries_.clear();
    bytes_ = 0;
  }
}

std::size_t answer_cache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

std::size_t answer_cache::bytes() const {
  const std::lock_guard lock(mutex_);
  return bytes_;
}

}  // namespace rosterd::edge::api
