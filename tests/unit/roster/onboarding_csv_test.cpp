#include "roster/onboarding_csv.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/unit/roster/catch_result.hpp"

using namespace rosterd::roster;
using rosterd::roster::testing::failure_code;
using rosterd::roster::testing::failure_detail;

namespace {

constexpr std::string_view header =
    "Creator Name,Creator Email,Does this creator have an account?,"
    "Emails of agency team members who require access\n";

onboarding_file parse(const std::string& rows, const onboarding_options& options = {}) {
  auto result = parse_onboarding_csv(std::string(header) + rows, options);
  INFO(failure_detail(result));
  REQUIRE(result);
  return std::move(*result);
}

// The single issue of `file` with `code`.
const issue& only(const onboarding_file& file, std::string_view code) {
  const issue* found = nullptr;
  for (const auto& i : file.issues) {
    if (i.code == code) {
      REQUIRE(found == nullptr);
      found = &i;
    }
  }
  REQUIRE(found != nullptr);
  return *found;
}

}  // namespace

TEST_CASE("a clean row becomes a typed row with normalised emails", "[roster]") {
  const auto file = parse(" Ann Lee ,Ann.Lee@Example.com, Yes ,\"Bo@Agency.io; cy@agency.io\"\n");
  REQUIRE(file.rows.size() == 1);
  const auto& row = file.rows[0];
  CHECK(row.line == 2);
  CHECK(row.name == "Ann Lee");
  CHECK(row.email == "ann.lee@example.com");
  CHECK(row.has_account == std::optional<bool>(true));
  CHECK(row.team_emails == std::vector<std::string>{"bo@agency.io", "cy@agency.io"});
  CHECK(file.issues.empty());
  CHECK(file.warnings_file_level.empty());
}

TEST_CASE("an invalid creator email is an error that quotes the cell and says what is wrong",
          "[roster]") {
  const auto file = parse("Ann,ann@example,No,\n");
  const auto& i = only(file, "invalid_email");
  CHECK(i.line == 2);
  CHECK(i.column == "Creator Email");
  CHECK(i.severity == issue_severity::error);
  CHECK(i.message ==
        "\"ann@example\" has a domain without a dot (\"example\"); correct the creator's address");
  CHECK(file.rows[0].email == "ann@example");  // kept as written, for the report
}

TEST_CASE("an invalid team email names the team column and explains the separators", "[roster]") {
  const auto file = parse("Ann,ann@example.com,No,\"bo@agency.io, Bo Smith\"\n");
  REQUIRE(file.issues.size() == 2);
  for (const auto& i : file.issues) {
    CHECK(i.code == "invalid_email");
    CHECK(i.column == "Emails of agency team members who require access");
    CHECK_THAT(i.message,
               Catch::Contains("separated by commas, semicolons, spaces or line breaks"));
  }
  CHECK(file.rows[0].team_emails == std::vector<std::string>{"bo@agency.io"});
}

TEST_CASE("issues use the file's own header text as the column", "[roster]") {
  const auto result = parse_onboarding_csv("name,E-mail,has account,team\nAnn,bad,Yes,\n");
  REQUIRE(result);
  CHECK(only(*result, "invalid_email").column == "E-mail");
}

TEST_CASE("a duplicate creator email is an error on the later row naming the earlier line",
          "[roster]") {
  const auto file = parse("Ann,ann@x.io,Yes,\nBo,bo@x.io,No,\nAnn again,ANN@X.IO,Yes,\n");
  const auto& i = only(file, "duplicate_creator_email");
  CHECK(i.line == 4);
  CHECK(i.message ==
        "ann@x.io is already the creator on line 2; list each creator once, with all their "
        "team members in one cell");
  CHECK_FALSE(has_error(file, 2));
  CHECK(has_error(file, 4));
}

TEST_CASE("empty and unreadable yes/no cells are errors saying what to write", "[roster]") {
  const auto file = parse("Ann,ann@x.io,,\nBo,bo@x.io,maybe,\n");
  CHECK(only(file, "missing_yes_no").message ==
        "say whether this creator already has an account: Yes or No");
  CHECK(only(file, "invalid_yes_no").message ==
        "\"maybe\" is not Yes or No; write Yes or No (Y/N and True/False also work)");
  CHECK_FALSE(file.rows[0].has_account);
}

