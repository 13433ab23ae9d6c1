// Webhooks through the running daemon: its dispatcher delivers a test event, an accepted
// creator invitation and a connect to a real HTTPS receiver on loopback (allowed by the
// test-only [webhooks] allow_private_targets), each signed so that the Standard Webhooks
// reference library (not rosterd's code) verifies it.

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "api_world.hpp"
#include "tests/fakes/webhook_receiver.hpp"

using namespace rosterd::testing;
using namespace std::chrono_literals;

namespace {

void check_signed(const std::string& secret, const received_webhook& r) {
  const auto check = verify_with_standardwebhooks(secret, r);
  if (!check.available) {
    WARN("node or npm standardwebhooks missing (run scripts/install-deps): not verified");
    return;
  }
  INFO(check.output);
  CHECK(check.verified);
}

}  // namespace

TEST_CASE(
    "the daemon delivers signed webhooks for a test event, an accepted invitation and a "
    "connect",
    "[webhooks][e2e]") {
  test_pki pki;
  webhook_receiver receiver{pki};
  api_world w("\n[webhooks]\nallow_private_targets = true\nca_file = \"" +
              pki.ca_certificate().string() + "\"\n");
  const auto& owner = w.actors["owner"];
  const auto made = w.call_ok(owner, "POST", "/v1/accounts/" + w.account + "/webhooks",
                              json{{"url", receiver.url("/ok")},
                                   {"events", {"invitation.accepted", "connection.connected"}}},
                              201);
  const std::string secret = made["secret"];
  const std::string log_path =
      "/v1/accounts/" + w.account + "/webhooks/" + made["id"].get<std::string>() + "/deliveries";

  w.call_ok(owner, "POST",
            "/v1/accounts/" + w.account + "/webhooks/" + made["id"].get<std::string>() + "/test",
            nullptr, 202);
  REQUIRE(receiver.wait_for(1, 20s));
  auto got = receiver.received();
  CHECK(json::parse(got[0].body)["type"] == "webhook.test");
  check_signed(secret, got[0]);
  // The log shows the answer once the dispatcher recorded it.
  json attempt;
  for (int i = 0; i < 100 && attempt.is_null(); ++i) {
    const auto log = w.call_ok(owner, "GET", log_path);
    if (!log["items"].empty() && log["items"][0]["status"] == "delivered") {
      attempt = log["items"][0]["attempt_log"][0];
    } else {
      std::this_thread::sleep_for(100ms);
    }
  }
  REQUIRE_FALSE(attempt.is_null());
  CHECK(attempt["status_code"] == 200);
  CHECK(attempt["error"].is_null());

  // A new creator accepts their invitation: invitation.accepted.
  w.call_ok(owner, "POST", "/v1/accounts/" + w.account + "/creators",
            json{{"name", "Dee New"}, {"email", "dee@creators.test"}}, 201);
  w.accept(w.token_in_mail("dee@creators.test"));
  REQUIRE(receiver.wait_for(2, 20s));
  got = receiver.received();
  const auto accepted = json::parse(got[1].body);
  CHECK(accepted["type"] == "invitation.accepted");
  CHECK(accepted["data"]["creator_name"] == "Dee New");
  CHECK(got[1].headers.at("webhook-id") != got[0].headers.at("webhook-id"));
  check_signed(secret, got[1]);

  // Ana connects Pinterest through a reconnect link: connection.connected.
  api_world::browser browser;
  const auto trace =
      w.connect(browser, w.make_link(owner, w.account, w.creator_a, {"pinterest"}), "pinterest");
  REQUIRE(trace.result.status == 200);
  REQUIRE(receiver.wait_for(3, 20s));
  got = receiver.received();
  const auto connected = json::parse(got[2].body);
  CHECK(connected["type"] == "connection.connected");
  CHECK(connected["data"]["provider"] == "pinterest");
  CHECK(connected["data"]["creator_id"] == w.creator_a);
  check_signed(secret, got[2]);
  CHECK(got[2].body.find("token") == std::string::npos);

  const auto daemon_log = w.daemon_log();
  CHECK(daemon_log.find("webhooks_private_targets_allowed") != std::string::npos);
  CHECK(daemon_log.find(secret) == std::string::npos);
}

TEST_CASE(
    "a webhook hanging at shutdown does not keep the daemon up, and goes again after the "
    "restart with the same webhook-id",
    "[webhooks][e2e]") {
  test_pki pki;
  webhook_receiver receiver{pki};
  // An attempt may take a minute: far longer than the daemon's shutdown grace.
  api_world w("\n[webhooks]\nallow_private_targets = true\ntimeout = \"60s\"\nca_file = \"" +
              pki.ca_certificate().string() + "\"\n");
  const auto& owner = w.actors["owner"];
  const auto hooks = "/v1/accounts/" + w.account + "/webhooks";
  const auto made =
      w.call_ok(owner, "POST", hooks,
                json{{"url", receiver.url("/hang")}, {"events", {"connection.connected"}}}, 201);
  const std::string one = hooks + "/" + made["id"].get<std::string>();
  const auto test = w.call_ok(owner, "POST", one + "/test", nullptr, 202);
  REQUIRE(receiver.wait_for(1, 20s));  // in flight, and the receiver never answers
  // Where the delivery goes after the restart (the one in flight keeps its connection).
  w.call_ok(owner, "PATCH", one, json{{"url", receiver.url("/ok")}});

  const auto code = w.daemon().stop(30s);
  REQUIRE(code.has_value());
  CHECK(*code == 0);
  w.daemon().start();
  REQUIRE(w.daemon().wait_ready());
  REQUIRE(receiver.wait_for(2, 20s));
  const auto got = receiver.received();
  CHECK(got[1].path == "/ok");
  CHECK(got[1].headers.at("webhook-id") == test["webhook_id"]);
  CHECK(got[1].headers.at("webhook-id") == got[0].headers.at("webhook-id"));
}
