#include "roster/text.hpp"

#include <catch2/catch.hpp>

using namespace rosterd::roster;

TEST_CASE("trim removes ASCII whitespace and invisible Unicode spaces at both ends", "[roster]") {
  CHECK(trim("  a b \t\r\n") == "a b");
  CHECK(trim("\xC2\xA0"
             "ann@example.com"
             "\xC2\xA0") == "ann@example.com");
  CHECK(trim("\xE2\x80\x8B"
             "x"
             "\xEF\xBB\xBF") == "x");
  CHECK(trim(" \xC2\xA0 \t") == "");
  CHECK(trim("") == "");
  CHECK(trim("Jos\xC3\xA9") == "Jos\xC3\xA9");  // a trailing é is not a space
}

TEST_CASE("ascii_lower lower-cases ASCII letters only", "[roster]") {
  CHECK(ascii_lower("Ann.LEE@Example.COM") == "ann.lee@example.com");
  CHECK(ascii_lower("\xC3\x89") == "\xC3\x89");
}

TEST_CASE("equals_ignoring_case compares against a lower-case word", "[roster]") {
  CHECK(equals_ignoring_case("YeS", "yes"));
  CHECK_FALSE(equals_ignoring_case("yes ", "yes"));
  CHECK_FALSE(equals_ignoring_case("ye", "yes"));
}

TEST_CASE("has_control_character spots line breaks, tabs, NUL and DEL", "[roster]") {
  CHECK(has_control_character("a\nb"));
  CHECK(has_control_character("a\tb"));
  CHECK(has_control_character(std::string_view("a\0b", 3)));
  CHECK(has_control_character("a\x7F"));
  CHECK_FALSE(has_control_character("Jos\xC3\xA9 O'Neil"));
}
