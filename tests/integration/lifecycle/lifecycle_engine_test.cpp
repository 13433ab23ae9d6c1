// The lifecycle engine end to end below HTTP: deadlines, states, creator reminders, team and
// admin alerts, digests, restarts and reconnects, with the real scheduler, store, templates
// and outbox, on a simulated clock.

#include <catch2/catch.hpp>

#include "lifecycle/check_requests.hpp"
#include "lifecycle/webhooks.hpp"
#include "lifecycle_engine_fixture.hpp"
#include "roster/notification_preferences.hpp"
#include "store/timestamp.hpp"

using namespace rosterd;
using namespace rosterd::testing;
using strings = std::vector<std::string>;

namespace {

const std::string ana_email = "ana@creators.test";
const std::string amy_email = "amy@agency.test";
const std::string bo_email = "bo@agency.test";
const std::string owner_email = "owner@agency.test";

std::size_t count(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto p = text.find(part); p != std::string::npos; p = text.find(part, p + 1)) {
    ++n;
  }
  return n;
}

}  // namespace

TEST_CASE("an unrenewed Facebook deadline sends every creator stage and team alert once, in order",
          "[lifecycle][reminders]") {
  lifecycle_engine_fixture f;
  const auto start = f.clock.load();
  const auto id = f.connect(f.ana, "facebook", f.days(60));
  const auto deadline = start + f.days(60);
  CHECK(f.column(id, "reauth_due_at") == roster::stamp(deadline));
  CHECK(f.column(id, "deadline_cause") == "token_expiry");

  f.walk(deadline + f.days(16), std::chrono::hours(6));

  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) ==
        strings{"14d", "7d", "3d", "1d", "0d", "after-3d", "after-6d", "after-9d", "after-12d"});
  CHECK(f.stages_of(f.mails("team_alert", amy_email)) == strings{"7d", "1d", "expired"});
  CHECK(f.mails("team_alert", bo_email).empty());  // not on Ana's team
  // The creator's last stage passed without a reconnect: the owner hears once.
  const auto escalations = f.mails("team_alert", owner_email);
  REQUIRE(escalations.size() == 1);
  CHECK(escalations[0].subject.find("has not reconnected Facebook") != std::string::npos);
  CHECK(f.column(id, "status") == "expired");
  CHECK(f.events(id) == strings{"connected", "expiring", "expired"});

  const auto first = f.mails("creator_reminder", ana_email).front();
  INFO(first.text);
  CHECK(first.subject ==
        "Reconnect Facebook for Talent Partnerships by " + roster::date_in_words(deadline, "UTC"));
  CHECK(count(first.text, "https://roster.test/connect/") == 1);
  CHECK(first.text.find(roster::date_in_words(deadline, "UTC")) != std::string::npos);
  const auto last = f.mails("creator_reminder", ana_email).back();
  CHECK(last.subject.find("stopped working") != std::string::npos);
}

TEST_CASE("one reminder names every platform of the creator that needs attention, with one link",
          "[lifecycle][reminders]") {
  lifecycle_engine_fixture f;
  const auto start = f.clock.load();
  const auto fb = f.connect(f.ana, "facebook", f.days(60));
  const auto ig = f.connect(f.ana, "instagram_facebook", f.days(60));
  f.advance_to(start + f.days(47));  // inside both 14-day windows

  const auto sent = f.mails("creator_reminder", ana_email);
  REQUIRE(sent.size() == 1);
  INFO(sent[0].text);
  CHECK(sent[0].text.find("Facebook") != std::string::npos);
  CHECK(sent[0].text.find("Instagram (Facebook Login)") != std::string::npos);
  CHECK(count(sent[0].text, "https://roster.test/connect/") == 1);
  // The link covers both platforms: one visit renews them all.
  const auto covered =
      f.db->read_now([&](store::database& d) {
            return store::sql::first(
                d,
                "SELECT providers FROM reconnect_links WHERE creator_id = ? ORDER BY created_at "
                "DESC LIMIT 1",
                [](store::statement& s) { return s.column_text(0); }, f.ana);
          })
          .value()
          .value_or("");
  CHECK(covered.find("facebook") != std::string::npos);
  CHECK(covered.find("instagram_facebook") != std::string::npos);
  CHECK(f.column(fb, "status") == "expiring");
  CHECK(f.column(ig, "status") == "expiring");
}

