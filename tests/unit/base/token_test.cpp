#include "base/token.hpp"

#include <set>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

using namespace rosterd::base;

TEST_CASE("issued tokens are the prefix, an underscore and 256 random bits in base64url",
          "[base][token]") {
  const auto token = issue_token("sess");
  const std::string_view value = token.value.reveal();
  REQUIRE(value.size() == 5 + 43);
  CHECK(value.starts_with("sess_"));
  CHECK(value.substr(5).find_first_not_of(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
        std::string_view::npos);
  CHECK(looks_like_token(value, "sess"));
}

TEST_CASE("issued tokens do not repeat", "[base][token]") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    REQUIRE(seen.insert(std::string(issue_token("inv").value.reveal())).second);
  }
}

TEST_CASE("the stored hash is the lower-case hex SHA-256 of the whole value", "[base][token]") {
  // FIPS 180-2 test vector.
  CHECK(hash_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hash_token("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const auto token = issue_token("api");
  CHECK(token.hash == hash_token(token.value.reveal()));
  CHECK(token.hash.size() == 64);
}

TEST_CASE("a token matches only its own hash", "[base][token]") {
  const auto token = issue_token("reset");
  CHECK(token_matches_hash(token.value.reveal(), token.hash));
  const auto other = issue_token("reset");
  CHECK_FALSE(token_matches_hash(other.value.reveal(), token.hash));
  CHECK_FALSE(token_matches_hash(token.value.reveal(), token.hash.substr(1)));
  CHECK_FALSE(token_matches_hash(token.value.reveal(), ""));
}

TEST_CASE("the shape check refuses other prefixes, lengths and alphabets", "[base][token]") {
  const auto token = issue_token("sess");
  const std::string value(token.value.reveal());
  CHECK(looks_like_token(value, "sess"));
  CHECK_FALSE(looks_like_token(value, "api"));
  CHECK_FALSE(looks_like_token(value, "ses"));
  CHECK_FALSE(looks_like_token(value.substr(0, value.size() - 1), "sess"));
  CHECK_FALSE(looks_like_token(value + "A", "sess"));
  CHECK_FALSE(looks_like_token("", "sess"));
  CHECK_FALSE(looks_like_token("sess_", "sess"));

  std::string wrong_separator = value;
  wrong_separator[4] = '-';
  CHECK_FALSE(looks_like_token(wrong_separator, "sess"));

  std::string padded = value;
  padded[10] = '=';
  CHECK_FALSE(looks_like_token(padded, "sess"));

  std::string standard_base64 = value;
  standard_base64[10] = '+';
  CHECK_FALSE(looks_like_token(standard_base64, "sess"));
}

TEST_CASE("the shape check refuses a non-canonical last character", "[base][token]") {
  // 43 characters carry 258 bits; the last 2 are zero in every token we issue.
  const std::string body(42, 'A');
  CHECK(looks_like_token("sess_" + body + "A", "sess"));
  CHECK(looks_like_token("sess_" + body + "w", "sess"));
  CHECK_FALSE(looks_like_token("sess_" + body + "B", "sess"));
  CHECK_FALSE(looks_like_token("sess_" + body + "_", "sess"));
}

TEST_CASE("a malformed prefix is a programming error", "[base][token]") {
  CHECK_THROWS_AS(issue_token(""), std::invalid_argument);
  CHECK_THROWS_AS(issue_token("Sess"), std::invalid_argument);
  CHECK_THROWS_AS(issue_token("my_sess"), std::invalid_argument);
  CHECK_THROWS_AS(issue_token("abcdefghijklmnopq"), std::invalid_argument);
  CHECK_NOTHROW(issue_token("abcdefghijklmnop"));
  CHECK_FALSE(looks_like_token("_" + std::string(43, 'A'), ""));
}
