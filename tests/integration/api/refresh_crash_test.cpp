// kill -9 while a refresh is in flight: the platform has already rotated
// the refresh token and the daemon never stored the answer. After the restart the daemon
// settles it on its first scheduler pass: against a strict platform the creator's connection is
// reported as needing reconnect (the lost rotation named), never silently broken; against a
// platform with a reuse grace window nothing is lost.

#include <thread>

#include <catch2/catch.hpp>

#include "api_world.hpp"
#include "tests/support/process.hpp"

using namespace rosterd::testing;

namespace {

int tiktok_rotations(fake_provider& fake) {
  int total = 0;
  const auto all = json::parse(fake.control("GET", "/grants?provider=tiktok"));
  for (const auto& g : all["grants"]) {
    total += g["rotations"].get<int>();
  }
  return total;
}

/// Connects `creator`'s TikTok with a 4-second token (due for refresh 2 s later), lets the
/// scheduler's refresh reach the platform, which rotates and then never answers, and kills the
/// daemon right then. Restarts it.
void crash_during_refresh(api_world& w, const std::string& creator) {
  auto& fake = w.provider_fake();
  fake.configure("tiktok", R"({"access_ttl": 4})");
  fake.fail_next(
      R"({"provider": "tiktok", "endpoint": "refresh", "kind": "hang", "after": true, "hang_ms": 20000})");
  const int before = tiktok_rotations(fake);
  api_world::browser browser;
  auto trace =
      w.connect(browser, w.make_link(w.actors["owner"], w.account, creator, {"tiktok"}), "tiktok");
  REQUIRE(trace.result.status == 200);
  for (int i = 0; i < 300 && tiktok_rotations(fake) == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  REQUIRE(tiktok_rotations(fake) == before + 1);
  REQUIRE(w.daemon().kill_hard());
  fake.configure("tiktok", R"({"access_ttl": 7200})");
  w.daemon().start();
  REQUIRE(w.daemon().wait_ready());
}

json connection_of(api_world& w, const std::string& creator) {
  auto list = w.call_ok(w.actors["owner"], "GET",
                        "/v1/accounts/" + w.account + "/creators/" + creator + "/connections");
  for (const auto& c : list["items"]) {
    if (c["provider"] == "tiktok") {
      return c;
    }
  }
  FAIL("no TikTok connection");
  return {};
}

std::vector<std::string> event_kinds(api_world& w, const std::string& creator) {
  auto events =
      w.call_ok(w.actors["owner"], "GET",
                "/v1/accounts/" + w.account + "/creators/" + creator + "/connection-events");
  std::vector<std::string> kinds;
  for (const auto& e : events["items"]) {
    kinds.push_back(e["kind"]);
  }
  return kinds;
}

}  // namespace

TEST_CASE("kill -9 during a refresh is settled at the next start: reported, never silent",
          "[refresh][crash][e2e]") {
  api_world w;

  // A strict platform: the lost rotation means the creator must reconnect, and the team sees it.
  crash_during_refresh(w, w.creator_a);
  json ana;
  for (int i = 0; i < 200; ++i) {
    ana = connection_of(w, w.creator_a);
    if (ana["status"] != "connected") {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(ana["status"] == "revoked");
  CHECK(ana["last_error"].get<std::string>().find("interrupted") != std::string::npos);
  const auto kinds = event_kinds(w, w.creator_a);
  CHECK(std::find(kinds.begin(), kinds.end(), "revoked") != kinds.end());
  CHECK(read_file(w.daemon().dir() / "rosterd.2.log").find("refreshes_interrupted count=1") !=
        std::string::npos);

  // A platform that honours the old refresh token for a while: nothing is lost.
  w.provider_fake().configure("tiktok", R"({"refresh_reuse_grace_seconds": 600})");
  crash_during_refresh(w, w.creator_b);
  json ben;
  for (int i = 0; i < 200; ++i) {
    ben = connection_of(w, w.creator_b);
    if (!ben["refreshed_at"].is_null()) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(ben["status"] == "connected");
  CHECK_FALSE(ben["refreshed_at"].is_null());
  const auto ben_kinds = event_kinds(w, w.creator_b);
  CHECK(std::find(ben_kinds.begin(), ben_kinds.end(), "refresh_recovered") != ben_kinds.end());
}
