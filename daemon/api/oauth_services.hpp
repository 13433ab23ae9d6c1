#pragma once
// What the connection routes and pages need beyond the roster: the vault, the enabled
// providers, the HTTPS client that talks to them and the link settings. Absent (null in
// api_context) when no provider is configured: those routes then answer 404.

#include <chrono>
#include <memory>
#include <optional>

#include "lifecycle/providers.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "oauth/https_client.hpp"
#include "vault/keyring.hpp"

namespace rosterd::daemon::api {

struct oauth_services {
  std::shared_ptr<const vault::keyring> keys;
  lifecycle::provider_registry providers;
  std::optional<oauth::https_client> http;
  lifecycle::link_settings links;
  std::chrono::seconds broker_refresh_margin{300};
};

}  // namespace rosterd::daemon::api
