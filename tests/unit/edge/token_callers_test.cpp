// Who recently used API tokens stand for: kept only while nothing they were read from changed,
// while young, and never past the token's end.

#include "edge/api/token_callers.hpp"

#include <catch2/catch.hpp>

#include "roster/clock.hpp"

using rosterd::edge::api::token_callers;
using namespace std::chrono_literals;

namespace {

struct clocks {
  std::chrono::steady_clock::time_point steady{std::chrono::steady_clock::now()};
  std::chrono::system_clock::time_point wall{std::chrono::system_clock::now()};
};

token_callers make_cache(clocks& c, std::size_t max_entries = 100) {
  token_callers::settings s;
  s.max_entries = max_entries;
  s.max_age = 1000ms;
  s.steady_now = [&c] { return c.steady; };
  return token_callers(std::move(s));
}

rosterd::roster::caller agent(std::optional<std::string> ends = std::nullopt) {
  rosterd::roster::caller c;
  c.account_id = "acc_1";
  c.user_id = "usr_1";
  c.token_id = "tok_1";
  c.token_expires_at = std::move(ends);
  return c;
}

}  // namespace

TEST_CASE("a token's caller is kept while nothing it was read from changed", "[token-callers]") {
  clocks c;
  auto cache = make_cache(c);
  cache.keep("hash", 3, c.wall, agent());
  c.steady += 999ms;
  auto kept = cache.find("hash", 3, c.wall);
  REQUIRE(kept);
  CHECK(kept->user_id == "usr_1");
  CHECK_FALSE(cache.find("other hash", 3, c.wall));
  CHECK_FALSE(cache.find("hash", 4, c.wall));  // a token, member, user or account was written
  c.steady += 1ms;
  CHECK_FALSE(cache.find("hash", 3, c.wall));  // another process may have revoked it
}

TEST_CASE("a token's caller is never kept past the token's end", "[token-callers]") {
  clocks c;
  auto cache = make_cache(c);
  const auto ends = c.wall + 10s;
  cache.keep("hash", 1, c.wall, agent(rosterd::roster::stamp(ends)));
  CHECK(cache.find("hash", 1, ends - 1s));
  CHECK_FALSE(cache.find("hash", 1, ends));
  // An end that cannot be read is not trusted from memory at all.
  cache.keep("odd", 1, c.wall, agent("next tuesday"));
  CHECK_FALSE(cache.find("odd", 1, c.wall));
}

TEST_CASE("the kept token callers stay within their bound", "[token-callers]") {
  clocks c;
  auto cache = make_cache(c, 10);
  for (int i = 0; i < 25; ++i) {
    cache.keep("hash" + std::to_string(i), 1, c.wall, agent());
    CHECK(cache.size() <= 10);
  }
  CHECK(cache.find("hash24", 1, c.wall));
}
