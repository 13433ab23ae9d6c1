#pragma once
// Talent-controlled authentication, end to end: a creator (from a reconnect link, or signed in
// as themself) starts an attempt and is sent to the platform; the platform's callback is
// checked against the attempt before anything else (0 token-endpoint calls for a bad state);
// then the code is exchanged exactly once, the long-lived exchange and the identity call
// follow, and the connection is stored. Agents can send links; they can never start or finish
// the OAuth themselves.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "base/failure.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/providers.hpp"
#include "oauth/https_client.hpp"
#include "oauth/provider_error.hpp"
#include "roster/model.hpp"
#include "store/store.hpp"
#include "vault/keyring.hpp"

namespace rosterd::lifecycle {

/// Where a connect starts: a reconnect link (its token), a signed-in creator, or an earlier
/// attempt of the same browser ("try again").
struct connect_start {
  std::string provider;
  std::string browser_secret;  ///< the browser-binding cookie's value
  std::optional<std::string> link_token;
  std::optional<roster::caller> creator;
  std::optional<std::string> retry_of;  ///< an attempt id
};

struct started_connect {
  std::string attempt_id;
  base::secret authorize_url;  ///< carries the state: give it to the browser only
};

/// Records a new attempt and builds the platform's authorize URL (state, PKCE S256 where the
/// platform takes it, the exact registered redirect URI). Run inside a write transaction.
/// Fails with provider_not_enabled (unknown provider, or one the link does not name), the
/// link's token errors (roster::errc::token_*), roster::errc::forbidden for a caller who is
/// not a creator, and state_wrong_browser / not_found for a retry from another browser.
base::result<started_connect> start_connect(store::database& db, const vault::keyring& keys,
                                            const provider_registry& providers,
                                            const connect_start& start, time_point now);

/// "Try again" from an earlier attempt: a new attempt for the same creator and platform, from
/// the same link or signed-in creator, for the browser that made the earlier one. Fails like
/// start_connect, and with roster::errc::not_found for an unknown attempt.
base::result<started_connect> retry_connect(store::database& db, const vault::keyring& keys,
                                            const provider_registry& providers,
                                            std::string_view attempt_id,
                                            std::string_view browser_secret, time_point now);

struct callback_input {
  std::string provider;  ///< from the callback's path
  std::string query;     ///< the raw query string, without '?'
  std::optional<std::string> browser_secret;
};

enum class callback_outcome { connected, denied, failed };
std::string_view to_string(callback_outcome o) noexcept;

struct callback_result {
  std::string attempt_id;
  std::string creator_id;
  std::string provider;
  callback_outcome outcome = callback_outcome::failed;
  std::optional<saved_connection> connection;    ///< when connected
  std::optional<oauth::provider_error> failure;  ///< when the platform refused a step
  std::string denial;                            ///< the platform's error, when denied
};

/// Handles the platform's callback. A state that is missing, unknown, used, expired, from
/// another browser or for another provider fails (lifecycle::errc) before any platform call.
/// With a valid state: an `error=` answer becomes `denied`; a refused exchange, long-lived
/// exchange or identity call becomes `failed` (never retried: a code is used at most once);
/// otherwise the connection is saved. Denials and failures are events the team sees.
boost::asio::awaitable<base::result<callback_result>> complete_callback(
    store::store& db, const vault::keyring& keys, const provider_registry& providers,
    const oauth::https_client& http, callback_input input, time_point now);

/// What the result page shows, for the browser that made the attempt (state_wrong_browser
/// for any other; not_found for an unknown attempt).
struct attempt_view {
  std::string attempt_id;
  std::string creator_name;
  std::string provider;
  std::string provider_name;
  std::string outcome;  ///< as stored: connected, denied, failed..., or "" while in progress
  std::optional<connection_record> connection;
  bool can_retry = false;  ///< its link is still usable, or it was a signed-in creator's
};
base::result<attempt_view> view_attempt(store::database& db, const provider_registry& providers,
                                        std::string_view attempt_id,
                                        std::optional<std::string_view> browser_secret,
                                        time_point now);

}  // namespace rosterd::lifecycle
