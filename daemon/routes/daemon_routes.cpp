#include "daemon/routes/daemon_routes.hpp"

#include "daemon/api/routes.hpp"
#include "daemon/pages/connect_pages.hpp"
#include "daemon/pages/platform_hooks.hpp"

namespace rosterd::daemon {

void add_daemon_routes(http::router& routes, const ops_dependencies& ops, api::api_context& v1) {
  add_ops_routes(routes, ops);
  api::add_api_routes(routes, v1);
  pages::add_connect_pages(routes, v1);
  pages::add_platform_hooks(routes, v1);
}

}  // namespace rosterd::daemon
