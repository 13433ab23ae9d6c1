// GET/PUT /v1/me/notification-preferences over real HTTP: defaults before anything is stored,
// a digest's next moment in the person's own time zone, every bad value refused with what to
// fix and nothing stored, and one person's choice never reaching anyone else.

#include <chrono>

#include <catch2/catch.hpp>

#include "api_world.hpp"
#include "store/timestamp.hpp"

using namespace rosterd::testing;

namespace {

api_world& world() {
  static api_world w;
  return w;
}

const std::string prefs_path = "/v1/me/notification-preferences";

json problem_of(const http_reply& r) {
  INFO(r.body);
  REQUIRE(r.headers.at("content-type") == "application/problem+json");
  return json::parse(r.body);
}

/// The message of the problem's error about `field`, or "" when none names it.
std::string error_about(const json& problem, const std::string& field) {
  for (const auto& e : problem.value("errors", json::array())) {
    if (e["field"] == field) {
      return e["message"];
    }
  }
  return "";
}

/// A person of their own for each test, so one test's preferences never meet another's.
credentials fresh_agent(const std::string& email) {
  auto& w = world();
  w.call_ok(w.actors["owner"], "POST", "/v1/accounts/" + w.account + "/members",
            {{"email", email}, {"role", "agent"}}, 201);
  return w.accept(w.token_in_mail(email));
}

}  // namespace

TEST_CASE("a person who never chose gets the defaults and no digest moment", "[preferences]") {
  auto& w = world();
  const auto me = fresh_agent("prefs.defaults@agency.test");
  const auto prefs = w.call_ok(me, "GET", prefs_path);
  CHECK(prefs["delivery"] == "immediate");
  CHECK(prefs["digest_hour"] == 9);
  CHECK(prefs["time_zone"] == "UTC");
  CHECK(prefs["next_digest_at"].is_null());
  CHECK(prefs["updated_at"].is_null());
}

TEST_CASE("choosing a digest stores it and gives the next digest hour in the person's zone",
          "[preferences]") {
  auto& w = world();
  const auto me = fresh_agent("prefs.digest@agency.test");
  const auto before = std::chrono::system_clock::now();
  // Kolkata is UTC+05:30 all year: 07:00 there is always 01:30 UTC.
  const auto saved =
      w.call_ok(me, "PUT", prefs_path,
                {{"delivery", "digest"}, {"digest_hour", 7}, {"time_zone", "Asia/Kolkata"}});
  CHECK(saved["delivery"] == "digest");
  CHECK(saved["digest_hour"] == 7);
  CHECK(saved["time_zone"] == "Asia/Kolkata");
  CHECK(saved["updated_at"].is_string());
  const std::string next = saved["next_digest_at"];
  CHECK(next.substr(10) == "T01:30:00Z");
  const auto at = rosterd::store::parse_iso8601_utc(next);
  REQUIRE(at);
  CHECK(*at > before);
  CHECK(*at <= before + std::chrono::hours(24));

  const auto read = w.call_ok(me, "GET", prefs_path);
  CHECK(read == saved);

  // A field left out keeps its value.
  const auto moved = w.call_ok(me, "PUT", prefs_path, {{"time_zone", "UTC"}});
  CHECK(moved["delivery"] == "digest");
  CHECK(moved["digest_hour"] == 7);
  CHECK(moved["time_zone"] == "UTC");
  CHECK(moved["next_digest_at"].get<std::string>().substr(10) == "T07:00:00Z");
  // Back to immediate: no digest moment any more.
  const auto immediate = w.call_ok(me, "PUT", prefs_path, {{"delivery", "immediate"}});
  CHECK(immediate["next_digest_at"].is_null());
  CHECK(immediate["digest_hour"] == 7);
}

TEST_CASE("a personal API token reads and sets its person's preferences; a service token has none",
          "[preferences]") {
  auto& w = world();
  const auto me = fresh_agent("prefs.token@agency.test");
  const auto made = w.call_ok(me, "POST", "/v1/accounts/" + w.account + "/tokens",
                              {{"name", "prefs script"}}, 201);
  const credentials bearer{"", "", made["token"], me.user_id};
  w.call_ok(bearer, "PUT", prefs_path, {{"delivery", "digest"}, {"time_zone", "Europe/Paris"}});
  CHECK(w.call_ok(me, "GET", prefs_path)["time_zone"] == "Europe/Paris");

  const auto service =
      w.call_ok(w.actors["owner"], "POST", "/v1/accounts/" + w.account + "/service-tokens",
                {{"name", "prefs service"}}, 201);
  const credentials integration{"", "", service["token"], ""};
  for (const auto& [method, body] :
       {std::pair<std::string, std::string>{"GET", ""}, {"PUT", R"({"delivery":"digest"})"}}) {
    INFO(method);
    const auto refused = w.call(integration, method, prefs_path, body);
    CHECK(refused.status == 403);
    CHECK(problem_of(refused)["detail"].get<std::string>().find("service token") !=
          std::string::npos);
  }
  CHECK(w.call({}, "GET", prefs_path).status == 401);
  CHECK(w.call({}, "PUT", prefs_path, R"({"delivery":"digest"})").status == 401);
}

