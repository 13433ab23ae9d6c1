#pragma once
// What a creator does with a reconnect link without signing in: the link itself is the
// credential, good for its own creator's connections only. Opening it shows the platforms it
// names and where each stands; pressing "Connect" on one starts an attempt bound to the link.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "lifecycle/connect_flow.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/providers.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "store/database.hpp"
#include "vault/keyring.hpp"

namespace rosterd::lifecycle {

/// One platform the link names and that is configured here.
struct link_platform {
  std::string provider;
  std::string display_name;
  /// Done on this link (connected through it, or since it was made): it offers no "Connect",
  /// so a forwarded link cannot swap the account for someone else's.
  bool done = false;
  std::optional<connection_record> connection;  ///< the creator's connection to it, if any
};

struct link_visit {
  opened_link link;
  std::vector<link_platform> platforms;  ///< in the link's order; unconfigured ones left out
};

/// Opens the link `token` names: open_link's errors (roster::errc::token_*), then the
/// platforms with the creator's connections to them.
base::result<link_visit> visit_link(store::database& db, const provider_registry& providers,
                                    std::string_view token, time_point now);

/// Starts a connect to `provider` from the link `token` names, for the browser holding
/// `browser_secret`: start_connect's checks and errors (the link must name the platform and the
/// platform must not be done on it).
base::result<started_connect> start_from_link(store::database& db, const vault::keyring& keys,
                                              const provider_registry& providers,
                                              std::string_view token, std::string_view provider,
                                              std::string_view browser_secret, time_point now);

}  // namespace rosterd::lifecycle
