#include "edge/routes/edge_routes.hpp"

#include "edge/api/routes.hpp"
#include "edge/pages/connect_pages.hpp"
#include "edge/pages/platform_hooks.hpp"

namespace rosterd::edge {

void add_edge_routes(http::router& routes, const ops_dependencies& ops, api::api_context& v1) {
  add_ops_routes(routes, ops);
  api::add_api_routes(routes, v1);
  pages::add_connect_pages(routes, v1);
  pages::add_platform_hooks(routes, v1);
}

}  // namespace rosterd::edge