TEST_CASE("every bad preference is refused with what to fix, and nothing is stored",
          "[preferences]") {
  auto& w = world();
  const auto me = fresh_agent("prefs.bad@agency.test");
  const auto stored =
      w.call_ok(me, "PUT", prefs_path,
                {{"delivery", "digest"}, {"digest_hour", 18}, {"time_zone", "America/New_York"}});

  struct bad_case {
    std::string body;
    std::string field;  // the field the problem must name
    std::string says;   // a piece of what it must say
  };
  const std::vector<bad_case> cases{
      {R"({"delivery":"weekly"})", "delivery", "\"immediate\" or \"digest\""},
      {R"({"delivery":3})", "delivery", "must be a string"},
      {R"({"digest_hour":24})", "digest_hour", "0 to 23"},
      {R"({"digest_hour":-1})", "digest_hour", "0 to 23"},
      {R"({"digest_hour":"7"})", "digest_hour", "whole number from 0 to 23"},
      {R"({"digest_hour":7.5})", "digest_hour", "whole number from 0 to 23"},
      {R"({"digest_hour":true})", "digest_hour", "whole number from 0 to 23"},
      {R"({"digest_hour":18446744073709551615})", "digest_hour", "whole number from 0 to 23"},
      {R"({"time_zone":"Mars/Base"})", "time_zone", "IANA name such as Europe/Paris"},
      {R"({"time_zone":""})", "time_zone", "must not be empty"},
      {R"({"time_zone":["UTC"]})", "time_zone", "must be a string"},
      {R"({"delivery":"digest","quiet":true})", "quiet", "not a field"},
      {R"({})", "delivery", "at least one of delivery, digest_hour and time_zone"},
      // A good value next to a bad one: the good one is not stored either.
      {R"({"delivery":"immediate","time_zone":"Mars/Base"})", "time_zone", "not a time zone"},
  };
  for (const auto& c : cases) {
    INFO(c.body);
    const auto reply = w.call(me, "PUT", prefs_path, c.body);
    CHECK(reply.status == 422);
    const auto problem = problem_of(reply);
    CHECK(problem["type"] == "/problems/invalid-input");
    CHECK(error_about(problem, c.field).find(c.says) != std::string::npos);
  }

  const auto not_json = w.call(me, "PUT", prefs_path, "{delivery: digest");
  CHECK(not_json.status == 400);
  CHECK(problem_of(not_json)["type"] == "/problems/malformed-json");
  const auto not_object = w.call(me, "PUT", prefs_path, R"(["digest"])");
  CHECK(not_object.status == 422);
  CHECK(problem_of(not_object)["detail"] == "The body must be a JSON object.");
  const auto empty = w.call(me, "PUT", prefs_path, "");
  CHECK(empty.status == 422);
  CHECK(problem_of(empty)["detail"].get<std::string>().find("digest_hour (0-23)") !=
        std::string::npos);
  const auto form =
      w.call(me, "PUT", prefs_path, "delivery=digest", "application/x-www-form-urlencoded");
  CHECK(form.status == 415);

  CHECK(w.call_ok(me, "GET", prefs_path) == stored);
}

TEST_CASE("one person's preferences never change or show in another person's", "[preferences]") {
  auto& w = world();
  const auto ana_agent = fresh_agent("prefs.first@agency.test");
  const auto other = fresh_agent("prefs.second@agency.test");
  const auto mine =
      w.call_ok(ana_agent, "PUT", prefs_path,
                {{"delivery", "digest"}, {"digest_hour", 6}, {"time_zone", "Australia/Sydney"}});

  // The other person still has the defaults, and nothing of the first person's choice.
  const auto theirs = w.call_ok(other, "GET", prefs_path);
  CHECK(theirs["delivery"] == "immediate");
  CHECK(theirs["time_zone"] == "UTC");
  CHECK(theirs.dump().find("Sydney") == std::string::npos);

  // Their change stays theirs.
  w.call_ok(other, "PUT", prefs_path, {{"delivery", "digest"}, {"digest_hour", 22}});
  CHECK(w.call_ok(ana_agent, "GET", prefs_path) == mine);
  CHECK(w.call_ok(other, "GET", prefs_path)["time_zone"] == "UTC");

  // The owner, who sees everyone in the account, has no way to read or set someone else's:
  // the route is the caller's own, with nothing in it to name another person.
  const auto owner_view = w.call_ok(w.actors["owner"], "GET", prefs_path);
  CHECK(owner_view.dump().find("Sydney") == std::string::npos);
  CHECK(w.call(w.actors["owner"], "GET", prefs_path + "/" + ana_agent.user_id).status == 404);
}
