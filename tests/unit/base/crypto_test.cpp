#include "base/crypto.hpp"

#include <catch2/catch.hpp>

#include "base/random.hpp"

using namespace rosterd;
using namespace rosterd::base;

namespace {

std::string text(const std::vector<unsigned char>& bytes) {
  return {bytes.begin(), bytes.end()};
}

}  // namespace

TEST_CASE("HMAC-SHA256 matches RFC 4231 test cases", "[crypto]") {
  const auto case2 = hmac_sha256("Jefe", "what do ya want for nothing?");
  CHECK(to_hex(case2.data(), case2.size()) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const std::string key(20, '\x0b');
  const auto case1 = hmac_sha256(key, "Hi There");
  CHECK(to_hex(case1.data(), case1.size()) ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  const auto empty = sha256("");
  CHECK(to_hex(empty.data(), empty.size()) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hmac_sha256("", "x") == hmac_sha256(std::string(), "x"));
}

TEST_CASE("strict base64url decoding round-trips and refuses everything else", "[crypto]") {
  for (std::size_t n = 0; n < 70; ++n) {
    const auto bytes = base::random_bytes(n);
    const auto encoded = base::base64url_encode(bytes.data(), bytes.size());
    const auto decoded = base64url_decode_strict(encoded);
    REQUIRE(decoded);
    CHECK(*decoded == bytes);
  }
  CHECK(text(*base64url_decode_strict("aGk")) == "hi");
  CHECK_FALSE(base64url_decode_strict("aGk="));  // padding
  CHECK_FALSE(base64url_decode_strict("a+8"));   // standard alphabet
  CHECK_FALSE(base64url_decode_strict("a/8"));
  CHECK_FALSE(base64url_decode_strict("aGk "));
  CHECK_FALSE(base64url_decode_strict("aGlhY"));  // length 1 mod 4
  CHECK_FALSE(base64url_decode_strict("aGl"));    // 'l' leaves unused bits set
  CHECK(base64url_decode_strict("")->empty());
}

TEST_CASE("hex decoding accepts either case and refuses odd or foreign input", "[crypto]") {
  CHECK(*from_hex("00ffAB") == std::vector<unsigned char>{0x00, 0xff, 0xab});
  CHECK_FALSE(from_hex("abc"));
  CHECK_FALSE(from_hex("zz"));
  const unsigned char bytes[] = {0xde, 0xad};
  CHECK(to_hex(bytes, 2) == "dead");
}

TEST_CASE("standard base64 pads to a multiple of four", "[crypto]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_encode("foob") == "Zm9vYg==");
  CHECK(base64_encode("\xfb\xff") == "+/8=");
}

TEST_CASE("standard base64 decodes what base64_encode wrote, and only that", "[crypto]") {
  const std::vector<std::string> samples{"",     "f",     "fo",     "foo",
                                         "foob", "fooba", "foobar", std::string("\0\xff\xfe", 3)};
  for (const auto& sample : samples) {
    CAPTURE(sample);
    const auto back = base64_decode_strict(base64_encode(sample));
    REQUIRE(back);
    CHECK(text(*back) == sample);
  }
  for (const char* bad : {"Zg", "Zg=", "Zg===", "Z===", "Zh==", "Zm9=", "Zm8=Zm8=", "Zm-v", "Zm_v",
                          "Zm9v\n", " Zm9v", "Zm9v===="}) {
    CAPTURE(bad);
    CHECK_FALSE(base64_decode_strict(bad).has_value());
  }
}
