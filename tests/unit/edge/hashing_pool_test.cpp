#include "edge/api/hashing_pool.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

using rosterd::edge::api::hashing_pool;

TEST_CASE("the hashing pool lets in its threads plus its queue, then refuses at once",
          "[hashing]") {
  hashing_pool pool(2, 3);
  CHECK(pool.capacity() == 5);
  std::vector<hashing_pool::slot> held;
  for (int i = 0; i < 5; ++i) {
    auto s = pool.reserve();
    REQUIRE(s);
    held.push_back(std::move(*s));
  }
  CHECK(pool.pending() == 5);
  CHECK_FALSE(pool.reserve());
  // A refused caller is told to come back in at least a second.
  CHECK(pool.retry_after() >= std::chrono::seconds(1));
  CHECK(pool.retry_after() <= std::chrono::seconds(60));
  held.pop_back();
  CHECK(pool.pending() == 4);
  CHECK(pool.reserve());  // released again at once: it is a temporary
  CHECK(pool.pending() == 4);
}

TEST_CASE("a queue limit of zero lets in only as many callers as there are threads", "[hashing]") {
  hashing_pool pool(1, 0);
  auto first = pool.reserve();
  REQUIRE(first);
  CHECK_FALSE(pool.reserve());
}

TEST_CASE("work runs on the pool and its value comes back to the caller", "[hashing]") {
  hashing_pool pool(1, 0);
  boost::asio::io_context io;
  auto slot = pool.reserve();
  REQUIRE(slot);
  auto caller = [&]() -> boost::asio::awaitable<std::thread::id> {
    auto work = [] { return std::this_thread::get_id(); };
    co_return co_await pool.run(*slot, work);
  };
  auto done = boost::asio::co_spawn(io, caller(), boost::asio::use_future);
  io.run();
  const bool ran_elsewhere = done.get() != std::this_thread::get_id();
  CHECK(ran_elsewhere);
}

TEST_CASE("the default pool size follows the cores, within bounds", "[hashing]") {
  CHECK(hashing_pool::default_threads() >= 1);
  CHECK(hashing_pool::default_threads() <= 8);
  hashing_pool pool(0, 4);
  CHECK(pool.threads() == hashing_pool::default_threads());
}
