#include "roster/csv_reader.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/unit/roster/catch_result.hpp"

using namespace rosterd::roster;
using rosterd::roster::testing::failure_code;
using rosterd::roster::testing::failure_detail;
using fields = std::vector<std::string>;

namespace {

// The records of `text`, which must parse.
std::vector<csv_record> records(std::string_view text, const csv_limits& limits = {}) {
  auto result = read_csv(text, limits);
  INFO(failure_detail(result));
  REQUIRE(result);
  return std::move(*result);
}

std::vector<int> lines(const std::vector<csv_record>& rs) {
  std::vector<int> out;
  for (const auto& r : rs) {
    out.push_back(r.line);
  }
  return out;
}

}  // namespace

TEST_CASE("records carry their fields and the line they start on", "[roster]") {
  const auto rs = records("a,b,c\n1,2,3\n4,5,6\n");
  REQUIRE(rs.size() == 3);
  CHECK(rs[0].fields == fields{"a", "b", "c"});
  CHECK(rs[2].fields == fields{"4", "5", "6"});
  CHECK(lines(rs) == std::vector<int>{1, 2, 3});
}

TEST_CASE("quoted fields may hold commas and doubled quotes", "[roster]") {
  const auto rs = records("\"Lee, Ann\",\"say \"\"hi\"\"\",\"\"\n");
  REQUIRE(rs.size() == 1);
  CHECK(rs[0].fields == fields{"Lee, Ann", "say \"hi\"", ""});
}

TEST_CASE("line breaks inside quotes are kept and push later records down", "[roster]") {
  const auto rs = records("h1,h2\n\"a\nb\",x\n\"c\r\nd\re\",y\nlast,z\n");
  REQUIRE(rs.size() == 4);
  CHECK(rs[1].fields == fields{"a\nb", "x"});
  CHECK(rs[2].fields == fields{"c\r\nd\re", "y"});
  CHECK(lines(rs) == std::vector<int>{1, 2, 4, 7});
}

TEST_CASE("CRLF, LF and lone CR all end records, even mixed in one file", "[roster]") {
  for (const char* text :
       {"a,b\r\nc,d\r\ne,f\r\n", "a,b\nc,d\ne,f\n", "a,b\rc,d\re,f\r", "a,b\r\nc,d\ne,f\r"}) {
    INFO(text);
    const auto rs = records(text);
    REQUIRE(rs.size() == 3);
    CHECK(rs[1].fields == fields{"c", "d"});
    CHECK(rs[2].fields == fields{"e", "f"});
    CHECK(lines(rs) == std::vector<int>{1, 2, 3});
  }
}

TEST_CASE("a UTF-8 byte order mark is skipped and not part of the first field", "[roster]") {
  const auto rs = records("\xEF\xBB\xBFname,email\nAnn,a@x.io\n");
  REQUIRE(rs.size() == 2);
  CHECK(rs[0].fields == fields{"name", "email"});
  CHECK(rs[0].line == 1);
}

TEST_CASE("an empty input, a lone BOM or only blank lines give no records", "[roster]") {
  CHECK(records("").empty());
  CHECK(records("\xEF\xBB\xBF").empty());
  CHECK(records("\n\r\n\r\n").empty());
}

TEST_CASE("empty lines are skipped but still counted in line numbers", "[roster]") {
  const auto rs = records("\nh\n\n\r\nv1\n\n\n\r\n\r\n");
  REQUIRE(rs.size() == 2);
  CHECK(lines(rs) == std::vector<int>{2, 5});
}

TEST_CASE("the last record needs no line end", "[roster]") {
  const auto rs = records("a,b\nc,\"d\"");
  REQUIRE(rs.size() == 2);
  CHECK(rs[1].fields == fields{"c", "d"});
}

TEST_CASE("a trailing comma gives a trailing empty field", "[roster]") {
  CHECK(records("a,\n")[0].fields == fields{"a", ""});
  CHECK(records("a,")[0].fields == fields{"a", ""});
  CHECK(records(",,\n")[0].fields == fields{"", "", ""});
}

