// The events lifecycle code queues itself, on a real SQLite roster: connection.connected with
// the stored connection (in its transaction, so a rollback or crash loses neither), and
// invitation.expired from the sweep over invitations whose expiry just passed.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "lifecycle/connections.hpp"
#include "lifecycle/invitation_expiry.hpp"
#include "lifecycle/webhooks.hpp"
#include "store/in_transaction.hpp"
#include "store/sql.hpp"
#include "store/timestamp.hpp"
#include "store/transaction.hpp"
#include "tests/integration/lifecycle/lifecycle_fixture.hpp"
#include "tests/support/catch_result.hpp"

using namespace rosterd;
using namespace std::chrono_literals;
using rosterd::lifecycle::time_point;

namespace {

struct producer_fixture : testing::lifecycle_fixture {
  roster::caller boss = owner();

  void subscribe(std::vector<std::string> events) {
    auto made = db->write_now(store::in_transaction([&](store::database& d) {
      return lifecycle::create_webhook_endpoint(
          d, boss, {"https://hooks.example.com/x", "", events}, {}, now);
    }));
    REQUIRE(made);
  }

  lifecycle::new_grant grant(const std::string& external_id) const {
    lifecycle::new_grant g;
    g.provider = "tiktok";
    g.external_id = external_id;
    g.username = "ana.makes";
    g.access_token = base::secret("ACCESS-CANARY-" + external_id);
    g.refresh_token = base::secret("REFRESH-CANARY-" + external_id);
    g.access_expires_at = now + 2h;
    return g;
  }

  std::vector<nlohmann::json> payloads(const std::string& type) {
    std::vector<nlohmann::json> out;
    auto read = db->read_now([&](store::database& d) {
      return store::sql::each(
          d, "SELECT payload FROM webhook_deliveries WHERE event_type = ? ORDER BY created_at, id",
          [&out](store::statement& st) { out.push_back(nlohmann::json::parse(st.column_text(0))); },
          type);
    });
    REQUIRE(read);
    return out;
  }

  std::string expiry_of(const std::string& email) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d,
              "SELECT i.expires_at FROM invitations i JOIN users u ON u.id = i.user_id "
              "WHERE u.email = ? AND i.status = 'pending'",
              [](store::statement& st) { return st.column_text(0); }, email);
        })
        .value()
        .value();
  }
};

}  // namespace

TEST_CASE_METHOD(producer_fixture,
                 "a saved connection queues connection.connected with it, and each reconnect again",
                 "[webhooks][producers]") {
  subscribe({"connection.connected"});
  auto save = [&](const std::string& external_id, time_point at) {
    return db->write_now(store::in_transaction([&](store::database& d) {
      return lifecycle::save_connection(d, keys, account_id, ana, grant(external_id), at);
    }));
  };
  auto first = save("1001", now);
  REQUIRE(first);
  auto sent = payloads("connection.connected");
  REQUIRE(sent.size() == 1);
  const auto& data = sent[0]["data"];
  CHECK(data["connection_id"] == first->record.id);
  CHECK(data["creator_id"] == ana);
  CHECK(data["creator_name"] == "Ana Lima");
  CHECK(data["provider"] == "tiktok");
  CHECK(data["status"] == "connected");
  CHECK(data["username"] == "ana.makes");
  CHECK(sent[0].dump().find("CANARY") == std::string::npos);

  REQUIRE(save("1001", now + 1h));
  CHECK(payloads("connection.connected").size() == 2);
}

TEST_CASE_METHOD(producer_fixture, "a connection that rolls back queues no connection.connected",
                 "[webhooks][producers]") {
  subscribe({"connection.connected"});
  auto rolled_back = db->write_now([&](store::database& d) -> base::result<void> {
    auto tx = store::transaction::begin(d);
    REQUIRE(tx);
    REQUIRE(lifecycle::save_connection(d, keys, account_id, ana, grant("1001"), now));
    return {};  // no commit
  });
  REQUIRE(rolled_back);
  CHECK(payloads("connection.connected").empty());
}

TEST_CASE_METHOD(producer_fixture,
                 "a creator invitation whose expiry passed is announced once as invitation.expired",
                 "[webhooks][producers]") {
  subscribe({"invitation.expired"});
  const auto expires_text = expiry_of("ana@creators.test");
  // Ben's invitation was resent: it expires a week later, outside the windows swept here.
  REQUIRE(db->write_now([&](store::database& d) {
    return store::sql::run(d,
                           "UPDATE invitations SET expires_at = ? WHERE status = 'pending' AND "
                           "user_id = (SELECT id FROM users WHERE email = 'ben@creators.test')",
                           store::iso8601_utc(*store::parse_iso8601_utc(expires_text) + 168h));
  }));
  const auto expires = store::parse_iso8601_utc(expires_text).value();
  // amy's (an agent's) invitation expires at the same moment: not about a creator, unannounced.
  REQUIRE(db->write_now([&](store::database& d) {
    return store::sql::run(d,
                           "UPDATE invitations SET expires_at = ? WHERE status = 'pending' AND "
                           "user_id = (SELECT id FROM users WHERE email = 'amy@agency.test')",
                           expires_text);
  }));
  REQUIRE(expiry_of("amy@agency.test") == expires_text);
  auto sweep = [&](time_point since, time_point until) {
    return db
        ->write_now(store::in_transaction([&](store::database& d) {
          return lifecycle::publish_expired_invitations(d, since, until);
        }))
        .value();
  };
  CHECK(sweep(now, expires - 1s) == 0);  // not yet expired
  CHECK(sweep(expires - 1s, expires + 1s) == 1);
  // A sweep repeated over the same window (after a crash) queues nothing twice; a later window
  // no longer sees it.
  CHECK(sweep(now, expires + 1s) == 0);
  CHECK(sweep(expires + 1s, expires + 2h) == 0);

  const auto sent = payloads("invitation.expired");
  REQUIRE(sent.size() == 1);
  CHECK(sent[0]["data"]["creator_name"] == "Ana Lima");
  CHECK_FALSE(sent[0]["data"]["invitation_id"].get<std::string>().empty());
}
