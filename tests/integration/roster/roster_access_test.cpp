// Visibility and permissions against a real database: every read is scoped in SQL, invisible
// answers exactly like nonexistent, and changes count on the next request.

#include <catch2/catch.hpp>

#include "roster/error.hpp"
#include "roster/roster_changes.hpp"
#include "roster/roster_view.hpp"
#include "roster_fixture.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

struct two_teams : roster_fixture {
  two_teams() {
    apply(header +
          "Ana Lima,ana@creators.test,No,amy@agency.test\n"
          "Ben Ode,ben@creators.test,No,bo@agency.test\n");
    ana = creator_id("ana@creators.test");
    ben = creator_id("ben@creators.test");
  }
  std::vector<std::string> visible_names(const roster::caller& who) {
    auto page = db->read_now(
        [&](store::database& d) { return roster::list_creators(d, who, std::nullopt, 50); });
    std::vector<std::string> names;
    for (const auto& c : page.value().items) {
      names.push_back(c.display_name);
    }
    return names;
  }
  std::error_code get_error(const roster::caller& who, const std::string& id) {
    auto got = db->read_now([&](store::database& d) { return roster::get_creator(d, who, id); });
    return got ? std::error_code() : got.error().code;
  }
  std::string ana;
  std::string ben;
};

}  // namespace

TEST_CASE("owners see every creator; agents only their team's; creators only themselves",
          "[access]") {
  two_teams f;
  CHECK(f.visible_names(f.caller_for("owner@agency.test")) ==
        std::vector<std::string>{"Ana Lima", "Ben Ode"});
  CHECK(f.visible_names(f.caller_for("amy@agency.test")) == std::vector<std::string>{"Ana Lima"});
  CHECK(f.visible_names(f.caller_for("ben@creators.test")) == std::vector<std::string>{"Ben Ode"});
}

TEST_CASE("a creator the caller may not see answers exactly like a missing one", "[access]") {
  two_teams f;
  const auto amy = f.caller_for("amy@agency.test");
  CHECK(f.get_error(amy, f.ben) == roster::errc::not_found);
  CHECK(f.get_error(amy, "cre_000000000000000000000000") == roster::errc::not_found);
  CHECK(f.get_error(amy, f.ana) == std::error_code());
}

TEST_CASE("removing an agent from a group takes effect on the very next request", "[access]") {
  two_teams f;
  const auto amy_id = f.user_id("amy@agency.test");
  auto owner = f.caller_for("owner@agency.test");
  REQUIRE(f.get_error(f.caller_for("amy@agency.test"), f.ana) == std::error_code());
  auto removed = f.db->write_now([&](store::database& d) {
    return roster::remove_team_member(d, owner, f.ana, amy_id, f.now);
  });
  REQUIRE(removed.has_value());
  CHECK(f.get_error(f.caller_for("amy@agency.test"), f.ana) == roster::errc::not_found);
  CHECK(f.visible_names(f.caller_for("amy@agency.test")).empty());
}

TEST_CASE("a disabled member is no caller at all in that account", "[access]") {
  two_teams f;
  auto owner = f.caller_for("owner@agency.test");
  const auto amy_id = f.user_id("amy@agency.test");
  f.caller_for("amy@agency.test");  // she joined, so only the disable can take her out
  REQUIRE(f.db->write_now([&](store::database& d) {
                return roster::set_member_status(d, owner, amy_id, false, f.now);
              })
              .has_value());
  auto amy = f.db->read_now(
      [&](store::database& d) { return roster::caller_for_user(d, amy_id, f.account_id); });
  REQUIRE_FALSE(amy.has_value());
  CHECK(amy.error().code == roster::errc::not_found);
}

TEST_CASE("agents see their creators but may not change teams", "[access]") {
  two_teams f;
  auto amy = f.caller_for("amy@agency.test");
  auto on_own = f.db->write_now([&](store::database& d) {
    return roster::add_team_member(d, f.mail, f.settings, amy, f.ana, "new@agency.test", f.now);
  });
  REQUIRE_FALSE(on_own.has_value());
  CHECK(on_own.error().code == roster::errc::forbidden);
  auto on_other = f.db->write_now([&](store::database& d) {
    return roster::add_team_member(d, f.mail, f.settings, amy, f.ben, "new@agency.test", f.now);
  });
  REQUIRE_FALSE(on_other.has_value());
  CHECK(on_other.error().code == roster::errc::not_found);
  CHECK(f.count("SELECT COUNT(*) FROM users WHERE email = 'new@agency.test'") == 0);
}