TEST_CASE("spaces around a quoted field are dropped; in unquoted fields they are kept",
          "[roster]") {
  CHECK(records("a, \"b, c\" ,\t\"d\"\t\n")[0].fields == fields{"a", "b, c", "d"});
  CHECK(records(" a , b \n")[0].fields == fields{" a ", " b "});
}

TEST_CASE("an unterminated quote is reported at the opening quote", "[roster]") {
  const auto r = read_csv("h1,h2\nok,fine\nAnn,\"a@x.io\nb@x.io\n");
  CHECK(failure_code(r) == "unterminated_quote");
  CHECK_THAT(failure_detail(r), Catch::StartsWith("line 3, column 5: "));
  CHECK_THAT(failure_detail(r), Catch::Contains("never closed"));
}

TEST_CASE("a quote in the middle of an unquoted field is an error with its position", "[roster]") {
  const auto r = read_csv("h1,h2\nAnn \"Bee\" Lee,x\n");
  CHECK(failure_code(r) == "quote_in_unquoted_field");
  CHECK_THAT(failure_detail(r), Catch::StartsWith("line 2, column 5: "));
  CHECK_THAT(failure_detail(r), Catch::Contains("\"\""));
}

TEST_CASE("text after a closing quote is an error with its position", "[roster]") {
  const auto r = read_csv("h1,h2\n\"Ann\" Lee,x\n");
  CHECK(failure_code(r) == "text_after_closing_quote");
  CHECK_THAT(failure_detail(r), Catch::StartsWith("line 2, column 7: "));
}

TEST_CASE("error columns count characters, not bytes, and ignore the BOM", "[roster]") {
  // "Zoë" is four bytes but three characters; the stray quote is the 6th character.
  const auto r = read_csv("\xEF\xBB\xBFZo\xC3\xAB x\"y\n");
  CHECK(failure_code(r) == "quote_in_unquoted_field");
  CHECK_THAT(failure_detail(r), Catch::StartsWith("line 1, column 6: "));
}

TEST_CASE("error lines count CRLF once and lone CR once", "[roster]") {
  const auto r = read_csv("a\r\nb\rc\n\"open");
  CHECK(failure_code(r) == "unterminated_quote");
  CHECK_THAT(failure_detail(r), Catch::StartsWith("line 4, column 1: "));
}

TEST_CASE("bytes that are not UTF-8 are rejected with the byte and its position", "[roster]") {
  SECTION("a Latin-1 letter") {
    const auto r = read_csv("name\nJos\xE9\n");
    CHECK(failure_code(r) == "invalid_utf8");
    CHECK_THAT(failure_detail(r), Catch::StartsWith("line 2, column 4: byte 0xE9"));
    CHECK_THAT(failure_detail(r), Catch::Contains("CSV UTF-8"));
  }
  SECTION("an overlong encoding of '/'") {
    CHECK(failure_code(read_csv("a\xC0\xAF")) == "invalid_utf8");
  }
  SECTION("an encoded surrogate") {
    CHECK(failure_code(read_csv("a\xED\xA0\x80")) == "invalid_utf8");
  }
  SECTION("a value past U+10FFFF") {
    CHECK(failure_code(read_csv("a\xF4\x90\x80\x80")) == "invalid_utf8");
  }
  SECTION("a sequence cut off at the end of the file") {
    const auto r = read_csv("ab\xE2\x82");
    CHECK(failure_code(r) == "invalid_utf8");
    CHECK_THAT(failure_detail(r), Catch::StartsWith("line 1, column 3: byte 0xE2"));
  }
  SECTION("a stray continuation byte") {
    CHECK(failure_code(read_csv("\x80")) == "invalid_utf8");
  }
}

TEST_CASE("valid multi-byte UTF-8 of every length is accepted", "[roster]") {
  const auto rs = records("Jos\xC3\xA9,\xE6\x9D\x8E,\xF0\x9F\x98\x80\n");
  CHECK(rs[0].fields == fields{"Jos\xC3\xA9", "\xE6\x9D\x8E", "\xF0\x9F\x98\x80"});
}

