#pragma once
// The /v1 JSON API, one table per area; add_edge_routes (edge/routes/edge_routes.hpp) registers
// them. docs/API.md lists them all and the authorization matrix test (tests/integration/api)
// checks every registered route.

#include "edge/api/api_context.hpp"
#include "edge/routes/route_table.hpp"

namespace rosterd::edge::api {

using api_route_table = route_table<api_context>;

/// Sign-in and the flows that lead to it: session (login, who am I, logout), password reset,
/// invitation preview and acceptance.
api_route_table session_routes();
/// Accounts, members, invitations board, audit log, API tokens.
api_route_table account_routes();
/// Creators, their team, the creator message.
api_route_table creator_routes();
/// CSV onboarding: template, dry run and apply.
api_route_table onboarding_routes();
/// Providers, reconnect links, connections and their events, disconnecting.
api_route_table connection_routes();
/// The signed-in person's own settings under /v1/me (notification preferences).
api_route_table me_routes();
/// Webhook endpoints, their secrets, test events and delivery log.
api_route_table webhook_routes();
/// Roster-wide status: the caller's connections with counts (JSON) and as a CSV file.
api_route_table status_routes();

}  // namespace rosterd::edge::api
