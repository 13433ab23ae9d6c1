// Facebook Pages kept with a connection (page_tokens): their tokens sealed and bound to their
// row, replaced on reconnect, gone with the connection's tokens, and moved by key rotation.

#include "lifecycle/connection_pages.hpp"

#include <catch2/catch.hpp>

#include "lifecycle/connections.hpp"
#include "lifecycle/error.hpp"
#include "lifecycle/key_rotation.hpp"
#include "lifecycle/signals.hpp"
#include "lifecycle_fixture.hpp"
#include "vault/error.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

oauth::managed_page page(const std::string& id, const std::string& name,
                         std::optional<std::string> instagram = std::nullopt) {
  oauth::managed_page p;
  p.id = id;
  p.name = name;
  p.access_token = base::secret("PAGE-CANARY-" + id);
  p.instagram_account_id = std::move(instagram);
  return p;
}

struct pages_fixture : lifecycle_fixture {
  lifecycle::connection_record save(std::vector<oauth::managed_page> pages,
                                    const vault::keyring& k) {
    lifecycle::new_grant g;
    g.provider = "facebook";
    g.external_id = "10160000000000001";
    g.access_token = base::secret("USER-CANARY");
    g.pages = std::move(pages);
    return db
        ->write_now([&](store::database& d) {
          return lifecycle::save_connection(d, k, account_id, ana, g, now);
        })
        .value()
        .record;
  }
  base::result<base::secret> page_token(const std::string& connection, const std::string& page_id,
                                        const vault::keyring& k) {
    return db->read_now(
        [&](store::database& d) { return lifecycle::read_page_token(d, k, connection, page_id); });
  }
};

}  // namespace

TEST_CASE("a connection's Pages are listed without tokens and their tokens are sealed",
          "[connections][pages]") {
  pages_fixture f;
  std::vector<oauth::managed_page> pages;
  pages.push_back(page("105000000000002", "Shop"));
  pages.push_back(page("105000000000001", "Creator Studio", "17841400000000001"));
  const auto c = f.save(std::move(pages), f.keys);
  REQUIRE(c.pages.size() == 2);
  CHECK(c.pages[0].page_id == "105000000000001");  // by name
  CHECK(c.pages[0].instagram_account_id == "17841400000000001");
  CHECK(c.pages[1].name == "Shop");
  CHECK_FALSE(c.pages[1].instagram_account_id);
  CHECK(f.page_token(c.id, "105000000000002", f.keys).value().reveal() ==
        "PAGE-CANARY-105000000000002");
  CHECK(f.count("SELECT COUNT(*) FROM connection_pages WHERE instr(CAST(access_token AS TEXT), "
                "'CANARY') > 0") == 0);

  // Bound to its row: a token copied onto another Page's row does not open.
  f.db->write_now([&](store::database& d) {
        return d.exec(
            "UPDATE connection_pages SET access_token = (SELECT access_token FROM "
            "connection_pages WHERE page_id = '105000000000001') WHERE page_id = "
            "'105000000000002'");
      })
      .value();
  auto moved = f.page_token(c.id, "105000000000002", f.keys);
  REQUIRE_FALSE(moved.has_value());
  CHECK(moved.error().code == vault::errc::decrypt_failed);
}

TEST_CASE("a reconnect replaces the Pages; dropping the tokens deletes them",
          "[connections][pages]") {
  pages_fixture f;
  std::vector<oauth::managed_page> first;
  first.push_back(page("105000000000001", "Old Page"));
  const auto c = f.save(std::move(first), f.keys);
  std::vector<oauth::managed_page> second;
  second.push_back(page("105000000000007", "New Page"));
  const auto again = f.save(std::move(second), f.keys);
  REQUIRE(again.pages.size() == 1);
  CHECK(again.pages[0].page_id == "105000000000007");
  CHECK(f.page_token(c.id, "105000000000001", f.keys).error().code ==
        lifecycle::errc::not_connected);

  // A deauthorize (like a disconnect or a data deletion) goes through drop_tokens.
  CHECK(f.db->write_now([&](store::database& d) {
              return lifecycle::revoke_by_platform(d, "facebook", "10160000000000001",
                                                   "removed the app", f.now, f.now);
            })
            .value() == 1);
  CHECK(f.count("SELECT COUNT(*) FROM connection_pages") == 0);
  const auto owner = f.owner();
  const auto after =
      f.db->read_now([&](store::database& d) { return lifecycle::get_connection(d, owner, c.id); })
          .value();
  CHECK(after.pages.empty());
}

TEST_CASE("key rotation moves Page tokens to the newest key", "[connections][pages][rotation]") {
  pages_fixture f;
  const auto line1 = std::string(vault::generate_key_file_line(1).reveal());
  const auto line2 = std::string(vault::generate_key_file_line(2).reveal());
  const auto old_keys = vault::keyring::parse(line1, "v1").value();
  const auto both = vault::keyring::parse(line1 + "\n" + line2, "v1+v2").value();
  const auto new_only = vault::keyring::parse(line2, "v2").value();
  std::vector<oauth::managed_page> pages;
  pages.push_back(page("105000000000001", "Studio"));
  const auto c = f.save(std::move(pages), old_keys);

  const auto before =
      f.db->read_now([](store::database& d) { return lifecycle::count_key_versions(d); }).value();
  CHECK(before.by_column.at("connection_pages.access_token").at(1) == 1);
  const auto report = lifecycle::rotate_keys(*f.db, both, {}).value();
  CHECK(report.failed == 0);
  CHECK(report.remaining.not_under(2) == 0);
  CHECK(f.page_token(c.id, "105000000000001", new_only).value().reveal() ==
        "PAGE-CANARY-105000000000001");
}
