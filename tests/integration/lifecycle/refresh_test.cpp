// Refreshing connections against the provider test server: single flight, rotation committed
// before use, replay never happening, errors classified (only a dead grant is revoked), passing
// failures retried later, and an interrupted refresh reported instead of silently lost.

#include <map>

#include <catch2/catch.hpp>

#include "lifecycle/connections.hpp"
#include "lifecycle/refresh_scheduler.hpp"
#include "refresh_fixture.hpp"
#include "store/timestamp.hpp"

using namespace rosterd;
using namespace rosterd::testing;
using lifecycle::refresh_outcome;
using lifecycle::refresh_reason;

namespace {

std::vector<std::string> event_kinds(refresh_fixture& f, const std::string& creator) {
  const auto who = f.owner();
  auto events = f.db->read_now(
      [&](store::database& d) { return lifecycle::list_events(d, who, creator, 50); });
  std::vector<std::string> kinds;
  for (const auto& e : events.value()) {
    kinds.push_back(e.kind);
  }
  return kinds;
}

bool has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

std::string access_token(refresh_fixture& f, const std::string& id) {
  auto keys = f.holder->current();
  return std::string(
      f.db->read_now([&](store::database& d) { return lifecycle::read_tokens(d, *keys, id); })
          .value()
          .access_token.reveal());
}

}  // namespace

TEST_CASE("100 concurrent refreshes of one connection make exactly one provider call",
          "[refresh]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "tiktok");
  const auto before = access_token(f, id);
  f.fake.configure("tiktok", R"({"delay_ms": 300})");

  std::vector<std::future<base::result<lifecycle::refresh_report>>> calls;
  for (int i = 0; i < 100; ++i) {
    calls.push_back(boost::asio::co_spawn(
        f.io, f.refresher->refresh(id, refresh_reason::on_demand, std::chrono::hours(24 * 365)),
        boost::asio::use_future));
  }
  int refreshed = 0;
  int joined = 0;
  for (auto& c : calls) {
    auto r = c.get().value();
    refreshed += r.outcome == refresh_outcome::refreshed ? 1 : 0;
    joined += r.joined ? 1 : 0;
  }
  CHECK(f.fake.calls("tiktok", "refresh") == 1);
  CHECK(refreshed == 100);  // the joiners share the leader's outcome
  CHECK(joined == 99);
  CHECK(access_token(f, id) != before);
  CHECK(f.refresher->in_flight() == 0);
  CHECK(f.column(id, "refresh_started_at").empty());

  // The next caller finds a fresh token: nothing to do, no call.
  auto again = f.refresh(id, refresh_reason::on_demand).value();
  CHECK(again.outcome == refresh_outcome::still_valid);
  CHECK(f.fake.calls("tiktok", "refresh") == 1);
}

TEST_CASE(
    "a rotating refresh token is stored before use: 200 cycles under concurrency revoke "
    "nothing",
    "[refresh]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "tiktok");
  for (int cycle = 0; cycle < 200; ++cycle) {
    std::vector<std::future<base::result<lifecycle::refresh_report>>> calls;
    for (int i = 0; i < 4; ++i) {
      calls.push_back(boost::asio::co_spawn(
          f.io, f.refresher->refresh(id, refresh_reason::scheduled), boost::asio::use_future));
    }
    for (auto& c : calls) {
      REQUIRE(c.get().value().outcome == refresh_outcome::refreshed);
    }
  }
  const auto g = f.grant("tiktok");
  CHECK(g["revoked"] == false);
  CHECK(g["replays"] == 0);
  CHECK(g["rotations"] == f.fake.calls("tiktok", "refresh"));
  CHECK(f.fake.calls("tiktok", "refresh") <= 800);
  CHECK(f.column(id, "status") == "connected");
  CHECK(f.column(id, "refresh_failures") == "0");
}

TEST_CASE("invalid_grant on refresh marks the connection revoked and deletes its tokens",
          "[refresh]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "pinterest");
  f.fake.control("POST", "/revoke", R"({"provider": "pinterest"})");
  auto r = f.refresh(id).value();
  CHECK(r.outcome == refresh_outcome::needs_reconnect);
  CHECK_FALSE(r.lost_rotation);
  CHECK(f.column(id, "status") == "revoked");
  CHECK(f.column(id, "access_token").empty());
  CHECK(f.column(id, "refresh_token").empty());
  CHECK(f.column(id, "next_refresh_at").empty());
  CHECK(has(event_kinds(f, f.ana), "revoked"));
  // Nothing left to refresh: no further call.
  CHECK(f.refresh(id).value().outcome == refresh_outcome::not_connected);
  CHECK(f.fake.calls("pinterest", "refresh") == 1);
}