TEST_CASE("missing names and emails are errors", "[roster]") {
  const auto file = parse(" ,ann@x.io,Yes,\nBo,  ,Yes,\n");
  CHECK(only(file, "missing_name").line == 2);
  CHECK(only(file, "missing_email").line == 3);
}

TEST_CASE("a team email that is another row's creator is an error by default", "[roster]") {
  const auto file = parse("Ann,ann@x.io,Yes,bo@x.io\nBo,bo@x.io,Yes,\n");
  const auto& i = only(file, "team_email_is_creator");
  CHECK(i.line == 2);
  CHECK(i.severity == issue_severity::error);
  CHECK_THAT(i.message, Catch::StartsWith("bo@x.io is the creator on line 3"));
}

TEST_CASE("the policy can allow creators as team members of other creators", "[roster]") {
  onboarding_options options;
  options.allow_creator_as_team_member = true;
  const auto file = parse("Ann,ann@x.io,Yes,bo@x.io\nBo,bo@x.io,Yes,\n", options);
  CHECK(file.issues.empty());
  CHECK(file.rows[0].team_emails == std::vector<std::string>{"bo@x.io"});
}

TEST_CASE("a creator in their own team cell is an error, or a dropped warning when allowed",
          "[roster]") {
  const std::string rows = "Ann,ann@x.io,Yes,\"ANN@x.io, bo@y.io\"\n";
  CHECK(only(parse(rows), "team_email_is_creator").severity == issue_severity::error);

  onboarding_options options;
  options.allow_creator_as_team_member = true;
  const auto file = parse(rows, options);
  CHECK(only(file, "team_email_is_creator").severity == issue_severity::warning);
  CHECK(file.rows[0].team_emails == std::vector<std::string>{"bo@y.io"});
  CHECK_FALSE(has_error(file, 2));
}

TEST_CASE("a repeated team email in one cell is a warning and kept once", "[roster]") {
  const auto file = parse("Ann,ann@x.io,Yes,\"bo@y.io; Bo@Y.io\nbo@y.io\"\n");
  CHECK(file.issues.size() == 2);
  CHECK(file.issues[0].code == "duplicate_team_email");
  CHECK(file.issues[0].severity == issue_severity::warning);
  CHECK(file.rows[0].team_emails == std::vector<std::string>{"bo@y.io"});
  CHECK_FALSE(has_error(file, 2));
}

TEST_CASE("a known misspelt provider domain is a warning suggesting the right one", "[roster]") {
  const auto file = parse("Ann,ann@gmial.com,Yes,bo@hotmail.con\n");
  REQUIRE(file.issues.size() == 2);
  CHECK(file.issues[0].message ==
        "ann@gmial.com: \"gmial.com\" looks like a typo of \"gmail.com\"; check the address");
  CHECK(file.issues[0].column == "Creator Email");
  CHECK(file.issues[1].column == "Emails of agency team members who require access");
  CHECK_THAT(file.issues[1].message, Catch::Contains("\"hotmail.com\""));
  CHECK_FALSE(has_error(file, 2));
}

TEST_CASE("a domain one or two edits from the file's usual domain is a warning", "[roster]") {
  const auto file = parse(
      "A,a@talent.io,Yes,t1@talent.io\n"
      "B,b@talnet.io,Yes,\n"
      "C,c@talent.io,Yes,\n"
      "D,d@tlant.io,Yes,\n"
      "E,e@other.io,Yes,\n");
  REQUIRE(file.issues.size() == 2);
  CHECK(file.issues[0].line == 3);
  CHECK(file.issues[0].message ==
        "b@talnet.io: \"talnet.io\" is one edit away from \"talent.io\", which 3 addresses in "
        "this file use; check the address");
  CHECK(file.issues[1].line == 5);
  CHECK_THAT(file.issues[1].message, Catch::Contains("two edits"));
}

