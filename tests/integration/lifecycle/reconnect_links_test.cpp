// Reconnect links against a real SQLite file: who may make them, what opening one shows, and
// every way a link dies.

#include "lifecycle/reconnect_links.hpp"

#include <catch2/catch.hpp>

#include "lifecycle/connections.hpp"
#include "lifecycle_fixture.hpp"
#include "roster/error.hpp"
#include "store/sql.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

const std::vector<std::string> enabled{"instagram", "tiktok"};

struct links : lifecycle_fixture {
  lifecycle::link_settings settings_for_links{std::chrono::hours(24 * 7), "https://roster.test"};

  base::result<lifecycle::new_link> make(const roster::caller& who, const std::string& creator,
                                         std::vector<std::string> providers = {},
                                         roster::time_point at = {}) {
    const auto when = at == roster::time_point{} ? now : at;
    return db->write_now([&](store::database& d) {
      return lifecycle::create_link(d, who, creator, providers, enabled, settings_for_links, when);
    });
  }
  base::result<lifecycle::opened_link> open(const std::string& token, roster::time_point at) {
    return db->read_now([&](store::database& d) { return lifecycle::open_link(d, token, at); });
  }
  static std::string token_of(const lifecycle::new_link& l) {
    const auto url = std::string(l.url.reveal());
    return url.substr(url.rfind('/') + 1);
  }
};

}  // namespace

TEST_CASE("owners, the creator and agents on the team make links; others cannot", "[links]") {
  links f;
  CHECK(f.make(f.owner(), f.ana).has_value());
  CHECK(f.make(f.amy(), f.ana).has_value());
  CHECK(f.make(f.ana_self(), f.ana).has_value());

  auto off_team = f.make(f.bo(), f.ana);
  REQUIRE_FALSE(off_team.has_value());
  CHECK(off_team.error().code == roster::errc::not_found);
  auto other_creator = f.make(f.ana_self(), f.ben);
  REQUIRE_FALSE(other_creator.has_value());
  CHECK(other_creator.error().code == roster::errc::not_found);
  auto service = f.make(f.service(), f.ana);
  REQUIRE_FALSE(service.has_value());
  CHECK(service.error().code == roster::errc::forbidden);
  CHECK(f.count("SELECT COUNT(*) FROM reconnect_links") == 3);
}

TEST_CASE("a link names only enabled providers and defaults to all of them", "[links]") {
  links f;
  auto all = f.make(f.owner(), f.ana).value();
  CHECK(all.link.providers == enabled);
  auto one = f.make(f.owner(), f.ana, {"tiktok"}).value();
  CHECK(one.link.providers == std::vector<std::string>{"tiktok"});
  auto bad = f.make(f.owner(), f.ana, {"myspace"});
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.error().code == roster::errc::invalid_argument);
  CHECK(bad.error().detail.find("providers: myspace") == 0);
}

TEST_CASE("opening a link shows the creator and agency; the token is stored only hashed",
          "[links]") {
  links f;
  auto made = f.make(f.amy(), f.ana).value();
  const auto token = links::token_of(made);
  CHECK(std::string(made.url.reveal()).rfind("https://roster.test/connect/rdlink_", 0) == 0);
  auto opened = f.open(token, f.now).value();
  CHECK(opened.creator_name == "Ana Lima");
  CHECK(opened.agency_name == "Talent Partnerships");
  CHECK(opened.link.creator_id == f.ana);
  CHECK(f.count("SELECT COUNT(*) FROM reconnect_links WHERE token_hash = '" + token + "'") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM audit_log WHERE action = 'reconnect_link.created'") == 1);
}

TEST_CASE("expired, revoked, unknown and completed links each say why and give no access",
          "[links]") {
  links f;
  auto made = f.make(f.owner(), f.ana, {"tiktok"}).value();
  const auto token = links::token_of(made);

  auto late = f.open(token, f.now + std::chrono::hours(24 * 7 + 1));
  REQUIRE_FALSE(late.has_value());
  CHECK(late.error().code == roster::errc::token_expired);

  auto unknown = f.open("rdlink_" + std::string(43, 'A'), f.now);
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == roster::errc::token_invalid);
  auto malformed = f.open("not-a-link", f.now);
  REQUIRE_FALSE(malformed.has_value());
  CHECK(malformed.error().code == roster::errc::token_invalid);

  // Connected on every platform it names, after the link was made: dead.
  const auto later = f.now + std::chrono::minutes(1);
  f.db->write_now([&](store::database& d) -> base::result<void> {
        lifecycle::new_grant g;
        g.provider = "tiktok";
        g.external_id = "open-1";
        g.access_token = base::secret("access-CANARY");
        auto saved = lifecycle::save_connection(d, f.keys, f.account_id, f.ana, g, later);
        if (!saved) {
          return saved.error();
        }
        return lifecycle::complete_link_if_done(d, made.link.id, later);
      })
      .value();
  auto done = f.open(token, later);
  REQUIRE_FALSE(done.has_value());
  CHECK(done.error().code == roster::errc::token_used);

  auto second = f.make(f.owner(), f.ana).value();
  const auto amy = f.amy();
  auto revoked = f.db->write_now(
      [&](store::database& d) { return lifecycle::revoke_link(d, amy, second.link.id, f.now); });
  REQUIRE(revoked.has_value());
  CHECK(revoked->state == lifecycle::link_state::revoked);
  auto after = f.open(links::token_of(second), f.now);
  REQUIRE_FALSE(after.has_value());
  CHECK(after.error().code == roster::errc::token_revoked);
}

