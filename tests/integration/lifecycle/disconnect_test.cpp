// Disconnecting against the provider test server: who may, what the platform is asked, and that
// the grant is gone here whatever the platform answered.

#include "lifecycle/disconnect.hpp"

#include <catch2/catch.hpp>

#include "refresh_fixture.hpp"
#include "roster/error.hpp"

using namespace rosterd;
using namespace rosterd::testing;
using lifecycle::platform_revocation;

namespace {

struct disconnecting : refresh_fixture {
  std::optional<lifecycle::platform_access> platform() {
    return lifecycle::platform_access{providers, *holder->current(), *http};
  }
  base::result<lifecycle::disconnect_outcome> disconnect(
      const roster::caller& who, const std::string& id,
      const std::optional<lifecycle::platform_access>& access) {
    return run(lifecycle::disconnect(*db, access, who, id, now));
  }
  base::result<lifecycle::disconnect_outcome> disconnect(const roster::caller& who,
                                                         const std::string& id) {
    return disconnect(who, id, platform());
  }
  /// The detail of the connection's newest event.
  std::string last_event_detail(const std::string& id) {
    return db
        ->read_now([&](store::database& d) {
          return store::sql::first(
              d, "SELECT detail FROM connection_events WHERE connection_id = ? ORDER BY seq DESC",
              [](store::statement& s) { return s.column_text(0); }, id);
        })
        .value()
        .value_or("");
  }
};

}  // namespace

TEST_CASE("disconnecting asks the platform to revoke once and deletes the tokens here",
          "[disconnect]") {
  disconnecting f;
  const auto id = f.connect(f.ana, "tiktok");
  auto done = f.disconnect(f.ana_self(), id);
  REQUIRE(done.has_value());
  CHECK(done->at_platform == platform_revocation::revoked);
  CHECK(done->connection.id == id);
  CHECK(f.fake.calls("tiktok", "revoke") == 1);
  CHECK(f.grant("tiktok")["revoked"] == true);
  CHECK(f.column(id, "status") == "disconnected");
  CHECK(f.column(id, "access_token").empty());
  CHECK(f.column(id, "refresh_token").empty());
  CHECK(f.last_event_detail(id).find("revoked at the platform") != std::string::npos);
  CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'connection.disconnected'") == 1);
}

TEST_CASE("a platform without a revocation endpoint is not asked; the tokens still go",
          "[disconnect]") {
  disconnecting f;
  const auto id = f.connect(f.ana, "pinterest");
  auto done = f.disconnect(f.owner(), id);
  REQUIRE(done.has_value());
  CHECK(done->at_platform == platform_revocation::no_endpoint);
  CHECK(f.fake.calls("pinterest", "revoke") == 0);
  CHECK(f.column(id, "status") == "disconnected");
  CHECK(f.column(id, "access_token").empty());
  CHECK(done->reason.find("remove the app there") != std::string::npos);
}

TEST_CASE("a platform that refuses the revocation or cannot be reached still loses the grant here",
          "[disconnect]") {
  disconnecting f;
  const auto refused = f.connect(f.ana, "tiktok");
  f.fake.fail_next(
      R"({"provider":"tiktok","endpoint":"revoke","kind":"server_error","status":503})");
  auto answered = f.disconnect(f.ana_self(), refused);
  REQUIRE(answered.has_value());
  CHECK(answered->at_platform == platform_revocation::refused);
  CHECK(answered->reason.find("HTTP 503") != std::string::npos);
  CHECK(f.column(refused, "status") == "disconnected");
  CHECK(f.column(refused, "access_token").empty());

  const auto cut = f.connect(f.ben, "tiktok");
  f.fake.fail_next(R"({"provider":"tiktok","endpoint":"revoke","kind":"reset"})");
  auto unreachable = f.disconnect(f.owner(), cut);
  REQUIRE(unreachable.has_value());
  CHECK(unreachable->at_platform == platform_revocation::unreachable);
  CHECK(f.column(cut, "status") == "disconnected");
  CHECK(f.column(cut, "access_token").empty());
}

TEST_CASE("without a provider configuration nothing is asked and the tokens still go",
          "[disconnect]") {
  disconnecting f;
  const auto id = f.connect(f.ana, "tiktok");
  auto done = f.disconnect(f.owner(), id, std::nullopt);
  REQUIRE(done.has_value());
  CHECK(done->at_platform == platform_revocation::not_configured);
  CHECK(f.fake.calls("tiktok", "revoke") == 0);
  CHECK(f.column(id, "status") == "disconnected");
}

TEST_CASE("disconnecting a disconnected profile does not ask the platform again", "[disconnect]") {
  disconnecting f;
  const auto id = f.connect(f.ana, "tiktok");
  REQUIRE(f.disconnect(f.ana_self(), id).has_value());
  auto again = f.disconnect(f.ana_self(), id);
  REQUIRE(again.has_value());
  CHECK(again->at_platform == platform_revocation::not_asked);
  CHECK(f.fake.calls("tiktok", "revoke") == 1);
  CHECK(f.column(id, "status") == "disconnected");
}

TEST_CASE("agents and service tokens may not disconnect, and the platform is never asked",
          "[disconnect]") {
  disconnecting f;
  const auto id = f.connect(f.ana, "tiktok");
  for (const auto& who : {f.amy(), f.service()}) {
    auto refused = f.disconnect(who, id);
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().code == roster::errc::forbidden);
  }
  auto off_team = f.disconnect(f.bo(), id);
  REQUIRE_FALSE(off_team.has_value());
  CHECK(off_team.error().code == roster::errc::not_found);
  CHECK(f.fake.calls("tiktok", "revoke") == 0);
  CHECK(f.column(id, "status") == "connected");
  CHECK_FALSE(f.column(id, "access_token").empty());
}
