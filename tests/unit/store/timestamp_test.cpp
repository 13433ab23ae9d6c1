#include "store/timestamp.hpp"

#include <catch2/catch.hpp>

TEST_CASE("timestamps are ISO-8601 UTC with whole seconds", "[store]") {
  using namespace std::chrono;
  CHECK(rosterd::store::iso8601_utc(system_clock::time_point{}) == "1970-01-01T00:00:00Z");
  const auto t =
      sys_days{year{2025} / 11 / 25} + hours{19} + minutes{20} + seconds{5} + milliseconds{999};
  CHECK(rosterd::store::iso8601_utc(t) == "2025-11-25T19:20:05Z");
}

TEST_CASE("a stored timestamp reads back as the moment it was written", "[timestamp]") {
  using namespace std::chrono;
  const auto t = sys_days{2025y / November / 25} + 19h + 20min + 5s;
  CHECK(rosterd::store::parse_iso8601_utc(rosterd::store::iso8601_utc(t)) == t);
  CHECK(rosterd::store::parse_iso8601_utc("2024-02-29T23:59:59Z") ==
        sys_days{2024y / February / 29} + 23h + 59min + 59s);
}

TEST_CASE("text that is not a stored timestamp does not read as one", "[timestamp]") {
  for (const char* bad :
       {"", "2025-11-25", "2025-11-25T19:20:05", "2025-11-25 19:20:05Z",
        "2025-11-25T19:20:05+01:00", "2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z",
        "2025-11-25T24:00:00Z", "2025-11-25T19:60:00Z", "2025-1a-25T19:20:05Z",
        "-025-11-25T19:20:05Z", "2025-11-25T19:20:05.5Z"}) {
    CAPTURE(bad);
    CHECK_FALSE(rosterd::store::parse_iso8601_utc(bad).has_value());
  }
}