TEST_CASE("a link of a creator the caller cannot see can be neither listed nor revoked",
          "[links]") {
  links f;
  auto made = f.make(f.owner(), f.ana).value();
  const auto bo = f.bo();
  const auto amy = f.amy();
  auto listed = f.db->read_now(
      [&](store::database& d) { return lifecycle::list_links(d, bo, f.ana, f.now); });
  REQUIRE_FALSE(listed.has_value());
  CHECK(listed.error().code == roster::errc::not_found);
  auto revoked = f.db->write_now(
      [&](store::database& d) { return lifecycle::revoke_link(d, bo, made.link.id, f.now); });
  REQUIRE_FALSE(revoked.has_value());
  CHECK(revoked.error().code == roster::errc::not_found);
  CHECK(f.count("SELECT COUNT(*) FROM reconnect_links WHERE revoked_at IS NOT NULL") == 0);
  auto mine = f.db->read_now(
      [&](store::database& d) { return lifecycle::list_links(d, amy, f.ana, f.now); });
  REQUIRE(mine.has_value());
  CHECK(mine->size() == 1);
}

TEST_CASE("a link found by id (a retry) is refused for a removed creator or a disabled account",
          "[links]") {
  links f;
  auto made = f.make(f.owner(), f.ana, {"tiktok"}).value();
  const auto token = links::token_of(made);
  const auto usable = [&] {
    return f.db->read_now(
        [&](store::database& d) { return lifecycle::usable_link(d, made.link.id, f.now); });
  };
  const auto set = [&](const std::string& sql, const std::string& id) {
    f.db->write_now([&](store::database& d) { return store::sql::run(d, sql, id); }).value();
  };
  REQUIRE(usable().has_value());
  REQUIRE(f.open(token, f.now).has_value());

  set("UPDATE accounts SET status = 'disabled' WHERE id = ?", f.account_id);
  CHECK(f.open(token, f.now).error().code == roster::errc::token_invalid);
  auto by_id = usable();
  REQUIRE_FALSE(by_id.has_value());
  CHECK(by_id.error().code == roster::errc::token_invalid);

  set("UPDATE accounts SET status = 'active' WHERE id = ?", f.account_id);
  REQUIRE(usable().has_value());
  set("UPDATE creators SET status = 'removed' WHERE id = ?", f.ana);
  CHECK(f.open(token, f.now).error().code == roster::errc::token_invalid);
  by_id = usable();
  REQUIRE_FALSE(by_id.has_value());
  CHECK(by_id.error().code == roster::errc::token_invalid);
}

TEST_CASE("a platform is done on a link once connected after it was made, not before", "[links]") {
  links f;
  const auto connect = [&](roster::time_point at) {
    f.db->write_now([&](store::database& d) -> base::result<void> {
          lifecycle::new_grant g;
          g.provider = "tiktok";
          g.external_id = "open-1";
          g.access_token = base::secret("access-CANARY");
          auto saved = lifecycle::save_connection(d, f.keys, f.account_id, f.ana, g, at);
          if (!saved) {
            return saved.error();
          }
          return {};
        })
        .value();
  };
  // Made in the very second an earlier connect finished (an agent reacting to an event): the
  // link must still let the creator connect again.
  connect(f.now);
  auto made = f.make(f.owner(), f.ana, {"instagram", "tiktok"}, f.now).value();
  const auto token = links::token_of(made);
  CHECK(f.open(token, f.now).value().done_providers.empty());
  // Connected again afterwards: done on this link.
  connect(f.now + std::chrono::seconds(2));
  CHECK(f.open(token, f.now + std::chrono::seconds(3)).value().done_providers ==
        std::vector<std::string>{"tiktok"});
  const auto refused = f.db->read_now([&](store::database& d) {
    return lifecycle::check_not_done(d, made.link, "tiktok", "TikTok");
  });
  REQUIRE_FALSE(refused.has_value());
  CHECK(refused.error().code == roster::errc::token_used);
  CHECK(f.db->read_now([&](store::database& d) {
              return lifecycle::check_not_done(d, made.link, "instagram", "Instagram");
            })
            .has_value());
}
