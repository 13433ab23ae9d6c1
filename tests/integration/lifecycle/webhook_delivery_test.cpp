// Webhook delivery end to end: the dispatcher on its own event loop, a real SQLite database, and
// a real HTTPS receiver on loopback (tests/fakes/webhook_receiver.py, certificate from the test
// CA). Signatures are checked with the Standard Webhooks reference library for TypeScript (npm
// "standardwebhooks", installed by scripts/install-deps), not with rosterd's own code.

#include <future>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "lifecycle/webhook_dispatcher.hpp"
#include "lifecycle/webhooks.hpp"
#include "notify/webhook_signature.hpp"
#include "store/in_transaction.hpp"
#include "tests/fakes/webhook_receiver.hpp"
#include "tests/integration/lifecycle/lifecycle_fixture.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd;
using namespace std::chrono_literals;

namespace {

// Verifies with npm standardwebhooks; nullopt (with a WARN) when node or the package is missing
// on a developer's machine. CI installs both (scripts/install-deps), so there it always runs.
std::optional<bool> independently_verified(const std::string& secret,
                                           const testing::received_webhook& r) {
  const auto check = testing::verify_with_standardwebhooks(secret, r);
  if (!check.available) {
    WARN(
        "node or npm standardwebhooks missing (run scripts/install-deps): not verified "
        "independently");
    return std::nullopt;
  }
  INFO(check.output);
  return check.verified;
}

struct delivery_fixture : testing::lifecycle_fixture {
  testing::test_pki pki;
  testing::webhook_receiver receiver{pki};
  std::ostringstream log_text;
  std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>(
      "lifecycle", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_text));

  lifecycle::webhook_target_rules rules{.allow_private_targets = true};
  // Resolved once: a caller lookup inside a write would wait for the writer it is on.
  roster::caller boss = owner();

  lifecycle::webhook_dispatcher_settings settings() const {
    lifecycle::webhook_dispatcher_settings s;
    s.sender.allow_private_targets = true;
    s.sender.ca_file = pki.ca_certificate();
    s.sender.total_timeout = 10s;
    s.retry.initial_backoff = 1s;
    s.retry.max_backoff = 1s;
    s.retry.jitter = 0;
    s.poll_interval = 200ms;
    s.stop_grace = 200ms;
    return s;
  }

  lifecycle::webhook_endpoint_with_secret endpoint(const std::string& path) {
    return db
        ->write_now(store::in_transaction([&](store::database& d) {
          return lifecycle::create_webhook_endpoint(
              d, boss, {receiver.url(path), "", {"connection.expiring"}}, rules, now);
        }))
        .value();
  }

  void publish(const std::string& key) {
    lifecycle::webhook_subject s;
    s.account_id = account_id;
    s.creator_id = ana;
    s.creator_name = "Ana Lima";
    s.connection_id = "con_1";
    s.provider = "instagram";
    s.reauth_due_at = "2026-12-20T00:00:00Z";
    REQUIRE(db->write_now(store::in_transaction([&](store::database& d) {
      return lifecycle::publish_webhook_event(d, lifecycle::webhook_event::connection_expiring, s,
                                              key, std::chrono::system_clock::now());
    })));
  }

  std::string delivery_status(const std::string& endpoint_id) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d, "SELECT status FROM webhook_deliveries WHERE endpoint_id = ? ORDER BY created_at",
              [](store::statement& st) { return st.column_text(0); }, endpoint_id);
        })
        .value()
        .value_or("");
  }

  bool wait_until(const std::function<bool()>& done, std::chrono::seconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return false;
      }
      std::this_thread::sleep_for(20ms);
    }
    return true;
  }
};

// The dispatcher on an event loop of its own, stopped (awaitably) at the end.
class dispatcher_runner {
 public:
  dispatcher_runner(store::store& s, lifecycle::webhook_dispatcher_settings settings,
                    std::shared_ptr<spdlog::logger> log)
      : dispatcher_(io_.get_executor(), s, std::move(settings), std::move(log)) {
    dispatcher_.start();
    thread_ = std::thread([this] { io_.run(); });
  }
  ~dispatcher_runner() { stop(); }
  dispatcher_runner(const dispatcher_runner&) = delete;
  dispatcher_runner& operator=(const dispatcher_runner&) = delete;
  void nudge() { dispatcher_.nudge(); }
  void stop() {
    if (thread_.joinable()) {
      boost::asio::co_spawn(io_, dispatcher_.stop(), boost::asio::use_future).get();
      thread_.join();
    }
  }