TEST_CASE("outages and rate limits are retried later and never revoke", "[refresh]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "tiktok");
  const auto t0 = f.clock_now.load();

  f.fake.fail_next(
      R"({"provider": "tiktok", "endpoint": "refresh", "kind": "rate_limit", "retry_after": 3600})");
  auto limited = f.refresh(id).value();
  CHECK(limited.outcome == refresh_outcome::retry_later);
  REQUIRE(limited.retry_at);
  CHECK(*limited.retry_at >= t0 + std::chrono::seconds(3600));  // Retry-After honoured
  CHECK(f.column(id, "status") == "connected");                 // one failure: not yet "error"
  CHECK(f.column(id, "next_refresh_at") == roster::stamp(*limited.retry_at));

  f.fake.fail_next(
      R"({"provider": "tiktok", "endpoint": "refresh", "kind": "server_error", "status": 503, "count": 2})");
  for (int i = 0; i < 2; ++i) {
    auto r = f.refresh(id).value();
    CHECK(r.outcome == refresh_outcome::retry_later);
    REQUIRE(r.retry_at);
    // 9-15 minutes: at most 7 attempts an hour, and never long after the platform recovers.
    CHECK(*r.retry_at >= t0 + std::chrono::minutes(9));
    CHECK(*r.retry_at <= t0 + std::chrono::minutes(15));
  }
  CHECK(f.column(id, "status") == "error");
  CHECK(f.column(id, "refresh_failures") == "3");
  CHECK(has(event_kinds(f, f.ana), "refresh_failing"));
  CHECK(f.column(id, "access_token").size() > 0);

  auto recovered = f.refresh(id).value();
  CHECK(recovered.outcome == refresh_outcome::refreshed);
  CHECK(f.column(id, "status") == "connected");
  CHECK(f.column(id, "refresh_failures") == "0");
  CHECK(f.column(id, "last_error").empty());
  CHECK(has(event_kinds(f, f.ana), "refresh_recovered"));
  CHECK(f.grant("tiktok")["revoked"] == false);
}

TEST_CASE("a request we sent wrongly is rejected, not revoked, and retried an hour later",
          "[refresh]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "tiktok");
  f.fake.fail_next(
      R"({"provider": "tiktok", "endpoint": "refresh", "kind": "oauth_error", "error": "invalid_client"})");
  auto r = f.refresh(id).value();
  CHECK(r.outcome == refresh_outcome::rejected);
  REQUIRE(r.retry_at);
  CHECK(*r.retry_at >= f.clock_now.load() + std::chrono::minutes(59));
  CHECK(f.column(id, "status") == "error");
  CHECK(has(event_kinds(f, f.ana), "refresh_rejected"));
  CHECK(f.column(id, "access_token").size() > 0);
}

TEST_CASE("a timeout after the platform rotated is reported as a lost rotation, never silently",
          "[refresh][crash]") {
  oauth::https_settings quick;
  quick.total_timeout = std::chrono::milliseconds(1500);
  refresh_fixture f(quick);
  const auto id = f.connect(f.ana, "tiktok");
  // The platform rotates, then its answer never arrives.
  f.fake.fail_next(
      R"({"provider": "tiktok", "endpoint": "refresh", "kind": "hang", "after": true, "hang_ms": 3000})");
  auto lost = f.refresh(id).value();
  CHECK(lost.outcome == refresh_outcome::retry_later);
  CHECK_FALSE(f.column(id, "refresh_started_at").empty());  // the outcome is unknown
  CHECK(f.grant("tiktok")["rotations"] == 1);

  auto next = f.refresh(id).value();
  CHECK(next.outcome == refresh_outcome::needs_reconnect);
  CHECK(next.lost_rotation);
  CHECK(f.column(id, "status") == "revoked");
  CHECK(f.column(id, "last_error").find("interrupted") != std::string::npos);
  CHECK(has(event_kinds(f, f.ana), "revoked"));
}

