#include "edge/api/answer_cache.hpp"

namespace rosterd::edge::api {

answer_cache::answer_cache(settings s) : settings_(std::move(s)) {}

std::chrono::steady_clock::time_point answer_cache::steady_now() const {
  return settings_.steady_now ? settings_.steady_now() : std::chrono::steady_clock::now();
}

bool answer_cache::holds(const entry& e, std::uint64_t generation,
                         std::chrono::system_clock::time_point now) const {
  // The wall clock may step back; an answer rendered "in the future" is as suspect as an old one.
  return e.body && e.generation == generation && steady_now() - e.kept_at < settings_.max_age &&
         now >= e.rendered_for && now - e.rendered_for < settings_.max_age;
}

bool answer_cache::claim_live(const entry& e) const {
  return e.rendering_since && steady_now() - *e.rendering_since < settings_.render_wait;
}

answer_cache::lookup answer_cache::look(std::string_view key, std::uint64_t generation,
                                        std::chrono::system_clock::time_point now) {
  const std::lock_guard lock(mutex_);
  auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    entry placeholder;
    placeholder.rendering_since = steady_now();
    placeholder.rendering_generation = generation;
    entries_.emplace(std::string(key), std::move(placeholder));
    return {verdict::render, nullptr};
  }
  auto& e = it->second;
  const auto claim = [&] {
    e.rendering_since = steady_now();
    e.rendering_generation = generation;
    return lookup{verdict::render, nullptr};
  };
  if (holds(e, generation, now)) {
    if (!claim_live(e) && steady_now() - e.kept_at >= settings_.max_age / 2) {
      return claim();  // the others go on with this answer meanwhile
    }
    return {verdict::use, e.body};
  }
  // A render started from the same writes (or later ones) will serve this request too.
  if (claim_live(e) && e.rendering_generation >= generation) {
    return {verdict::wait, nullptr};
  }
  return claim();
}

void answer_cache::keep(std::string key, std::uint64_t generation,
                        std::chrono::system_clock::time_point now,
                        std::shared_ptr<const kept_answer> body) {
  const std::lock_guard lock(mutex_);
  if (auto it = entries_.find(key); it != entries_.end()) {
    if (it->second.body) {
      bytes_ -= it->second.body->bytes();
    }
    entries_.erase(it);
  }
  if (!body || body->bytes() > settings_.max_bytes / 4) {
    return;
  }
  make_room(body->bytes(), generation, now);
  bytes_ += body->bytes();
  entries_.emplace(std::move(key), entry{generation, steady_now(), now, std::move(body)});
}

void answer_cache::give_up(std::string_view key) {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(std::string(key));
  if (it == entries_.end()) {
    return;
  }
  if (!it->second.body) {
    entries_.erase(it);
  } else {
    it->second.rendering_since.reset();
  }
}

void answer_cache::make_room(std::size_t needed, std::uint64_t generation,
                             std::chrono::system_clock::time_point now) {
  if (bytes_ + needed <= settings_.max_bytes) {
    return;
  }
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (holds(it->second, generation, now) || !it->second.body) {
      ++it;
    } else {
      bytes_ -= it->second.body->bytes();
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
