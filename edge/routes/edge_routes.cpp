#include "edge/routes/edge_routes.hpp"

#include "edge/api/routes.hpp"
#include "edge/pages/connect_pages.hpp"
#include "edge/pages/platform_hooks.hpp"
#include "edge/routes/route_table.hpp"

namespace rosterd::edge {

void add_edge_routes(http::router& routes, const ops_dependencies& ops, api::api_context& v1) {
  add_routes(routes, ops, ops_routes());
  for (const auto& table :
       {api::session_routes(), api::account_routes(), api::creator_routes(),
        api::onboarding_routes(), api::connection_routes(), api::me_routes(), api::webhook_routes(),
        api::status_routes(), pages::connect_pages(), pages::platform_hooks()}) {
    add_routes(routes, v1, table);
  }
}

}  // namespace rosterd::edge
