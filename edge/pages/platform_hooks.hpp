#pragma once
// The platforms' own calls: Meta's deauthorize and data-deletion callbacks (with the deletion
// status page) and TikTok's webhook.

#include "edge/api/api_context.hpp"
#include "edge/routes/route_table.hpp"

namespace rosterd::edge::pages {

route_table<api::api_context> platform_hooks();

}  // namespace rosterd::edge::pages
