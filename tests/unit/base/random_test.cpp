#include "base/random.hpp"

#include <set>

#include <catch2/catch.hpp>

using namespace rosterd::base;

TEST_CASE("random hex tokens have the requested entropy and do not repeat", "[base]") {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) {
    auto t = random_hex(16);
    REQUIRE(t.size() == 32);
    REQUIRE(seen.insert(t).second);
  }
}

TEST_CASE("base64url encoding matches RFC 4648 test vectors without padding", "[base]") {
  auto enc = [](std::string_view s) {
    return base64url_encode(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  };
  CHECK(enc("") == "");
  CHECK(enc("f") == "Zg");
  CHECK(enc("fo") == "Zm8");
  CHECK(enc("foo") == "Zm9v");
  CHECK(enc("foob") == "Zm9vYg");
  CHECK(enc("fooba") == "Zm9vYmE");
  CHECK(enc("foobar") == "Zm9vYmFy");
  const unsigned char high[] = {0xfb, 0xff};
  CHECK(base64url_encode(high, 2) == "-_8");
}

TEST_CASE("request ids are 16 hex characters and do not repeat", "[base]") {
  std::set<std::string> seen;
  for (int i = 0; i < 100000; ++i) {
    auto id = request_id();
    REQUIRE(id.size() == 16);
    REQUIRE(id.find_first_not_of("0123456789abcdef") == std::string::npos);
    REQUIRE(seen.insert(id).second);
  }
}
