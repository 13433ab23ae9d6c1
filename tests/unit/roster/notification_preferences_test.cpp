// When a daily digest is due, in the person's own time zone, across daylight-saving changes.

#include "roster/notification_preferences.hpp"

#include <catch2/catch.hpp>

#include "roster/error.hpp"
#include "store/timestamp.hpp"

using namespace rosterd;

namespace {

roster::time_point at(const char* iso) {
  return store::parse_iso8601_utc(iso).value();
}

std::string next(const char* zone, int hour, const char* now) {
  roster::notification_preferences p;
  p.delivery = roster::alert_delivery::digest;
  p.digest_hour = hour;
  p.time_zone = zone;
  return store::iso8601_utc(roster::next_digest_at(p, at(now)));
}

}  // namespace

TEST_CASE("a UTC digest comes at the hour, strictly after now", "[preferences]") {
  CHECK(next("UTC", 8, "2026-03-10T07:59:59Z") == "2026-03-10T08:00:00Z");
  CHECK(next("UTC", 8, "2026-03-10T08:00:00Z") == "2026-03-11T08:00:00Z");
  CHECK(next("UTC", 0, "2026-12-31T23:30:00Z") == "2027-01-01T00:00:00Z");
}

TEST_CASE("a Berlin digest keeps its local hour across both daylight-saving changes",
          "[preferences]") {
  // Winter (UTC+1), the day before the change, the change day (UTC+2 from 01:00Z), summer.
  CHECK(next("Europe/Berlin", 8, "2026-03-28T05:00:00Z") == "2026-03-28T07:00:00Z");
  CHECK(next("Europe/Berlin", 8, "2026-03-28T07:00:00Z") == "2026-03-29T06:00:00Z");
  // 02:00 does not exist on 29 March: the digest comes at the jump, 03:00 CEST.
  CHECK(next("Europe/Berlin", 2, "2026-03-28T23:00:00Z") == "2026-03-29T01:00:00Z");
  CHECK(next("Europe/Berlin", 2, "2026-03-29T01:00:00Z") == "2026-03-30T00:00:00Z");
  // 02:00 happens twice on 25 October: the first (CEST, 00:00Z) counts, the second does not.
  CHECK(next("Europe/Berlin", 2, "2026-10-24T23:00:00Z") == "2026-10-25T00:00:00Z");
  CHECK(next("Europe/Berlin", 2, "2026-10-25T00:30:00Z") == "2026-10-26T01:00:00Z");
  CHECK(next("Europe/Berlin", 8, "2026-10-25T05:00:00Z") == "2026-10-25T07:00:00Z");
}

TEST_CASE("a New York digest keeps its local hour across both daylight-saving changes",
          "[preferences]") {
  CHECK(next("America/New_York", 8, "2026-03-07T14:00:00Z") == "2026-03-08T12:00:00Z");
  // 02:00 does not exist on 8 March: 03:00 EDT, 07:00Z.
  CHECK(next("America/New_York", 2, "2026-03-08T05:00:00Z") == "2026-03-08T07:00:00Z");
  // 01:00 happens twice on 1 November: 01:00 EDT (05:00Z), not 01:00 EST (06:00Z).
  CHECK(next("America/New_York", 1, "2026-11-01T04:00:00Z") == "2026-11-01T05:00:00Z");
  CHECK(next("America/New_York", 1, "2026-11-01T05:30:00Z") == "2026-11-02T06:00:00Z");
  CHECK(next("America/New_York", 8, "2026-11-01T04:00:00Z") == "2026-11-01T13:00:00Z");
}

TEST_CASE("half- and quarter-hour zones get the digest at their own hour", "[preferences]") {
  CHECK(next("Asia/Kolkata", 8, "2026-12-14T00:00:00Z") == "2026-12-14T02:30:00Z");
  CHECK(next("Asia/Kolkata", 8, "2026-12-14T02:30:00Z") == "2026-12-15T02:30:00Z");
  // Chatham: +13:45 in the southern summer, +12:45 in winter; 08:00 local is the day before
  // in UTC.
  CHECK(next("Pacific/Chatham", 8, "2026-12-14T12:00:00Z") == "2026-12-14T18:15:00Z");
  CHECK(next("Pacific/Chatham", 8, "2026-06-14T12:00:00Z") == "2026-06-14T19:15:00Z");
}

TEST_CASE("every hour of a year in Berlin lands on its local hour within a day", "[preferences]") {
  roster::notification_preferences p;
  p.time_zone = "Europe/Berlin";
  for (int hour : {0, 2, 3, 8, 23}) {
    p.digest_hour = hour;
    for (auto now = at("2026-01-01T00:17:00Z"); now < at("2027-01-01T00:00:00Z");
         now += std::chrono::hours(7)) {
      const auto when = roster::next_digest_at(p, now);
      REQUIRE(when > now);
      REQUIRE(when - now <= std::chrono::hours(25));
    }
  }
}

TEST_CASE("a misspelt time zone is refused with the field and an example", "[preferences]") {
  CHECK(roster::check_time_zone("Europe/Paris").has_value());
  CHECK(roster::check_time_zone("UTC").has_value());
  auto bad = roster::check_time_zone("Europe/Pariss");
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == roster::errc::invalid_argument);
  CHECK(bad.error().client_message ==
        "time_zone: Europe/Pariss is not a time zone; use an IANA name such as Europe/Paris, "
        "America/New_York or UTC");
  CHECK_FALSE(roster::check_time_zone("").has_value());
  CHECK_FALSE(roster::check_time_zone("../../etc/passwd").has_value());
}

TEST_CASE("dates are written in words in the reader's time zone", "[preferences]") {
  CHECK(roster::date_in_words(at("2026-12-14T23:30:00Z"), "UTC") == "14 December 2026");
  CHECK(roster::date_in_words(at("2026-12-14T23:30:00Z"), "Europe/Paris") == "15 December 2026");
  CHECK(roster::date_in_words(at("2026-01-01T03:00:00Z"), "America/New_York") ==
        "31 December 2025");
}
