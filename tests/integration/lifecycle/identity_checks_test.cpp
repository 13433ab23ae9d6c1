// The periodic identity check against the provider test server over TLS: it keeps a working
// connection's clock, finds a grant the platform ended silently, and never blames an outage.

#include "lifecycle/identity_checks.hpp"

#include <catch2/catch.hpp>

#include "lifecycle/jobs.hpp"
#include "refresh_fixture.hpp"
#include "store/sql.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

struct identity_fixture : refresh_fixture {
  lifecycle::identity_checker checker{*db,
                                      holder,
                                      providers,
                                      *http,
                                      std::chrono::hours(24 * 7),
                                      nullptr,
                                      [this] { return clock_now.load(); },
                                      refresher.get()};

  /// Both clocks, rosterd's and the platform's, move on by `by`.
  void later(std::chrono::seconds by) {
    clock_now = clock_now.load() + by;
    fake.advance_clock(by);
  }
  /// Identity calls the platform saw with an access token already past its expiry.
  int expired_token_calls() {
    int n = 0;
    for (const auto& u : fake.token_uses()) {
      n += u.token == "expired" ? u.count : 0;
    }
    return n;
  }

  /// Plans the connection's check, claims it as the scheduler would and runs it.
  lifecycle::job_outcome check(const std::string& id) {
    db->write_now([&](store::database& d) {
        return lifecycle::plan_identity_check(d, id, std::chrono::hours(24 * 7), clock_now.load());
      }).value();
    // Only the identity check: the connection's lifecycle check is another runner's job.
    db->write_now([&](store::database& d) {
        return store::sql::run(d, "DELETE FROM jobs WHERE kind <> 'identity_check'");
      }).value();
    const auto due =
        db->read_now([](store::database& d) { return lifecycle::next_job_due(d); }).value().value();
    auto claimed =
        db->write_now([&](store::database& d) {
            return lifecycle::claim_due_jobs(d, "test", due, std::chrono::seconds(60), 10);
          }).value();
    REQUIRE(claimed.size() == 1);
    REQUIRE(claimed.front().kind == "identity_check");
    return run(checker.run(claimed.front()));
  }
  std::int64_t pending_checks(const std::string& id) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::integer(
              d,
              "SELECT COUNT(*) FROM jobs WHERE subject = ? AND kind = 'identity_check' AND state "
              "= 'pending'",
              id);
        })
        .value();
  }
};

}  // namespace

TEST_CASE("checks of many connections spread over the interval, each at a stable offset",
          "[identity]") {
  const auto now = std::chrono::system_clock::now();
  const auto week = std::chrono::hours(24 * 7);
  std::array<int, 7> per_day{};
  for (int i = 0; i < 7000; ++i) {
    const auto at = lifecycle::first_identity_check("con_" + std::to_string(i), week, now);
    REQUIRE(at >= now);
    REQUIRE(at < now + week);
    ++per_day.at(static_cast<std::size_t>((at - now) / std::chrono::hours(24)));
    CHECK(lifecycle::first_identity_check("con_" + std::to_string(i), week, now) == at);
  }
  for (const int n : per_day) {
    CHECK(n > 800);  // about 1000 a day: no burst
    CHECK(n < 1200);
  }
}

TEST_CASE("a working connection's identity check stamps it and plans the next", "[identity]") {
  identity_fixture f;
  const auto id = f.connect(f.ana, "facebook");
  const auto outcome = f.check(id);
  CHECK(outcome.what == lifecycle::job_outcome::kind::recorded);
  CHECK_FALSE(f.column(id, "identity_checked_at").empty());
  CHECK(f.column(id, "status") == "connected");
  CHECK(f.pending_checks(id) == 1);
}

TEST_CASE("a grant the platform ended silently is found by the identity check and revoked",
          "[identity]") {
  identity_fixture f;
  const auto id = f.connect(f.ana, "facebook");
  f.fake.control("POST", "/revoke", R"({"provider": "facebook", "subcode": 460})");
  const auto outcome = f.check(id);
  CHECK(outcome.what == lifecycle::job_outcome::kind::recorded);
  CHECK(f.column(id, "status") == "revoked");
  CHECK(f.column(id, "status_reason") == "password_changed");
  CHECK(f.column(id, "access_token").empty());
  CHECK(f.pending_checks(id) == 0);
  // The lifecycle is asked to tell the creator and the team.
  const auto checks =
      f.db->read_now([&](store::database& d) {
            return store::sql::integer(d,
                                       "SELECT COUNT(*) FROM jobs WHERE subject = ? AND kind = "
                                       "'connection_check' AND state = 'pending'",
                                       id);
          })
          .value();
  CHECK(checks >= 1);
}

TEST_CASE("an outage during the identity check is retried later and never revokes", "[identity]") {
  identity_fixture f;
  const auto id = f.connect(f.ana, "facebook");
  f.fake.fail_next(
      R"({"provider": "facebook", "endpoint": "me", "kind": "server_error", "status": 503})");
  const auto outcome = f.check(id);
  CHECK(outcome.what == lifecycle::job_outcome::kind::retry);
  CHECK(f.column(id, "status") == "connected");
  CHECK_FALSE(f.column(id, "access_token").empty());
}

TEST_CASE("an identity check refreshes an expired access token first instead of presenting it",
          "[identity]") {
  identity_fixture f;
  const auto id = f.connect(f.ana, "tiktok");
  const auto identity_calls = f.fake.calls("tiktok", "userinfo");  // the connect's own
  f.later(std::chrono::hours(3));  // past the 2-hour access token, before any refresh ran
  const auto outcome = f.check(id);
  CHECK(outcome.what == lifecycle::job_outcome::kind::recorded);
  CHECK(f.fake.calls("tiktok", "refresh") == 1);
  CHECK(f.fake.calls("tiktok", "userinfo") == identity_calls + 1);
  CHECK(f.expired_token_calls() == 0);
  CHECK(f.column(id, "status") == "connected");
  CHECK_FALSE(f.column(id, "identity_checked_at").empty());
  CHECK(f.pending_checks(id) == 1);
}

TEST_CASE(
    "an identity check of a token that expired and cannot be renewed calls nobody and "
    "leaves the connection to its deadline",
    "[identity]") {
  identity_fixture f;
  const auto id = f.connect(f.ana, "facebook");
  const auto identity_calls = f.fake.calls("facebook", "me");  // the connect's own
  f.later(std::chrono::hours(24 * 61));  // the long-lived Facebook token has ended
  const auto outcome = f.check(id);
  CHECK(outcome.what == lifecycle::job_outcome::kind::recorded);
  CHECK(f.fake.calls("facebook", "me") == identity_calls);
  CHECK(f.expired_token_calls() == 0);
  CHECK(f.column(id, "status") != "revoked");  // it expired; nobody took it away
  CHECK_FALSE(f.column(id, "access_token").empty());
  CHECK(f.pending_checks(id) == 1);  // a reconnect's new token is checked on the same plan
}
