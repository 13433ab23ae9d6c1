// Webhook endpoints and the events queued for them, on a real SQLite roster: who may manage
// them, what a bad input is told, that a secret is shown once, and that publishing is
// idempotent and part of the caller's transaction.

#include "lifecycle/webhooks.hpp"

#include <catch2/catch.hpp>

#include "lifecycle/webhook_deliveries.hpp"
#include "roster/error.hpp"
#include "store/in_transaction.hpp"
#include "store/transaction.hpp"
#include "tests/integration/lifecycle/lifecycle_fixture.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd;
using namespace std::chrono_literals;

namespace {

struct webhook_fixture : testing::lifecycle_fixture {
  lifecycle::webhook_target_rules public_only;
  // Resolved once: a caller lookup inside a write would wait for the writer it is on.
  roster::caller boss = owner();

  base::result<lifecycle::webhook_endpoint_with_secret> create(const roster::caller& who,
                                                               const std::string& url,
                                                               std::vector<std::string> events = {
                                                                   "connection.expiring"}) {
    return db->write_now(store::in_transaction([&](store::database& d) {
      return lifecycle::create_webhook_endpoint(d, who, {url, "campaign tool", events}, public_only,
                                                now);
    }));
  }

  int publish(lifecycle::webhook_event e, const std::string& key) {
    lifecycle::webhook_subject s;
    s.account_id = account_id;
    s.creator_id = ana;
    s.creator_name = "Ana Lima";
    s.connection_id = "con_1";
    s.provider = "instagram";
    return db
        ->write_now(store::in_transaction([&](store::database& d) {
          return lifecycle::publish_webhook_event(d, e, s, key, now);
        }))
        .value();
  }

  std::int64_t count(const std::string& sql) {
    return db->read_now([&](store::database& d) { return store::sql::integer(d, sql); }).value();
  }
};

std::string message_of(const base::failure& f) {
  return f.client_message.empty() ? f.detail : f.client_message;
}

}  // namespace

