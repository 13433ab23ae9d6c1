#pragma once
// The two browser-facing ends of the authorization-code flow: the authorize URL the creator is
// sent to, and the callback query the provider sends them back with.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "base/token.hpp"
#include "oauth/profile.hpp"

namespace rosterd::oauth {

enum class authorize_mode {
  connect,    // first connection or reconnection
  reconsent,  // ask again for scopes the creator declined (adds reconsent_authorize_params)
};

/// The authorize URL: the client id under the profile's parameter name, redirect_uri,
/// response_type=code, the scopes joined with the profile's separator, state, code_challenge and
/// code_challenge_method=S256 when the profile uses PKCE, then the profile's extra parameters.
/// Every value percent-encoded (form_encode). `code_challenge` must be given exactly when the
/// profile uses PKCE: anything else is a programming error (std::invalid_argument).
std::string authorize_url(const provider& p, std::string_view state,
                          std::optional<std::string_view> code_challenge,
                          authorize_mode mode = authorize_mode::connect);

/// A started flow: send the creator to `url`; keep `state.hash` and `code_verifier` on the
/// server, bound to the browser session, account, provider and redirect URI, so a callback cannot
/// be replayed into another session.
struct authorization_start {
  std::string url;
  base::issued_token state;
  std::optional<base::secret> code_verifier;  // when the profile uses PKCE
};

/// Fresh state (and verifier where PKCE applies) and the URL that carries them.
authorization_start begin_authorization(const provider& p,
                                        authorize_mode mode = authorize_mode::connect);

/// What a provider's redirect back carried. Either `code` or `error` is set, never both.
struct callback_params {
  std::string state;
  std::optional<base::secret> code;  // Instagram's "#_" already removed
  // The three texts are provider text (log with log_field), made valid UTF-8 (ill-formed bytes
  // become U+FFFD) and cut to at most 512 bytes on a character boundary.
  std::optional<std::string> error;  // "access_denied"...
  std::optional<std::string> error_description;
  std::optional<std::string> error_reason;                 // Meta's extra field
  std::optional<std::vector<std::string>> granted_scopes;  // TikTok's `scopes`
  std::optional<std::string> iss;                          // RFC 9207, when sent, as sent
};

inline constexpr std::size_t default_max_callback_bytes = 16 * 1024;

/// Parses a callback's query string (without '?'). errc::request_too_large over `max_bytes`;
/// errc::malformed_request for bad encoding, a repeated code/state/error/iss, no state, neither
/// or both of code and error, or an empty code. The detail never contains the code or state.
base::result<callback_params> parse_callback(const provider_profile& profile,
                                             std::string_view query,
                                             std::size_t max_bytes = default_max_callback_bytes);

/// RFC 9207's mix-up defence. Where the profile names its issuer, a callback (an error answer
/// too) must carry exactly that `iss` (plain string equality): why not when it does not
/// (missing, or another value), nullopt when it does or when the profile names no issuer. The
/// text is safe to store and show: the iss it quotes is cut and made valid UTF-8.
std::optional<std::string> issuer_mismatch(const provider_profile& profile,
                                           const callback_params& callback);

}  // namespace rosterd::oauth
