#include "oauth/pkce.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include <catch2/catch.hpp>

using namespace rosterd;
using namespace rosterd::oauth;

TEST_CASE("the S256 challenge matches RFC 7636 Appendix B", "[oauth][pkce]") {
  CHECK(code_challenge_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") ==
        "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST_CASE("a code verifier is 32 random bytes as 43 base64url characters", "[oauth][pkce]") {
  const auto verifier = make_code_verifier();
  CHECK(verifier.reveal().size() == 43);
  CHECK(valid_code_verifier(verifier.reveal()));
  CHECK(code_challenge_s256(verifier.reveal()).size() == 43);
  CHECK(make_code_verifier().reveal() != verifier.reveal());
}

TEST_CASE("verifier shape follows RFC 7636 section 4.1", "[oauth][pkce]") {
  CHECK_FALSE(valid_code_verifier(std::string(42, 'a')));
  CHECK(valid_code_verifier(std::string(43, 'a')));
  CHECK(valid_code_verifier(std::string(128, '~')));
  CHECK_FALSE(valid_code_verifier(std::string(129, 'a')));
  CHECK_FALSE(valid_code_verifier(std::string(42, 'a') + "+"));
  CHECK_FALSE(valid_code_verifier(std::string(42, 'a') + "="));
}

TEST_CASE("a state is an st_ token of 256 bits whose hash is what gets stored", "[oauth][pkce]") {
  const auto state = make_state();
  CHECK(state.value.reveal().size() == 3 + 43);
  CHECK(state.value.reveal().starts_with("st_"));
  CHECK(looks_like_state(state.value.reveal()));
  CHECK(state.hash == base::hash_token(state.value.reveal()));
  CHECK_FALSE(looks_like_state("st_short"));
  CHECK_FALSE(looks_like_state("inv_" + std::string(state.value.reveal().substr(3))));
}

namespace {

template <std::size_t N>
std::size_t duplicates(std::vector<std::array<char, N>>& values) {
  std::sort(values.begin(), values.end());
  std::size_t count = 0;
  for (std::size_t i = 1; i < values.size(); ++i) {
    count += values[i] == values[i - 1] ? 1 : 0;
  }
  return count;
}

}  // namespace

TEST_CASE("a million states and a million verifiers hold no duplicate", "[oauth][pkce][slow]") {
  constexpr std::size_t n = 1'000'000;
  std::vector<std::array<char, 46>> states(n);
  std::vector<std::array<char, 43>> verifiers(n);
  std::size_t wrong_size = 0;  // counted, not asserted per value: Catch is slow under ASan
  for (std::size_t i = 0; i < n; ++i) {
    const auto state = make_state();
    const auto verifier = make_code_verifier();
    if (state.value.reveal().size() != 46 || verifier.reveal().size() != 43) {
      ++wrong_size;
      continue;
    }
    std::memcpy(states[i].data(), state.value.reveal().data(), 46);
    std::memcpy(verifiers[i].data(), verifier.reveal().data(), 43);
  }
  REQUIRE(wrong_size == 0);
  CHECK(duplicates(states) == 0);
  CHECK(duplicates(verifiers) == 0);
}
