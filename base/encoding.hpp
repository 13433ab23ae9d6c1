#pragma once
// Character values of the two encodings our tokens and URLs use, for the decoders that need
// them (percent-decoding, token shape checks, strict base64url).

namespace rosterd::base {

/// 0..15 for a hex digit (either case), -1 otherwise.
constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

/// 0..63 for a base64url character (RFC 4648 §5), -1 otherwise.
constexpr int base64url_value(char c) noexcept {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '-') {
    return 62;
  }
  if (c == '_') {
    return 63;
  }
  return -1;
}

}  // namespace rosterd::base