TEST_CASE("with a reuse grace window an interrupted rotation loses nothing", "[refresh][crash]") {
  oauth::https_settings quick;
  quick.total_timeout = std::chrono::milliseconds(1500);
  refresh_fixture f(quick);
  f.fake.configure("tiktok", R"({"refresh_reuse_grace_seconds": 120})");
  const auto id = f.connect(f.ana, "tiktok");
  f.fake.fail_next(
      R"({"provider": "tiktok", "endpoint": "refresh", "kind": "hang", "after": true, "hang_ms": 3000})");
  CHECK(f.refresh(id).value().outcome == refresh_outcome::retry_later);
  auto next = f.refresh(id).value();
  CHECK(next.outcome == refresh_outcome::refreshed);
  CHECK(f.column(id, "status") == "connected");
  CHECK(f.column(id, "refresh_started_at").empty());
  CHECK(has(event_kinds(f, f.ana), "refresh_recovered"));
  CHECK(f.grant("tiktok")["revoked"] == false);
}

TEST_CASE("a refresh interrupted before it reached the platform completes after a restart",
          "[refresh][crash]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "tiktok");
  f.set_column(id, "refresh_started_at", "2020-01-01T00:00:00Z");  // a stop mid-refresh
  auto recovered =
      f.db->write_now([&](store::database& d) { return f.refresher->recover_interrupted(d); });
  CHECK(recovered.value() == 1);
  CHECK(f.column(id, "next_refresh_at") <= roster::stamp(f.clock_now.load()));
  // Even a caller that only needs the token settles the interrupted refresh first.
  auto r = f.refresh(id, refresh_reason::on_demand).value();
  CHECK(r.outcome == refresh_outcome::refreshed);
  CHECK_FALSE(r.lost_rotation);
  CHECK(f.column(id, "refresh_started_at").empty());
  CHECK(has(event_kinds(f, f.ana), "refresh_recovered"));
}

TEST_CASE("Instagram tokens are refreshed with ig_refresh_token once a day old", "[refresh]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "instagram");
  auto early = f.refresh(id).value();
  CHECK(early.outcome == refresh_outcome::still_valid);
  CHECK(f.fake.calls("instagram", "refresh") == 0);
  CHECK(f.column(id, "next_refresh_at") >
        roster::stamp(f.clock_now.load() + std::chrono::hours(23)));

  f.fake.advance_clock(std::chrono::hours(25));
  f.clock_now = f.clock_now.load() + std::chrono::hours(25);
  const auto before = access_token(f, id);
  auto r = f.refresh(id).value();
  CHECK(r.outcome == refresh_outcome::refreshed);
  CHECK(f.fake.calls("instagram", "refresh") == 1);
  CHECK(access_token(f, id) != before);
  CHECK(f.column(id, "access_expires_at") >
        roster::stamp(f.clock_now.load() + std::chrono::hours(24 * 59)));
  CHECK(f.column(id, "next_refresh_at") >
        roster::stamp(f.clock_now.load() + std::chrono::hours(24 * 29)));
  // The re-consent deadline moves with each renewal and stays self-renewing.
  CHECK(f.column(id, "reauth_due_at") == f.column(id, "access_expires_at"));
  CHECK(f.column(id, "deadline_cause") == "token_expiry");
  CHECK(f.column(id, "deadline_self_renewing") == "1");
}

TEST_CASE("Facebook Login tokens cannot be refreshed: only re-consent renews them", "[refresh]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "facebook");
  auto r = f.refresh(id).value();
  CHECK(r.outcome == refresh_outcome::not_refreshable);
  CHECK(f.column(id, "next_refresh_at").empty());
  CHECK_FALSE(f.column(id, "reauth_due_at").empty());
  const auto calls = nlohmann::json::parse(f.fake.control("GET", "/calls"))["counts"]["facebook"];
  CHECK_FALSE(calls.contains("refresh"));
  CHECK(f.refresh(id, refresh_reason::on_demand).value().outcome ==
        refresh_outcome::still_valid);  // a 60-day token is handed out as it is
}

