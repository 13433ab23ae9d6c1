// Roster-wide status over real HTTP: GET /v1/accounts/{a}/connections answers exactly the
// caller's visible set, in urgency order, filtered and paged, with counts on top; bad query
// parameters are answered with problem+json naming the parameter; the creators list carries
// each creator's connection summary; the CSV export is the same view, safe to open.

#include <set>

#include <catch2/catch.hpp>

#include "api_world.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"
#include "tests/support/gunzip.hpp"

using namespace rosterd::testing;

namespace {

using hours = std::chrono::hours;

struct status_fixture {
  api_world w;
  std::string hyper_creator;  // a creator whose name is a spreadsheet formula
  // Connection ids, by creator and provider.
  std::string ana_tiktok, ana_instagram, ana_pinterest, ben_tiktok, ben_facebook, hyper_acme;
  static constexpr const char* formula_name = R"(=HYPERLINK("http://evil.test","click"))";

  status_fixture() {
    const auto owner = w.actors["owner"];
    hyper_creator =
        w.call_ok(owner, "POST", path("/creators"),
                  {{"name", formula_name}, {"email", "formula@creators.test"}}, 201)["id"];
    ana_tiktok = w.connection_a;
    ben_tiktok = w.connection_b;
    ana_instagram = "con_5a0000000000000000000001";
    ana_pinterest = "con_5a0000000000000000000002";
    ben_facebook = "con_5a0000000000000000000003";
    hyper_acme = "con_5a0000000000000000000004";
    auto db =
        rosterd::store::database::open(w.daemon().database(), rosterd::store::open_mode::read_write)
            .value();
    // The daemon writes too (the new creator's invitation mail): wait for it, as it waits.
    REQUIRE(db.exec("PRAGMA busy_timeout = 10000"));
    const auto now = std::chrono::system_clock::now();
    auto at = [&](hours h) { return "'" + rosterd::roster::stamp(now + h) + "'"; };
    auto insert = [&](const std::string& id, const std::string& creator,
                      const std::string& provider, const std::string& status,
                      const std::string& due, const std::string& username) {
      REQUIRE(
          db.exec("INSERT INTO connections (id, account_id, creator_id, provider, status, "
                  "status_changed_at, external_id, username, connected_at, reauth_due_at, "
                  "status_reason) VALUES ('" +
                  id + "', '" + w.account + "', '" + creator + "', '" + provider + "', '" + status +
                  "', " + at(hours(-1)) + ", 'ext-" + id + "', '" + username + "', " +
                  at(hours(-100)) + ", " + due + ", 'none')"));
    };
    insert(ana_instagram, w.creator_a, "instagram", "expired", at(hours(-24)), "ana.insta");
    insert(ana_pinterest, w.creator_a, "pinterest", "expiring", at(hours(72)), "ana.pins");
    insert(ben_facebook, w.creator_b, "facebook", "revoked", "NULL", "ben.fb");
    insert(hyper_acme, hyper_creator, "acme", "error", at(hours(240)), "@evil");
    REQUIRE(db.exec("UPDATE connections SET status = 'connected', reauth_due_at = " +
                    at(hours(24 * 200)) + " WHERE id = '" + ana_tiktok + "'"));
    REQUIRE(
        db.exec("UPDATE connections SET status = 'connected', reauth_due_at = NULL "
                "WHERE id = '" +
                ben_tiktok + "'"));
  }

  std::string path(const std::string& rest) const { return "/v1/accounts/" + w.account + rest; }

  json status(const std::string& actor, const std::string& query = {}) {
    return w.call_ok(w.actors[actor], "GET", path("/connections" + query));
  }

  static std::vector<std::string> ids(const json& body) {
    std::vector<std::string> out;
    for (const auto& item : body["items"]) {
      out.push_back(item["connection_id"]);
    }
    return out;
  }

