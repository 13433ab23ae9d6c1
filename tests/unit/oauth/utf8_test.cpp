#include "oauth/utf8.hpp"

#include <catch2/catch.hpp>

using rosterd::oauth::repair_utf8;

namespace {

constexpr std::string_view fffd = "\xEF\xBF\xBD";

std::string times(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    out += s;
  }
  return out;
}

}  // namespace

TEST_CASE("valid UTF-8 comes back unchanged", "[oauth][utf8]") {
  for (const std::string text :
       {"", "plain ASCII", "caf\xC3\xA9", "\xE2\x82\xAC 5", "\xF0\x9F\x98\x80 smile",
        "\xED\x9F\xBF", "\xEE\x80\x80", "\xF4\x8F\xBF\xBF"}) {
    INFO(text);
    CHECK(repair_utf8(text) == text);
  }
}

TEST_CASE("each maximal ill-formed subpart becomes one U+FFFD", "[oauth][utf8]") {
  const std::string r(fffd);
  CHECK(repair_utf8("a\xFF"
                    "b") == "a" + r + "b");                 // never a lead byte
  CHECK(repair_utf8("\x80\xBF") == r + r);                  // lone continuations
  CHECK(repair_utf8("\xC0\xAF") == r + r);                  // overlong '/'
  CHECK(repair_utf8("\xE0\x80\xAF") == r + r + r);          // overlong, three bytes
  CHECK(repair_utf8("\xED\xA0\x80") == r + r + r);          // a surrogate
  CHECK(repair_utf8("\xF4\x90\x80\x80") == r + r + r + r);  // above U+10FFFF
  CHECK(repair_utf8("\xC3(") == r + "(");                   // cut two-byte sequence
  CHECK(repair_utf8("\xE2\x82(") == r + "(");               // cut three-byte sequence
  CHECK(repair_utf8("\xF0\x9F\x98") == r);                  // cut at the very end
  CHECK(repair_utf8("\xF0\x9F\x98\xE2\x82\xAC") == r + "\xE2\x82\xAC");
}

TEST_CASE("a cut keeps whole characters only", "[oauth][utf8]") {
  const auto euros = times("\xE2\x82\xAC", 200);  // 600 bytes
  const auto cut = repair_utf8(euros, 512);
  CHECK(cut.size() == 510);
  CHECK(cut == times("\xE2\x82\xAC", 170));
  CHECK(repair_utf8("ab\xF0\x9F\x98\x80", 5) == "ab");
  CHECK(repair_utf8("ab\xFF", 4) == "ab");  // U+FFFD needs 3 bytes: it does not fit
  CHECK(repair_utf8("abc", 0).empty());
}
