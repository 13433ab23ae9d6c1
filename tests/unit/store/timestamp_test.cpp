#include "store/timestamp.hpp"

#include <catch2/catch.hpp>

TEST_CASE("timestamps are ISO-8601 UTC with whole seconds", "[store]") {
  using namespace std::chrono;
  CHECK(rosterd::store::iso8601_utc(system_clock::time_point{}) == "1970-01-01T00:00:00Z");
  const auto t =
      sys_days{year{2025} / 11 / 25} + hours{19} + minutes{20} + seconds{5} + milliseconds{999};
  CHECK(rosterd::store::iso8601_utc(t) == "2025-11-25T19:20:05Z");
}
