#include <catch2/catch.hpp>

#include "setup/config.hpp"

using namespace rosterd::setup;
using namespace std::chrono_literals;

TEST_CASE("durations accept a whole number and a unit, combined if wanted", "[config]") {
  CHECK(parse_duration("60d") == std::chrono::milliseconds(60 * 24h));
  CHECK(parse_duration("12h") == std::chrono::milliseconds(12h));
  CHECK(parse_duration("90s") == std::chrono::milliseconds(90s));
  CHECK(parse_duration("500ms") == 500ms);
  CHECK(parse_duration("10m") == std::chrono::milliseconds(10min));
  CHECK(parse_duration("1h30m") == std::chrono::milliseconds(90min));
  CHECK(parse_duration("0s") == 0ms);
}

TEST_CASE("malformed durations are rejected", "[config]") {
  for (const char* bad : {"", "60", "s", "12x", "-5s", "1.5h", " 5s", "5s ", "5S", "5 s",
                          "99999999999999999999d", "400000d"}) {
    INFO(bad);
    CHECK_FALSE(parse_duration(bad));
  }
}

TEST_CASE("durations print in the largest exact unit and parse back", "[config]") {
  CHECK(format_duration(std::chrono::milliseconds(60 * 24h)) == "60d");
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(1500ms) == "1500ms");
  CHECK(format_duration(std::chrono::milliseconds(2h)) == "2h");
  for (auto d : {1ms, 1000ms, 61000ms, 3600000ms}) {
    CHECK(parse_duration(format_duration(d)) == d);
  }
}
