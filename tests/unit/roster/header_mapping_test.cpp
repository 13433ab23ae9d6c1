#include "roster/header_mapping.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/unit/roster/catch_result.hpp"

using namespace rosterd::roster;
using rosterd::roster::testing::failure_code;
using rosterd::roster::testing::failure_detail;
using col = onboarding_column;

TEST_CASE("the template's own headers map to their columns", "[roster]") {
  CHECK(match_header("Creator Name") == col::name);
  CHECK(match_header("Creator Email") == col::email);
  CHECK(match_header("Does this creator have an account?") == col::has_account);
  CHECK(match_header("Emails of agency team members who require access") == col::team_emails);
  for (std::size_t c = 0; c < onboarding_column_count; ++c) {
    const auto column = static_cast<col>(c);
    CHECK(match_header(template_header(column)) == column);
  }
}

TEST_CASE("the design's Later Social wording maps to the account column", "[roster]") {
  CHECK(match_header("Does this creator have a Later Social account?") == col::has_account);
}

TEST_CASE("headers match ignoring case, spaces and punctuation", "[roster]") {
  CHECK(match_header("  CREATOR_NAME ") == col::name);
  CHECK(match_header("creator-e-mail:") == col::email);
  CHECK(match_header("Does this creator have an account") == col::has_account);
  CHECK(match_header("emails of agency team-members, who require access!") == col::team_emails);
}

TEST_CASE("short forms of the headers are accepted", "[roster]") {
  CHECK(match_header("name") == col::name);
  CHECK(match_header("Full name") == col::name);
  CHECK(match_header("email") == col::email);
  CHECK(match_header("E-mail address") == col::email);
  CHECK(match_header("has account") == col::has_account);
  CHECK(match_header("Has an account?") == col::has_account);
  CHECK(match_header("team emails") == col::team_emails);
  CHECK(match_header("Team members") == col::team_emails);
}

TEST_CASE("headers that name no column are not matched", "[roster]") {
  CHECK_FALSE(match_header("Notes"));
  CHECK_FALSE(match_header("Manager email"));
  CHECK_FALSE(match_header(""));
}

TEST_CASE("header_key keeps only lower-cased letters and digits", "[roster]") {
  CHECK(header_key(" Does this creator have an account? ") == "doesthiscreatorhaveanaccount");
  CHECK(header_key("E-mail #2") == "email2");
  CHECK(header_key("Cr\xC3\xA9"
                   "ator") == "crator");
}

TEST_CASE("map_header finds each column in any order and sets aside the rest", "[roster]") {
  const std::vector<std::string> header = {"Team", "Notes", "Email", "", "has account", "Name"};
  const auto map = map_header(header, 1);
  REQUIRE(map);
  CHECK((*map)[col::team_emails] == 0);
  CHECK((*map)[col::email] == 2);
  CHECK((*map)[col::has_account] == 4);
  CHECK((*map)[col::name] == 5);
  CHECK(map->unknown == std::vector<std::size_t>{1});
  CHECK(map->unnamed == std::vector<std::size_t>{3});
}

TEST_CASE("a missing column fails naming it and listing the headers found", "[roster]") {
  const auto r = map_header({"Name", "Mail", "Has account", "Team"}, 2);
  CHECK(failure_code(r) == "missing_column");
  CHECK(failure_detail(r) ==
        "missing required column \"Creator Email\" (or \"Email\"); the header on line 2 has: "
        "\"Name\", \"Mail\", \"Has account\", \"Team\"");
}

TEST_CASE("several missing columns are named in one failure", "[roster]") {
  const auto r = map_header({"Name"}, 1);
  CHECK(failure_code(r) == "missing_column");
  CHECK_THAT(failure_detail(r),
             Catch::StartsWith("missing required columns \"Creator Email\" (or \"Email\"), "
                               "\"Does this creator have an account?\" (or \"Has account\") and "
                               "\"Emails of agency team members who require access\" (or \"Team "
                               "emails\"); the header on line 1 has: \"Name\""));
}

TEST_CASE("two headers naming the same column fail naming both", "[roster]") {
  const auto r = map_header({"Name", "Email", "Has account", "Team", "Creator E-mail"}, 1);
  CHECK(failure_code(r) == "duplicate_column");
  CHECK(failure_detail(r) ==
        "columns 2 (\"Email\") and 5 (\"Creator E-mail\") of the header on line 1 both mean "
        "\"Creator Email\"; keep one");
}
