#include "http/router.hpp"

#include <catch2/catch.hpp>

using namespace rosterd::http;

namespace {

handler noop() {
  return [](request_context& ctx) -> boost::asio::awaitable<response> {
    co_return response{status::ok, ctx.req.version()};
  };
}

}  // namespace

TEST_CASE("a route with parameters matches and decodes them", "[http]") {
  router r;
  r.add(verb::get, "/v1/creators/{id}/connections/{provider}", noop());
  auto found = r.find(verb::get, "/v1/creators/42/connections/tik%20tok");
  REQUIRE(std::holds_alternative<router::found>(found));
  auto& f = std::get<router::found>(found);
  CHECK(f.params.get("id") == "42");
  CHECK(f.params.get("provider") == "tik tok");
  CHECK(f.pattern == "/v1/creators/{id}/connections/{provider}");
}

TEST_CASE("an encoded slash stays inside its segment", "[http]") {
  router r;
  r.add(verb::get, "/files/{name}", noop());
  auto found = r.find(verb::get, "/files/a%2Fb");
  REQUIRE(std::holds_alternative<router::found>(found));
  CHECK(std::get<router::found>(found).params.get("name") == "a/b");
}

TEST_CASE("literal segments beat nothing: unknown paths are not found", "[http]") {
  router r;
  r.add(verb::get, "/healthz", noop());
  CHECK(std::holds_alternative<router::not_found>(r.find(verb::get, "/healthz/x")));
  CHECK(std::holds_alternative<router::not_found>(r.find(verb::get, "/health")));
  CHECK(std::holds_alternative<router::not_found>(r.find(verb::get, "")));
  CHECK(std::holds_alternative<router::not_found>(r.find(verb::get, "healthz")));
}

TEST_CASE("an empty parameter does not match", "[http]") {
  router r;
  r.add(verb::get, "/v1/creators/{id}", noop());
  CHECK(std::holds_alternative<router::not_found>(r.find(verb::get, "/v1/creators/")));
}

TEST_CASE("a known path with another method answers method-not-allowed with Allow", "[http]") {
  router r;
  r.add(verb::get, "/v1/things", noop());
  r.add(verb::post, "/v1/things", noop());
  auto found = r.find(verb::delete_, "/v1/things");
  REQUIRE(std::holds_alternative<router::method_not_allowed>(found));
  CHECK(std::get<router::method_not_allowed>(found).allow == "GET, HEAD, POST");
}

TEST_CASE("HEAD falls back to the GET route", "[http]") {
  router r;
  r.add(verb::get, "/healthz", noop());
  CHECK(std::holds_alternative<router::found>(r.find(verb::head, "/healthz")));
}

TEST_CASE("registering the same route twice is a wiring error", "[http]") {
  router r;
  r.add(verb::get, "/x", noop());
  CHECK_THROWS_AS(r.add(verb::get, "/x", noop()), std::logic_error);
  CHECK(r.routes().size() == 1);
}

TEST_CASE("percent-decoding rejects malformed escapes and NUL", "[http]") {
  CHECK(percent_decode("a%20b") == "a b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("%4"));
  CHECK_FALSE(percent_decode("%zz"));
  CHECK_FALSE(percent_decode("%00"));
}

TEST_CASE("the router lists every registered route with its method and pattern, in order",
          "[http]") {
  router r;
  CHECK(r.routes().empty());
  r.add(verb::get, "/v1/things", noop());
  r.add(verb::post, "/v1/things", noop());
  r.add(verb::delete_, "/v1/things/{id}", noop());
  const auto listed = r.routes();
  REQUIRE(listed.size() == 3);
  CHECK(listed[0].method == verb::get);
  CHECK(listed[0].pattern == "/v1/things");
  CHECK(listed[1].method == verb::post);
  CHECK(listed[1].pattern == "/v1/things");
  CHECK(listed[2].method == verb::delete_);
  CHECK(listed[2].pattern == "/v1/things/{id}");  // the template, not a path
}
