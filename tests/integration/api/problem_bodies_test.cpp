// What a failed request tells the client and what it tells the operator, over real HTTP: a
// broken store answers a plain 500 that names neither the SQL nor the database file, while the
// daemon's log has both under the request id; a request with a bad value is told what to fix.

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "api_world.hpp"
#include "store/database.hpp"

using namespace rosterd::testing;
using rosterd::store::database;
using rosterd::store::open_mode;

namespace {

/// One world for the file: building it signs ten people in.
api_world& world() {
  static api_world w;
  return w;
}

std::string accounts_path(const std::string& rest) {
  return "/v1/accounts/" + world().account + rest;
}

json problem_of(const http_reply& r) {
  INFO(r.body);
  REQUIRE(r.headers.at("content-type") == "application/problem+json");
  return json::parse(r.body);
}

/// The daemon's log line that reports the failure of request `id`.
std::string failure_line(const std::string& id) {
  const auto log = world().daemon_log();
  const auto at = log.find("request_failed request_id=" + id);
  if (at == std::string::npos) {
    return {};
  }
  return log.substr(at, log.find('\n', at) - at);
}

}  // namespace

TEST_CASE("a store failure answers a plain 500 without its SQL or file; the log has both",
          "[api][problem][e2e]") {
  auto& w = world();
  const auto db_file = w.daemon().dir() / "state" / "rosterd.db";
  {
    // The audit log's table goes away under the running daemon: reading it fails in SQLite.
    auto db = database::open(db_file, open_mode::read_write).value();
    REQUIRE(db.exec("PRAGMA busy_timeout = 10000"));
    REQUIRE(db.exec("DROP TABLE audit_log"));
  }
  const auto reply = w.call(w.actors["owner"], "GET", accounts_path("/audit"));
  REQUIRE(reply.status == 500);
  const auto problem = problem_of(reply);
  CHECK(problem["type"] == "about:blank");
  CHECK(problem["detail"] == "Something went wrong on our side; the request id helps us find it.");
  CHECK_FALSE(problem.contains("errors"));
  const std::vector<std::string> internals{"audit_log", "SELECT", "no such table", "rosterd.db",
                                           db_file.parent_path().string()};
  for (const auto& internal : internals) {
    INFO(internal);
    CHECK(reply.body.find(internal) == std::string::npos);
  }

  const std::string id = problem["request_id"];
  CHECK(reply.headers.at("x-request-id") == id);
  const auto line = failure_line(id);
  INFO(w.daemon_log());
  CHECK(line.find("status=500") != std::string::npos);
  CHECK(line.find("code=store.") != std::string::npos);
  CHECK(line.find("no such table: audit_log") != std::string::npos);
  CHECK(line.find("FROM audit_log") != std::string::npos);
}

TEST_CASE("a bad value is answered with what to fix, naming the field", "[api][problem][e2e]") {
  auto& w = world();
  const auto& owner = w.actors["owner"];

  auto limit = problem_of(w.call(owner, "GET", accounts_path("/creators?limit=0")));
  CHECK(limit["status"] == 422);
  CHECK(limit["type"] == "/problems/invalid-input");
  CHECK(limit["detail"] == "limit: must be a whole number from 1 to 200");
  REQUIRE(limit["errors"].size() == 1);
  CHECK(limit["errors"][0]["field"] == "limit");
  CHECK(limit["errors"][0]["message"] == "must be a whole number from 1 to 200");
  CHECK(failure_line(limit["request_id"]).find("code=roster.invalid_argument") !=
        std::string::npos);

  const auto bad_email = w.call(owner, "POST", accounts_path("/creators"),
                                json{{"name", "Zed Zero"}, {"email", "zed@@example"}}.dump());
  const auto email = problem_of(bad_email);
  CHECK(email["status"] == 422);
  REQUIRE(email["errors"].size() == 1);
  CHECK(email["errors"][0]["field"] == "email");
  CHECK(email["errors"][0]["message"].get<std::string>().find("zed@@example") != std::string::npos);

  const auto refused =
      problem_of(w.call(w.actors["agent_on"], "POST", accounts_path("/creators"),
                        json{{"name", "Zed Zero"}, {"email", "zed@example.com"}}.dump()));
  CHECK(refused["status"] == 403);
  CHECK(refused["detail"] == "only owners and admins add creators");
}

TEST_CASE("what the caller may not see reads the same, whatever the operator is told",
          "[api][problem][e2e]") {
  auto& w = world();
  const auto missing =
      problem_of(w.call(w.actors["owner"], "GET", accounts_path("/creators/cre_missing")));
  const auto foreign =
      problem_of(w.call(w.actors["owner"], "GET", "/v1/accounts/" + w.rival_account + "/creators"));
  for (const auto& p : {missing, foreign}) {
    CHECK(p["status"] == 404);
    CHECK(p["type"] == "/problems/not-found");
    CHECK(p["detail"] == "Nothing here, or nothing you may see.");
  }
  CHECK(failure_line(missing["request_id"]).find("no such creator") != std::string::npos);
}
