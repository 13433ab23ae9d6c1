#pragma once
// The connect pages: /connect/{token} (a reconnect link), its start button, the platforms'
// /oauth/{provider}/callback, and /connect/result/{attempt} with "try again".

#include "edge/api/api_context.hpp"
#include "http/router.hpp"

namespace rosterd::edge::pages {

void add_connect_pages(http::router& routes, api::api_context& api);

}  // namespace rosterd::edge::pages
