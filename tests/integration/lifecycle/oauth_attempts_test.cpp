// OAuth attempts against a real SQLite file: a state is claimed once, by the browser and the
// provider path it was made for, within its 10 minutes; the PKCE verifier is stored sealed.

#include "lifecycle/oauth_attempts.hpp"

#include <catch2/catch.hpp>

#include "base/token.hpp"
#include "lifecycle/error.hpp"
#include "lifecycle_fixture.hpp"
#include "vault/error.hpp"

using namespace rosterd;
using namespace rosterd::testing;

namespace {

struct attempts : lifecycle_fixture {
  lifecycle::started_attempt start(const std::string& provider = "tiktok",
                                   const std::string& browser = "browser-secret-1") {
    lifecycle::attempt_request r;
    r.account_id = account_id;
    r.creator_id = ana;
    r.provider = provider;
    r.redirect_uri = "https://roster.test/oauth/" + provider + "/callback";
    r.scopes = {"user.info.basic", "video.list"};
    r.pkce_verifier = "VERIFIER-CANARY-0123456789abcdefghijklmnopqrstu";
    return db
        ->write_now(
            [&](store::database& d) { return lifecycle::create_attempt(d, keys, r, browser, now); })
        .value();
  }
  base::result<lifecycle::claimed_attempt> claim(
      std::string_view state, const std::string& provider = "tiktok",
      std::optional<std::string> browser = std::string("browser-secret-1"),
      roster::time_point at = {}) {
    const auto when = at == roster::time_point{} ? now : at;
    return db->write_now([&](store::database& d) {
      return lifecycle::claim_attempt(
          d, keys, state, provider,
          browser ? std::optional<std::string_view>(*browser) : std::nullopt, when);
    });
  }
};

}  // namespace

TEST_CASE("a state is claimed once and hands back what it was bound to", "[attempts]") {
  attempts f;
  auto started = f.start();
  const std::string state(started.state.reveal());
  CHECK(state.rfind("rdst_", 0) == 0);
  auto claimed = f.claim(state);
  REQUIRE(claimed.has_value());
  CHECK(claimed->creator_id == f.ana);
  CHECK(claimed->provider == "tiktok");
  CHECK(claimed->redirect_uri == "https://roster.test/oauth/tiktok/callback");
  CHECK(claimed->scopes == std::vector<std::string>{"user.info.basic", "video.list"});
  REQUIRE(claimed->pkce_verifier);
  CHECK(claimed->pkce_verifier->reveal() == "VERIFIER-CANARY-0123456789abcdefghijklmnopqrstu");

  auto again = f.claim(state);
  REQUIRE_FALSE(again.has_value());
  CHECK(again.error().code == lifecycle::errc::state_used);
}

TEST_CASE("a reused OAuth state is rejected", "[attempts]") {
  attempts f;
  const std::string state(f.start().state.reveal());
  REQUIRE(f.claim(state).has_value());
  auto replay = f.claim(state);
  REQUIRE_FALSE(replay.has_value());
  CHECK(replay.error().code == lifecycle::errc::state_used);
}

TEST_CASE("bad states are told apart: missing, unknown, expired, other provider, other browser",
          "[attempts]") {
  attempts f;
  CHECK(f.claim("").error().code == lifecycle::errc::state_missing);
  CHECK(f.claim("forged").error().code == lifecycle::errc::state_unknown);
  CHECK(f.claim("rdst_" + std::string(43, 'A')).error().code == lifecycle::errc::state_unknown);

  const std::string late(f.start().state.reveal());
  CHECK(f.claim(late, "tiktok", std::string("browser-secret-1"),
                f.now + std::chrono::minutes(10) + std::chrono::seconds(1))
            .error()
            .code == lifecycle::errc::state_expired);

  const std::string mixed(f.start().state.reveal());
  CHECK(f.claim(mixed, "pinterest").error().code == lifecycle::errc::state_wrong_provider);
  // A mix-up burns the attempt: the right path afterwards does not work either.
  CHECK(f.claim(mixed).error().code == lifecycle::errc::state_used);

  const std::string stolen(f.start().state.reveal());
  CHECK(f.claim(stolen, "tiktok", std::string("another-browser")).error().code ==
        lifecycle::errc::state_wrong_browser);
  CHECK(f.claim(stolen).error().code == lifecycle::errc::state_used);
  const std::string no_cookie(f.start().state.reveal());
  CHECK(f.claim(no_cookie, "tiktok", std::nullopt).error().code ==
        lifecycle::errc::state_wrong_browser);
}

TEST_CASE("the state and the PKCE verifier never reach the database in clear", "[attempts]") {
  attempts f;
  const std::string state(f.start().state.reveal());
  CHECK(f.count("SELECT COUNT(*) FROM oauth_attempts WHERE state_hash = '" + state + "'") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM oauth_attempts WHERE instr(CAST(pkce_verifier AS TEXT), "
                "'VERIFIER-CANARY') > 0") == 0);
  CHECK(f.count("SELECT COUNT(*) FROM oauth_attempts WHERE length(pkce_verifier) > 33") == 1);
  // A verifier copied to another attempt does not open there.
  const std::string other(f.start().state.reveal());
  f.db->write_now([&](store::database& d) {
        return store::sql::run(
            d,
            "UPDATE oauth_attempts SET pkce_verifier = (SELECT pkce_verifier FROM oauth_attempts "
            "WHERE state_hash = ?1) WHERE state_hash = ?2",
            base::hash_token(state), base::hash_token(other));
      })
      .value();
  auto claimed = f.claim(other);
  REQUIRE_FALSE(claimed.has_value());
  CHECK(claimed.error().code == vault::errc::decrypt_failed);
}
