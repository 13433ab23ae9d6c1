#include "edge/api/token_callers.hpp"

#include "store/timestamp.hpp"

namespace rosterd::edge::api {

token_callers::token_callers(settings s) : settings_(std::move(s)) {}

std::chrono::steady_clock::time_point token_callers::steady_now() const {
  return settings_.steady_now ? settings_.steady_now() : std::chrono::steady_clock::now();
}

bool token_callers::holds(const entry& e, std::uint64_t generation,
                          std::chrono::system_clock::time_point now) const {
  return e.generation == generation && steady_now() - e.kept_at < settings_.max_age &&
         (!e.ends_at || now < *e.ends_at);
}

std::optional<roster::caller> token_callers::find(std::string_view token_hash,
                                                  std::uint64_t generation,
                                                  std::chrono::system_clock::time_point now) const {
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(std::string(token_hash));
  if (it == entries_.end() || !holds(it->second, generation, now)) {
    return std::nullopt;
  }
  return it->second.who;
}

void token_callers::keep(std::string token_hash, std::uint64_t generation,
                         std::chrono::system_clock::time_point now, roster::caller who) {
  entry e{generation, steady_now(), std::nullopt, std::move(who)};
  if (e.who.token_expires_at) {
    const auto ends = store::parse_iso8601_utc(*e.who.token_expires_at);
    if (!ends) {
      return;  // an end we cannot read is not trusted from memory
    }
    e.ends_at = *ends;
  }
  const std::lock_guard lock(mutex_);
  if (entries_.size() >= settings_.max_entries && !entries_.contains(token_hash)) {
    std::erase_if(entries_, [&](const auto& kv) { return !holds(kv.second, generation, now); });
    if (entries_.size() >= settings_.max_entries) {
      entries_.clear();  // that many tokens busy at once: start over rather than track age
    }
  }
  entries_.insert_or_assign(std::move(token_hash), std::move(e));
}

std::size_t token_callers::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace rosterd::edge::api
