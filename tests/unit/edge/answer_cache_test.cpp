// The kept roster-status answers: reused only while nothing they were read from was written and
// while young by both clocks, rendered by one request at a time, and never more bytes than the
// bound.

#include "edge/api/answer_cache.hpp"

#include <catch2/catch.hpp>

using rosterd::edge::api::answer_cache;
using verdict = answer_cache::verdict;
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
  s.render_wait = 250ms;
  s.steady_now = [&c] { return c.steady; };
  return answer_cache(std::move(s));
}

std::shared_ptr<const rosterd::edge::api::kept_answer> text(std::string s) {
  return std::make_shared<const rosterd::edge::api::kept_answer>(
      rosterd::edge::api::kept_answer{std::move(s), ""});
}

/// The kept answer a request would be sent, or "" when it would have to wait or render.
std::string sent(answer_cache& cache, std::string_view key, std::uint64_t generation,
                 std::chrono::system_clock::time_point now) {
  const auto l = cache.look(key, generation, now);
  return l.what == verdict::use ? l.body->text : "";
}

}  // namespace

TEST_CASE("a kept answer is reused while nothing was written and it is young", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  cache.keep("acc|all|limit=200", 7, c.wall, text("page"));
  c.steady += 499ms;
  CHECK(sent(cache, "acc|all|limit=200", 7, c.wall + 499ms) == "page");
  CHECK(cache.look("acc|all|limit=50", 7, c.wall).what == verdict::render);
  CHECK(cache.look("acc|user:usr_1|limit=200", 7, c.wall).what == verdict::render);
}

TEST_CASE("a write since an answer was rendered makes it unusable", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  cache.keep("k", 7, c.wall, text("before the write"));
  CHECK(cache.look("k", 8, c.wall).what == verdict::render);
  // Rendered again after the write, it holds for that generation.
  cache.keep("k", 8, c.wall, text("after the write"));
  CHECK(sent(cache, "k", 8, c.wall) == "after the write");
  CHECK(cache.size() == 1);
}

TEST_CASE("an answer older than its age by either clock is not reused", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  cache.keep("k", 1, c.wall, text("page"));
  SECTION("the steady clock moved on") {
    c.steady += 1000ms;
    CHECK(cache.look("k", 1, c.wall).what == verdict::render);
  }
  SECTION("the request's now moved on (a deadline filter depends on it)") {
    CHECK(cache.look("k", 1, c.wall + 1000ms).what == verdict::render);
  }
  SECTION("the wall clock stepped back") {
    CHECK(cache.look("k", 1, c.wall - 1ms).what == verdict::render);
  }
}

TEST_CASE("one request renders a missing answer while the others wait for it", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  CHECK(cache.look("k", 1, c.wall).what == verdict::render);
  CHECK(cache.look("k", 1, c.wall).what == verdict::wait);
  CHECK(cache.look("k", 1, c.wall).what == verdict::wait);
  cache.keep("k", 1, c.wall, text("page"));
  CHECK(sent(cache, "k", 1, c.wall) == "page");
}

TEST_CASE("a render that failed or stalled lets the next request render", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  SECTION("given up") {
    REQUIRE(cache.look("k", 1, c.wall).what == verdict::render);
    cache.give_up("k");
    CHECK(cache.size() == 0);
    CHECK(cache.look("k", 1, c.wall).what == verdict::render);
  }
  SECTION("older than the render wait") {
    REQUIRE(cache.look("k", 1, c.wall).what == verdict::render);
    c.steady += 249ms;
    CHECK(cache.look("k", 1, c.wall).what == verdict::wait);
    c.steady += 1ms;
    CHECK(cache.look("k", 1, c.wall).what == verdict::render);
  }
}

TEST_CASE("after a write, requests do not wait for a render started before it", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  REQUIRE(cache.look("k", 1, c.wall).what == verdict::render);
  CHECK(cache.look("k", 2, c.wall).what == verdict::render);  // the first render is too old
  CHECK(cache.look("k", 2, c.wall).what == verdict::wait);
  // The render from before the write lands, but serves nobody asking after it.
  cache.keep("k", 1, c.wall, text("before"));
  CHECK(cache.look("k", 2, c.wall).what == verdict::render);
}

TEST_CASE("past half its age, one request renders again while the others use the kept answer",
          "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c);
  cache.keep("k", 1, c.wall, text("page"));
  c.steady += 500ms;
  CHECK(cache.look("k", 1, c.wall).what == verdict::render);
  CHECK(sent(cache, "k", 1, c.wall) == "page");
  CHECK(sent(cache, "k", 1, c.wall) == "page");
  cache.keep("k", 1, c.wall, text("page, rendered again"));
  CHECK(sent(cache, "k", 1, c.wall) == "page, rendered again");
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
  CHECK(sent(cache, "k19", 1, c.wall) == std::string(200, 'x'));
}

TEST_CASE("answers that no longer hold are dropped first to make room", "[answer-cache]") {
  clocks c;
  auto cache = make_cache(c, 900);
  cache.keep("old", 1, c.wall, text(std::string(200, 'o')));
  cache.keep("a", 2, c.wall, text(std::string(200, 'a')));
  cache.keep("b", 2, c.wall, text(std::string(200, 'b')));
  cache.keep("c", 2, c.wall, text(std::string(200, 'c')));
  cache.keep("d", 2, c.wall, text(std::string(200, 'd')));
  CHECK(cache.bytes() == 800);
  CHECK(cache.look("old", 1, c.wall).what == verdict::render);
  CHECK(sent(cache, "a", 2, c.wall) == std::string(200, 'a'));
  CHECK(sent(cache, "d", 2, c.wall) == std::string(200, 'd'));
}
