// Connections against a real SQLite file: tokens sealed and bound to their row, what a
// reconnect records, who sees and who may disconnect, and ciphertext that fails closed.

#include "lifecycle/connections.hpp"

#include <catch2/catch.hpp>

#include "lifecycle/error.hpp"
#include "lifecycle_fixture.hpp"
#include "roster/error.hpp"
#include "vault/error.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

struct connections : lifecycle_fixture {
  lifecycle::saved_connection save(const std::string& creator, const std::string& provider,
                                   const std::string& external_id,
                                   std::vector<std::string> granted = {}) {
    lifecycle::new_grant g;
    g.provider = provider;
    g.external_id = external_id;
    g.username = "user" + external_id;
    g.requested_scopes = {"user.info.basic", "video.list"};
    g.granted_scopes = std::move(granted);
    g.access_token = base::secret("ACCESS-CANARY-" + external_id);
    g.refresh_token = base::secret("REFRESH-CANARY-" + external_id);
    g.access_expires_at = now + std::chrono::hours(2);
    return db
        ->write_now([&](store::database& d) {
          return lifecycle::save_connection(d, keys, account_id, creator, g, now);
        })
        .value();
  }
  base::result<lifecycle::token_pair> tokens(const std::string& id) {
    return db->read_now([&](store::database& d) { return lifecycle::read_tokens(d, keys, id); });
  }
  std::vector<std::string> event_kinds(const std::string& creator) {
    const auto who = owner();
    auto events = db->read_now(
        [&](store::database& d) { return lifecycle::list_events(d, who, creator, 50); });
    std::vector<std::string> kinds;
    for (const auto& e : events.value()) {
      kinds.push_back(e.kind);
    }
    return kinds;
  }
};

}  // namespace

TEST_CASE("a saved connection keeps its tokens sealed and opens them again", "[connections]") {
  connections f;
  auto saved = f.save(f.ana, "tiktok", "1001");
  CHECK(saved.first_time);
  CHECK(saved.record.status == lifecycle::connection_status::connected);
  CHECK(saved.record.has_refresh_token);
  auto t = f.tokens(saved.record.id).value();
  CHECK(t.access_token.reveal() == "ACCESS-CANARY-1001");
  REQUIRE(t.refresh_token);
  CHECK(t.refresh_token->reveal() == "REFRESH-CANARY-1001");
  CHECK(f.count("SELECT COUNT(*) FROM connections WHERE instr(CAST(access_token AS TEXT), "
                "'CANARY') > 0 OR instr(CAST(refresh_token AS TEXT), 'CANARY') > 0") == 0);
  CHECK(f.event_kinds(f.ana) == std::vector<std::string>{"connected"});
}

TEST_CASE("ciphertext swapped between rows or columns, or altered, fails closed", "[connections]") {
  connections f;
  const auto a = f.save(f.ana, "tiktok", "1001").record.id;
  const auto b = f.save(f.ben, "tiktok", "2002").record.id;
  auto exec = [&](const std::string& sql) {
    f.db->write_now([&](store::database& d) { return d.exec(sql); }).value();
  };
  exec("UPDATE connections SET access_token = (SELECT access_token FROM connections WHERE id = '" +
       b + "') WHERE id = '" + a + "'");
  auto swapped = f.tokens(a);
  REQUIRE_FALSE(swapped.has_value());
  CHECK(swapped.error().code == vault::errc::decrypt_failed);

  exec("UPDATE connections SET access_token = refresh_token WHERE id = '" + b + "'");
  auto crossed = f.tokens(b);
  REQUIRE_FALSE(crossed.has_value());
  CHECK(crossed.error().code == vault::errc::decrypt_failed);

  const auto c = f.save(f.ana, "pinterest", "3003").record.id;
  exec(
      "UPDATE connections SET refresh_token = substr(refresh_token, 1, 20) || "
      "X'00' || substr(refresh_token, 22) WHERE id = '" +
      c + "'");
  auto altered = f.tokens(c);
  REQUIRE_FALSE(altered.has_value());
  CHECK(altered.error().code == vault::errc::decrypt_failed);
}