TEST_CASE("a listed page continues with its cursor and rejects a forged one", "[access]") {
  two_teams f;
  auto owner = f.caller_for("owner@agency.test");
  auto first = f.db->read_now(
      [&](store::database& d) { return roster::list_creators(d, owner, std::nullopt, 1); });
  REQUIRE(first.value().items.size() == 1);
  REQUIRE(first.value().next);
  auto second = f.db->read_now([&](store::database& d) {
    return roster::list_creators(d, owner, std::string_view(*first.value().next), 1);
  });
  REQUIRE(second.value().items.size() == 1);
  CHECK(second.value().items[0].display_name == "Ben Ode");
  CHECK_FALSE(second.value().next);
  auto forged = f.db->read_now([&](store::database& d) {
    return roster::list_creators(d, owner, std::string_view("zz"), 1);
  });
  REQUIRE_FALSE(forged.has_value());
  CHECK(forged.error().code == roster::errc::invalid_argument);
}

TEST_CASE("an agent's pages hold only their team's creators, in name order, across cursors",
          "[access]") {
  roster_fixture f;
  f.apply(header +
          "Cara Diaz,cara@creators.test,No,amy@agency.test\n"
          "Ana Lima,ana@creators.test,No,amy@agency.test\n"
          "Ben Ode,ben@creators.test,No,bo@agency.test\n"
          "Dan Eze,dan@creators.test,No,amy@agency.test\n");
  const auto amy = f.caller_for("amy@agency.test");
  std::vector<std::string> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    auto page = f.db->read_now([&](store::database& d) {
      return roster::list_creators(
          d, amy, cursor ? std::optional<std::string_view>(*cursor) : std::nullopt, 2);
    });
    REQUIRE(page.has_value());
    for (const auto& c : page.value().items) {
      seen.push_back(c.display_name);
    }
    cursor = page.value().next;
    ++pages;
  } while (cursor && pages < 5);
  CHECK(pages == 2);
  CHECK(seen == std::vector<std::string>{"Ana Lima", "Cara Diaz", "Dan Eze"});
}

TEST_CASE("creators read the audit entries about themselves only; agents read none", "[access]") {
  two_teams f;
  auto ben = f.caller_for("ben@creators.test");
  auto entries = f.db->read_now([&](store::database& d) {
    return roster::list_audit(d, ben, std::nullopt, std::nullopt, 100);
  });
  REQUIRE(entries.has_value());
  REQUIRE_FALSE(entries->items.empty());
  for (const auto& e : entries->items) {
    CHECK(e.creator_id == f.ben);
  }
  auto amy = f.caller_for("amy@agency.test");
  auto denied = f.db->read_now([&](store::database& d) {
    return roster::list_audit(d, amy, std::nullopt, std::nullopt, 100);
  });
  REQUIRE_FALSE(denied.has_value());
  CHECK(denied.error().code == roster::errc::forbidden);
}

TEST_CASE("nothing crosses accounts", "[access]") {
  two_teams f;
  auto other = f.db->write_now([&](store::database& d) {
    return roster::bootstrap_account(d, f.settings, "Rival Agency", "boss@rival.test",
                                     roster::actor::cli(), f.now);
  });
  const auto rival = other.value().account_id;
  const auto boss_id = other.value().owner_user_id;
  auto boss = f.db->read_now(
      [&](store::database& d) { return roster::caller_for_user(d, boss_id, rival); });
  REQUIRE(boss.has_value());
  CHECK(f.visible_names(*boss).empty());
  CHECK(f.get_error(*boss, f.ana) == roster::errc::not_found);
  // And the rival's owner is no caller in the first account.
  auto in_first = f.db->read_now(
      [&](store::database& d) { return roster::caller_for_user(d, boss_id, f.account_id); });
  CHECK_FALSE(in_first.has_value());
}
