#pragma once
// The oauth library's error vocabulary. Transport errors say why an HTTPS exchange with a
// provider did not produce a response; protocol errors say why a response, callback or signed
// request could not be used. A provider's own error answer (invalid_grant, Meta 190...) is not
// an errc: it is a classified provider_error (provider_error.hpp), because the caller must tell
// "reconnect" from "retry later" without reading text.

#include <string_view>
#include <system_error>

namespace rosterd::oauth {

enum class errc {
  // Transport (https_client).
  invalid_url = 1,     // not an absolute https URL, or a host/port that cannot be used
  dns_failed,          // the host name did not resolve
  connect_failed,      // no TCP connection (refused, unreachable)
  tls_failed,          // handshake failed: certificate chain, host name, protocol version
  timeout,             // connect or total deadline passed
  response_too_large,  // the response exceeded the configured size limit
  malformed_response,  // not parseable HTTP
  connection_closed,   // the peer closed before a complete response
  // Protocol.
  invalid_profile,    // a provider profile (built-in or configured) is unusable
  invalid_response,   // a provider answer without a field we need, or of the wrong type
  provider_error,     // the provider answered with an error (see provider_error.hpp)
  invalid_signature,  // a signed_request or webhook signature that does not verify
  stale_signature,    // a webhook timestamp outside the accepted window
  request_too_large,  // an inbound signed request over its size limit
  malformed_request,  // an inbound callback or signed request that cannot be parsed
  // Values run from 1 without gaps: tests walk them until errc_name() answers "unknown".
};

/// The category named "oauth". Its messages are short and for operators (logs, rosterctl);
/// what a client reads is chosen by the HTTP edge for each code.
const std::error_category& oauth_category() noexcept;

/// Lets errc convert to std::error_code (found by ADL), in oauth_category().
std::error_code make_error_code(errc e) noexcept;

/// The enumerator's name ("tls_failed"): a stable identifier for logs and tests. Returns
/// "unknown" for a value outside the enum.
std::string_view errc_name(errc e) noexcept;

}  // namespace rosterd::oauth

template <>
struct std::is_error_code_enum<rosterd::oauth::errc> : std::true_type {};
