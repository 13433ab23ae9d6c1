#include "base/edit_distance.hpp"

#include <catch2/catch.hpp>

using rosterd::base::edit_distance;

TEST_CASE("edit distance counts insertions, deletions, substitutions and swaps", "[base]") {
  CHECK(edit_distance("agency.com", "agency.com", 2) == 0);
  CHECK(edit_distance("agency.com", "agenxy.com", 2) == 1);   // substitution
  CHECK(edit_distance("agency.com", "agnecy.com", 2) == 1);   // adjacent swap
  CHECK(edit_distance("agency.com", "agenccy.com", 2) == 1);  // insertion
  CHECK(edit_distance("agency.com", "agncy.com", 2) == 1);    // deletion
  CHECK(edit_distance("agency.com", "agnecy.co", 2) == 2);
  CHECK(edit_distance("", "ab", 2) == 2);
  CHECK(edit_distance("ab", "", 2) == 2);
}

TEST_CASE("edit distance stops at one past the limit", "[base]") {
  CHECK(edit_distance("agency.com", "agxxxy.com", 2) == 3);
  CHECK(edit_distance("agency.com", "completely-different.org", 2) == 3);
  CHECK(edit_distance("abc", "abcdef", 2) == 3);  // rejected on length alone
  CHECK(edit_distance("abcdef", "badcfe", 2) == 3);
  CHECK(edit_distance("abcdef", "badcfe", 3) == 3);
}
