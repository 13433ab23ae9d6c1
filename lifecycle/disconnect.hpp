#pragma once
// Disconnecting a profile at someone's request (the creator, an owner or an admin): the
// platform is asked to revoke the grant where it has an endpoint for that, then the tokens are
// deleted here whatever it answered. A platform that is down or refuses must not keep the grant
// usable on our side; the event and the audit entry say what the platform did, so the creator
// knows whether to remove the app there too.

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "base/failure.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/providers.hpp"
#include "oauth/https_client.hpp"
#include "roster/model.hpp"
#include "store/store.hpp"
#include "vault/keyring.hpp"

namespace rosterd::lifecycle {

/// What asking a platform to revoke takes: its configuration, the key that opens the tokens and
/// the client that reaches it.
struct platform_access {
  const provider_registry& providers;
  const vault::keyring& keys;
  const oauth::https_client& http;
};

/// What became of the grant at the platform.
enum class platform_revocation {
  revoked,           ///< the platform confirmed (2xx)
  not_asked,         ///< the connection was disconnected already: no grant left to revoke
  no_endpoint,       ///< the platform has none for user tokens: the creator removes the app there
  not_configured,    ///< no provider configuration or key to ask with
  no_usable_token,   ///< the stored tokens are gone or do not open
  request_unusable,  ///< the revocation request could not be built from the configuration
  unreachable,       ///< the request failed on the way (DNS, TLS, timeout...)
  refused,           ///< the platform answered with an error status
};
std::string_view to_string(platform_revocation r) noexcept;

struct disconnect_outcome {
  connection_record connection;  ///< as it was before the disconnect
  platform_revocation at_platform = platform_revocation::not_asked;
  std::string reason;  ///< what the event and the audit entry record
};

/// Disconnects `connection_id` for `who`: check_may_disconnect's errors (not_found, forbidden)
/// before anything else; then, unless it is disconnected already, a revocation at the platform
/// (best effort, once, never retried: `platform` absent means nothing is configured to ask
/// with); then drop_tokens marks it disconnected, with the event and an audit entry, in one
/// write. Fails only when the store does.
boost::asio::awaitable<base::result<disconnect_outcome>> disconnect(
    store::store& db, const std::optional<platform_access>& platform, roster::caller who,
    std::string connection_id, time_point now);

}  // namespace rosterd::lifecycle
