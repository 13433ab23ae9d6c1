// What a creator does with a reconnect link, without signing in: the link alone opens its
// creator's platforms and starts attempts; "try again" starts from the earlier attempt.

#include "lifecycle/link_visits.hpp"

#include <catch2/catch.hpp>

#include "base/token.hpp"
#include "lifecycle/error.hpp"
#include "lifecycle/oauth_attempts.hpp"
#include "refresh_fixture.hpp"
#include "roster/error.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

constexpr std::string_view browser = "browser-secret-for-tests-0123456789";

struct visits : refresh_fixture {
  std::string make_link(const std::string& creator, std::vector<std::string> names) {
    const auto who = owner();
    const auto enabled = providers.ids();
    auto link = db->write_now([&](store::database& d) {
      return lifecycle::create_link(d, who, creator, names, enabled, {}, now);
    });
    const auto url = std::string(link.value().url.reveal());
    return url.substr(url.rfind('/') + 1);
  }
  static const lifecycle::link_platform& platform(const lifecycle::link_visit& v,
                                                  const std::string& provider) {
    for (const auto& p : v.platforms) {
      if (p.provider == provider) {
        return p;
      }
    }
    FAIL("the visit does not list " << provider);
    throw std::logic_error("unreachable");
  }
  base::result<lifecycle::link_visit> visit(const std::string& token) {
    return db->read_now(
        [&](store::database& d) { return lifecycle::visit_link(d, providers, token, now); });
  }
  void set_link_made(const std::string& token, roster::time_point at) {
    db->write_now([&](store::database& d) {
        return store::sql::run(d, "UPDATE reconnect_links SET created_at = ? WHERE token_hash = ?",
                               roster::stamp(at), base::hash_token(token));
      }).value();
  }
  base::result<lifecycle::started_connect> start(const std::string& token,
                                                 const std::string& provider) {
    return db->write_now([&](store::database& d) {
      return lifecycle::start_from_link(d, *holder->current(), providers, token, provider, browser,
                                        now);
    });
  }
  base::result<lifecycle::started_connect> retry(const std::string& attempt,
                                                 std::string_view from_browser = browser) {
    return db->write_now([&](store::database& d) {
      return lifecycle::retry_connect(d, *holder->current(), providers, attempt, from_browser, now);
    });
  }
};

}  // namespace

TEST_CASE("a link visit lists the link's platforms with where the creator's connections stand",
          "[links][visits]") {
  visits f;
  const auto earlier = f.connect(f.ana, "tiktok");  // before the link: not done on it
  f.connect(f.ben, "pinterest");                    // another creator's: never shown
  const auto token = f.make_link(f.ana, {"tiktok", "pinterest"});

  auto seen = f.visit(token);
  REQUIRE(seen.has_value());
  CHECK(seen->link.creator_name == "Ana Lima");
  REQUIRE(seen->platforms.size() == 2);
  const auto& tiktok = visits::platform(*seen, "tiktok");
  CHECK(tiktok.display_name == "TikTok");
  CHECK_FALSE(tiktok.done);
  REQUIRE(tiktok.connection);
  CHECK(tiktok.connection->id == earlier);
  const auto& pinterest = visits::platform(*seen, "pinterest");
  CHECK_FALSE(pinterest.done);
  CHECK_FALSE(pinterest.connection);
}

TEST_CASE("a platform connected since the link was made is done on it", "[links][visits]") {
  visits f;
  const auto token = f.make_link(f.ana, {"tiktok", "pinterest"});
  f.set_link_made(token, f.now - std::chrono::hours(1));
  f.connect(f.ana, "tiktok");  // by another link, after this one was made
  auto seen = f.visit(token);
  REQUIRE(seen.has_value());
  REQUIRE(seen->platforms.size() == 2);
  CHECK(visits::platform(*seen, "tiktok").done);
  CHECK(visits::platform(*seen, "tiktok").connection.has_value());
  CHECK_FALSE(visits::platform(*seen, "pinterest").done);

  auto again = f.start(token, "tiktok");
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == roster::errc::token_used);
}

TEST_CASE("an unknown or malformed link shows nothing", "[links][visits]") {
  visits f;
  for (const auto* token : {"rdlink_unknown0000000000000000000000000000000000", "nonsense", ""}) {
    INFO(token);
    auto seen = f.visit(token);
    REQUIRE_FALSE(seen.has_value());
    CHECK(seen.error().code == roster::errc::token_invalid);
  }
}

TEST_CASE("a link starts attempts only for the platforms it names", "[links][visits]") {
  visits f;
  const auto token = f.make_link(f.ana, {"tiktok"});
  auto started = f.start(token, "tiktok");
  REQUIRE(started.has_value());
  CHECK(std::string(started->authorize_url.reveal()).find("state=") != std::string::npos);
  auto origin = f.db->read_now(
      [&](store::database& d) { return lifecycle::find_attempt_origin(d, started->attempt_id); });
  REQUIRE(origin.has_value());
  CHECK(origin->creator_id == f.ana);
  CHECK(origin->provider == "tiktok");
  CHECK(origin->link_id.has_value());
  CHECK_FALSE(origin->user_id.has_value());

  auto other = f.start(token, "pinterest");
  REQUIRE_FALSE(other.has_value());
  CHECK(other.error().code == lifecycle::errc::provider_not_enabled);
}

TEST_CASE("try again starts a new attempt for the same platform, from the same browser only",
          "[links][visits][attempts]") {
  visits f;
  const auto token = f.make_link(f.ana, {"pinterest"});
  const auto first = f.start(token, "pinterest").value();

  auto again = f.retry(first.attempt_id);
  REQUIRE(again.has_value());
  CHECK(again->attempt_id != first.attempt_id);
  auto origin = f.db->read_now(
      [&](store::database& d) { return lifecycle::find_attempt_origin(d, again->attempt_id); });
  REQUIRE(origin.has_value());
  CHECK(origin->provider == "pinterest");
  CHECK(origin->creator_id == f.ana);

  auto elsewhere = f.retry(first.attempt_id, "another-browser-secret-0123456789");
  REQUIRE_FALSE(elsewhere.has_value());
  CHECK(elsewhere.error().code == lifecycle::errc::state_wrong_browser);

  auto unknown = f.retry("att_unknown");
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == roster::errc::not_found);
}