TEST_CASE("a team address near the team's own usual domain is a warning suggesting it",
          "[roster]") {
  // Creators use mail providers, so the file's most used domain is gmail.com and the agency's
  // own domain only shows among the team addresses.
  const auto file = parse(
      "A,a@gmail.com,No,\"kim@talentco.com, lee@talentco.com\"\n"
      "B,b@gmail.com,No,\"max@talentco.com, j.doe@tallentco.com\"\n"
      "C,c@gmail.com,No,\n"
      "D,d@gmail.com,No,kim@talentco.com\n");
  const auto& typo = only(file, "likely_domain_typo");
  CHECK(typo.line == 3);
  CHECK(typo.column == "Emails of agency team members who require access");
  CHECK(typo.severity == issue_severity::warning);
  CHECK(typo.message ==
        "j.doe@tallentco.com: \"tallentco.com\" is one edit away from \"talentco.com\", which "
        "3 team addresses in this file use; did you mean talentco.com?");
}

TEST_CASE("two swapped letters in a team address's domain count as one edit", "[roster]") {
  const auto file = parse(
      "A,a@gmail.com,No,\"kim@talentco.com, lee@talentco.com, max@talentco.com\"\n"
      "B,b@gmail.com,No,jo@tlaentco.com\n"
      "C,c@gmail.com,No,\n"
      "D,d@gmail.com,No,\n");
  const auto& typo = only(file, "likely_domain_typo");
  CHECK(typo.line == 3);
  CHECK_THAT(typo.message, Catch::StartsWith("jo@tlaentco.com: \"tlaentco.com\" is one edit away "
                                             "from \"talentco.com\""));
  CHECK_THAT(typo.message, Catch::EndsWith("did you mean talentco.com?"));
}

TEST_CASE("team addresses are compared with each of the team's usual domains", "[roster]") {
  const auto file = parse(
      "A,a@gmail.com,No,\"kim@talentco.com, lee@talentco.com, max@talentco.com\"\n"
      "B,b@gmail.com,No,\"sam@brightpr.com, al@brightpr.com, mo@brightpr.com\"\n"
      "C,c@gmail.com,No,\"jo@brigthpr.com, cy@talentoc.com\"\n"
      "D,d@gmail.com,No,\n"
      "E,e@gmail.com,No,\n"
      "F,f@gmail.com,No,\n"
      "G,g@gmail.com,No,\n");
  std::vector<std::string> messages;
  for (const auto& i : file.issues) {
    messages.push_back(i.message);
  }
  REQUIRE(messages.size() == 2);
  CHECK_THAT(messages[0], Catch::EndsWith("did you mean brightpr.com?"));
  CHECK_THAT(messages[1], Catch::EndsWith("did you mean talentco.com?"));
}

TEST_CASE("a team domain used by several team addresses is not taken for a typo", "[roster]") {
  const auto file = parse(
      "A,a@gmail.com,No,\"kim@talentco.com, lee@talentco.com, max@talentco.com\"\n"
      "B,b@gmail.com,No,\"sam@talentco.co, al@talentco.co, mo@talentco.co\"\n");
  CHECK(file.issues.empty());
}

TEST_CASE("the near-domain warning needs a usual domain with at least three addresses",
          "[roster]") {
  const auto file = parse("A,a@talent.io,Yes,\nB,b@talent.io,Yes,\nC,c@talnet.io,Yes,\n");
  CHECK(file.issues.empty());
}

TEST_CASE("the near-domain warning ignores big providers and domains used more than once",
          "[roster]") {
  const auto file = parse(
      "A,a@gmail.com,Yes,\nB,b@gmail.com,Yes,\nC,c@gmail.com,Yes,\n"
      "D,d@mail.com,Yes,\n"                         // a real provider, one edit from gmail.com
      "E,e@gmaul.com,Yes,\nF,f@gmaul.com,Yes,\n");  // used twice: deliberate, not a slip
  CHECK(file.issues.empty());
}

TEST_CASE("a row's issues are ordered by column whichever check found them", "[roster]") {
  const auto file = parse("Ann,ann@x.io,Yes,\n,ann@x.io,perhaps,\"ann@x.io,bad\"\n");
  std::vector<std::string> codes;
  for (const auto& i : file.issues) {
    codes.push_back(i.code);
  }
  CHECK(codes == std::vector<std::string>{"missing_name", "duplicate_creator_email",
                                          "invalid_yes_no", "invalid_email",
                                          "team_email_is_creator"});
}

