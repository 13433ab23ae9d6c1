#pragma once
// [server], [roster], [sessions] and [passwords] as the /v1 routes' settings.

#include "edge/api/api_context.hpp"
#include "setup/config.hpp"

namespace rosterd::edge::api {

api_settings api_settings_from(const setup::config& c);

}  // namespace rosterd::edge::api
