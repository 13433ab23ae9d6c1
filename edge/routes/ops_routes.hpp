#pragma once
// Operations endpoints: liveness, readiness and Prometheus metrics.

#include <atomic>

#include "base/metrics.hpp"
#include "base/secret.hpp"
#include "edge/routes/route_table.hpp"

namespace rosterd::store {
class store;
}

namespace rosterd::edge {

struct ops_dependencies {
  store::store& db;
  base::metrics::registry& metrics;
  const std::atomic<bool>& stopping;  ///< readiness turns 503 as soon as the drain starts
  /// [metrics] token_file's token; null leaves /metrics open to whoever reaches the listener.
  const base::secret* metrics_token = nullptr;
};

/// GET /healthz: the process answers. GET /readyz: the store answers a query at the schema
/// head and we are not stopping. GET /metrics: Prometheus text exposition, behind the bearer
/// token when one is configured.
route_table<const ops_dependencies> ops_routes();

/// Whether an Authorization header value is "Bearer <expected>" (the scheme in any case).
/// The token is compared through SHA-256 digests in constant time, so neither its bytes nor
/// its length can be learnt from response times.
bool bearer_token_matches(const base::secret& expected, std::string_view authorization);

}  // namespace rosterd::edge
