#include "base/token.hpp"

#include <array>
#include <stdexcept>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base/encoding.hpp"
#include "base/random.hpp"

namespace rosterd::base {
namespace {

constexpr std::size_t max_prefix_length = 16;
// 32 bytes = 256 bits = 42 characters of 6 bits and one of 4 bits.
constexpr std::size_t encoded_length = (token_random_bytes * 8 + 5) / 6;

bool valid_prefix(std::string_view prefix) {
  if (prefix.empty() || prefix.size() > max_prefix_length) {
    return false;
  }
  for (char c : prefix) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

issued_token issue_token(std::string_view prefix) {
  if (!valid_prefix(prefix)) {
    throw std::invalid_argument("token prefix must be 1-16 characters of [a-z0-9]");
  }
  std::string value;
  value.reserve(prefix.size() + 1 + encoded_length);
  value.append(prefix);
  value.push_back('_');
  {
    // Wiped here too: the random part is the whole secret, and this copy outlives the append.
    secret random_part(random_base64url(token_random_bytes));
    value.append(random_part.reveal());
  }
  std::string hash = hash_token(value);
  return issued_token{secret(std::move(value)), std::move(hash)};
}

std::string hash_token(std::string_view value) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(value.data(), value.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    // Only an allocation failure or a broken OpenSSL gets here; there is no sensible fallback.
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(digits[digest[i] >> 4]);
    out.push_back(digits[digest[i] & 0x0f]);
  }
  return out;
}

bool token_matches_hash(std::string_view value, std::string_view stored_hash) {
  const std::string computed = hash_token(value);
  return stored_hash.size() == computed.size() &&
         CRYPTO_memcmp(stored_hash.data(), computed.data(), computed.size()) == 0;
}

bool looks_like_token(std::string_view value, std::string_view prefix) {
  if (!valid_prefix(prefix) || value.size() != prefix.size() + 1 + encoded_length ||
      !value.starts_with(prefix) || value[prefix.size()] != '_') {
    return false;
  }
  const std::string_view random_part = value.substr(prefix.size() + 1);
  for (char c : random_part) {
    if (base64url_value(c) < 0) {
      return false;
    }
  }
  // The last character carries 4 bits; its 2 padding bits are zero in anything we issued.
  return (base64url_value(random_part.back()) & 0x3) == 0;
}

}  // namespace rosterd::base
