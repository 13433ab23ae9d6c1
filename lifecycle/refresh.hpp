#pragma once
// Keeping grants alive without the creator. One refresh at a
// time per connection, in two layers:
//   - in this process, concurrent callers for the same connection join the refresh already in
//     flight and get its outcome (100 callers -> 1 provider call);
//   - in the database, `refresh_started_at` is committed before the request is sent and cleared
//     in the same transaction that stores the outcome (a rotated refresh token is committed
//     before anyone is handed the new access token). Still set when a refresh starts means the
//     previous outcome was lost (a crash, or a timeout after the request left): that refresh
//     goes ahead, and if the platform then refuses the refresh token the creator is told the
//     rotation was lost, never silently dropped.
// Errors follow oauth::provider_error: only `reconnect` marks a connection revoked; passing
// failures are retried 9-15 minutes later (Retry-After honoured), never more than 7 times an
// hour.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <spdlog/logger.h>

#include "base/failure.hpp"
#include "lifecycle/providers.hpp"
#include "oauth/https_client.hpp"
#include "roster/clock.hpp"
#include "store/store.hpp"
#include "vault/key_holder.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

/// Why a refresh is asked for.
enum class refresh_reason {
  scheduled,  ///< the connection's next_refresh_at has come: refresh whatever the access token
  on_demand,  ///< a caller needs the access token: refresh only if it expires within a margin
};

enum class refresh_outcome {
  refreshed,        ///< new tokens are stored
  still_valid,      ///< nothing to do: the access token outlives the margin (or is too young)
  not_refreshable,  ///< the platform cannot refresh it (Facebook Login): re-consent only
  retry_later,      ///< a passing failure; the next try is at retry_at
  needs_reconnect,  ///< the grant is gone: the connection is now revoked, its tokens deleted
  rejected,         ///< our request or registration is wrong (an operator must look)
  not_connected,    ///< the connection holds no tokens (disconnected, revoked, unknown)
};
std::string_view to_string(refresh_outcome o) noexcept;

struct refresh_report {
  refresh_outcome outcome = refresh_outcome::not_connected;
  std::optional<time_point> retry_at;  ///< retry_later, rejected: when the scheduler tries again
  std::string detail;                  ///< for logs and the team: never a token
  bool lost_rotation = false;  ///< a refresh had been interrupted and the platform refused the
                               ///< refresh token afterwards
  bool joined = false;         ///< this caller waited for another caller's refresh
};

struct refresh_settings {
  /// Passing failures wait retry_floor + uniform(0, retry_spread): 9-15 minutes, so at most 7
  /// attempts an hour (at most 8) and the next try comes within 15 minutes of recovery.
  std::chrono::seconds retry_floor{std::chrono::minutes(9)};
  std::chrono::seconds retry_spread{std::chrono::minutes(6)};
  /// A provider's Retry-After beyond this is not believed.
  std::chrono::seconds max_retry_after{std::chrono::hours(24)};
  /// After a rejected request (invalid_client...): try again this much later, once an operator
  /// may have fixed the registration.
  std::chrono::seconds rejected_retry{std::chrono::hours(1)};
  /// Consecutive passing failures before the connection shows status `error`.
  int error_after_failures = 3;
};

/// Half the access token's lifetime, but not before the platform allows (Instagram: 24 h):
/// when a token of `lifetime` issued at `now` should be refreshed. nullopt without a lifetime
/// or without a way to refresh.
std::optional<time_point> next_refresh_time(const oauth::provider_profile& profile,
                                            std::optional<std::chrono::seconds> lifetime,
                                            time_point now);

class refresher {
 public:
  using clock_fn = std::function<time_point()>;
  using random_fn = std::function<double()>;  ///< uniform in [0, 1)

  /// All references must outlive the refresher. `log` may be null.
  refresher(store::store& db, std::shared_ptr<vault::key_holder> keys,
            const provider_registry& providers, const oauth::https_client& http,
            refresh_settings settings = {}, std::shared_ptr<spdlog::logger> log = nullptr,
            clock_fn clock = nullptr, random_fn random = nullptr);
  refresher(const refresher&) = delete;
  refresher& operator=(const refresher&) = delete;

  /// Refreshes the connection if `reason` calls for it (on_demand: its access token expires
  /// within `margin`, or was refused). Joins a refresh of the same connection already running
  /// in this process instead of starting another. Failures to read or write the database are
  /// errors; everything the provider says is a report.
  boost::asio::awaitable<base::result<refresh_report>> refresh(
      std::string connection_id, refresh_reason reason,
      std::chrono::seconds margin = std::chrono::seconds(0));

  /// Refreshes now running in this process.
  [[nodiscard]] std::size_t in_flight() const;

  /// Makes connections whose refresh was interrupted by a stop (refresh_started_at still set)
  /// due now, so the scheduler settles them on its first pass. Call once at start, before the
  /// scheduler; returns how many there were.
  base::result<int> recover_interrupted(store::database& db) const;

 private:
  struct flight;

  boost::asio::awaitable<base::result<refresh_report>> lead(const std::string& connection_id,
                                                            refresh_reason reason,
                                                            std::chrono::seconds margin);
  time_point now() const { return clock_(); }
  std::chrono::seconds retry_delay(std::optional<std::chrono::seconds> retry_after) const;

  store::store& db_;
  std::shared_ptr<vault::key_holder> keys_;
  const provider_registry& providers_;
  const oauth::https_client& http_;
  refresh_settings settings_;
  std::shared_ptr<spdlog::logger> log_;
  clock_fn clock_;
  random_fn random_;

  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<flight>, std::less<>> flights_;
};

}  // namespace rosterd::lifecycle