TEST_CASE("Pinterest continuous refresh rotates and moves the re-consent date", "[refresh]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "pinterest");
  const auto horizon = f.column(id, "refresh_expires_at");
  CHECK(f.column(id, "reauth_due_at") == horizon);
  f.fake.advance_clock(std::chrono::hours(24 * 10));
  f.clock_now = f.clock_now.load() + std::chrono::hours(24 * 10);
  auto r = f.refresh(id).value();
  CHECK(r.outcome == refresh_outcome::refreshed);
  CHECK(f.column(id, "refresh_expires_at") > horizon);
  CHECK(f.column(id, "reauth_due_at") == f.column(id, "refresh_expires_at"));
  CHECK(f.grant("pinterest")["rotations"] == 1);
  auto log = nlohmann::json::parse(f.fake.control("GET", "/calls"))["log"];
  CHECK(log.back()["grant_type"] == "refresh_token");
  CHECK(log.back()["client_auth"] == "basic");
}

TEST_CASE("a refresh token past its end is not presented: the deadline came, nobody revoked it",
          "[refresh]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "tiktok");
  const auto refresh_end = store::parse_iso8601_utc(f.column(id, "refresh_expires_at")).value();
  const auto past_end = std::chrono::duration_cast<std::chrono::seconds>(
      refresh_end - f.clock_now.load() + std::chrono::hours(1));
  f.fake.advance_clock(past_end);
  f.clock_now = f.clock_now.load() + past_end;
  for (const auto reason : {refresh_reason::scheduled, refresh_reason::on_demand}) {
    auto r = f.refresh(id, reason).value();
    CHECK(r.outcome == refresh_outcome::not_refreshable);
  }
  CHECK(f.fake.calls("tiktok", "refresh") == 0);
  CHECK(f.column(id, "status") != "revoked");
  CHECK_FALSE(f.column(id, "access_token").empty());  // its deadline, not a revocation, ends it
  CHECK(f.column(id, "next_refresh_at").empty());
  CHECK(f.column(id, "reauth_due_at") == f.column(id, "refresh_expires_at"));
}

namespace {

/// Stops `scheduler` on the fixture's event loop. The wait is generous: it fails only on a hang.
bool stop_within_a_minute(refresh_fixture& f, lifecycle::refresh_scheduler& scheduler) {
  auto stopped = boost::asio::co_spawn(f.io, scheduler.stop(), boost::asio::use_future);
  REQUIRE(stopped.wait_for(std::chrono::minutes(1)) == std::future_status::ready);
  return stopped.get();
}

}  // namespace

