#include "roster/header_mapping.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/unit/roster/catch_result.hpp"

using namespace rosterd::roster;
using rosterd::roster::testing::failure_code;
using rosterd::roster::testing::failure_detail;
using col = onboarding_column;

namespace {

const std::vector<std::string> guide_headings = {
    "Creator Name", "Creator Email", "Does this creator have a Later Social account?",
    "Emails of agency team members who require access to social profiles and campaign "
    "management in Later"};

}  // namespace

TEST_CASE("the onboarding guide's four headings, verbatim, map to their columns", "[roster]") {
  const auto map = map_header(guide_headings, 1);
  REQUIRE(map);
  CHECK((*map)[col::name] == 0);
  CHECK((*map)[col::email] == 1);
  CHECK((*map)[col::has_account] == 2);
  CHECK((*map)[col::team_emails] == 3);
  CHECK(map->unknown.empty());
  CHECK(map->yielded.empty());
}

TEST_CASE("the template serves the guide's wording, and each heading maps to its column",
          "[roster]") {
  for (std::size_t c = 0; c < onboarding_column_count; ++c) {
    const auto column = static_cast<col>(c);
    CHECK(template_header(column) == guide_headings[c]);
    CHECK(match_header(template_header(column)) == column);
    CHECK_FALSE(read_heading(template_header(column)).has_own_words);
  }
}

TEST_CASE("the earlier, shorter template headings still map", "[roster]") {
  CHECK(match_header("Does this creator have an account?") == col::has_account);
  CHECK(match_header("Emails of agency team members who require access") == col::team_emails);
}

TEST_CASE("headings with (optional) or Yes/No appended map to their columns", "[roster]") {
  CHECK(match_header("Creator Name (optional)") == col::name);
  CHECK(match_header("Does this creator have a Later Social account? (Yes/No)") ==
        col::has_account);
  CHECK(match_header("Does this creator have a Later Social account? Yes/No") == col::has_account);
  CHECK(match_header("Has account (Y/N)") == col::has_account);
  CHECK(match_header("Team emails (optional, comma separated)") == col::team_emails);
  CHECK_FALSE(read_heading("Creator Email (required)").has_own_words);
}

TEST_CASE("headings cut short by a spreadsheet map to their columns", "[roster]") {
  CHECK(match_header("Emails of agency team members who require access to social profiles a") ==
        col::team_emails);
  CHECK(match_header("Emails of agency te") == col::team_emails);
  CHECK(match_header("Does this creator have a Later Social acc") == col::has_account);
  CHECK(match_header("Does this creator have a Later Soc") == col::has_account);
  CHECK(match_header("Creator Em") == col::email);
  CHECK(match_header("Creator Na") == col::name);
  // Only a heading that ends mid-word was cut: "Creator Em." is a heading of its own.
  CHECK_FALSE(match_header("Creator Em."));
}

TEST_CASE("headings in the agency's own words are recognised by their distinguishing words",
          "[roster]") {
  CHECK(match_header("Talent") == col::name);
  CHECK(match_header("Creator") == col::name);
  CHECK(match_header("Full name") == col::name);
  CHECK(match_header("Talent's name") == col::name);
  CHECK(match_header("Talent e-mail address") == col::email);
  CHECK(match_header("E-mail") == col::email);
  CHECK(match_header("Influencer email") == col::email);
  CHECK(match_header("Already has an account?") == col::has_account);
  CHECK(match_header("Existing Later user?") == col::has_account);
  CHECK(match_header("Account") == col::has_account);
  CHECK(match_header("Agency staff emails") == col::team_emails);
  CHECK(match_header("Team") == col::team_emails);
  CHECK(match_header("Team members who need access") == col::team_emails);
  CHECK(match_header("Which agency members manage this creator?") == col::team_emails);
}

TEST_CASE("case, punctuation, run-together and camel-case words do not matter", "[roster]") {
  CHECK(match_header("  CREATOR_NAME ") == col::name);
  CHECK(match_header("creator-e-mail:") == col::email);
  CHECK(match_header("CreatorEmail") == col::email);
  CHECK(match_header("creatoremail") == col::email);
  CHECK(match_header("doesthiscreatorhaveanaccount") == col::has_account);
  CHECK(match_header("emails of agency team-members, who require access!") == col::team_emails);
  CHECK(match_header("teamMemberEmails") == col::team_emails);
}

TEST_CASE("headings that name no column are not matched", "[roster]") {
  CHECK_FALSE(match_header("Notes"));
  CHECK_FALSE(match_header("Instagram handle"));
  CHECK_FALSE(match_header("Creator phone"));
  CHECK_FALSE(match_header("Agency name"));
  CHECK_FALSE(match_header("Team member names"));
  CHECK_FALSE(match_header("Username"));
  CHECK_FALSE(match_header("Accountant"));
  CHECK_FALSE(match_header(""));
  CHECK(read_heading("Cr\xC3\xA9"
                     "ateur")
            .columns.empty());
}

