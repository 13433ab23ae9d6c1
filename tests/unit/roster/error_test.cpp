#include "roster/error.hpp"

#include <set>
#include <string>

#include <catch2/catch.hpp>

#include "tests/support/errc_walk.hpp"

using rosterd::roster::errc;

TEST_CASE("every roster error code has a message and a unique name in the roster category",
          "[roster]") {
  const std::string unknown_message = make_error_code(static_cast<errc>(0)).message();
  std::set<std::string> names;
  const auto all = rosterd::testing::every_errc(rosterd::roster::errc_name);
  CHECK(all.size() > 1);
  for (const auto e : all) {
    const std::error_code code = e;
    INFO("errc value " << code.value());
    CHECK(code.category().name() == std::string("roster"));
    CHECK_FALSE(code.message().empty());
    CHECK(code.message() != unknown_message);
    const std::string name(rosterd::roster::errc_name(e));
    CHECK(name != "unknown");
    CHECK(names.insert(name).second);
  }
  CHECK(rosterd::roster::errc_name(static_cast<errc>(0)) == "unknown");
}
