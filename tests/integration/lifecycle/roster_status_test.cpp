// Roster-wide status against a real SQLite file: exactly the caller's visible connections,
// urgency order, every filter, paging that neither skips nor repeats, counts of the filtered
// set, and the per-creator summaries of the creators list.

#include "lifecycle/roster_status.hpp"

#include <catch2/catch.hpp>

#include "lifecycle/fleet_gauges.hpp"
#include "lifecycle_fixture.hpp"
#include "roster/error.hpp"

using namespace rosterd;
using namespace rosterd::testing;
using lifecycle::connection_status;

namespace {

struct status_world : lifecycle_fixture {
  status_world() {
    apply(header +
          "Ana Lima,ana@creators.test,No,amy@agency.test\n"
          "Ben Ode,ben@creators.test,No,bo@agency.test\n"
          "Cara 100% Zed,cara@creators.test,No,\"amy@agency.test,bo@agency.test\"\n");
    cara = creator_id("cara@creators.test");
  }

  /// A connection of `creator` to `provider` in `status`, its deadline `due_in` from now.
  std::string add(const std::string& creator, const std::string& provider, connection_status status,
                  std::optional<std::chrono::hours> due_in) {
    lifecycle::new_grant g;
    g.provider = provider;
    g.external_id = creator + "-" + provider;
    g.username = "user-" + provider;
    g.access_token = base::secret("ACCESS");
    const auto id = db->write_now([&](store::database& d) {
                        return lifecycle::save_connection(d, keys, account_id, creator, g, now);
                      })
                        .value()
                        .record.id;
    std::optional<std::string> due;
    if (due_in) {
      due = roster::stamp(now + *due_in);
    }
    db->write_now([&](store::database& d) {
        return store::sql::run(d,
                               "UPDATE connections SET status = ?, reauth_due_at = ? WHERE id = ?",
                               lifecycle::to_string(status), due, id);
      }).value();
    return id;
  }

  base::result<lifecycle::status_page> status(const roster::caller& who,
                                              const lifecycle::status_filter& filter = {},
                                              std::optional<std::string> cursor = std::nullopt,
                                              int limit = 50) {
    return db->read_now([&](store::database& d) {
      return lifecycle::roster_status(
          d, who, filter, cursor ? std::optional<std::string_view>(*cursor) : std::nullopt, limit,
          now);
    });
  }

  static std::vector<std::string> ids(const lifecycle::status_page& p) {
    std::vector<std::string> out;
    for (const auto& r : p.items) {
      out.push_back(r.connection_id);
    }
    return out;
  }

  std::string cara;
};

using hours = std::chrono::hours;

}  // namespace

TEST_CASE("an agent's roster status holds exactly the connections of their team's creators",
          "[roster-status]") {
  status_world w;
  const auto ana_tiktok = w.add(w.ana, "tiktok", connection_status::connected, hours(900));
  const auto ben_tiktok = w.add(w.ben, "tiktok", connection_status::expired, hours(-5));
  const auto cara_pin = w.add(w.cara, "pinterest", connection_status::expiring, hours(30));

  auto amy = w.status(w.amy()).value();
  CHECK(status_world::ids(amy) == std::vector<std::string>{cara_pin, ana_tiktok});
  CHECK(amy.counts.total == 2);
  CHECK(amy.counts.by_state["expired"] == 0);
  CHECK(amy.counts.by_state["expiring"] == 1);
  CHECK(amy.counts.by_provider ==
        std::map<std::string, std::int64_t>{{"pinterest", 1}, {"tiktok", 1}});

  auto bo = w.status(w.bo()).value();
  CHECK(status_world::ids(bo) == std::vector<std::string>{ben_tiktok, cara_pin});

  auto ana = w.status(w.ana_self()).value();
  CHECK(status_world::ids(ana) == std::vector<std::string>{ana_tiktok});

  for (const auto& who : {w.owner(), w.service()}) {
    auto all = w.status(who).value();
    CHECK(status_world::ids(all) == std::vector<std::string>{ben_tiktok, cara_pin, ana_tiktok});
    CHECK(all.counts.total == 3);
  }
}

TEST_CASE("roster status lists what needs the creator first, soonest deadline first",
          "[roster-status]") {
  status_world w;
  const auto connected_soon = w.add(w.ana, "tiktok", connection_status::connected, hours(48));
  const auto connected_none = w.add(w.ana, "acme", connection_status::connected, std::nullopt);
  const auto revoked_none = w.add(w.ben, "tiktok", connection_status::revoked, std::nullopt);
  const auto expired = w.add(w.ben, "instagram", connection_status::expired, hours(-24));
  const auto error_soon = w.add(w.cara, "tiktok", connection_status::error, hours(5));
  const auto expiring = w.add(w.cara, "facebook", connection_status::expiring, hours(70));
  const auto gone = w.add(w.ana, "pinterest", connection_status::disconnected, hours(1));

  auto all = w.status(w.owner()).value();
  CHECK(status_world::ids(all) == std::vector<std::string>{expired, error_soon, revoked_none,
                                                           expiring, connected_soon, connected_none,
                                                           gone});
  const auto& first = all.items.front();
  CHECK(first.creator_name == "Ben Ode");
  CHECK(first.provider == "instagram");
  CHECK(first.status == connection_status::expired);
  CHECK(first.reauth_due_at == roster::stamp(w.now - hours(24)));
}

