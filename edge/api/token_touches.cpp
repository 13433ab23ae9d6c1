#include "edge/api/token_touches.hpp"

namespace rosterd::edge::api {

bool token_touches::due(std::string_view token_id, time_point now) {
  std::lock_guard lock(mutex_);
  // Tokens used once and never again would otherwise stay forever: forget everything older
  // than a step once the map is large (those tokens just get written on their next use).
  if (written_.size() > 10'000) {
    std::erase_if(written_, [now](const auto& entry) { return now - entry.second >= step; });
  }
  auto [it, inserted] = written_.try_emplace(std::string(token_id), now);
  if (inserted) {
    return true;
  }
  if (now - it->second < step && now >= it->second) {
    return false;
  }
  it->second = now;
  return true;
}

}  // namespace rosterd::edge::api
