#pragma once
// Tokens we issue: invitations, sessions, password resets, API keys, reconnect links.
//
// A token is `<prefix>_<43 base64url characters>`: 256 bits from the CSPRNG (at least 128 are
// needed so nobody can guess one). Only its SHA-256 is stored. A slow hash would add nothing:
// nobody can guess a 256-bit random value, so a stolen table of hashes is useless. The prefix says
// what a token is for in a leaked log or a secret scanner, and lets a token of one kind be refused
// for another before any database lookup.

#include <cstddef>
#include <string>
#include <string_view>

#include "base/secret.hpp"

namespace rosterd::base {

/// A freshly issued token: `value` goes to its holder once and is never stored; `hash` is what
/// the database keeps and looks the token up by.
struct issued_token {
  secret value;
  std::string hash;
};

/// Random bytes in a token; base64url makes them 43 characters.
inline constexpr std::size_t token_random_bytes = 32;

/// Issues `prefix_<random>`. The prefix must be 1 to 16 characters of [a-z0-9]; anything else
/// is a programming error and throws std::invalid_argument.
issued_token issue_token(std::string_view prefix);

/// Lower-case hex SHA-256 of the whole value, prefix included (64 characters).
std::string hash_token(std::string_view value);

/// True when `value` hashes to `stored_hash`, compared in constant time. For a token found by
/// another key (an id in the link); a lookup by hash_token needs no further comparison.
bool token_matches_hash(std::string_view value, std::string_view stored_hash);

/// A cheap shape check to run before hashing or querying: the prefix, the separator, exactly
/// 43 base64url characters and a canonical last character. It says nothing about validity.
bool looks_like_token(std::string_view value, std::string_view prefix);

}  // namespace rosterd::base