TEST_CASE("roster status narrows by state, provider, deadline, team member and name",
          "[roster-status]") {
  status_world w;
  const auto ana_tiktok = w.add(w.ana, "tiktok", connection_status::connected, hours(24 * 20));
  const auto ana_insta = w.add(w.ana, "instagram", connection_status::expiring, hours(24 * 6));
  const auto ben_tiktok = w.add(w.ben, "tiktok", connection_status::revoked, std::nullopt);
  const auto cara_tiktok = w.add(w.cara, "tiktok", connection_status::expired, hours(-24));
  const auto owner = w.owner();

  lifecycle::status_filter f;
  f.states = {connection_status::expired, connection_status::revoked};
  auto by_state = w.status(owner, f).value();
  CHECK(status_world::ids(by_state) == std::vector<std::string>{cara_tiktok, ben_tiktok});
  CHECK(by_state.counts.total == 2);
  CHECK(by_state.counts.by_state["connected"] == 0);
  CHECK(by_state.counts.by_state["expired"] == 1);

  f = {};
  f.providers = {"instagram"};
  CHECK(status_world::ids(w.status(owner, f).value()) == std::vector<std::string>{ana_insta});

  f = {};
  f.due_within_days = 7;  // overdue deadlines are due within any horizon
  CHECK(status_world::ids(w.status(owner, f).value()) ==
        std::vector<std::string>{cara_tiktok, ana_insta});
  f.due_within_days = 0;
  CHECK(status_world::ids(w.status(owner, f).value()) == std::vector<std::string>{cara_tiktok});

  f = {};
  f.team_member = w.user_id("bo@agency.test");
  CHECK(status_world::ids(w.status(owner, f).value()) ==
        std::vector<std::string>{cara_tiktok, ben_tiktok});
  // A team-member filter never widens an agent's view: Amy asking for Bo's creators sees only
  // those on her own team too.
  CHECK(status_world::ids(w.status(w.amy(), f).value()) == std::vector<std::string>{cara_tiktok});

  f = {};
  f.name = "LIMA";
  CHECK(status_world::ids(w.status(owner, f).value()) ==
        std::vector<std::string>{ana_insta, ana_tiktok});
  f.name = "100%";  // a literal percent sign, not a wildcard
  CHECK(status_world::ids(w.status(owner, f).value()) == std::vector<std::string>{cara_tiktok});
  f.name = "0%Z";
  CHECK(status_world::ids(w.status(owner, f).value()).empty());
}

TEST_CASE("roster status pages neither skip nor repeat, and count the whole set on every page",
          "[roster-status]") {
  status_world w;
  std::vector<std::string> expected;
  for (const auto& p : {"tiktok", "instagram", "facebook", "pinterest", "acme"}) {
    w.add(w.ana, p, connection_status::connected, hours(24));  // equal deadlines: id decides
    w.add(w.ben, p, connection_status::expired, std::nullopt);
  }
  const auto whole = w.status(w.owner(), {}, std::nullopt, 200).value();
  REQUIRE(whole.items.size() == 10);
  CHECK_FALSE(whole.next);

  std::vector<std::string> walked;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto page = w.status(w.owner(), {}, cursor, 3).value();
    CHECK(page.counts.total == 10);
    CHECK(page.items.size() <= 3);
    for (const auto& id : status_world::ids(page)) {
      walked.push_back(id);
    }
    cursor = page.next;
    ++pages;
  } while (cursor && pages < 10);
  CHECK(pages == 4);
  CHECK(walked == status_world::ids(whole));

  // An agent's pages come from one pass over their visible rows: the same rules hold.
  const auto amy_whole = w.status(w.amy(), {}, std::nullopt, 200).value();
  REQUIRE(amy_whole.items.size() == 5);
  walked.clear();
  cursor.reset();
  pages = 0;
  do {
    auto page = w.status(w.amy(), {}, cursor, 2).value();
    CHECK(page.counts.total == 5);
    CHECK(page.counts.by_state["connected"] == 5);
    CHECK(page.counts.by_provider.size() == 5);
    for (const auto& id : status_world::ids(page)) {
      walked.push_back(id);
    }
    cursor = page.next;
    ++pages;
  } while (cursor && pages < 10);
  CHECK(pages == 3);
  CHECK(walked == status_world::ids(amy_whole));
}

