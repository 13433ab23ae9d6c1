#include "edge/api/status_csv.hpp"

#include <catch2/catch.hpp>

using rosterd::edge::api::csv_cell;
using rosterd::edge::api::csv_row;

TEST_CASE("a csv cell a spreadsheet would run as a formula starts with an apostrophe",
          "[status_csv]") {
  CHECK(csv_cell("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"");
  CHECK(csv_cell("+1") == "'+1");
  CHECK(csv_cell("-2") == "'-2");
  CHECK(csv_cell("@SUM(A1)") == "'@SUM(A1)");
  CHECK(csv_cell("\tx") == "'\tx");
  CHECK(csv_cell("\rx") == "\"'\rx\"");
  CHECK(csv_cell("plain name") == "plain name");
  CHECK(csv_cell("") == "");
}

TEST_CASE("a csv cell with a comma, quote or line break is quoted as RFC 4180 says",
          "[status_csv]") {
  CHECK(csv_cell("Smith, Jo") == "\"Smith, Jo\"");
  CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_cell("two\nlines") == "\"two\nlines\"");
}

TEST_CASE("a csv row joins its cells with commas and ends with CRLF", "[status_csv]") {
  CHECK(csv_row({"a", "b,c", "=1"}) == "a,\"b,c\",'=1\r\n");
}
