#pragma once
// Randomness for anything an attacker must not guess: tokens, request ids, nonces.

#include <cstddef>
#include <string>
#include <vector>

namespace rosterd::base {

/// n bytes from OpenSSL's CSPRNG. Aborts if the CSPRNG fails: no fallback is safe.
std::vector<unsigned char> random_bytes(std::size_t n);

/// n random bytes, lower-case hex encoded (2n characters).
std::string random_hex(std::size_t n);

/// n random bytes, base64url without padding.
std::string random_base64url(std::size_t n);

/// 16 hex characters identifying a request in responses and logs. Unique in practice and not
/// predictable from outside (a per-thread generator seeded from the CSPRNG), but not a secret:
/// never use it where a token is needed.
std::string request_id();

/// base64url (RFC 4648 §5) without padding.
std::string base64url_encode(const unsigned char* data, std::size_t size);

}  // namespace rosterd::base
