#include "vault/error.hpp"

#include <set>
#include <string>

#include <catch2/catch.hpp>

using rosterd::vault::errc;

TEST_CASE("every vault error code has a message and a unique name in the vault category",
          "[vault]") {
  const std::string unknown_message = make_error_code(static_cast<errc>(0)).message();
  std::set<std::string> names;
  for (int value = 1; value <= static_cast<int>(errc::check_value_mismatch); ++value) {
    const auto e = static_cast<errc>(value);
    const std::error_code code = e;
    INFO("errc value " << value);
    CHECK(code.category().name() == std::string("vault"));
    CHECK_FALSE(code.message().empty());
    CHECK(code.message() != unknown_message);
    const std::string name(rosterd::vault::errc_name(e));
    CHECK(name != "unknown");
    CHECK(names.insert(name).second);
  }
  CHECK(rosterd::vault::errc_name(static_cast<errc>(0)) == "unknown");
  CHECK(rosterd::vault::errc_name(
            static_cast<errc>(static_cast<int>(errc::check_value_mismatch) + 1)) == "unknown");
}