  /// The problem for a bad query: 422 problem+json naming `field`.
  json problem(const std::string& query, const std::string& field,
               const std::string& route = "/connections") {
    const auto r = w.call(w.actors["owner"], "GET", path(route + query));
    INFO(query << " -> " << r.body);
    CHECK(r.status == 422);
    CHECK(r.headers.at("content-type") == "application/problem+json");
    auto body = json::parse(r.body);
    bool named = false;
    for (const auto& e : body.value("errors", json::array())) {
      named = named || e["field"] == field;
    }
    CHECK(named);
    return body;
  }
};

status_fixture& fixture() {
  static status_fixture f;
  return f;
}

}  // namespace

TEST_CASE("an agent's roster status never shows another team's creator", "[roster-status]") {
  auto& f = fixture();
  using v = std::vector<std::string>;
  CHECK(status_fixture::ids(f.status("agent_on")) ==
        v{f.ana_instagram, f.ana_pinterest, f.ana_tiktok});
  CHECK(status_fixture::ids(f.status("agent_off")) == v{f.ben_facebook, f.ben_tiktok});
  CHECK(status_fixture::ids(f.status("creator")) ==
        v{f.ana_instagram, f.ana_pinterest, f.ana_tiktok});
  CHECK(status_fixture::ids(f.status("other_creator")) == v{f.ben_facebook, f.ben_tiktok});
  const auto everyone =
      v{f.ana_instagram, f.hyper_acme, f.ben_facebook, f.ana_pinterest, f.ana_tiktok, f.ben_tiktok};
  CHECK(status_fixture::ids(f.status("owner")) == everyone);
  CHECK(status_fixture::ids(f.status("admin")) == everyone);
  CHECK(status_fixture::ids(f.status("service")) == everyone);
  // Another agency's admin: this account does not exist for them, like every other route.
  CHECK(f.w.call(f.w.actors["foreign_admin"], "GET", f.path("/connections")).status == 404);
  CHECK(f.w.call(f.w.actors["foreign_admin"], "GET", f.path("/connections.csv")).status == 404);
  CHECK(f.w.call({}, "GET", f.path("/connections")).status == 401);
  // And their own roster holds only their own creator's connection.
  CHECK(status_fixture::ids(f.w.call_ok(f.w.actors["foreign_admin"], "GET",
                                        "/v1/accounts/" + f.w.rival_account + "/connections")) ==
        v{f.w.connection_c});
}

TEST_CASE("roster status counts the filtered visible set by state and provider",
          "[roster-status]") {
  auto& f = fixture();
  const auto agent = f.status("agent_on");
  CHECK(agent["counts"]["total"] == 3);
  CHECK(agent["counts"]["by_state"] == json{{"connected", 1},
                                            {"disconnected", 0},
                                            {"error", 0},
                                            {"expired", 1},
                                            {"expiring", 1},
                                            {"revoked", 0}});
  CHECK(agent["counts"]["by_provider"] == json{{"instagram", 1}, {"pinterest", 1}, {"tiktok", 1}});
  const auto owner = f.status("owner", "?provider=tiktok,facebook");
  CHECK(owner["counts"]["total"] == 3);
  CHECK(owner["counts"]["by_provider"] == json{{"facebook", 1}, {"tiktok", 2}});
  const auto& first = agent["items"][0];
  CHECK(first["creator_id"] == f.w.creator_a);
  CHECK(first["creator_name"] == "Ana Lima");
  CHECK(first["provider"] == "instagram");
  CHECK(first["status"] == "expired");
  CHECK(first["username"] == "ana.insta");
  CHECK(first["reauth_due_at"].is_string());
  CHECK(first["reason"].is_string());
  CHECK(first.find("access_token") == first.end());
}

