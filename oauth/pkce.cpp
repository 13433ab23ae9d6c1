#include "oauth/pkce.hpp"

#include <algorithm>

#include "base/crypto.hpp"
#include "base/random.hpp"

namespace rosterd::oauth {
namespace {

constexpr std::size_t verifier_bytes = 32;

}  // namespace

base::secret make_code_verifier() {
  return base::secret(base::random_base64url(verifier_bytes));
}

bool valid_code_verifier(std::string_view verifier) {
  if (verifier.size() < 43 || verifier.size() > 128) {
    return false;
  }
  return std::all_of(verifier.begin(), verifier.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == '_' || c == '~';
  });
}

std::string code_challenge_s256(std::string_view verifier) {
  const auto digest = base::sha256(verifier);
  return base::base64url_encode(digest.data(), digest.size());
}

base::issued_token make_state() {
  return base::issue_token(state_prefix);
}

bool looks_like_state(std::string_view value) {
  return base::looks_like_token(value, state_prefix);
}

}  // namespace rosterd::oauth