TEST_CASE("UTF-16 text and Excel workbooks get a hint to export CSV UTF-8", "[roster]") {
  const auto utf16 = read_csv(std::string_view("\xFF\xFEn\0a\0", 6));
  CHECK(failure_code(utf16) == "invalid_utf8");
  CHECK_THAT(failure_detail(utf16), Catch::Contains("UTF-16"));
  const auto xlsx = read_csv(std::string_view("PK\x03\x04\x14\0\x06\0", 8));
  CHECK(failure_code(xlsx) == "nul_byte");
  CHECK_THAT(failure_detail(xlsx), Catch::Contains("Excel workbook"));
}

TEST_CASE("a NUL byte is rejected with its position", "[roster]") {
  const auto r = read_csv(std::string_view("h\nab\0c\n", 7));
  CHECK(failure_code(r) == "nul_byte");
  CHECK_THAT(failure_detail(r), Catch::StartsWith("line 2, column 3: NUL byte"));
}

TEST_CASE("the default limits are 5 MiB, 20000 data rows, 64 columns and 8 KiB per field",
          "[roster]") {
  const csv_limits limits;
  CHECK(limits.max_file_bytes == 5U * 1024 * 1024);
  CHECK(limits.max_data_rows == 20'000);
  CHECK(limits.max_columns == 64);
  CHECK(limits.max_field_bytes == 8U * 1024);
}

TEST_CASE("a file over the size limit is rejected naming its size and the limit", "[roster]") {
  const std::string text(5U * 1024 * 1024 + 1, 'a');
  const auto r = read_csv(text);
  CHECK(failure_code(r) == "file_too_large");
  CHECK_THAT(failure_detail(r), Catch::Contains("5242881 bytes"));
  CHECK_THAT(failure_detail(r), Catch::Contains("limit is 5242880 bytes"));
  CHECK(read_csv(std::string(5U * 1024 * 1024, '\n')));
}

TEST_CASE("more data rows than the limit are rejected with the number seen", "[roster]") {
  std::string text = "header\n";
  for (int i = 0; i < 20'000; ++i) {
    text += "row\n";
  }
  CHECK(records(text).size() == 20'001);  // the header is not a data row
  text += "row\nrow\n";
  const auto r = read_csv(text);
  CHECK(failure_code(r) == "too_many_rows");
  CHECK(failure_detail(r) ==
        "the file has 20002 data rows; the limit is 20000 (split it into smaller files)");
}

TEST_CASE("past the row limit, a later syntax error still reports the row limit", "[roster]") {
  csv_limits limits;
  limits.max_data_rows = 2;
  const auto r = read_csv("h\n1\n2\n3\n\"open\n", limits);
  CHECK(failure_code(r) == "too_many_rows");
  CHECK_THAT(failure_detail(r), Catch::StartsWith("the file has at least 3 data rows"));
}

TEST_CASE("a record with more fields than the column limit is rejected with its width",
          "[roster]") {
  const std::string ok_row = std::string(63, ',') + "\n";  // 64 fields
  CHECK(records(ok_row + ok_row).size() == 2);
  const auto r = read_csv(ok_row + std::string(69, ',') + "\n");
  CHECK(failure_code(r) == "too_many_columns");
  CHECK(failure_detail(r) == "line 2 has 70 cells; the limit is 64 columns");
}

TEST_CASE("a field over the size limit is rejected with its length", "[roster]") {
  CHECK(records("h\n" + std::string(8192, 'x') + "\n").size() == 2);
  const auto r = read_csv("h,h\nok,\"" + std::string(8193, 'x') + "\"\n");
  CHECK(failure_code(r) == "field_too_large");
  CHECK(failure_detail(r) == "line 2, cell 2 is 8193 bytes; the limit is 8192 bytes per cell");
}

TEST_CASE("limits come from the struct passed in", "[roster]") {
  csv_limits limits;
  limits.max_file_bytes = 10;
  CHECK(failure_code(read_csv("0123456789a", limits)) == "file_too_large");
  CHECK(read_csv("0123456789", limits));
}
