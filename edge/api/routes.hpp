#pragma once
// The /v1 JSON API. Each add_* registers one area's routes; docs/API.md lists them all and the
// authorization matrix test (tests/integration/api) checks every registered route.

#include "edge/api/api_context.hpp"
#include "http/router.hpp"

namespace rosterd::edge::api {

/// Sign-in and the flows that lead to it: session (login, who am I, logout), password reset,
/// invitation preview and acceptance.
void add_session_routes(http::router& routes, api_context& api);
/// Accounts, members, invitations board, audit log, API tokens.
void add_account_routes(http::router& routes, api_context& api);
/// Creators, their team, the creator message.
void add_creator_routes(http::router& routes, api_context& api);
/// CSV onboarding: template, dry run and apply.
void add_onboarding_routes(http::router& routes, api_context& api);

/// Providers, reconnect links, connections and their events, disconnecting.
void add_connection_routes(http::router& routes, api_context& api);

inline void add_api_routes(http::router& routes, api_context& api) {
  add_session_routes(routes, api);
  add_account_routes(routes, api);
  add_creator_routes(routes, api);
  add_onboarding_routes(routes, api);
  add_connection_routes(routes, api);
}

}  // namespace rosterd::edge::api
