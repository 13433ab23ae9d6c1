#pragma once
// PKCE (RFC 7636) and the `state` value of the authorization-code flow: S256 only, and a state that
// is single use and bound to its attempt. Both come from the CSPRNG; neither is ever logged.

#include <string>
#include <string_view>

#include "base/secret.hpp"
#include "base/token.hpp"

namespace rosterd::oauth {

/// A fresh code_verifier: 32 random bytes, base64url without padding: 43 characters.
base::secret make_code_verifier();

/// True when `verifier` has RFC 7636 §4.1's shape: 43-128 characters of [A-Za-z0-9-._~].
bool valid_code_verifier(std::string_view verifier);

/// The S256 code_challenge: base64url(SHA-256(ASCII(verifier))), no padding (43 characters).
std::string code_challenge_s256(std::string_view verifier);

/// The prefix of state values ("st_" + 43 base64url characters: 256 bits).
inline constexpr std::string_view state_prefix = "st";

/// A fresh state: base/token.hpp's token with the "st" prefix. `value` goes into the authorize
/// URL; store only `hash` (with the provider, redirect URI, browser session, account, verifier
/// and expiry) so a leaked table holds no usable state.
base::issued_token make_state();

/// A cheap shape check before any lookup of a callback's state.
bool looks_like_state(std::string_view value);

}  // namespace rosterd::oauth
