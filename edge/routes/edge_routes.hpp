#pragma once
// The daemon's whole HTTP surface in one call, so the daemon and the tests that must see the
// real route list (the authorization matrix) cannot drift apart.

#include "edge/api/api_context.hpp"
#include "edge/routes/ops_routes.hpp"
#include "http/router.hpp"

namespace rosterd::edge {

/// Registers every route rosterd serves: operations (/healthz, /readyz, /metrics), the /v1
/// API, the connect pages and the platforms' callbacks. `ops` and `v1` must outlive `routes`.
void add_edge_routes(http::router& routes, const ops_dependencies& ops, api::api_context& v1);
/// The handlers keep a reference to `ops`: a temporary would be gone before the first request.
void add_edge_routes(http::router& routes, const ops_dependencies&& ops,
                     api::api_context& v1) = delete;

}  // namespace rosterd::edge
