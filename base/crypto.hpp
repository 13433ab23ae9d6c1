#pragma once
// The byte-level primitives signatures share (OAuth PKCE and platform signatures, webhook
// signing, token digests): SHA-256, HMAC-SHA256, constant-time
// comparison, hex and base64 in the strict forms that signatures need. OpenSSL underneath.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::base {

using sha256_digest = std::array<unsigned char, 32>;

sha256_digest sha256(std::string_view data);

/// HMAC-SHA256 of `data` keyed with `key`.
sha256_digest hmac_sha256(std::string_view key, std::string_view data);

/// Equal length and equal bytes, in time that depends on the length only (CRYPTO_memcmp).
bool constant_time_equal(const unsigned char* a, std::size_t a_size, const unsigned char* b,
                         std::size_t b_size);

/// Lower-case hex.
std::string to_hex(const unsigned char* data, std::size_t size);

/// Decodes hex (either case). nullopt on an odd length or a non-hex character.
std::optional<std::vector<unsigned char>> from_hex(std::string_view text);

/// Strict base64url decoding (RFC 4648 §5) of text WITHOUT padding: padding is added
/// internally; '=' , '+', '/', whitespace and any other byte outside [A-Za-z0-9_-] are
/// refused, as are a length of 1 mod 4 and unused trailing bits that are not zero (so every
/// byte string has exactly one accepted encoding).
std::optional<std::vector<unsigned char>> base64url_decode_strict(std::string_view text);

/// Standard base64 with padding (RFC 4648 §4), for HTTP Basic credentials and webhook
/// signatures.
std::string base64_encode(std::string_view data);

/// Strict standard base64 decoding (RFC 4648 §4) WITH padding: a length that is not a multiple
/// of 4, a character outside [A-Za-z0-9+/], misplaced '=' and non-zero unused trailing bits are
/// refused, so every byte string has exactly one accepted encoding.
std::optional<std::vector<unsigned char>> base64_decode_strict(std::string_view text);

}  // namespace rosterd::base