TEST_CASE("a reconnect to another platform account is flagged and recorded", "[connections]") {
  connections f;
  f.save(f.ana, "instagram", "1001");
  auto again = f.save(f.ana, "instagram", "1001");
  CHECK_FALSE(again.first_time);
  CHECK_FALSE(again.account_changed);
  auto other = f.save(f.ana, "instagram", "9999");
  CHECK(other.account_changed);
  REQUIRE(other.record.previous_external_id);
  CHECK(*other.record.previous_external_id == "1001");
  CHECK(other.record.external_id == "9999");
  CHECK(f.count("SELECT COUNT(*) FROM connections") == 1);
  CHECK(f.event_kinds(f.ana) ==
        std::vector<std::string>{"account_changed", "reconnected", "reconnected", "connected"});
}

TEST_CASE("fewer scopes than requested are reported as missing", "[connections]") {
  connections f;
  auto partial = f.save(f.ana, "tiktok", "1001", {"user.info.basic"});
  CHECK(partial.missing_scopes == std::vector<std::string>{"video.list"});
  auto full = f.save(f.ana, "tiktok", "1001", {"video.list", "user.info.basic"});
  CHECK(full.missing_scopes.empty());
  CHECK(f.count("SELECT COUNT(*) FROM connection_events WHERE kind = 'scopes_missing' AND "
                "detail = 'video.list'") == 1);
}

TEST_CASE("connections are seen by the creator's team and admins only", "[connections]") {
  connections f;
  const auto id = f.save(f.ana, "tiktok", "1001").record.id;
  for (const auto& who : {f.owner(), f.amy(), f.ana_self(), f.service()}) {
    auto got =
        f.db->read_now([&](store::database& d) { return lifecycle::get_connection(d, who, id); });
    CHECK(got.has_value());
  }
  for (const auto& who : {f.bo(), f.caller_for("ben@creators.test")}) {
    auto got =
        f.db->read_now([&](store::database& d) { return lifecycle::get_connection(d, who, id); });
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().code == roster::errc::not_found);
    auto listed = f.db->read_now(
        [&](store::database& d) { return lifecycle::list_connections(d, who, f.ana); });
    REQUIRE_FALSE(listed.has_value());
    CHECK(listed.error().code == roster::errc::not_found);
  }
}

TEST_CASE("only the creator or an admin may disconnect; the tokens are then gone",
          "[connections]") {
  connections f;
  const auto id = f.save(f.ana, "tiktok", "1001").record.id;
  for (const auto& who : {f.amy(), f.service()}) {
    auto denied = f.db->read_now(
        [&](store::database& d) { return lifecycle::check_may_disconnect(d, who, id); });
    REQUIRE_FALSE(denied.has_value());
    CHECK(denied.error().code == roster::errc::forbidden);
  }
  const auto bo = f.bo();
  auto hidden = f.db->read_now(
      [&](store::database& d) { return lifecycle::check_may_disconnect(d, bo, id); });
  CHECK(hidden.error().code == roster::errc::not_found);

  const auto ana = f.ana_self();
  auto allowed = f.db->read_now(
      [&](store::database& d) { return lifecycle::check_may_disconnect(d, ana, id); });
  REQUIRE(allowed.has_value());
  f.db->write_now([&](store::database& d) {
        return lifecycle::drop_tokens(d, *allowed, lifecycle::connection_status::disconnected,
                                      lifecycle::status_reason::disconnected,
                                      "disconnected by the creator", ana, f.now);
      })
      .value();
  auto gone = f.tokens(id);
  REQUIRE_FALSE(gone.has_value());
  CHECK(gone.error().code == lifecycle::errc::not_connected);
  CHECK(f.count("SELECT COUNT(*) FROM connections WHERE access_token IS NULL AND refresh_token "
                "IS NULL AND status = 'disconnected'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'connection.disconnected'") == 1);
}
