// The webhook routes over real HTTP: the secret is in the create and rotate answers and nowhere
// else (not in reads, not in the daemon's log), and every bad input is told what to fix.

#include <chrono>
#include <string>
#include <thread>

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
  const std::string long_url = "https://hooks.example.com/" + std::string(1980, 'a');
  const json too_many = json::array({"connection.expiring", "connection.expired"});
  const std::pair<std::string, const char*> more_creates[] = {
      {json{{"url", long_url}, {"events", {"connection.expiring"}}}.dump(),
       "url: must be at most 2000 bytes"},
      {json{{"url", "https://hooks.example.com/x"},
            {"events", json(std::vector<std::string>(21, "connection.expiring"))}}
           .dump(),
       "events: must be a list of at most 20"},
      {json{{"url", "https://hooks.example.com/x"},
            {"events", {"connection.expiring", "connection.expiring"}}}
           .dump(),
       "events: \"connection.expiring\" is listed twice"},
      {json{{"url", "ftp://hooks.example.com/x"}, {"events", too_many}}.dump(),
       "url: must start with https://"},
  };
  for (const auto& [body, says] : more_creates) {
    INFO(body.substr(0, 200));
    CHECK(field_error("POST", hooks_path(), body).starts_with(says));
  }
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
  CHECK(field_error("PATCH", path, R"({"url":"http://other.example.com"})")
            .starts_with("url: must start with https://"));
  CHECK(field_error("PATCH", path, R"({"url":"https://192.168.1.5/x"})")
            .starts_with("url: 192.168.1.5 is a private address"));
  CHECK(field_error("PATCH", path, R"({"events":[]})").starts_with("events: name at least one"));
  CHECK(field_error("PATCH", path, R"({"events":["invitation.lost"]})")
            .starts_with("events: unknown event type \"invitation.lost\""));
  CHECK(
      field_error("PATCH", path, R"({"enabled":true,"secret":"whsec_x"})").starts_with("secret: "));
  // Nothing of a refused change was stored.
  const auto unchanged = w.call_ok(w.actors["owner"], "GET", path);
  CHECK(unchanged["url"] == "https://localhost:9/bad-input");
  CHECK(unchanged["events"] == json{"connection.expiring"});
  CHECK(field_error("GET", path + "/deliveries?limit=0", "").starts_with("limit: "));
  const auto not_json = w.call(w.actors["owner"], "POST", hooks_path(), "{", "application/json");
  CHECK(not_json.status == 400);
}

TEST_CASE("an endpoint's url, events and enabled flag change with PATCH", "[webhooks][api]") {
  auto& w = world();
  const auto& admin = w.actors["admin"];
  const auto made = w.call_ok(
      admin, "POST", hooks_path(),
      json{{"url", "https://hooks.example.com/one"}, {"events", {"connection.expiring"}}}, 201);
  const auto path = hooks_path("/" + made["id"].get<std::string>());
  const auto changed = w.call_ok(admin, "PATCH", path,
                                 json{{"url", "https://crm.example.com/rosterd"},
                                      {"events", {"connection.revoked", "invitation.accepted"}},
                                      {"enabled", false}});
  CHECK(changed["url"] == "https://crm.example.com/rosterd");
  CHECK(changed["events"] == json{"connection.revoked", "invitation.accepted"});
  CHECK(changed["enabled"] == false);
  CHECK(changed.find("secret") == changed.end());
  CHECK(w.call_ok(admin, "GET", path)["url"] == "https://crm.example.com/rosterd");
  CHECK(w.call_ok(admin, "PATCH", path, json{{"enabled", true}})["enabled"] == true);
}

TEST_CASE("only the account's owners and admins manage its webhooks", "[webhooks][api]") {
  auto& w = world();
  const auto made = w.call_ok(
      w.actors["owner"], "POST", hooks_path(),
      json{{"url", "https://hooks.example.com/guarded"}, {"events", {"connection.expired"}}}, 201);
  const std::string id = made["id"];
  const std::string one = hooks_path("/" + id);
  const std::pair<std::string, std::string> routes[] = {
      {"POST", hooks_path()},
      {"GET", hooks_path()},
      {"GET", one},
      {"PATCH", one},
      {"POST", one + "/rotate-secret"},
      {"POST", one + "/test"},
      {"GET", one + "/deliveries"},
      {"DELETE", one},
  };
  const std::string create =
      R"({"url":"https://hooks.example.com/mine","events":["connection.expired"]})";
  const std::string change = R"({"url":"https://evil.example.com/steal"})";
  for (const auto* who : {"agent_on", "agent_off", "creator", "service"}) {
    for (const auto& [method, path] : routes) {
      INFO(who << " " << method << " " << path);
      const auto body = method == "POST" && path == hooks_path() ? create
                        : method == "PATCH"                      ? change
                                                                 : std::string();
      const auto r = w.call(w.actors[who], method, path, body);
      CHECK(r.status == 403);
      CHECK(r.body.find("whsec_") == std::string::npos);
    }
  }
  // Another agency's admin sees nothing of it, by this account's path or by their own.
  const std::string rival_one = "/v1/accounts/" + w.rival_account + "/webhooks/" + id;
  for (const auto& [method, path] : routes) {
    INFO("foreign_admin " << method << " " << path);
    const auto body = method == "POST" && path == hooks_path() ? create
                      : method == "PATCH"                      ? change
                                                               : std::string();
    CHECK(w.call(w.actors["foreign_admin"], method, path, body).status == 404);
  }
  for (const auto* method : {"GET", "PATCH", "DELETE"}) {
    INFO(method);
    CHECK(w.call(w.actors["foreign_admin"], method, rival_one,
                 std::string(method) == "PATCH" ? change : std::string())
              .status == 404);
  }
  CHECK(w.call(w.actors["foreign_admin"], "POST", rival_one + "/rotate-secret").status == 404);
  // Every refusal left it as it was.
  const auto after = w.call_ok(w.actors["owner"], "GET", one);
  CHECK(after["url"] == "https://hooks.example.com/guarded");
  CHECK(after["updated_at"] == made["updated_at"]);
}

TEST_CASE("the delivery log tells each attempt in plain words, without a secret",
          "[webhooks][api]") {
  auto& w = world();
  const auto& owner = w.actors["owner"];
  // A name for loopback: this daemon does not allow private targets, so its dispatcher refuses
  // to send there, and says so in the log.
  const auto made =
      w.call_ok(owner, "POST", hooks_path(),
                json{{"url", "https://localhost:9/log"}, {"events", {"connection.expiring"}}}, 201);
  const auto path = hooks_path("/" + made["id"].get<std::string>());
  const auto test = w.call_ok(owner, "POST", path + "/test", nullptr, 202);
  json attempts;
  for (int i = 0; i < 200 && attempts.empty(); ++i) {
    const auto log = w.call_ok(owner, "GET", path + "/deliveries");
    REQUIRE(log["items"].size() == 1);
    CHECK(log["items"][0]["webhook_id"] == test["webhook_id"]);
    attempts = log["items"][0]["attempt_log"];
    if (attempts.empty()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  REQUIRE(attempts.size() == 1);
  const auto& a = attempts[0];
  INFO(a.dump());
  CHECK(a["attempt"] == 1);
  CHECK(a["status_code"].is_null());  // nothing was sent
  CHECK(a["duration_ms"].is_number_integer());
  const std::string error = a["error"];
  CHECK(error.find("refused: localhost resolves to") == 0);
  CHECK(error.find("a loopback address") != std::string::npos);
  const auto raw = w.call(owner, "GET", path + "/deliveries");
  CHECK(raw.body.find("whsec_") == std::string::npos);
  CHECK(raw.body.find(made["secret"].get<std::string>()) == std::string::npos);
}
