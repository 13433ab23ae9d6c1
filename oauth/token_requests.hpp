#pragma once
// Requests to a provider's token, identity, introspection and revoke endpoints, built as data
// (http_request) for the HTTPS client to carry. Bodies and some URLs hold secrets (client
// secret, code, tokens; Meta and Instagram put some in the query): never log a request; log
// redact_url(request.url).
//
// Programming errors (a PKCE verifier missing where the profile needs one) throw
// std::invalid_argument. What a provider cannot do (refresh Facebook, revoke an Instagram
// token) is an expected answer: errc::invalid_profile naming the provider and the step.

#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "oauth/http_types.hpp"
#include "oauth/profile.hpp"

namespace rosterd::oauth {

/// The tokens a connection holds, viewed rather than copied.
struct token_view {
  std::string_view access_token;
  std::string_view refresh_token;  // empty: none
};

/// Exchanges an authorization code (Instagram's "#_" is removed if still there) for tokens:
/// per profile a form POST with the secret in the body (Instagram, TikTok as client_key),
/// HTTP Basic (Pinterest), or a GET with everything in the query (Meta). `code_verifier` must
/// be given exactly when the profile uses PKCE.
http_request code_exchange_request(const provider& p, std::string_view code,
                                   std::optional<std::string_view> code_verifier);

/// Short-lived → long-lived: Instagram `ig_exchange_token`, Facebook `fb_exchange_token` (both
/// GET). Fails for a profile without a long-lived exchange.
base::result<http_request> long_lived_exchange_request(const provider& p,
                                                       std::string_view short_lived_token);

/// Keeps a grant alive: Instagram re-issues the long-lived access token (GET
/// `ig_refresh_token`, token in the query as the API requires); TikTok, Pinterest and generic
/// providers POST `grant_type=refresh_token` with the profile's client authentication and extra
/// refresh parameters (Pinterest `continuous_refresh=true`). Fails for Facebook Login (no
/// server-side refresh) and when a refresh_token grant has no refresh token to send.
base::result<http_request> refresh_request(const provider& p, token_view tokens);

/// The identity call with `Authorization: Bearer`; Meta Graph calls carry appsecret_proof in
/// the query when the profile enables it.
http_request identity_request(const provider& p, std::string_view access_token);

/// Facebook Login's list of the user's Pages with their Page tokens (GET /me/accounts with
/// the long-lived user token as a Bearer header and appsecret_proof when the profile signs
/// calls). Fails for profiles without a pages_url.
base::result<http_request> pages_request(const provider& p, std::string_view user_access_token);

/// Meta's debug_token for `input_token` (in the query, as the API requires), authenticated with
/// the app token `client_id|client_secret` in the Authorization header. Fails for profiles
/// without a debug_token URL.
base::result<http_request> debug_token_request(const provider& p, std::string_view input_token);

/// Revokes the grant: TikTok POST /v2/oauth/revoke/ (client_key, client_secret, the access
/// token); Meta DELETE /{user-id}/permissions with the user token; generic RFC 7009 (the
/// refresh token when there is one, else the access token, with token_type_hint). Instagram
/// Login and Pinterest have no revoke endpoint for user tokens: errc::invalid_profile "no
/// revoke endpoint" (disconnecting is then a local delete).
base::result<http_request> revoke_request(const provider& p, token_view tokens,
                                          std::string_view external_user_id = {});

/// Meta's appsecret_proof: lower-case hex HMAC-SHA256 of the access token keyed with the app
/// secret, so a stolen token alone cannot call the API.
std::string appsecret_proof(std::string_view access_token, const base::secret& app_secret);

}  // namespace rosterd::oauth