 private:
  boost::asio::io_context io_;
  lifecycle::webhook_dispatcher dispatcher_;
  std::thread thread_;
};

}  // namespace

TEST_CASE_METHOD(delivery_fixture,
                 "a webhook arrives signed so that an independent Standard Webhooks library "
                 "verifies it",
                 "[webhooks][delivery]") {
  auto ep = endpoint("/ok");
  publish("con_1:7d");
  dispatcher_runner run(*db, settings(), log);
  REQUIRE(receiver.wait_for(1, 20s));
  REQUIRE(wait_until([&] { return delivery_status(ep.endpoint.id) == "delivered"; }));
  const auto got = receiver.received().at(0);
  CHECK(got.headers.at("content-type") == "application/json");
  CHECK(got.headers.at("webhook-id").substr(0, 4) == "msg_");
  CHECK(got.body.find(R"("type":"connection.expiring")") != std::string::npos);
  CHECK(independently_verified(std::string(ep.secret.reveal()), got).value_or(true));
  // A signature made with another secret is refused by the same verifier (it can fail).
  CHECK_FALSE(independently_verified(std::string(notify::generate_webhook_secret().reveal()), got)
                  .value_or(false));
  run.stop();
  // The secret is in no log line.
  CHECK(log_text.str().find(std::string(ep.secret.reveal())) == std::string::npos);
  CHECK(log_text.str().find("whsec_") == std::string::npos);
}

TEST_CASE_METHOD(delivery_fixture,
                 "a 500 is retried later with the same webhook-id and body, then delivered",
                 "[webhooks][delivery]") {
  auto ep = endpoint("/fail-once/a");
  publish("con_1:3d");
  dispatcher_runner run(*db, settings(), log);
  REQUIRE(receiver.wait_for(2, 20s));
  REQUIRE(wait_until([&] { return delivery_status(ep.endpoint.id) == "delivered"; }));
  const auto got = receiver.received();
  CHECK(got[0].headers.at("webhook-id") == got[1].headers.at("webhook-id"));
  CHECK(got[0].body == got[1].body);
  auto log_rows = db->read_now([&](store::database& d) {
    return lifecycle::list_webhook_deliveries(d, boss, ep.endpoint.id, 10);
  });
  REQUIRE(log_rows);
  REQUIRE(log_rows->size() == 1);
  const auto& d = log_rows->front();
  REQUIRE(d.log.size() == 2);
  CHECK(d.log[0].attempt == 1);
  CHECK(d.log[0].status_code == 500);
  CHECK(d.log[0].error == "HTTP 500");
  CHECK(d.log[1].status_code == 200);
  CHECK_FALSE(d.log[1].error);
  CHECK(independently_verified(std::string(ep.secret.reveal()), got[1]).value_or(true));
}

TEST_CASE_METHOD(delivery_fixture, "a 410 disables the endpoint and cancels what was pending",
                 "[webhooks][delivery]") {
  auto ep = endpoint("/status/410");
  publish("k1");
  publish("k2");
  dispatcher_runner run(*db, settings(), log);
  REQUIRE(wait_until([&] {
    return db->read_now([&](store::database& d) {
               return lifecycle::get_webhook_endpoint(d, boss, ep.endpoint.id);
             })
               .value()
               .disabled_reason == std::optional<std::string>("gone");
  }));
  run.stop();
  CHECK(receiver.received().size() == 1);  // the second event was cancelled, never sent
  auto got = db->read_now(
      [&](store::database& d) { return lifecycle::get_webhook_endpoint(d, boss, ep.endpoint.id); });
  CHECK_FALSE(got.value().enabled);
}

