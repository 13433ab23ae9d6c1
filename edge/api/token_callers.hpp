#pragma once
// Who each recently used API token stands for, so a busy integration's requests skip the trip
// to a reader thread that resolving the token costs (under load, most of a small request's
// time). Kept while no write of this process changed a table the lookup read (tokens,
// memberships, users, accounts: roster::api_token_changes), for at most max_age (a revocation
// by another process, rosterctl, takes effect within it), and never past the token's own end.
// Keyed by the token's hash; only tokens that resolved are kept.

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "roster/model.hpp"

namespace rosterd::edge::api {

class token_callers {
 public:
  using steady_clock_fn = std::function<std::chrono::steady_clock::time_point()>;

  struct settings {
    std::size_t max_entries = 10'000;
    std::chrono::milliseconds max_age{1000};
    /// The clock that ages entries (tests move it); steady_clock::now when empty.
    steady_clock_fn steady_now;
  };

  token_callers() : token_callers(settings{}) {}
  explicit token_callers(settings s);
  token_callers(const token_callers&) = delete;
  token_callers& operator=(const token_callers&) = delete;

  /// The caller kept for `token_hash` if it still holds at `now` with the tables at
  /// `generation` (read before the lookup would have run). Thread-safe.
  [[nodiscard]] std::optional<roster::caller> find(std::string_view token_hash,
                                                   std::uint64_t generation,
                                                   std::chrono::system_clock::time_point now) const;
  /// Keeps `who` (resolved from reads that started at `generation`) for `token_hash`.
  void keep(std::string token_hash, std::uint64_t generation,
            std::chrono::system_clock::time_point now, roster::caller who);

  [[nodiscard]] std::size_t size() const;

 private:
  struct entry {
    std::uint64_t generation = 0;
    std::chrono::steady_clock::time_point kept_at;
    std::optional<std::chrono::system_clock::time_point> ends_at;
    roster::caller who;
  };

  [[nodiscard]] std::chrono::steady_clock::time_point steady_now() const;
  [[nodiscard]] bool holds(const entry& e, std::uint64_t generation,
                           std::chrono::system_clock::time_point now) const;

  settings settings_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, entry> entries_;  // guarded by mutex_
};

}  // namespace rosterd::edge::api
