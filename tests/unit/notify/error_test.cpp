#include "notify/error.hpp"

#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/errc_walk.hpp"

using rosterd::notify::errc;

TEST_CASE("every notify error code has a message and a unique name in the notify category",
          "[notify]") {
  const std::string unknown_message = make_error_code(static_cast<errc>(0)).message();
  std::set<std::string> names;
  const auto all = rosterd::testing::every_errc(rosterd::notify::errc_name);
  CHECK(all.size() > 1);
  for (const auto e : all) {
    const std::error_code code = e;
    INFO("errc value " << code.value());
    CHECK(code.category().name() == std::string("notify"));
    CHECK_FALSE(code.message().empty());
    CHECK(code.message() != unknown_message);
    const std::string name(rosterd::notify::errc_name(e));
    CHECK(name != "unknown");
    CHECK(names.insert(name).second);
  }
  CHECK(rosterd::notify::errc_name(static_cast<errc>(0)) == "unknown");
}