TEST_CASE_METHOD(webhook_fixture, "an owner creates an endpoint and sees its secret only once",
                 "[webhooks]") {
  auto made = create(boss, "https://hooks.example.com/rosterd");
  REQUIRE(made);
  CHECK(made->secret.reveal().substr(0, 6) == "whsec_");
  CHECK(made->endpoint.id.substr(0, 4) == "whk_");
  CHECK(made->endpoint.events == std::vector<std::string>{"connection.expiring"});
  CHECK(made->endpoint.enabled);

  auto listed =
      db->read_now([&](store::database& d) { return lifecycle::list_webhook_endpoints(d, boss); });
  REQUIRE(listed);
  REQUIRE(listed->size() == 1);
  // The record type has no secret field at all: nothing that lists or reads an endpoint can
  // carry it. The audit log names the action, never the secret.
  CHECK(count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.created'") == 1);
  CHECK(count("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%whsec_%'") == 0);
}

TEST_CASE_METHOD(webhook_fixture, "agents, creators and service tokens may not manage webhooks",
                 "[webhooks]") {
  const roster::caller others[] = {amy(), ana_self(), service()};
  for (const auto& who : others) {
    auto made = create(who, "https://hooks.example.com/rosterd");
    REQUIRE_FALSE(made);
    CHECK(made.error().code == roster::errc::forbidden);
  }
  auto ok = create(boss, "https://hooks.example.com/rosterd");
  REQUIRE(ok);
  auto listed =
      db->read_now([&](store::database& d) { return lifecycle::list_webhook_endpoints(d, amy()); });
  REQUIRE_FALSE(listed);
  CHECK(listed.error().code == roster::errc::forbidden);
}

TEST_CASE_METHOD(webhook_fixture, "a bad webhook URL is refused with what to fix", "[webhooks]") {
  const std::pair<const char*, const char*> cases[] = {
      {"", "required"},
      {"http://hooks.example.com/x", "https://"},
      {"ftp://hooks.example.com/x", "https://"},
      {"not a url", "valid absolute URL"},
      {"https://user:pw@hooks.example.com/x", "user name or password"},
      {"https://hooks.example.com/x#frag", "fragment"},
      {"https://127.0.0.1/x", "loopback"},
      {"https://[::1]/x", "loopback"},
      {"https://10.0.0.8/x", "private"},
      {"https://169.254.169.254/latest/meta-data", "metadata"},
      {"https://100.64.0.1/x", "carrier-grade NAT"},
      {"https://[::ffff:127.0.0.1]/x", "loopback"},
      {"https://0.0.0.0/x", "unspecified"},
  };
  for (const auto& [url, says] : cases) {
    INFO(url);
    auto made = create(boss, url);
    REQUIRE_FALSE(made);
    CHECK(made.error().code == roster::errc::invalid_argument);
    CHECK(message_of(made.error()).find(says) != std::string::npos);
  }
  CHECK(count("SELECT COUNT(*) FROM webhook_endpoints") == 0);
}

TEST_CASE_METHOD(webhook_fixture, "unknown, duplicate or missing event types are refused",
                 "[webhooks]") {
  auto unknown = create(boss, "https://hooks.example.com/x", {"connection.exploded"});
  REQUIRE_FALSE(unknown);
  CHECK(message_of(unknown.error()).find("connection.exploded") != std::string::npos);
  CHECK(message_of(unknown.error()).find("invitation.accepted") != std::string::npos);
  auto twice =
      create(boss, "https://hooks.example.com/x", {"connection.expiring", "connection.expiring"});
  REQUIRE_FALSE(twice);
  CHECK(message_of(twice.error()).find("twice") != std::string::npos);
  auto none = create(boss, "https://hooks.example.com/x", {});
  REQUIRE_FALSE(none);
  CHECK(message_of(none.error()).find("at least one") != std::string::npos);
}

TEST_CASE_METHOD(webhook_fixture, "another account's endpoint is not found", "[webhooks]") {
  auto made = create(boss, "https://hooks.example.com/x");
  REQUIRE(made);
  auto stranger = boss;
  stranger.account_id = "acc_other";
  auto got = db->read_now([&](store::database& d) {
    return lifecycle::get_webhook_endpoint(d, stranger, made->endpoint.id);
  });
  REQUIRE_FALSE(got);
  CHECK(got.error().code == roster::errc::not_found);
}

TEST_CASE_METHOD(webhook_fixture,
                 "an event is queued once per subscribed enabled endpoint, and once per key",
                 "[webhooks]") {
  auto expiring = create(boss, "https://a.example.com/x", {"connection.expiring"});
  auto both =
      create(boss, "https://b.example.com/x", {"connection.expiring", "connection.revoked"});
  auto other = create(boss, "https://c.example.com/x", {"invitation.accepted"});
  REQUIRE((expiring && both && other));

  CHECK(publish(lifecycle::webhook_event::connection_expiring, "con_1:2026-12-20:7d") == 2);
  CHECK(publish(lifecycle::webhook_event::connection_expiring, "con_1:2026-12-20:7d") == 0);
  CHECK(publish(lifecycle::webhook_event::connection_revoked, "con_1:revoked") == 1);
  CHECK(count("SELECT COUNT(*) FROM webhook_deliveries") == 3);
  // Both endpoints carry the same webhook-id for the same event: receivers deduplicate by it.
  CHECK(count("SELECT COUNT(DISTINCT webhook_id) FROM webhook_deliveries "
              "WHERE event_type = 'connection.expiring'") == 1);

  auto disabled = db->write_now(store::in_transaction([&](store::database& d) {
    return lifecycle::update_webhook_endpoint(d, boss, both->endpoint.id,
                                              {.url = std::nullopt,
                                               .events = std::nullopt,
                                               .description = std::nullopt,
                                               .enabled = false},
                                              public_only, now);
  }));
  REQUIRE(disabled);
  CHECK_FALSE(disabled->enabled);
  // Its pending deliveries are cancelled and it gets no new ones.
  CHECK(count("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'") == 1);
  CHECK(publish(lifecycle::webhook_event::connection_expiring, "con_1:2026-12-20:1d") == 1);
}

TEST_CASE_METHOD(webhook_fixture, "an event rolls back with the change that published it",
                 "[webhooks]") {
  REQUIRE(create(boss, "https://a.example.com/x"));
  auto rolled_back = db->write_now([&](store::database& d) -> base::result<void> {
    auto tx = store::transaction::begin(d);
    REQUIRE(tx);
    lifecycle::webhook_subject s;
    s.account_id = account_id;
    s.creator_id = ana;
    s.creator_name = "Ana Lima";
    auto queued = lifecycle::publish_webhook_event(d, lifecycle::webhook_event::connection_expiring,
                                                   s, "k", now);
    REQUIRE(queued);
    CHECK(*queued == 1);
    return {};  // no commit: the transaction rolls back
  });
  REQUIRE(rolled_back);
  CHECK(count("SELECT COUNT(*) FROM webhook_deliveries") == 0);
}

TEST_CASE_METHOD(webhook_fixture, "the payload is the Standard Webhooks shape with no secret",
                 "[webhooks]") {
  lifecycle::webhook_subject s;
  s.account_id = account_id;
  s.creator_id = ana;
  s.creator_name = "Ana \"Lima\"";
  s.provider = "tiktok";
  s.reauth_due_at = "2026-12-20T00:00:00Z";
  const auto body = lifecycle::webhook_payload("connection.expiring", s,
                                               std::chrono::system_clock::time_point(1765000000s));
  CHECK(body.find(R"("type":"connection.expiring")") != std::string::npos);
  CHECK(body.find(R"("timestamp":"2025-12-06T05:46:40Z")") != std::string::npos);
  CHECK(body.find(R"("creator_name":"Ana \"Lima\"")") != std::string::npos);
  CHECK(body.find(R"("reauth_due_at":"2026-12-20T00:00:00Z")") != std::string::npos);
  CHECK(body.find("connection_id") == std::string::npos);  // absent, not null
}

TEST_CASE_METHOD(webhook_fixture,
                 "after a rotation both secrets sign for a day, then only the new one",
                 "[webhooks]") {
  auto made = create(boss, "https://a.example.com/x");
  REQUIRE(made);
  auto rotated = db->write_now(store::in_transaction([&](store::database& d) {
    return lifecycle::rotate_webhook_secret(d, boss, made->endpoint.id, now);
  }));
  REQUIRE(rotated);
  CHECK(rotated->secret.reveal() != made->secret.reveal());
  CHECK(rotated->endpoint.previous_secret_until);
  CHECK(publish(lifecycle::webhook_event::connection_expiring, "k1") == 1);

  const auto claim_at = [&](std::chrono::system_clock::time_point at) {
    return db
        ->write_now(store::in_transaction([&](store::database& d) {
          return lifecycle::claim_due_webhook_deliveries(d, at, 1s, 5, {});
        }))
        .value();
  };
  auto soon = claim_at(now + 1h);
  REQUIRE(soon.size() == 1);
  REQUIRE(soon[0].secrets.size() == 2);
  CHECK(soon[0].secrets[0].reveal() == rotated->secret.reveal());
  CHECK(soon[0].secrets[1].reveal() == made->secret.reveal());
  auto later = claim_at(now + 25h);  // the lease of 1 s has long passed
  REQUIRE(later.size() == 1);
  CHECK(later[0].secrets.size() == 1);
  CHECK(count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.secret_rotated'") == 1);
}

TEST_CASE_METHOD(webhook_fixture, "deleting an endpoint removes its deliveries and is audited",
                 "[webhooks]") {
  auto made = create(boss, "https://a.example.com/x");
  REQUIRE(made);
  CHECK(publish(lifecycle::webhook_event::connection_expiring, "k1") == 1);
  auto deleted = db->write_now(store::in_transaction([&](store::database& d) {
    return lifecycle::delete_webhook_endpoint(d, boss, made->endpoint.id, now);
  }));
  REQUIRE(deleted);
  CHECK(count("SELECT COUNT(*) FROM webhook_deliveries") == 0);
  CHECK(count("SELECT COUNT(*) FROM audit_log WHERE action = 'webhook.deleted'") == 1);
}
