#pragma once
// What the connection routes and pages need beyond the roster: the vault, the enabled
// providers, the HTTPS client that talks to them and the link settings. Absent (null in
// api_context) when no provider is configured: those routes then answer 404.

#include <chrono>
#include <memory>
#include <optional>

#include "lifecycle/providers.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "lifecycle/refresh.hpp"
#include "oauth/https_client.hpp"
#include "vault/key_holder.hpp"
#include "vault/keyring.hpp"

namespace rosterd::setup {

struct oauth_services {
  /// Shared with the refresher and SIGHUP's key reload; current() is null without a key.
  std::shared_ptr<vault::key_holder> keys = std::make_shared<vault::key_holder>();
  lifecycle::provider_registry providers;
  std::optional<oauth::https_client> http;
  lifecycle::link_settings links;
  std::chrono::seconds broker_refresh_margin{300};
  /// Single-flight refreshes, shared by the scheduler and the token broker; null without a key.
  std::shared_ptr<lifecycle::refresher> refresher;

  /// The keyring now (null when no key is configured): take one per operation.
  [[nodiscard]] std::shared_ptr<const vault::keyring> keyring() const { return keys->current(); }
};

}  // namespace rosterd::setup
