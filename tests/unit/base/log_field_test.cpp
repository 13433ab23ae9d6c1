#include "base/log_field.hpp"

#include <catch2/catch.hpp>

using rosterd::base::log_field;

TEST_CASE("plain log values are written as they are", "[base]") {
  CHECK(log_field("healthz") == "healthz");
  CHECK(log_field("/v1/creators/{id}") == "/v1/creators/{id}");
}

TEST_CASE("a log value cannot inject a field or a line", "[base]") {
  CHECK(log_field("a b=c") == "\"a b=c\"");
  CHECK(log_field("x\nlevel=error") == "\"x\\x0alevel=error\"");
  CHECK(log_field("q\"uote") == "\"q\\\"uote\"");
  CHECK(log_field("") == "\"\"");
}

TEST_CASE("long log values are cut", "[base]") {
  CHECK(log_field(std::string(300, 'a'), 10) == "\"aaaaaaaaaa...\"");
}