TEST_CASE_METHOD(delivery_fixture, "a redirect is not followed and counts as a failure",
                 "[webhooks][delivery]") {
  auto ep = endpoint("/redirect");
  publish("k1");
  dispatcher_runner run(*db, settings(), log);
  REQUIRE(wait_until([&] {
    auto rows = db->read_now([&](store::database& d) {
      return lifecycle::list_webhook_deliveries(d, boss, ep.endpoint.id, 10);
    });
    return rows && !rows->empty() && !rows->front().log.empty();
  }));
  run.stop();
  for (const auto& r : receiver.received()) {
    CHECK(r.path == "/redirect");  // never /ok, where the redirect pointed
  }
  auto rows = db->read_now([&](store::database& d) {
    return lifecycle::list_webhook_deliveries(d, boss, ep.endpoint.id, 10);
  });
  const auto& first = rows.value().front().log.front();
  CHECK(first.status_code == 302);
  CHECK(first.error.value_or("").find("redirects are not followed") != std::string::npos);
}

TEST_CASE_METHOD(delivery_fixture,
                 "a hanging receiver does not hold up another endpoint, and its attempt times out",
                 "[webhooks][delivery]") {
  auto hanging = endpoint("/hang");
  auto fine = endpoint("/ok");
  auto s = settings();
  s.sender.total_timeout = 1500ms;
  publish("k1");
  dispatcher_runner run(*db, s, log);
  // The healthy endpoint's delivery is recorded while the hanging one is still in flight.
  REQUIRE(wait_until([&] { return delivery_status(fine.endpoint.id) == "delivered"; }));
  CHECK(delivery_status(hanging.endpoint.id) == "pending");
  REQUIRE(wait_until([&] {
    auto rows = db->read_now([&](store::database& d) {
      return lifecycle::list_webhook_deliveries(d, boss, hanging.endpoint.id, 10);
    });
    return rows && !rows->empty() && !rows->front().log.empty();
  }));
  run.stop();
  auto rows = db->read_now([&](store::database& d) {
    return lifecycle::list_webhook_deliveries(d, boss, hanging.endpoint.id, 10);
  });
  const auto& first = rows.value().front().log.front();
  CHECK_FALSE(first.status_code);
  CHECK(first.error.value_or("").find("timed out") != std::string::npos);
}

TEST_CASE_METHOD(delivery_fixture,
                 "without the test-only switch a receiver on loopback is refused and nothing "
                 "is sent",
                 "[webhooks][delivery][ssrf]") {
  // "localhost" is a name, so storing it passes; it resolves to loopback when sent.
  auto ep = endpoint("/ok");
  publish("k1");
  auto s = settings();
  s.sender.allow_private_targets = false;
  dispatcher_runner run(*db, s, log);
  REQUIRE(wait_until([&] {
    auto rows = db->read_now([&](store::database& d) {
      return lifecycle::list_webhook_deliveries(d, boss, ep.endpoint.id, 10);
    });
    return rows && !rows->empty() && !rows->front().log.empty();
  }));
  run.stop();
  CHECK(receiver.received().empty());
  auto rows = db->read_now([&](store::database& d) {
    return lifecycle::list_webhook_deliveries(d, boss, ep.endpoint.id, 10);
  });
  const auto& first = rows.value().front().log.front();
  CHECK(first.error.value_or("").find("refused") != std::string::npos);
  CHECK(first.error.value_or("").find("loopback") != std::string::npos);
}

TEST_CASE_METHOD(delivery_fixture, "a test event reaches the endpoint signed",
                 "[webhooks][delivery]") {
  auto ep = endpoint("/ok");
  auto id = db->write_now(store::in_transaction([&](store::database& d) {
    return lifecycle::queue_webhook_test(d, boss, ep.endpoint.id, std::chrono::system_clock::now());
  }));
  REQUIRE(id);
  dispatcher_runner run(*db, settings(), log);
  REQUIRE(receiver.wait_for(1, 20s));
  const auto got = receiver.received().at(0);
  CHECK(got.headers.at("webhook-id") == *id);
  CHECK(got.body.find(R"("type":"webhook.test")") != std::string::npos);
  CHECK(independently_verified(std::string(ep.secret.reveal()), got).value_or(true));
}
