#pragma once
// Operations endpoints: liveness, readiness and Prometheus metrics.

#include <atomic>

#include "base/metrics.hpp"
#include "http/router.hpp"

namespace rosterd::store {
class store;
}

namespace rosterd::daemon {

struct ops_dependencies {
  store::store& db;
  base::metrics::registry& metrics;
  const std::atomic<bool>& stopping;  ///< readiness turns 503 as soon as the drain starts
};

/// GET /healthz: the process answers. GET /readyz: the store answers a query at the schema
/// head and we are not stopping. GET /metrics: Prometheus text exposition.
void add_ops_routes(http::router& routes, ops_dependencies deps);

}  // namespace rosterd::daemon