TEST_CASE("roster status refuses a bad limit, horizon, state or cursor, saying what to fix",
          "[roster-status]") {
  status_world w;
  const auto owner = w.owner();
  auto message = [](const auto& r) {
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == roster::errc::invalid_argument);
    return r.error().client_message;
  };
  CHECK_THAT(message(w.status(owner, {}, std::nullopt, 0)), Catch::Contains("limit"));
  CHECK_THAT(message(w.status(owner, {}, std::nullopt, 201)), Catch::Contains("limit"));
  lifecycle::status_filter f;
  f.due_within_days = -1;
  CHECK_THAT(message(w.status(owner, f)), Catch::Contains("due_within"));
  f.due_within_days = 10000;
  CHECK_THAT(message(w.status(owner, f)), Catch::Contains("due_within"));
  CHECK_THAT(message(w.status(owner, {}, std::string("zz"))), Catch::Contains("cursor"));
  CHECK_THAT(message(w.status(owner, {}, std::string("41"))), Catch::Contains("cursor"));
  auto states = lifecycle::parse_states("expired,lapsed");
  REQUIRE_FALSE(states.has_value());
  CHECK_THAT(states.error().client_message,
             Catch::Contains("'lapsed'") && Catch::Contains("expiring"));
  CHECK(lifecycle::parse_states("expired,revoked").value() ==
        std::vector<connection_status>{connection_status::expired, connection_status::revoked});
}

TEST_CASE("each creator's connection summary counts their states and names the soonest deadline",
          "[roster-status]") {
  status_world w;
  w.add(w.ana, "tiktok", connection_status::connected, hours(500));
  w.add(w.ana, "instagram", connection_status::expiring, hours(50));
  w.add(w.ana, "pinterest", connection_status::disconnected, hours(1));  // nothing to renew
  w.add(w.ben, "tiktok", connection_status::revoked, std::nullopt);
  auto summaries =
      w.db->read_now([&](store::database& d) {
            return lifecycle::connection_summaries(d, w.account_id, {w.ana, w.ben, w.cara});
          })
          .value();
  CHECK(summaries.size() == 2);  // Cara has no connection
  const auto& ana = summaries.at(w.ana);
  CHECK(ana.by_state == std::map<std::string, std::int64_t>{
                            {"connected", 1}, {"disconnected", 1}, {"expiring", 1}});
  CHECK(ana.soonest_deadline == roster::stamp(w.now + hours(50)));
  CHECK_FALSE(summaries.at(w.ben).soonest_deadline);
  auto attention = w.db->read_now([&](store::database& d) {
    return lifecycle::providers_needing_attention(d, w.account_id, w.ana);
  });
  CHECK(attention.value() == std::vector<std::string>{"instagram"});
}

TEST_CASE("the fleet gauges count connections by state, deadlines within a week, and job lag",
          "[roster-status][metrics]") {
  status_world w;
  w.add(w.ana, "tiktok", connection_status::connected, hours(24 * 6));    // due within 7 days
  w.add(w.ben, "tiktok", connection_status::connected, hours(24 * 8));    // not yet
  w.add(w.cara, "tiktok", connection_status::expired, hours(-2));         // overdue: expired
  w.add(w.ana, "instagram", connection_status::revoked, hours(24));       // nothing to renew
  w.add(w.ben, "instagram", connection_status::expiring, hours(24 * 2));  // due within 7 days
  auto job = [&](const std::string& key, std::chrono::seconds due_in,
                 std::optional<std::string> lease) {
    w.db->write_now([&](store::database& d) {
          return store::sql::run(
              d,
              "INSERT INTO jobs (kind, subject, idempotency_key, scheduled_for, due_at, "
              "lease_owner, created_at) VALUES ('test', 's', ?1, ?2, ?2, ?3, ?2)",
              key, roster::stamp(w.now + due_in), lease);
        })
        .value();
  };
  // Only these jobs: the lifecycle checks the connects above asked for are another test's.
  w.db->write_now([](store::database& d) { return store::sql::run(d, "DELETE FROM jobs"); })
      .value();
  job("late", std::chrono::seconds(-90), std::nullopt);
  job("later", std::chrono::seconds(-30), std::nullopt);
  job("claimed", std::chrono::seconds(300), "runner-1");  // a lease moves due_at ahead
  job("future", std::chrono::seconds(600), std::nullopt);

  auto snapshot =
      w.db->read_now([&](store::database& d) { return lifecycle::read_fleet_snapshot(d, w.now); })
          .value();
  std::map<std::pair<std::string, std::string>, std::int64_t> states;
  for (const auto& c : snapshot.connections) {
    states[{c.provider, c.state}] = c.connections;
  }
  CHECK(states ==
        std::map<std::pair<std::string, std::string>, std::int64_t>{{{"instagram", "expiring"}, 1},
                                                                    {{"instagram", "revoked"}, 1},
                                                                    {{"tiktok", "connected"}, 2},
                                                                    {{"tiktok", "expired"}, 1}});
  std::map<std::string, std::int64_t> due;
  for (const auto& d : snapshot.deadlines_within_7d) {
    due[d.provider] = d.connections;
  }
  CHECK(due == std::map<std::string, std::int64_t>{{"instagram", 1}, {"tiktok", 1}});
  CHECK(snapshot.jobs_due == 2);
  CHECK(snapshot.job_lag_seconds == Approx(90).margin(1));
}