TEST_CASE("stages that fell due while the daemon was down go out once, collapsed per deadline",
          "[lifecycle][reminders]") {
  lifecycle_engine_fixture f;
  const auto start = f.clock.load();
  const auto deadline = start + f.days(60);
  f.connect(f.ana, "facebook", f.days(60));
  f.advance_to(deadline - f.days(7) - std::chrono::hours(3));
  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) == strings{"14d"});

  // Six hours down across the 7-day stage; then a fresh start.
  f.stop_scheduler();
  f.clock = deadline - f.days(7) + std::chrono::hours(3);
  f.start_scheduler();
  f.settle();
  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) == strings{"14d", "7d"});
  CHECK(f.stages_of(f.mails("team_alert", amy_email)) == strings{"7d"});

  // Down from there to two days before: the 3-day stage covers nothing twice.
  f.stop_scheduler();
  f.clock = deadline - f.days(2);
  f.start_scheduler();
  f.settle();
  f.settle();
  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) == strings{"14d", "7d", "3d"});
  CHECK(f.stages_of(f.mails("team_alert", amy_email)) == strings{"7d"});
}

TEST_CASE("a long outage collapses every missed stage of a deadline into one message",
          "[lifecycle][reminders]") {
  lifecycle_engine_fixture f;
  const auto start = f.clock.load();
  const auto deadline = start + f.days(60);
  f.connect(f.ana, "facebook", f.days(60));
  f.settle();
  f.stop_scheduler();
  f.clock = deadline - std::chrono::hours(12);
  f.start_scheduler();
  f.settle();
  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) == strings{"1d"});
  CHECK(f.stages_of(f.mails("team_alert", amy_email)) == strings{"1d"});
}

TEST_CASE("a reconnect cancels the remaining stages at once and the team hears it works again",
          "[lifecycle][reminders]") {
  lifecycle_engine_fixture f;
  const auto start = f.clock.load();
  const auto deadline = start + f.days(60);
  const auto id = f.connect(f.ana, "facebook", f.days(60));
  f.walk(deadline - f.days(6), std::chrono::hours(12));
  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) == strings{"14d", "7d"});
  CHECK(f.stages_of(f.mails("team_alert", amy_email)) == strings{"7d"});

  CHECK(f.connect(f.ana, "facebook", f.days(60)) == id);  // the creator used the link
  f.settle();
  CHECK(f.column(id, "status") == "connected");
  const auto recovered = f.mails("team_alert", amy_email);
  REQUIRE(recovered.size() == 2);
  CHECK(recovered.back().subject.find("is connected again") != std::string::npos);

  // Past the old deadline: nothing more about it, to anyone.
  f.walk(deadline + f.days(14), std::chrono::hours(12));
  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) == strings{"14d", "7d"});
  CHECK(f.mails("team_alert", amy_email).size() == 2);
  CHECK(f.mails("team_alert", owner_email).empty());
  CHECK(f.column(id, "status") == "connected");
}

TEST_CASE("a revoked connection tells the creator and their team once", "[lifecycle][reminders]") {
  lifecycle_engine_fixture f;
  const auto id = f.connect(f.ana, "tiktok", std::chrono::hours(24), f.days(365));
  f.settle();
  f.db->write_now([&](store::database& d) -> base::result<void> {
        auto c = lifecycle::find_connection(d, id).value().value();
        return lifecycle::drop_tokens(
            d, c, lifecycle::connection_status::revoked, lifecycle::status_reason::app_removed,
            "the app was removed in TikTok settings", std::nullopt, f.clock.load());
      })
      .value();
  f.settle();
  f.walk(f.clock.load() + f.days(10), std::chrono::hours(24));

  const auto creator = f.mails("creator_reminder", ana_email);
  REQUIRE(creator.size() == 1);
  INFO(creator[0].text);
  CHECK(creator[0].text.find("TikTok") != std::string::npos);
  CHECK(creator[0].text.find("https://roster.test/connect/") != std::string::npos);
  const auto team = f.mails("team_alert", amy_email);
  REQUIRE(team.size() == 1);
  CHECK(team[0].subject.find("was disconnected") != std::string::npos);
  CHECK(f.column(id, "status_reason") == "app_removed");
}