TEST_CASE("the scheduler refreshes what is due and leaves the rest", "[refresh][scheduler]") {
  refresh_fixture f;
  const auto due = f.connect(f.ana, "tiktok");
  const auto later = f.connect(f.ben, "pinterest");
  f.set_column(due, "next_refresh_at", roster::stamp(f.clock_now.load() - std::chrono::minutes(5)));
  lifecycle::scheduler_settings settings;
  settings.poll_interval = std::chrono::milliseconds(200);
  lifecycle::refresh_scheduler scheduler(f.io.get_executor(), *f.db, *f.refresher, settings,
                                         nullptr, [&f] { return f.clock_now.load(); });
  scheduler.start();
  for (int i = 0; i < 100 && f.column(due, "refreshed_at").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK_FALSE(f.column(due, "refreshed_at").empty());
  CHECK(f.column(due, "next_refresh_at") > roster::stamp(f.clock_now.load()));
  CHECK(f.column(later, "refreshed_at").empty());
  CHECK(f.fake.calls("tiktok", "refresh") == 1);
  CHECK(f.fake.calls("pinterest", "refresh") == 0);

  // Time passes: the other one falls due, and a nudge makes the scheduler look now.
  f.clock_now = f.clock_now.load() + std::chrono::hours(24 * 20);
  scheduler.nudge();
  for (int i = 0; i < 100 && f.column(later, "refreshed_at").empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK_FALSE(f.column(later, "refreshed_at").empty());
  CHECK(stop_within_a_minute(f, scheduler));
  CHECK_FALSE(scheduler.running());
}

TEST_CASE("an hour of outage revokes nothing, tries at most 8 times an hour, recovers in 15 min",
          "[refresh][outage]") {
  refresh_fixture f;
  const std::vector<std::string> ids{f.connect(f.ana, "tiktok"), f.connect(f.ana, "pinterest"),
                                     f.connect(f.ben, "tiktok"), f.connect(f.ben, "pinterest")};
  const auto start = f.clock_now.load();
  for (const auto& id : ids) {
    f.set_column(id, "next_refresh_at", roster::stamp(start));
  }
  // Every refresh in the hour fails: 503s, 429s with Retry-After, connection resets.
  for (int i = 0; i < 40; ++i) {
    const char* rule =
        i % 3 == 0   ? R"({"endpoint": "refresh", "kind": "server_error", "status": 503})"
        : i % 3 == 1 ? R"({"endpoint": "refresh", "kind": "rate_limit", "retry_after": 120})"
                     : R"({"endpoint": "refresh", "kind": "reset"})";
    f.fake.fail_next(rule);
  }
  std::map<std::string, int> attempts;
  auto run_due = [&](roster::time_point until) {
    for (auto t = f.clock_now.load(); t <= until; t += std::chrono::seconds(30)) {
      f.clock_now = t;
      for (const auto& id : ids) {
        const auto due = f.column(id, "next_refresh_at");
        if (!due.empty() && due <= roster::stamp(t)) {
          ++attempts[id];
          REQUIRE(f.refresh(id).has_value());
        }
      }
    }
  };
  run_due(start + std::chrono::minutes(60));
  for (const auto& id : ids) {
    INFO(id);
    CHECK(attempts[id] >= 4);
    CHECK(attempts[id] <= 8);
    CHECK(f.column(id, "status") == "error");
    CHECK_FALSE(f.column(id, "access_token").empty());
  }
  // The platform recovers: every connection is refreshed within 15 minutes.
  f.fake.control("DELETE", "/fail_next");
  const auto recovered = f.clock_now.load();
  run_due(recovered + std::chrono::minutes(15));
  for (const auto& id : ids) {
    INFO(id);
    CHECK(f.column(id, "status") == "connected");
    CHECK(f.column(id, "refreshed_at") <= roster::stamp(recovered + std::chrono::minutes(15)));
    CHECK(f.column(id, "refreshed_at") >= roster::stamp(recovered));
  }
  CHECK(f.grant("tiktok")["revoked"] == false);
}

TEST_CASE("stopping an idle scheduler completes and leaves the schedule for the next start",
          "[refresh][scheduler][stop]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "tiktok");
  const auto scheduled = f.column(id, "next_refresh_at");
  lifecycle::scheduler_settings settings;
  settings.poll_interval = std::chrono::hours(1);  // asleep until stopped
  lifecycle::refresh_scheduler scheduler(f.io.get_executor(), *f.db, *f.refresher, settings,
                                         nullptr, [&f] { return f.clock_now.load(); });
  scheduler.start();
  CHECK(stop_within_a_minute(f, scheduler));
  CHECK_FALSE(scheduler.running());
  CHECK(f.column(id, "next_refresh_at") == scheduled);
  CHECK(f.fake.calls("tiktok", "refresh") == 0);
}

TEST_CASE("stopping while a refresh is in flight lets it finish and store the rotated token",
          "[refresh][scheduler][stop]") {
  refresh_fixture f;
  const auto id = f.connect(f.ana, "tiktok");
  f.set_column(id, "next_refresh_at", roster::stamp(f.clock_now.load() - std::chrono::minutes(5)));
  f.fake.fail_next(R"({"provider":"tiktok","endpoint":"refresh","kind":"slow","delay_ms":1500})");
  lifecycle::refresh_scheduler scheduler(f.io.get_executor(), *f.db, *f.refresher, {}, nullptr,
                                         [&f] { return f.clock_now.load(); });
  scheduler.start();
  for (int i = 0; i < 600 && f.fake.calls("tiktok", "refresh") == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(f.fake.calls("tiktok", "refresh") == 1);  // the platform has it; the answer is slow
  CHECK(stop_within_a_minute(f, scheduler));
  CHECK_FALSE(f.column(id, "refreshed_at").empty());
  CHECK(f.column(id, "refresh_started_at").empty());  // finished, not cut off
  CHECK(f.column(id, "status") == "connected");
  CHECK(f.grant("tiktok")["rotations"] == 1);
  // The stored token is the rotated one: refreshing again works without a replay.
  REQUIRE(f.refresh(id).has_value());
  CHECK(f.grant("tiktok")["rotations"] == 2);
  CHECK(f.grant("tiktok")["replays"] == 0);
}
