#pragma once
// What a provider's error answer means for a connection, by each platform's documented error
// codes. The one rule that matters most: a connection is never wrongly marked revoked.
// Only these mean `reconnect`:
//   - OAuth `invalid_grant` (any provider, any phase);
//   - Meta Graph code 190 (subcodes other than 459/464/492, which need the creator's own
//     action first) and code 102;
//   - TikTok `access_token_invalid` and Pinterest 401 code 2, but only in the
//     after_failed_refresh phase (before that they mean "refresh first");
//   - a generic provider's RFC 6750 `invalid_token`, also only after a failed refresh.
// Everything a provider may say about load or outages is `transient`; everything that says our
// request or registration is wrong is `rejected`; anything unknown is `rejected` (or
// `transient` when the HTTP status is 5xx/429/408), never `reconnect`.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "base/failure.hpp"
#include "oauth/http_types.hpp"
#include "oauth/profile.hpp"

namespace rosterd::oauth {

/// Which step produced the answer: the same error can mean different things in different steps.
enum class phase {
  code_exchange,        // authorization code → tokens (never retried: a code works once)
  long_lived_exchange,  // short-lived → long-lived (Meta)
  refresh,              // ig_refresh_token or the refresh_token grant
  identity,             // the identity call after connecting
  api_call,             // any later call with the access token
  revoke,
  after_failed_refresh,  // an API call answered after a refresh attempt was refused (not after
                         // a transient refresh failure: classify those calls as api_call)
};

/// What the daemon should do about the connection.
enum class error_kind {
  reconnect,    // the grant is gone (revoked, expired past refresh): the creator must reconnect
  reconsent,    // scopes are missing: ask the creator to grant them again
  user_action,  // the creator must fix something at the provider first (Meta checkpoint)
  refresh,      // the access token was refused but the grant may be alive: refresh, then retry
  transient,    // retry later with backoff (retry_after when the provider said)
  rejected,     // our request or registration is wrong (invalid_client, redirect mismatch,
                // bad parameters): not the creator's fault; an operator must look; no blind retry
};

struct provider_error {
  error_kind kind = error_kind::rejected;
  oauth::phase phase = oauth::phase::api_call;
  std::string code;            // "invalid_grant", "190", "access_token_invalid", "2",
                               // "http_503", or a transport errc name ("timeout")
  std::optional<int> subcode;  // Meta error_subcode
  std::string message;         // the provider's text: trimmed, at most 300 bytes, control
                               // characters and anything token-like replaced
  std::optional<std::chrono::seconds> retry_after;  // Retry-After or Meta's regain time
};

/// Classifies an HTTP answer. nullopt when it is a success (2xx without an error body; TikTok
/// bodies are checked even on 200). `now` resolves an HTTP-date Retry-After. Values in
/// `never_echo` (the tokens and secret the request carried) are replaced in the message.
std::optional<provider_error> classify_response(const provider_profile& profile, phase step,
                                                const http_response& response,
                                                std::chrono::system_clock::time_point now,
                                                std::span<const std::string_view> never_echo = {});

/// Classifies a failure to get an answer at all: DNS, connect, TLS, timeout, a closed or
/// malformed response are transient; an unusable URL is rejected.
provider_error classify_transport(std::error_code error, phase step);

/// Meta Graph's documented table for one error code and subcode.
provider_error classify_meta_error(int code, std::optional<int> subcode, phase step);

/// An RFC 6749 §5.2 / RFC 6750 §3.1 error code (also TikTok's OAuth errors).
provider_error classify_oauth_error(const provider_profile& profile, std::string_view error,
                                    phase step);

/// Retry-After as delay-seconds or an HTTP-date (IMF-fixdate), relative to `now`; a date in the
/// past gives 0 s. nullopt when unparseable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

/// The largest estimated_time_to_regain_access (minutes) in an X-Business-Use-Case-Usage
/// header, in seconds; nullopt when the header has none or is not JSON.
std::optional<std::chrono::seconds> meta_regain_access(std::string_view header_value);

/// Provider text made safe to log and store: control characters become spaces, whitespace is
/// trimmed, every `never_echo` value (4+ bytes) and every token-like run (24+ characters of
/// token alphabet with both letters and digits) becomes "[redacted]", then cut to 300 bytes.
std::string scrub_message(std::string_view text, std::span<const std::string_view> never_echo = {});

/// errc::provider_error with a detail naming phase, kind, code and subcode, then the message.
base::failure to_failure(const provider_error& error);

/// The error in one line for operators (events, job notes, logs), phase and kind by name, then
/// the code ("/subcode" after a Meta code) and the provider's scrubbed message in parentheses.
std::string describe(const provider_error& error);

std::string_view phase_name(phase p) noexcept;
std::string_view error_kind_name(error_kind k) noexcept;

}  // namespace rosterd::oauth
