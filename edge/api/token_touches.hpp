#pragma once
// Remembers when each API token's last_used_at was last written, so a busy token costs one
// write a minute instead of one trip to the single writer thread per request: the write
// queues behind every other change, and under load it was most of a token request's time.

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace rosterd::edge::api {

class token_touches {
 public:
  using time_point = std::chrono::system_clock::time_point;
  /// last_used_at is kept to the minute; the database's own check uses the same step.
  static constexpr std::chrono::seconds step{60};

  /// True when `token_id`'s last_used_at should be written at `now` (not written in the last
  /// minute by this process); records `now` as written when it answers true.
  bool due(std::string_view token_id, time_point now);

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, time_point> written_;
};

}  // namespace rosterd::edge::api