TEST_CASE(
    "an Instagram Login deadline reminds nobody while renewal works, and starts when it fails",
    "[lifecycle][reminders]") {
  lifecycle_engine_fixture f;
  const auto start = f.clock.load();
  const auto id = f.connect(f.ana, "instagram", f.days(60));
  CHECK(f.column(id, "deadline_self_renewing") == "1");
  f.walk(start + f.days(50), std::chrono::hours(24));
  CHECK(f.mails("creator_reminder").empty());
  CHECK(f.mails("team_alert").empty());
  CHECK(f.column(id, "status") == "connected");

  // Renewal keeps failing: the team hears, and the creator gets the stage now due.
  f.db->write_now([&](store::database& d) -> base::result<void> {
        auto set = store::sql::run(d,
                                   "UPDATE connections SET status = 'error', status_reason = "
                                   "'renewal_failing', status_changed_at = ? WHERE id = ?",
                                   roster::stamp(f.clock.load()), id);
        if (!set) {
          return set;
        }
        return lifecycle::request_connection_check(d, id, f.clock.load());
      })
      .value();
  f.settle();
  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) == strings{"14d"});
  const auto team = f.mails("team_alert", amy_email);
  REQUIRE(team.size() == 1);
  CHECK(team[0].subject.find("keeps failing to renew") != std::string::npos);
}

TEST_CASE("an agent who chose a digest gets the day's alerts in one email at their hour",
          "[lifecycle][reminders][digests]") {
  lifecycle_engine_fixture f;
  roster::preference_change c;
  c.delivery = "digest";
  c.digest_hour = 8;
  c.time_zone = "Europe/Berlin";
  f.db->write_now([&](store::database& d) {
        return roster::save_notification_preferences(d, f.amy_id, c, f.clock.load());
      })
      .value();
  const auto start = f.clock.load();
  f.connect(f.ana, "facebook", f.days(60));
  f.advance_to(start + f.days(53) + std::chrono::hours(1));  // the 7-day stage
  CHECK(f.mails("team_alert", amy_email).empty());
  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) == strings{"7d"});
  f.walk(f.clock.load() + f.days(1) + std::chrono::hours(1), std::chrono::hours(1));
  const auto digests = f.mails("agent_digest", amy_email);
  REQUIRE(digests.size() == 1);
  INFO(digests[0].text);
  CHECK(digests[0].text.find("Ana Lima") != std::string::npos);
  CHECK(digests[0].text.find("https://roster.test/connect/") != std::string::npos);
  CHECK(f.mails("agent_digest", bo_email).empty());
}

TEST_CASE("connections without a planned check get one at the start of their reminder window",
          "[lifecycle][reminders]") {
  lifecycle_engine_fixture f;
  const auto start = f.clock.load();
  const auto id = f.connect(f.ana, "facebook", f.days(60));
  f.settle();
  // As after an upgrade or a restored backup: no check planned.
  f.db->write_now([&](store::database& d) {
        return store::sql::run(d, "DELETE FROM jobs WHERE subject = ?", id);
      })
      .value();
  auto page =
      f.db->write_now([&](store::database& d) {
            return lifecycle::plan_missing_checks(d, *f.stages.current(), "", f.clock.load(), 100);
          })
          .value();
  CHECK(page.planned == 1);
  CHECK_FALSE(page.last_id);
  const auto due =
      f.db->read_now([](store::database& d) { return lifecycle::next_job_due(d); }).value().value();
  CHECK(due == start + f.days(60) - f.days(14));
  // Planned once: a second sweep adds nothing.
  auto again =
      f.db->write_now([&](store::database& d) {
            return lifecycle::plan_missing_checks(d, *f.stages.current(), "", f.clock.load(), 100);
          })
          .value();
  CHECK(again.planned == 0);
  f.walk(start + f.days(47), std::chrono::hours(24));
  CHECK(f.stages_of(f.mails("creator_reminder", ana_email)) == strings{"14d"});
}