TEST_CASE("a heading with words of its own is still read, and says so", "[roster]") {
  const auto backup = read_heading("Backup email");
  CHECK(backup.columns == std::vector<col>{col::email});
  CHECK(backup.has_own_words);
  const auto account_name = read_heading("Instagram account name");
  CHECK(account_name.columns == std::vector<col>{col::name, col::has_account});
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

TEST_CASE("a heading with words of its own gives way to one without, with a reason", "[roster]") {
  const auto map = map_header(
      {"Creator Name", "Creator Email", "Backup email", "Has account", "Team", "Instagram name"},
      1);
  REQUIRE(map);
  CHECK((*map)[col::email] == 1);
  CHECK((*map)[col::name] == 0);
  REQUIRE(map->yielded.size() == 2);
  CHECK(map->yielded[0].index == 2);
  CHECK(map->yielded[0].message ==
        "column \"Backup email\" also looks like \"Creator Email\", but column 2 (\"Creator "
        "Email\") was taken for it; it is ignored");
  CHECK(map->yielded[1].index == 5);
}

TEST_CASE("the only heading for a column is taken even with words of its own", "[roster]") {
  const auto map = map_header({"Talent full legal name", "Work email", "Has account", "Team"}, 1);
  REQUIRE(map);
  CHECK((*map)[col::name] == 0);
  CHECK((*map)[col::email] == 1);
}

TEST_CASE("an ambiguous heading is refused, naming it and what it could mean", "[roster]") {
  const auto r = map_header({"Creator name and email", "Has account", "Team"}, 3);
  CHECK(failure_code(r) == "ambiguous_column");
  CHECK(failure_detail(r) ==
        "the heading \"Creator name and email\" (column 1 of the header on line 3) could mean "
        "\"Creator Name\" or \"Creator Email\"; give each its own column, or reword the heading");
}

TEST_CASE("an ambiguous heading is ignored when other headings give what it could mean",
          "[roster]") {
  const auto map = map_header(
      {"Creator Name", "Creator Email", "Name or email (old)", "Has account", "Team"}, 1);
  REQUIRE(map);
  REQUIRE(map->yielded.size() == 1);
  CHECK(map->yielded[0].index == 2);
  CHECK(map->yielded[0].message ==
        "column \"Name or email (old)\" could mean \"Creator Name\" or \"Creator Email\", but "
        "columns 1 and 2 give those; it is ignored");
}

TEST_CASE("a missing column fails naming it, how it is recognised, and the headers found",
          "[roster]") {
  const auto r = map_header({"Name", "Address", "Has account", "Team"}, 2);
  CHECK(failure_code(r) == "missing_column");
  CHECK(failure_detail(r) ==
        "missing required column \"Creator Email\" (a heading with the word \"email\", such as "
        "\"Email\"); the header on line 2 has: \"Name\", \"Address\", \"Has account\", \"Team\"");
}

TEST_CASE("several missing columns are named in one failure", "[roster]") {
  const auto r = map_header({"Name"}, 1);
  CHECK(failure_code(r) == "missing_column");
  CHECK_THAT(failure_detail(r),
             Catch::StartsWith(
                 "missing required columns \"Creator Email\" (a heading with the word \"email\", "
                 "such as \"Email\"), \"Does this creator have a Later Social account?\" (a "
                 "heading with the word \"account\", such as \"Has account\") and \"Emails of "
                 "agency team members who require access to social profiles and campaign "
                 "management in Later\" (a heading with the word \"team\", such as \"Team "
                 "emails\"); the header on line 1 has: \"Name\""));
}

TEST_CASE("two headings claiming the same column equally fail naming both", "[roster]") {
  const auto r = map_header({"Name", "Email", "Has account", "Team", "Creator E-mail"}, 1);
  CHECK(failure_code(r) == "duplicate_column");
  CHECK(failure_detail(r) ==
        "columns 2 (\"Email\") and 5 (\"Creator E-mail\") of the header on line 1 both mean "
        "\"Creator Email\"; keep one, or reword the other so that it does not say \"email\"");
  // Both with words of their own: neither gives way.
  CHECK(failure_code(map_header({"Name", "Work email", "Backup email", "Has account", "Team"},
                                1)) == "duplicate_column");
  CHECK(failure_code(map_header({"First name", "Last name", "Email", "Has account", "Team"}, 1)) ==
        "duplicate_column");
}
