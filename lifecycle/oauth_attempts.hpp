#pragma once
// The single-use record between a creator pressing "Connect" and the provider's callback: the
// `state` sent to the provider (≥ 256 random bits, stored as SHA-256 only), what it is bound to
// (account, creator, provider, the reconnect link or signed-in creator, a cookie in the browser
// that started it) and the PKCE verifier (vault ciphertext). Claiming consumes it atomically
// before any call to the provider, so a replayed or forged callback never reaches the token
// endpoint.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"
#include "vault/keyring.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

inline constexpr std::string_view state_prefix = "rdst";
inline constexpr std::chrono::minutes attempt_ttl{10};

struct attempt_request {
  std::string account_id;
  std::string creator_id;
  std::string provider;
  std::optional<std::string> link_id;  ///< started from a reconnect link...
  std::optional<std::string> user_id;  ///< ...or by the signed-in creator
  std::string redirect_uri;
  std::vector<std::string> scopes;
  std::optional<std::string> pkce_verifier;  ///< plaintext; sealed before it is stored
};

struct started_attempt {
  std::string id;
  base::secret state;  ///< goes into the authorize URL, nowhere else
};

/// Stores a new attempt bound to `browser_secret` (the value of the browser-binding cookie).
base::result<started_attempt> create_attempt(store::database& db, const vault::keyring& keys,
                                             const attempt_request& request,
                                             std::string_view browser_secret, time_point now);

struct claimed_attempt {
  std::string id;
  std::string account_id;
  std::string creator_id;
  std::string provider;
  std::optional<std::string> link_id;
  std::optional<std::string> user_id;
  std::string redirect_uri;
  std::vector<std::string> scopes;
  std::optional<base::secret> pkce_verifier;
};

/// Consumes the attempt `state` names, for a callback that arrived on `callback_provider`'s
/// path from a browser presenting `browser_secret` (nullopt: no cookie). Fails, consuming
/// nothing more than the attempt itself, with lifecycle::errc state_missing (empty state),
/// state_unknown, state_used, state_expired, state_wrong_provider or state_wrong_browser (the
/// last two also burn the attempt: a mix-up or a stolen link is not retried).
base::result<claimed_attempt> claim_attempt(store::database& db, const vault::keyring& keys,
                                            std::string_view state,
                                            std::string_view callback_provider,
                                            std::optional<std::string_view> browser_secret,
                                            time_point now);

/// Records how a claimed attempt ended ("connected", "denied", "exchange_failed"...).
base::result<void> finish_attempt(store::database& db, std::string_view attempt_id,
                                  std::string_view outcome);

/// Deletes attempts that expired more than a day before `now`; returns how many.
base::result<std::int64_t> delete_stale_attempts(store::database& db, time_point now);

/// Whose attempt it was and how it started, for "try again" (whether it was used or not).
struct attempt_origin {
  std::string account_id;
  std::string creator_id;
  std::string provider;
  std::optional<std::string> link_id;
  std::optional<std::string> user_id;
  std::string browser_hash;  ///< the browser-binding cookie's hash
};

/// The origin of attempt `attempt_id`; roster::errc::not_found when there is no such attempt.
base::result<attempt_origin> find_attempt_origin(store::database& db, std::string_view attempt_id);

}  // namespace rosterd::lifecycle