TEST_CASE(
    "finished jobs older than 30 days are pruned every day without a restart; pending and "
    "recent ones stay",
    "[lifecycle][jobs]") {
  lifecycle_engine_fixture f;
  f.db->write_now(
          [&](store::database& d) { return lifecycle::plan_job_pruning(d, f.clock.load()); })
      .value();
  f.settle();  // the first pruning runs at once (the daemon plans it at start)
  // A month and more of history written by a daemon that keeps running: rows finished at
  // `age` before the moment the test then moves to.
  const auto insert = [&](const std::string& key, const std::string& state,
                          roster::time_point finished) {
    f.db->write_now([&](store::database& d) {
          return store::sql::run(
              d,
              "INSERT INTO jobs (kind, subject, idempotency_key, scheduled_for, due_at, state, "
              "created_at, finished_at) VALUES ('connection_check', 'con_x', ?1, ?2, ?2, ?3, "
              "?2, CASE WHEN ?3 = 'pending' THEN NULL ELSE ?2 END)",
              key, roster::stamp(finished), state);
        })
        .value();
  };
  const auto day2 = f.clock.load() + f.days(2);
  insert("old-done", "done", day2 - f.days(31));
  insert("old-cancelled", "cancelled", day2 - f.days(40));
  insert("old-failed", "failed", day2 - f.days(35));
  insert("recent-done", "done", day2 - f.days(29));
  insert("later-pending", "pending", day2 + f.days(400));
  const auto present = [&](const std::string& key) {
    return f.db->read_now([&](store::database& d) {
                 return store::sql::integer(
                     d, "SELECT COUNT(*) FROM jobs WHERE idempotency_key = ?", key);
               })
               .value() == 1;
  };
  f.walk(day2, std::chrono::hours(6));  // two days pass; the scheduler never restarts
  CHECK_FALSE(present("old-done"));
  CHECK_FALSE(present("old-cancelled"));
  CHECK_FALSE(present("old-failed"));
  CHECK(present("recent-done"));
  CHECK(present("later-pending"));
  // One pruning stays planned, about a day ahead.
  const auto planned = f.db->read_now([&](store::database& d) {
                             return store::sql::integer(
                                 d,
                                 "SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'pending' "
                                 "AND due_at > ? AND due_at <= ?",
                                 lifecycle::prune_jobs_kind, roster::stamp(f.clock.load()),
                                 roster::stamp(f.clock.load() + f.days(1)));
                           })
                           .value();
  CHECK(planned == 1);
  f.walk(day2 + f.days(2), std::chrono::hours(6));
  CHECK_FALSE(present("recent-done"));  // past 30 days by now
  CHECK(present("later-pending"));
}

TEST_CASE("a check queues connection.expiring and .expired for an enabled endpoint, none once off",
          "[lifecycle][reminders][webhooks]") {
  lifecycle_engine_fixture f;
  const auto start = f.clock.load();
  const auto boss = f.owner();
  const auto endpoint = f.db->write_now(store::in_transaction([&](store::database& d) {
    return lifecycle::create_webhook_endpoint(
        d, boss, {"https://hooks.example.com/x", "", {"connection.expiring", "connection.expired"}},
        {}, start);
  }));
  REQUIRE(endpoint.has_value());
  const auto deliveries = [&](const std::string& type) {
    return f.db
        ->read_now([&](store::database& d) {
          return store::sql::integer(
              d, "SELECT COUNT(*) FROM webhook_deliveries WHERE event_type = ? AND endpoint_id = ?",
              type, endpoint->endpoint.id);
        })
        .value();
  };
  const auto id = f.connect(f.ana, "facebook", f.days(60));
  f.advance_to(start + f.days(47));  // inside the reminder window
  CHECK(f.column(id, "status") == "expiring");
  CHECK(deliveries("connection.expiring") == 1);
  CHECK(deliveries("connection.expired") == 0);

  // Switched off: the deadline passes, the status changes, and nothing is queued for it.
  REQUIRE(f.db->write_now([&](store::database& d) {
    return store::sql::run(d, "UPDATE webhook_endpoints SET enabled = 0 WHERE id = ?",
                           endpoint->endpoint.id);
  }));
  f.advance_to(start + f.days(61));
  CHECK(f.column(id, "status") == "expired");
  CHECK(deliveries("connection.expired") == 0);
  CHECK(deliveries("connection.expiring") == 1);
}
