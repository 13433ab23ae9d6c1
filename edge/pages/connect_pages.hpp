#pragma once
// The connect pages: /connect/{token} (a reconnect link), its start button, the platforms'
// /oauth/{provider}/callback, and /connect/result/{attempt} with "try again".

#include "edge/api/api_context.hpp"
#include "edge/routes/route_table.hpp"

namespace rosterd::edge::pages {

route_table<api::api_context> connect_pages();

}  // namespace rosterd::edge::pages