TEST_CASE("data past the header's last column is an error suggesting quotes", "[roster]") {
  const auto file = parse("Ann,ann@x.io,Yes,bo@x.io,cy@x.io\nBo,bo@y.io,No,,,\n");
  const auto& i = only(file, "extra_cells");
  CHECK(i.line == 2);
  CHECK(i.column.empty());
  CHECK(i.message ==
        "cell 5 holds \"cy@x.io\" but the header has only 4 columns; if a cell lists several "
        "emails separated by commas, put that whole cell in quotes");
}

TEST_CASE("rows whose cells are all blank are skipped", "[roster]") {
  const auto file = parse(",,,\n  , ,\t,\nAnn,ann@x.io,Yes,\n,,,\n");
  REQUIRE(file.rows.size() == 1);
  CHECK(file.rows[0].line == 4);
}

TEST_CASE("blank rows above the header are skipped and line numbers stay physical", "[roster]") {
  const auto result = parse_onboarding_csv(",,,\n\n" + std::string(header) + "Ann,a@x.io,Yes,\n");
  REQUIRE(result);
  REQUIRE(result->rows.size() == 1);
  CHECK(result->rows[0].line == 4);
}

TEST_CASE("a file of blank rows only fails as empty", "[roster]") {
  CHECK(failure_code(parse_onboarding_csv(",,,\n , \n")) == "empty_file");
}

TEST_CASE("unknown columns are a file-level warning naming them", "[roster]") {
  const auto result = parse_onboarding_csv(
      "Notes,Creator Name,Creator Email,Has account,Team,Instagram\nx,Ann,a@x.io,Yes,,@ann\n");
  REQUIRE(result);
  REQUIRE(result->warnings_file_level.size() == 2);
  const auto& w = result->warnings_file_level[0];
  CHECK(w.code == "unknown_column");
  CHECK(w.column == "Notes");
  CHECK(w.line == 1);
  CHECK(w.severity == issue_severity::warning);
  CHECK(w.message == "column \"Notes\" is not one of the template's columns; it is ignored");
  CHECK(result->warnings_file_level[1].column == "Instagram");
  CHECK(result->issues.empty());
}

TEST_CASE("a header-only file has no rows and a warning", "[roster]") {
  const auto file = parse("");
  CHECK(file.rows.empty());
  REQUIRE(file.warnings_file_level.size() == 1);
  CHECK(file.warnings_file_level[0].code == "no_data_rows");
}

TEST_CASE("a file with no header fails as empty", "[roster]") {
  for (const char* text : {"", "\xEF\xBB\xBF", "\r\n\r\n"}) {
    const auto r = parse_onboarding_csv(text);
    CHECK(failure_code(r) == "empty_file");
    CHECK_THAT(failure_detail(r), Catch::Contains("Creator Name, Creator Email"));
  }
}

TEST_CASE("reader failures and header failures fail the whole file", "[roster]") {
  CHECK(failure_code(parse_onboarding_csv(std::string(header) + "\"Ann,a@x.io,Yes,\n")) ==
        "unterminated_quote");
  CHECK(failure_code(parse_onboarding_csv("Name,Email\nAnn,a@x.io\n")) == "missing_column");
  onboarding_options options;
  options.limits.max_data_rows = 1;
  CHECK(failure_code(parse_onboarding_csv(std::string(header) + "A,a@x.io,Yes,\nB,b@x.io,Yes,\n",
                                          options)) == "too_many_rows");
}

TEST_CASE("has_error is false for warnings-only rows and rows without issues", "[roster]") {
  const auto file = parse("Ann,ann@gmial.com,Yes,\nBo,bo@x.io,Yes,\nCy,,Yes,\n");
  CHECK_FALSE(has_error(file, 2));
  CHECK_FALSE(has_error(file, 3));
  CHECK(has_error(file, 4));
  CHECK_FALSE(has_error(file, 99));
}
