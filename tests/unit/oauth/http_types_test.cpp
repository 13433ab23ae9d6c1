#include "oauth/http_types.hpp"

#include <catch2/catch.hpp>

using namespace rosterd::oauth;

TEST_CASE("form encoding escapes everything but unreserved characters", "[oauth][http_types]") {
  CHECK(form_encode({{"a", "b c"}, {"x&y", "1=2+3"}, {"u", "-._~AZaz09"}}) ==
        "a=b%20c&x%26y=1%3D2%2B3&u=-._~AZaz09");
  CHECK(form_encode({{"k", "é/:?#"}}) == "k=%C3%A9%2F%3A%3F%23");
  CHECK(form_encode({}).empty());
}

TEST_CASE("append_query adds to an existing query and keeps a fragment last",
          "[oauth][http_types]") {
  CHECK(append_query("https://h/p", {{"a", "1"}}) == "https://h/p?a=1");
  CHECK(append_query("https://h/p?x=1", {{"a", "1"}}) == "https://h/p?x=1&a=1");
  CHECK(append_query("https://h/p?", {{"a", "1"}}) == "https://h/p?a=1");
  CHECK(append_query("https://h/p?x=1&", {{"a", "1"}}) == "https://h/p?x=1&a=1");
  CHECK(append_query("https://h/p#f", {{"a", "1"}}) == "https://h/p?a=1#f");
  CHECK(append_query("https://h/p", {}) == "https://h/p");
}

TEST_CASE("form decoding reads pairs in order and refuses bad escapes", "[oauth][http_types]") {
  const auto fields = form_decode("a=1&b=x+y%21&c&=v&&d=");
  REQUIRE(fields);
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"a", "1"}, {"b", "x y!"}, {"c", ""}, {"", "v"}, {"d", ""}};
  CHECK(*fields == expected);
  CHECK(form_decode("")->empty());
  CHECK_FALSE(form_decode("a=%G1"));
  CHECK_FALSE(form_decode("a=%1"));
  CHECK_FALSE(form_decode("a=b c"));
}
