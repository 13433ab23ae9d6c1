#include "lifecycle/jobs.hpp"

#include <catch2/catch.hpp>

#include "tests/integration/roster/roster_fixture.hpp"

using namespace rosterd;
using namespace std::chrono_literals;
using lifecycle::job;
using lifecycle::job_spec;
using lifecycle::job_state;

namespace {

// Stored times are whole seconds; a whole-second clock keeps "due at t" exact in the checks.
struct jobs_fixture : testing::roster_fixture {
  jobs_fixture() { now = std::chrono::floor<std::chrono::seconds>(now); }
  template <class F>
  auto write(F f) {
    return db->write_now([&](store::database& d) { return f(d); }).value();
  }
  bool schedule(const std::string& key, roster::time_point due,
                const std::string& subject = "con_1") {
    return write([&](store::database& d) {
      return lifecycle::schedule_job(d, job_spec{"creator_reminder", subject, key, due, "{}"}, now);
    });
  }
  std::vector<job> claim(const std::string& owner, roster::time_point at, int limit = 10) {
    return write(
        [&](store::database& d) { return lifecycle::claim_due_jobs(d, owner, at, 60s, limit); });
  }
  std::optional<roster::time_point> next_due() {
    return db->read_now([](store::database& d) { return lifecycle::next_job_due(d); }).value();
  }
  std::string state_of(const std::string& key) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d, "SELECT state FROM jobs WHERE idempotency_key = ?",
              [](store::statement& s) { return s.column_text(0); }, key);
        })
        .value()
        .value_or("");
  }
};

}  // namespace

TEST_CASE_METHOD(jobs_fixture, "scheduling the same stage twice keeps one job", "[jobs]") {
  CHECK(schedule("con_1/2027-01-01/7d", now + 1h));
  CHECK_FALSE(schedule("con_1/2027-01-01/7d", now + 2h));
  const auto claimed = claim("a", now + 3h);
  REQUIRE(claimed.size() == 1);
  CHECK(claimed[0].scheduled_for == now + 1h);
}

TEST_CASE_METHOD(jobs_fixture, "a job is not claimed before it is due", "[jobs]") {
  schedule("k", now + 10min);
  CHECK(claim("a", now + 9min).empty());
  CHECK(claim("a", now + 10min).size() == 1);
}

TEST_CASE_METHOD(jobs_fixture,
                 "a claimed job is not claimed again until its lease runs out, then it is",
                 "[jobs]") {
  schedule("k", now);
  auto first = claim("runner-a", now);
  REQUIRE(first.size() == 1);
  CHECK(first[0].attempts == 1);
  CHECK(claim("runner-b", now + 59s).empty());
  auto second = claim("runner-b", now + 61s);
  REQUIRE(second.size() == 1);
  CHECK(second[0].attempts == 2);
  CHECK(second[0].lease_owner == "runner-b");

  SECTION("only the current claim may record the outcome") {
    CHECK_FALSE(write([&](store::database& d) {
      return lifecycle::finish_job(d, first[0], job_state::done, "", now + 62s);
    }));
    CHECK(state_of("k") == "pending");
    CHECK(write([&](store::database& d) {
      return lifecycle::finish_job(d, second[0], job_state::done, "", now + 62s);
    }));
    CHECK(state_of("k") == "done");
    CHECK(claim("runner-c", now + 1h).empty());
  }
}

TEST_CASE_METHOD(jobs_fixture,
                 "a cancelled job is never claimed and its running claim cannot "
                 "record an outcome",
                 "[jobs]") {
  schedule("k1", now, "con_1");
  schedule("k2", now, "con_2");
  auto running = claim("a", now, 1);
  REQUIRE(running.size() == 1);
  CHECK(write([&](store::database& d) {
          return lifecycle::cancel_jobs(d, "creator_reminder", "con_1", now);
        }) == 1);
  CHECK(state_of("k1") == "cancelled");
  CHECK_FALSE(write([&](store::database& d) {
    return lifecycle::finish_job(d, running[0], job_state::done, "", now);
  }));
  CHECK(state_of("k1") == "cancelled");
  const auto rest = claim("a", now + 2min);
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].subject == "con_2");
}

TEST_CASE_METHOD(jobs_fixture, "a retried job runs again at its new time with its error kept",
                 "[jobs]") {
  schedule("k", now);
  auto claimed = claim("a", now);
  REQUIRE(claimed.size() == 1);
  CHECK(write([&](store::database& d) {
    return lifecycle::retry_job(d, claimed[0], now + 5min, "smtp 451");
  }));
  CHECK(claim("b", now + 4min).empty());
  auto again = claim("b", now + 5min);
  REQUIRE(again.size() == 1);
  CHECK(again[0].attempts == 2);
}

TEST_CASE_METHOD(jobs_fixture,
                 "the next due time is the earliest pending job, a claimed one at its lease end",
                 "[jobs]") {
  CHECK_FALSE(next_due().has_value());
  schedule("later", now + 2h);
  schedule("sooner", now + 1h);
  CHECK(next_due() == now + 1h);
  REQUIRE(claim("a", now + 1h).size() == 1);
  CHECK(next_due() == now + 1h + 60s);
}

TEST_CASE_METHOD(jobs_fixture, "after downtime every overdue job is claimed once, earliest first",
                 "[jobs]") {
  for (int h = 6; h >= 1; --h) {
    schedule("k" + std::to_string(h), now + std::chrono::hours(h), "con_" + std::to_string(h));
  }
  const auto after = now + 7h;
  const auto all = claim("a", after, 100);
  REQUIRE(all.size() == 6);
  for (std::size_t i = 0; i < all.size(); ++i) {
    CHECK(all[i].subject == "con_" + std::to_string(i + 1));
  }
  CHECK(claim("b", after, 100).empty());
}

TEST_CASE_METHOD(jobs_fixture, "finished jobs older than the cut-off are pruned; pending ones stay",
                 "[jobs]") {
  schedule("old-done", now);
  schedule("old-cancelled", now, "con_2");
  schedule("recent-done", now + 40 * 24h);
  schedule("pending", now + 50 * 24h);
  auto first = claim("a", now, 1);
  REQUIRE(first.size() == 1);
  REQUIRE(first[0].idempotency_key == "old-done");
  REQUIRE(write([&](store::database& d) {
    return lifecycle::finish_job(d, first[0], job_state::done, "", now);
  }));
  write([&](store::database& d) {
    return lifecycle::cancel_jobs(d, "creator_reminder", "con_2", now);
  });
  auto later = claim("a", now + 40 * 24h, 10);
  for (const auto& j : later) {
    if (j.idempotency_key == "recent-done") {
      REQUIRE(write([&](store::database& d) {
        return lifecycle::finish_job(d, j, job_state::done, "", now + 40 * 24h);
      }));
    }
  }
  const auto pruned = write(
      [&](store::database& d) { return lifecycle::prune_finished_jobs(d, now + 30 * 24h, 100); });
  CHECK(pruned == 2);
  CHECK(state_of("old-done").empty());
  CHECK(state_of("old-cancelled").empty());
  CHECK(state_of("recent-done") == "done");
  CHECK(state_of("pending") == "pending");
}