TEST_CASE("roster status filters by state, provider, deadline, team member and name",
          "[roster-status]") {
  auto& f = fixture();
  using v = std::vector<std::string>;
  CHECK(status_fixture::ids(f.status("owner", "?state=expired,revoked")) ==
        v{f.ana_instagram, f.ben_facebook});
  CHECK(status_fixture::ids(f.status("owner", "?provider=tiktok")) ==
        v{f.ana_tiktok, f.ben_tiktok});
  CHECK(status_fixture::ids(f.status("owner", "?due_within=7")) ==
        v{f.ana_instagram, f.ana_pinterest});
  CHECK(status_fixture::ids(f.status("owner", "?member=" + f.w.agent_off_user)) ==
        v{f.ben_facebook, f.ben_tiktok});
  CHECK(status_fixture::ids(f.status("owner", "?name=LIMA")) ==
        v{f.ana_instagram, f.ana_pinterest, f.ana_tiktok});
  CHECK(status_fixture::ids(f.status("owner", "?name=ben%20o&state=connected&provider=tiktok")) ==
        v{f.ben_tiktok});
  // A filter never widens what an agent sees.
  CHECK(status_fixture::ids(f.status("agent_on", "?member=" + f.w.agent_off_user)).empty());
  CHECK(f.status("agent_on", "?member=" + f.w.agent_off_user)["counts"]["total"] == 0);
}

TEST_CASE("roster status pages through the whole set in order, counting all of it on each page",
          "[roster-status]") {
  auto& f = fixture();
  std::vector<std::string> walked;
  std::string query = "?limit=4";
  int pages = 0;
  for (;;) {
    const auto page = f.status("owner", query);
    CHECK(page["counts"]["total"] == 6);
    for (const auto& id : status_fixture::ids(page)) {
      walked.push_back(id);
    }
    ++pages;
    if (page["next"].is_null() || pages > 5) {
      break;
    }
    query = "?limit=4&cursor=" + page["next"].get<std::string>();
  }
  CHECK(pages == 2);
  CHECK(walked == status_fixture::ids(f.status("owner")));
}

TEST_CASE("roster status answers each bad query parameter with what to fix", "[roster-status]") {
  auto& f = fixture();
  CHECK(f.problem("?state=lapsed", "state").dump().find("expiring") != std::string::npos);
  CHECK(f.problem("?provider=myspace", "provider").dump().find("tiktok") != std::string::npos);
  f.problem("?due_within=-1", "due_within");
  f.problem("?due_within=100000", "due_within");
  f.problem("?due_within=soon", "due_within");
  f.problem("?cursor=nonsense", "cursor");
  f.problem("?limit=0", "limit");
  f.problem("?limit=1000", "limit");
  f.problem("?member=ben", "member");
  f.problem("?name=", "name");
  f.problem("?sort=name", "sort");
  f.problem("?state=lapsed", "state", "/connections.csv");
  f.problem("?limit=10", "limit", "/connections.csv");
}

TEST_CASE("the creators list carries each creator's connection summary", "[roster-status]") {
  auto& f = fixture();
  const auto list = f.w.call_ok(f.w.actors["owner"], "GET", f.path("/creators"));
  std::map<std::string, json> by_id;
  for (const auto& c : list["items"]) {
    by_id[c["id"]] = c["connections"];
  }
  const auto& ana = by_id.at(f.w.creator_a);
  CHECK(ana["by_state"] == json{{"connected", 1}, {"expired", 1}, {"expiring", 1}});
  CHECK(ana["soonest_deadline"] ==
        f.status("owner", "?state=expired&name=lima")["items"][0]["reauth_due_at"]);
  CHECK(by_id.at(f.w.creator_b)["by_state"] == json{{"connected", 1}, {"revoked", 1}});
  CHECK(by_id.at(f.w.creator_b)["soonest_deadline"].is_null());
  // An agent's list: only their creators, with the same summaries.
  const auto agent = f.w.call_ok(f.w.actors["agent_on"], "GET", f.path("/creators"));
  REQUIRE(agent["items"].size() == 1);
  CHECK(agent["items"][0]["connections"] == ana);
}

