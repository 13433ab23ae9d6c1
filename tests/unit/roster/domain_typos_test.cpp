#include "roster/domain_typos.hpp"

#include <catch2/catch.hpp>

using namespace rosterd::roster;

TEST_CASE("common misspellings of big mail providers suggest the intended domain", "[roster]") {
  CHECK(known_domain_typo("gmial.com") == "gmail.com");
  CHECK(known_domain_typo("gmai.com") == "gmail.com");
  CHECK(known_domain_typo("gmail.con") == "gmail.com");
  CHECK(known_domain_typo("gmail.co") == "gmail.com");
  CHECK(known_domain_typo("hotmial.com") == "hotmail.com");
  CHECK(known_domain_typo("hotmail.con") == "hotmail.com");
  CHECK(known_domain_typo("yaho.com") == "yahoo.com");
  CHECK(known_domain_typo("outlok.com") == "outlook.com");
  CHECK(known_domain_typo("iclod.com") == "icloud.com");
}

TEST_CASE("correct and unknown domains are not on the typo list", "[roster]") {
  CHECK(known_domain_typo("gmail.com").empty());
  CHECK(known_domain_typo("hotmail.co.uk").empty());
  CHECK(known_domain_typo("my-agency.com").empty());
  CHECK(known_domain_typo("").empty());
}

TEST_CASE("big consumer providers are recognised", "[roster]") {
  CHECK(is_common_provider("gmail.com"));
  CHECK(is_common_provider("mail.com"));
  CHECK(is_common_provider("icloud.com"));
  CHECK_FALSE(is_common_provider("my-agency.com"));
  CHECK_FALSE(is_common_provider("gmial.com"));
}

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps", "[roster]") {
  CHECK(edit_distance("agency.com", "agency.com", 2) == 0);
  CHECK(edit_distance("agency.com", "agenxy.com", 2) == 1);   // substitution
  CHECK(edit_distance("agency.com", "agnecy.com", 2) == 1);   // adjacent swap
  CHECK(edit_distance("agency.com", "agenccy.com", 2) == 1);  // insertion
  CHECK(edit_distance("agency.com", "agncy.com", 2) == 1);    // deletion
  CHECK(edit_distance("agency.com", "agnecy.co", 2) == 2);
  CHECK(edit_distance("", "ab", 2) == 2);
  CHECK(edit_distance("ab", "", 2) == 2);
}

TEST_CASE("edit distance stops at one past the limit", "[roster]") {
  CHECK(edit_distance("agency.com", "agxxxy.com", 2) == 3);
  CHECK(edit_distance("agency.com", "completely-different.org", 2) == 3);
  CHECK(edit_distance("abc", "abcdef", 2) == 3);  // rejected on length alone
  CHECK(edit_distance("abcdef", "badcfe", 2) == 3);
  CHECK(edit_distance("abcdef", "badcfe", 3) == 3);
}
