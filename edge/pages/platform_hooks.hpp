#pragma once
// The platforms' own calls: Meta's deauthorize and data-deletion callbacks (with the deletion
// status page) and TikTok's webhook.

#include "edge/api/api_context.hpp"
#include "http/router.hpp"

namespace rosterd::edge::pages {

void add_platform_hooks(http::router& routes, api::api_context& api);

}  // namespace rosterd::edge::pages