TEST_CASE("the roster status CSV is the same view, with formula cells neutralised",
          "[roster-status]") {
  auto& f = fixture();
  const auto r = f.w.call(f.w.actors["owner"], "GET", f.path("/connections.csv"));
  REQUIRE(r.status == 200);
  CHECK(r.headers.at("content-type") == "text/csv; charset=utf-8");
  CHECK(r.headers.at("content-disposition").find("attachment; filename=\"roster-status-") == 0);
  CHECK(r.body.starts_with("creator_id,creator_name,provider,provider_name,username,status,"));
  // The creator named =HYPERLINK(...) comes out as text: a leading apostrophe, quoted.
  CHECK(r.body.find(R"x("'=HYPERLINK(""http://evil.test"",""click"")")x") != std::string::npos);
  CHECK(r.body.find(",=HYPERLINK") == std::string::npos);
  CHECK(r.body.find(",'@evil,") != std::string::npos);
  // Header plus one line per connection, in the JSON's order.
  std::vector<std::string> lines;
  for (std::size_t at = 0, end; (end = r.body.find("\r\n", at)) != std::string::npos;
       at = end + 2) {
    lines.push_back(r.body.substr(at, end - at));
  }
  const auto json_order = status_fixture::ids(f.status("owner"));
  REQUIRE(lines.size() == json_order.size() + 1);
  for (std::size_t i = 0; i < json_order.size(); ++i) {
    CHECK(lines[i + 1].ends_with("," + json_order[i]));
  }
  // An agent's export holds only their creators.
  const auto agent = f.w.call(f.w.actors["agent_on"], "GET", f.path("/connections.csv"));
  REQUIRE(agent.status == 200);
  CHECK(agent.body.find("Ben Ode") == std::string::npos);
  CHECK(agent.body.find("HYPERLINK") == std::string::npos);
  CHECK(agent.body.find("Ana Lima") != std::string::npos);
}

TEST_CASE("/metrics shows connections by provider and state, deadlines, outbox and job lag",
          "[roster-status][metrics]") {
  auto& f = fixture();
  {
    // Two webhook messages waiting (nothing on this branch delivers webhooks, and their next
    // attempt is a year away), the older queued two hours ago.
    auto db = rosterd::store::database::open(f.w.daemon().database(),
                                             rosterd::store::open_mode::read_write)
                  .value();
    REQUIRE(db.exec("PRAGMA busy_timeout = 10000"));
    const auto now = std::chrono::system_clock::now();
    for (const auto& [id, age] :
         {std::pair{"obx_metrics_1", hours(2)}, {"obx_metrics_2", hours(1)}}) {
      REQUIRE(
          db.exec("INSERT OR IGNORE INTO outbox (id, idempotency_key, channel, recipient, "
                  "template, message_id, status, next_attempt_at, created_at) VALUES ('" +
                  std::string(id) + "', '" + id +
                  "', 'webhook', 'https://hooks.test/x', "
                  "'connection.expired', '<" +
                  id + "@test>', 'pending', '" + rosterd::roster::stamp(now + hours(24 * 365)) +
                  "', '" + rosterd::roster::stamp(now - age) + "')"));
    }
  }
  const auto r = f.w.call({}, "GET", "/metrics");
  REQUIRE(r.status == 200);
  auto value_of = [&](const std::string& series) -> std::optional<double> {
    const auto at = r.body.find("\n" + series + " ");
    if (at == std::string::npos) {
      return std::nullopt;
    }
    return std::stod(r.body.substr(at + series.size() + 2));
  };
  INFO(r.body);
  // Instance-wide: both agencies (the rival's creator has one TikTok connection).
  CHECK(value_of(R"(rosterd_connections{provider="tiktok",state="connected"})") == 3);
  CHECK(value_of(R"(rosterd_connections{provider="instagram",state="expired"})") == 1);
  CHECK(value_of(R"(rosterd_connections{provider="pinterest",state="expiring"})") == 1);
  CHECK(value_of(R"(rosterd_connections{provider="facebook",state="revoked"})") == 1);
  CHECK(value_of(R"(rosterd_connections{provider="acme",state="error"})") == 1);
  CHECK(value_of(R"(rosterd_connection_deadlines_within_7d{provider="pinterest"})") == 1);
  CHECK(value_of(R"(rosterd_connection_deadlines_within_7d{provider="acme"})") == 0);
  CHECK(value_of(R"(rosterd_connection_deadlines_within_7d{provider="instagram"})") == 0);
  CHECK(value_of(R"(rosterd_outbox_depth{channel="webhook"})") == 2);
  const auto oldest = value_of(R"(rosterd_outbox_oldest_age_seconds{channel="webhook"})");
  REQUIRE(oldest);
  CHECK(*oldest >= 7200);
  CHECK(*oldest < 7200 + 600);
  CHECK(value_of(R"(rosterd_outbox_depth{channel="email"})"));
  CHECK(value_of("rosterd_jobs_due"));
  CHECK(value_of("rosterd_job_lag_seconds"));
  CHECK(r.body.find("# TYPE rosterd_connections gauge") != std::string::npos);
}

TEST_CASE("a team change shows in the agent's roster status on the very next request",
          "[roster-status]") {
  // The status pages are kept and sent again while nothing is written: a change made through
  // the daemon must end that at once, above all one that takes a creator away.
  api_world w;
  const auto path = "/v1/accounts/" + w.account + "/connections?limit=200";
  const auto owner = w.actors["owner"];
  const auto agent = w.actors["agent_off"];
  auto creators_seen = [&] {
    std::set<std::string> out;
    const auto page = w.call_ok(agent, "GET", path);
    for (const auto& item : page["items"]) {
      out.insert(item["creator_id"]);
    }
    return out;
  };
  using set = std::set<std::string>;
  REQUIRE(creators_seen() == set{w.creator_b});
  REQUIRE(creators_seen() == set{w.creator_b});  // the kept page, sent again
  w.call_ok(owner, "POST", "/v1/accounts/" + w.account + "/creators/" + w.creator_a + "/team",
            {{"email", "agent.off@agency.test"}}, 201);
  CHECK(creators_seen() == set{w.creator_a, w.creator_b});
  const auto removed = w.call(
      owner, "DELETE",
      "/v1/accounts/" + w.account + "/creators/" + w.creator_a + "/team/" + w.agent_off_user);
  REQUIRE(removed.status == 204);
  CHECK(creators_seen() == set{w.creator_b});
}

TEST_CASE("roster status is gzipped for clients that accept it, and the same page inflated",
          "[roster-status]") {
  auto& f = fixture();
  const auto& service = f.w.actors["service"];
  const std::map<std::string, std::string> bearer{{"Authorization", "Bearer " + service.bearer}};
  auto gzip_headers = bearer;
  gzip_headers["Accept-Encoding"] = "br, gzip;q=0.8";
  const auto target = f.path("/connections");
  // Twice each: once rendered, once from the kept page.
  for (int round = 0; round < 2; ++round) {
    const auto plain = http_request(f.w.port(), "GET", target, {}, bearer);
    const auto packed = http_request(f.w.port(), "GET", target, {}, gzip_headers);
    REQUIRE(plain.status == 200);
    REQUIRE(packed.status == 200);
    CHECK(plain.headers.count("content-encoding") == 0);
    CHECK(plain.headers.at("vary") == "Accept-Encoding");
    CHECK(packed.headers.at("content-encoding") == "gzip");
    CHECK(packed.headers.at("vary") == "Accept-Encoding");
    CHECK(packed.body.size() < plain.body.size());
    CHECK(gunzip(packed.body) == plain.body);
    CHECK(json::parse(plain.body)["counts"]["total"] == 6);
  }
  auto refused = bearer;
  refused["Accept-Encoding"] = "gzip;q=0";
  CHECK(http_request(f.w.port(), "GET", target, {}, refused).headers.count("content-encoding") ==
        0);
}
