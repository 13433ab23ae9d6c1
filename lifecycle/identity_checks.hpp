#pragma once
// The periodic identity check: one call to each connection's identity endpoint every interval,
// each connection at its own offset inside the interval so the calls spread evenly over the
// day instead of bursting. It keeps Meta apps "active" (Meta wants some Graph traffic every
// 90 days or it restricts the app) and finds grants the platform ended without telling us: a
// refusal that means the grant is gone marks the connection revoked, which tells the creator
// and the team. A platform that is down or rate-limiting is asked again later, never blamed.

#include <chrono>
#include <memory>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <spdlog/logger.h>

#include "base/failure.hpp"
#include "lifecycle/job_scheduler.hpp"
#include "lifecycle/providers.hpp"
#include "lifecycle/refresh.hpp"
#include "oauth/https_client.hpp"
#include "store/store.hpp"
#include "vault/key_holder.hpp"

namespace rosterd::lifecycle {

inline constexpr std::string_view identity_check_kind = "identity_check";

/// The first check of `connection_id` at or after `now`: its own offset inside the interval,
/// taken from its id, so checks of many connections spread evenly.
time_point first_identity_check(std::string_view connection_id, std::chrono::seconds interval,
                                time_point now);

/// Plans the next identity check of the connection unless one is pending. In the caller's
/// transaction.
base::result<void> plan_identity_check(store::database& db, std::string_view connection_id,
                                       std::chrono::seconds interval, time_point now);

class identity_checker {
 public:
  /// With `refresh`, an access token that expires within `refresh_margin` is refreshed first
  /// (the refresher's single flight joins a scheduled refresh of the same connection).
  identity_checker(store::store& db, std::shared_ptr<vault::key_holder> keys,
                   const provider_registry& providers, const oauth::https_client& http,
                   std::chrono::seconds interval, std::shared_ptr<spdlog::logger> log,
                   job_scheduler::clock_fn clock, refresher* refresh = nullptr,
                   std::chrono::seconds refresh_margin = std::chrono::minutes(5));

  /// The handler for identity_check jobs.
  boost::asio::awaitable<job_outcome> run(const job& j);

 private:
  store::store& db_;
  std::shared_ptr<vault::key_holder> keys_;
  const provider_registry& providers_;
  const oauth::https_client& http_;
  std::chrono::seconds interval_;
  std::shared_ptr<spdlog::logger> log_;
  job_scheduler::clock_fn clock_;
  refresher* refresher_;
  std::chrono::seconds refresh_margin_;
};

}  // namespace rosterd::lifecycle
