#pragma once
// Meta's signed_request (deauthorize and data-deletion callbacks, which must
// be refused unless Meta signed them): `<base64url sig>.<base64url JSON payload>`, both without
// padding, sig = HMAC-SHA256(app secret, payload segment as received).

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "base/secret.hpp"

namespace rosterd::oauth {

inline constexpr std::size_t default_max_signed_request_bytes = 64 * 1024;

/// How old a signed_request may be. Meta signs each callback when it sends it and documents no
/// retries, so an hour is generous for a queued delivery while keeping a captured request from
/// being useful later; a few minutes ahead allow for a clock that runs behind Meta's. A replay
/// inside the window is caught by the callers' de-duplication (replay_key).
struct signed_request_options {
  std::chrono::seconds max_age{std::chrono::hours(1)};
  std::chrono::seconds max_clock_skew{std::chrono::minutes(5)};
  std::size_t max_bytes = default_max_signed_request_bytes;
};

struct signed_request_payload {
  std::string user_id;  // the JSON string or number, as decimal text
  std::chrono::system_clock::time_point issued_at;
  std::optional<std::chrono::system_clock::time_point> expires;
  std::string algorithm;  // "HMAC-SHA256"
  /// The signature as hex: the same for every copy of this exact request (a replay) and, being
  /// an HMAC under the app secret, says nothing about the user it names.
  std::string replay_key;
};

/// Verifies and reads a signed_request value (the form field's value, already form-decoded).
/// Checks, in order: size (errc::request_too_large over `max_bytes`); shape: exactly two
/// non-empty segments of strict unpadded base64url, a 32-byte signature (errc::malformed_request);
/// the HMAC over the encoded payload segment, compared in constant time
/// (errc::invalid_signature); the payload: a JSON object (malformed_request) whose `algorithm`
/// is "HMAC-SHA256" (case-insensitive, as Meta's sample compares; anything else:
/// invalid_signature), with `user_id` (string or integer) and integer `issued_at`
/// (malformed_request); last, `issued_at` no older than `max_age` and no further than
/// `max_clock_skew` ahead of `now` (errc::stale_signature: only ever said of a request that
/// verified, so it means "a replay of a genuine request", never a forgery). The payload is only
/// parsed after the signature verified.
base::result<signed_request_payload> verify_signed_request(
    std::string_view signed_request, const base::secret& app_secret,
    std::chrono::system_clock::time_point now, const signed_request_options& options = {});

/// The `signed_request` field of a form-encoded callback body; errc::request_too_large over
/// `max_bytes`, errc::malformed_request when the body is not a form or lacks (or repeats) it.
base::result<std::string> signed_request_from_form(
    std::string_view form_body, std::size_t max_bytes = default_max_signed_request_bytes + 1024);

}  // namespace rosterd::oauth
