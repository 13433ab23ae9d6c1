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
