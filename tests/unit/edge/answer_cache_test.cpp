// The kept roster-status answers: reused only while nothing was written and while young by
// both clocks, and never more bytes than the bound.

#include "edge/api/answer_cache.hpp"

#include <catch2/catch.hpp>

using rosterd::edge::api::answer_cache;
using namespace std::chrono_literals;

namespace {

struct clocks {
  std::chrono::steady_clock::time_point steady{std::chrono::steady_clock::now()};
  std::chrono::system_clock::time_point wall{std::chrono::system_clock::now()};
};

answer_cache make_cache(clocks& c, std::size_t max_bytes = 1 << 20) {
  answer_cache::settings s;
  s.max_bytes = max_bytes;
  s.max_age = 1000ms;
  s.steady_now = [&c] { return c.steady; };
  return answer_cache(std::move(s));
}

std::shared_ptr<const std::string> text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

}  // namespace

TEST_CASE("a kept answer is reused while nothing was written and it is young", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  cache.keep("acc|all|limit=200", 7, c.wall, text("page"));
  c.steady += 999ms;
  auto kept = cache.find("acc|all|limit=200", 7, c.wall + 999ms);
  REQUIRE(kept);
  CHECK(*kept == "page");
  CHECK_FALSE(cache.find("acc|all|limit=50", 7, c.wall));
  CHECK_FALSE(cache.find("acc|user:usr_1|limit=200", 7, c.wall));
}

TEST_CASE("a write since an answer was rendered makes it unusable", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  cache.keep("k", 7, c.wall, text("before the write"));
  CHECK_FALSE(cache.find("k", 8, c.wall));
  // Rendered again after the write, it holds for that generation.
  cache.keep("k", 8, c.wall, text("after the write"));
  CHECK(*cache.find("k", 8, c.wall) == "after the write");
  CHECK(cache.size() == 1);
}

TEST_CASE("an answer older than its age by either clock is not reused", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  cache.keep("k", 1, c.wall, text("page"));
  SECTION("the steady clock moved on") {
    c.steady += 1000ms;
    CHECK_FALSE(cache.find("k", 1, c.wall));
  }
  SECTION("the request's now moved on (a deadline filter depends on it)") {
    CHECK_FALSE(cache.find("k", 1, c.wall + 1000ms));
  }
  SECTION("the wall clock stepped back") {
    CHECK_FALSE(cache.find("k", 1, c.wall - 1ms));
  }
}

TEST_CASE("the kept answers stay within their byte bound", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c, 1000);
  cache.keep("too big", 1, c.wall, text(std::string(251, 'x')));
  CHECK(cache.size() == 0);
  for (int i = 0; i < 20; ++i) {
    cache.keep("k" + std::to_string(i), 1, c.wall, text(std::string(200, 'x')));
    CHECK(cache.bytes() <= 1000);
  }
  CHECK(cache.find("k19", 1, c.wall));
}

TEST_CASE("answers that no longer hold are dropped first to make room", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c, 900);
  cache.keep("old", 1, c.wall, text(std::string(200, 'o')));
  cache.keep("a", 2, c.wall, text(std::string(200, 'a')));
  cache.keep("b", 2, c.wall, text(std::string(200, 'b')));
  cache.keep("c", 2, c.wall, text(std::string(200, 'c')));
  cache.keep("d", 2, c.wall, text(std::string(200, 'd')));
  CHECK_FALSE(cache.find("old", 1, c.wall));
  CHECK(cache.find("a", 2, c.wall));
  CHECK(cache.find("d", 2, c.wall));
  CHECK(cache.bytes() == 800);
}
