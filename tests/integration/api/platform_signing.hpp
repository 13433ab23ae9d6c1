#pragma once
// How the platforms sign what they send to rosterd's callbacks, for tests that play the
// platform: Meta's signed_request (HMAC-SHA256 over the base64url payload) and TikTok's
// TikTok-Signature header (HMAC-SHA256 over "<timestamp>.<body>").

#include <cstdint>
#include <string>
#include <string_view>

#include "base/crypto.hpp"
#include "base/encoding.hpp"

namespace rosterd::testing {

inline std::string b64url(std::string_view text) {
  return base::base64url_encode(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

/// A Meta signed_request for `payload` signed with `secret`, as a form body.
inline std::string signed_request_form(const std::string& payload, const std::string& secret) {
  const auto encoded = b64url(payload);
  const auto sig = base::hmac_sha256(secret, encoded);
  return "signed_request=" + base::base64url_encode(sig.data(), sig.size()) + "." + encoded;
}

inline std::string tiktok_signature(const std::string& body, const std::string& secret,
                                    std::int64_t at) {
  const auto t = std::to_string(at);
  const auto mac = base::hmac_sha256(secret, t + "." + body);
  return "t=" + t + ",s=" + base::to_hex(mac.data(), mac.size());
}

}  // namespace rosterd::testing
