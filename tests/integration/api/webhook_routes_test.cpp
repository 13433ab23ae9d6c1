// The webhook routes over real HTTP: the secret is in the create and rotate answers and nowhere
// else (not in reads, not in the daemon's log), and every bad input is told what to fix.

#include <string>

#include <catch2/catch.hpp>

#include "api_world.hpp"

using namespace rosterd::testing;

namespace {

api_world& world() {
  static api_world w;
  return w;
}

std::string hooks_path(const std::string& rest = "") {
  return "/v1/accounts/" + world().account + "/webhooks" + rest;
}

/// The single field error of a 422 answer to `body`, as "field: message".
std::string field_error(const std::string& method, const std::string& path,
                        const std::string& body) {
  auto& w = world();
  const auto r = w.call(w.actors["owner"], method, path, body);
  INFO(r.body);
  REQUIRE(r.status == 422);
  REQUIRE(r.headers.at("content-type") == "application/problem+json");
  const auto problem = json::parse(r.body);
  REQUIRE(problem["errors"].size() >= 1);
  return problem["errors"][0]["field"].get<std::string>() + ": " +
         problem["errors"][0]["message"].get<std::string>();
}

}  // namespace

TEST_CASE("a webhook secret is shown by create and rotate only, and never logged",
          "[webhooks][api]") {
  auto& w = world();
  const auto& owner = w.actors["owner"];
  const auto made =
      w.call_ok(owner, "POST", hooks_path(),
                json{{"url", "https://localhost:9/crm"}, {"events", {"connection.expiring"}}}, 201);
  const std::string secret = made["secret"];
  REQUIRE(secret.starts_with("whsec_"));
  const std::string id = made["id"];

  const auto one = w.call(owner, "GET", hooks_path("/" + id));
  const auto all = w.call(owner, "GET", hooks_path());
  CHECK(one.status == 200);
  CHECK(one.body.find("whsec_") == std::string::npos);
  CHECK(all.body.find("whsec_") == std::string::npos);
  CHECK(json::parse(one.body)["events"] == json{"connection.expiring"});

  const auto rotated = w.call_ok(owner, "POST", hooks_path("/" + id + "/rotate-secret"), nullptr);
  const std::string next = rotated["secret"];
  CHECK(next != secret);
  CHECK_FALSE(rotated["previous_secret_expires_at"].is_null());
  CHECK(w.call(owner, "GET", hooks_path("/" + id)).body.find("whsec_") == std::string::npos);

  const auto test = w.call_ok(owner, "POST", hooks_path("/" + id + "/test"), nullptr, 202);
  CHECK(test["webhook_id"].get<std::string>().starts_with("msg_"));
  const auto log = w.call_ok(owner, "GET", hooks_path("/" + id + "/deliveries"));
  CHECK(log["items"].size() == 1);
  CHECK(log["items"][0]["type"] == "webhook.test");

  const auto audit = w.call(owner, "GET", "/v1/accounts/" + w.account + "/audit");
  CHECK(audit.body.find("webhook.created") != std::string::npos);
  CHECK(audit.body.find("webhook.secret_rotated") != std::string::npos);
  CHECK(audit.body.find("whsec_") == std::string::npos);

  const auto daemon_log = w.daemon_log();
  CHECK(daemon_log.find(secret) == std::string::npos);
  CHECK(daemon_log.find(next) == std::string::npos);
  CHECK(daemon_log.find("whsec_") == std::string::npos);

  CHECK(w.call(owner, "DELETE", hooks_path("/" + id)).status == 204);
  CHECK(w.call(owner, "GET", hooks_path("/" + id)).status == 404);
}

TEST_CASE("every bad webhook input is told what to fix", "[webhooks][api]") {
  const std::pair<const char*, const char*> creates[] = {
      {R"({"events":["connection.expiring"]})", "url: "},
      {R"({"url":"http://hooks.example.com/x","events":["connection.expiring"]})",
       "url: must start with https://"},
      {R"({"url":"https://127.0.0.1/x","events":["connection.expiring"]})",
       "url: 127.0.0.1 is a loopback address"},
      {R"({"url":"https://169.254.169.254/x","events":["connection.expiring"]})",
       "url: 169.254.169.254 is the cloud metadata service"},
      {R"({"url":"https://10.1.2.3/x","events":["connection.expiring"]})",
       "url: 10.1.2.3 is a private address"},
      {R"({"url":"https://a:b@hooks.example.com/x","events":["connection.expiring"]})",
       "url: must not carry a user name or password"},
      {R"({"url":"https://hooks.example.com/x"})", "events: required"},
      {R"({"url":"https://hooks.example.com/x","events":"connection.expiring"})",
       "events: must be a list"},
      {R"({"url":"https://hooks.example.com/x","events":[7]})", "events: must be a list"},
      {R"({"url":"https://hooks.example.com/x","events":["connection.exploded"]})",
       "events: unknown event type \"connection.exploded\""},
      {R"({"url":"https://hooks.example.com/x","events":[]})", "events: name at least one"},
      {R"({"url":"https://hooks.example.com/x","events":["connection.expiring"],"secret":"x"})",
       "secret: "},
  };
  for (const auto& [body, says] : creates) {
    INFO(body);
    CHECK(field_error("POST", hooks_path(), body).starts_with(says));
  }
  auto& w = world();
  const auto made = w.call_ok(
      w.actors["owner"], "POST", hooks_path(),
      json{{"url", "https://localhost:9/bad-input"}, {"events", {"connection.expiring"}}}, 201);
  const auto path = hooks_path("/" + made["id"].get<std::string>());
  CHECK(field_error("PATCH", path, "{}").starts_with("events: nothing to change"));
  CHECK(field_error("PATCH", path, R"({"enabled":"yes"})").starts_with("enabled: "));
  CHECK(field_error("PATCH", path, R"({"url":"https://other.example.com"})").starts_with("url: "));
  CHECK(field_error("GET", path + "/deliveries?limit=0", "").starts_with("limit: "));
  const auto not_json = w.call(w.actors["owner"], "POST", hooks_path(), "{", "application/json");
  CHECK(not_json.status == 400);
}
