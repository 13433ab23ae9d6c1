// Platform signals find a connection by any id the platform gave its account: Instagram's
// deauthorize and data-deletion callbacks name the app-scoped id, not the professional user_id
// the connection keeps as external_id.

#include "lifecycle/connection_identities.hpp"

#include <catch2/catch.hpp>

#include "lifecycle/connections.hpp"
#include "lifecycle/signals.hpp"
#include "lifecycle_fixture.hpp"
#include "store/migrations.hpp"
#include "store/sql.hpp"
#include "store/transaction.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

struct identities : lifecycle_fixture {
  std::string save(const std::string& creator, const std::string& external_id,
                   std::vector<std::string> other_ids) {
    lifecycle::new_grant g;
    g.provider = "instagram";
    g.external_id = external_id;
    g.other_ids = std::move(other_ids);
    g.username = "user" + external_id;
    g.access_token = base::secret("ACCESS-" + external_id);
    return db
        ->write_now([&](store::database& d) {
          return lifecycle::save_connection(d, keys, account_id, creator, g, now);
        })
        .value()
        .record.id;
  }
  std::int64_t revoke(const std::string& provider, const std::string& id) {
    return db
        ->write_now([&](store::database& d) {
          return lifecycle::revoke_by_platform(d, provider, id, "removed the app", now, now);
        })
        .value();
  }
  std::vector<std::string> other_ids(const std::string& connection) {
    return db->read_now([&](store::database& d) { return lifecycle::other_ids_of(d, connection); })
        .value();
  }
  std::string status(const std::string& connection) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d, "SELECT status FROM connections WHERE id = ?",
              [](store::statement& s) { return s.column_text(0); }, connection);
        })
        .value()
        .value_or("");
  }
};

}  // namespace

TEST_CASE("a deauthorize naming the app-scoped id revokes the Instagram connection",
          "[connections][signals]") {
  identities f;
  const auto ana = f.save(f.ana, "17841400000000001", {"27000000000000001"});
  const auto ben = f.save(f.ben, "17841400000000002", {"27000000000000002"});
  CHECK(f.other_ids(ana) == std::vector<std::string>{"27000000000000001"});

  CHECK(f.revoke("facebook", "27000000000000001") == 0);   // another provider's namespace
  CHECK(f.revoke("instagram", "27000000000000001") == 1);  // the app-scoped id
  CHECK(f.status(ana) == "revoked");
  CHECK(f.status(ben) == "connected");
  CHECK(f.revoke("instagram", "27000000000000001") == 0);  // already without tokens

  CHECK(f.revoke("instagram", "17841400000000002") == 1);  // the main id still works
  CHECK(f.status(ben) == "revoked");
}

TEST_CASE("a data-deletion request naming the app-scoped id is matched and recorded",
          "[connections][signals]") {
  identities f;
  const auto ana = f.save(f.ana, "17841400000000001", {"27000000000000001"});
  const auto affected = f.db->write_now([&](store::database& d) {
                              return lifecycle::record_data_deletion(
                                  d, "instagram", "27000000000000001", "del_code_1", f.now, f.now);
                            })
                            .value();
  CHECK(affected == 1);
  CHECK(f.status(ana) == "revoked");
  CHECK(f.count("SELECT connections_affected FROM data_deletion_requests WHERE "
                "confirmation_code = 'del_code_1'") == 1);
}

TEST_CASE("a reconnect replaces the other ids: the old account's no longer match",
          "[connections][signals]") {
  identities f;
  const auto id = f.save(f.ana, "17841400000000001",
                         {"27000000000000001", "27000000000000001", "17841400000000001"});
  CHECK(f.other_ids(id) == std::vector<std::string>{"27000000000000001"});  // no repeats
  CHECK(f.save(f.ana, "17841400000000009", {"27000000000000009"}) == id);
  CHECK(f.other_ids(id) == std::vector<std::string>{"27000000000000009"});
  CHECK(f.revoke("instagram", "27000000000000001") == 0);
  CHECK(f.status(id) == "connected");
  CHECK(f.revoke("instagram", "27000000000000009") == 1);
}

TEST_CASE("data-deletion requests recorded before erasure existed are erased by migration 0006",
          "[connections][signals][migrations]") {
  identities f;
  // What rosterd kept for a request before it erased anything: the platform id in the
  // request, and the connection's ids, name and events as they were.
  const auto ana = f.save(f.ana, "17841400000000001", {"27000000000000001"});
  const auto ben = f.save(f.ben, "17841400000000002", {});
  const auto received = roster::stamp(f.now + std::chrono::minutes(5));
  f.db->write_now([&](store::database& d) {
        return store::sql::run(d,
                               "INSERT INTO data_deletion_requests (confirmation_code, provider, "
                               "external_id, received_at, connections_affected) VALUES "
                               "('legacy_code', 'instagram', '27000000000000001', ?, 1)",
                               received);
      })
      .value();
  REQUIRE(f.count("SELECT COUNT(*) FROM connection_events WHERE connection_id = '" + ana +
                  "' AND detail <> ''") > 0);

  const auto& m = store::builtin_migrations()[5];
  REQUIRE(m.name == "0006_erase_older_data_deletions.sql");
  f.db->write_now([&](store::database& d) {
        auto tx = store::transaction::begin(d).value();
        REQUIRE(d.exec(std::string(m.sql)).has_value());
        return tx.commit();
      })
      .value();

  CHECK(f.count("SELECT COUNT(*) FROM data_deletion_requests WHERE external_id <> ''") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM connections WHERE id = '" + ana +
                "' AND external_id = '' AND username = '' AND access_token IS NULL") == 1);
  CHECK(f.status(ana) == "revoked");
  CHECK(f.other_ids(ana).empty());
  CHECK(f.count("SELECT COUNT(*) FROM connection_events WHERE connection_id = '" + ana +
                "' AND kind <> 'data_deleted' AND detail <> ''") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM connection_events WHERE connection_id = '" + ana +
                "' AND kind = 'data_deleted' AND at = '" + received + "'") == 1);
  CHECK(f.count("SELECT COUNT(*) FROM temp.sqlite_master") == 0);  // nothing left behind
  // Someone the request did not name keeps everything.
  CHECK(f.count("SELECT COUNT(*) FROM connections WHERE id = '" + ben +
                "' AND external_id = '17841400000000002' AND username <> '' AND access_token "
                "IS NOT NULL") == 1);
}
