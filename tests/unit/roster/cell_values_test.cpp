#include "roster/cell_values.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

using namespace rosterd::roster;

TEST_CASE("yes/no cells accept yes, no, y, n, true and false in any case", "[roster]") {
  for (const char* yes :
       {"yes", "Yes", "YES", "y", "Y", "true", "TRUE", "True", "  yes ", "\tY\n"}) {
    INFO(yes);
    CHECK(parse_yes_no(yes) == std::optional<bool>(true));
  }
  for (const char* no : {"no", "No", "NO", "n", "N", "false", "FALSE", " False "}) {
    INFO(no);
    CHECK(parse_yes_no(no) == std::optional<bool>(false));
  }
}

TEST_CASE("yes/no cells reject the empty cell and other words", "[roster]") {
  for (const char* other : {"", "  ", "maybe", "1", "0", "yes please", "ye", "nope", "t", "f"}) {
    INFO(other);
    CHECK_FALSE(parse_yes_no(other).has_value());
  }
}

TEST_CASE("team cells split on commas, semicolons, spaces, tabs and line breaks", "[roster]") {
  using list = std::vector<std::string_view>;
  CHECK(split_email_list("a@x.io,b@x.io") == list{"a@x.io", "b@x.io"});
  CHECK(split_email_list("a@x.io;b@x.io") == list{"a@x.io", "b@x.io"});
  CHECK(split_email_list("a@x.io b@x.io") == list{"a@x.io", "b@x.io"});
  CHECK(split_email_list("a@x.io\tb@x.io") == list{"a@x.io", "b@x.io"});
  CHECK(split_email_list("a@x.io\nb@x.io\r\nc@x.io\rd@x.io") ==
        list{"a@x.io", "b@x.io", "c@x.io", "d@x.io"});
  CHECK(split_email_list(" a@x.io ; , b@x.io,;\n") == list{"a@x.io", "b@x.io"});
}

TEST_CASE("an empty or blank team cell has no addresses", "[roster]") {
  CHECK(split_email_list("").empty());
  CHECK(split_email_list(" ,; \n").empty());
}

TEST_CASE("team cell pieces are trimmed of invisible spaces", "[roster]") {
  CHECK(split_email_list("\xC2\xA0"
                         "a@x.io"
                         "\xC2\xA0") == std::vector<std::string_view>{"a@x.io"});
}
