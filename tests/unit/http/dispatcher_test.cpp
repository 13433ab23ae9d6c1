// The dispatcher's contract with operators and browsers: a bounded set of metric series whatever
// clients send, a clean answer for methods nobody implements, and the security headers.

#include "http/dispatcher.hpp"

#include <optional>
#include <sstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <spdlog/logger.h>

#include "base/random.hpp"

using namespace rosterd;
using namespace rosterd::http;

namespace {

handler json_ok() {
  return [](request_context& ctx) -> boost::asio::awaitable<response> {
    response res{status::ok, ctx.req.version()};
    res.set(beast_http::field::content_type, "application/json");
    res.body() = "{}";
    res.prepare_payload();
    co_return res;
  };
}

handler html_with_own_policy() {
  return [](request_context& ctx) -> boost::asio::awaitable<response> {
    response res{status::ok, ctx.req.version()};
    res.set(beast_http::field::content_type, "text/html; charset=utf-8");
    res.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    res.body() = "<p>hi</p>";
    res.prepare_payload();
    co_return res;
  };
}

struct world {
  router routes;
  base::metrics::registry metrics;
  std::shared_ptr<spdlog::logger> log = std::make_shared<spdlog::logger>("dispatcher_test");
  std::optional<dispatcher> d;

  explicit world(dispatch_options options = {}) {
    routes.add(verb::get, "/healthz", json_ok());
    routes.add(verb::post, "/v1/things/{id}", json_ok());
    routes.add(verb::get, "/page", html_with_own_policy());
    d.emplace(routes, metrics, log, options);
  }

  response send(std::string_view method, std::string_view target, bool secure = false) {
    request req;
    req.method_string(method);
    req.target(target);
    req.version(11);
    const boost::asio::ip::tcp::endpoint remote;  // the coroutine holds a reference to it
    boost::asio::io_context io;
    std::optional<response> out;
    boost::asio::co_spawn(io, d->dispatch(req, remote, secure),
                          [&](const std::exception_ptr& error, response res) {
                            REQUIRE_FALSE(error);
                            out = std::move(res);
                          });
    io.run();
    REQUIRE(out);
    return std::move(*out);
  }

  /// Sample lines in the exposition, i.e. the number of series over all families.
  [[nodiscard]] std::size_t series() const {
    std::istringstream text(metrics.expose());
    std::size_t n = 0;
    for (std::string line; std::getline(text, line);) {
      n += !line.empty() && line.front() != '#' ? 1 : 0;
    }
    return n;
  }
};

std::string random_method() {
  // Token characters only, so each one is a valid (if meaningless) HTTP method.
  static constexpr std::string_view alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-!#$%&'*+.^_`|~";
  const auto bytes = base::random_bytes(12);
  std::string out = "X";
  for (const auto b : bytes) {
    out += alphabet[b % alphabet.size()];
  }
  return out;
}

}  // namespace

TEST_CASE("a thousand requests with distinct made-up methods leave the series count fixed",
          "[http][metrics]") {
  world w;
  const std::vector<std::string> targets{"/healthz", "/v1/things/1", "/nope", "/v1/things/%zz"};
  for (int i = 0; i < 10; ++i) {
    for (const auto& t : targets) {
      w.send(random_method(), t);
    }
  }
  const auto settled = w.series();
  for (int i = 0; i < 1000; ++i) {
    w.send(random_method(), targets[static_cast<std::size_t>(i) % targets.size()]);
  }
  CHECK(w.series() == settled);
  const auto text = w.metrics.expose();
  CHECK(text.find("method=\"other\"") != std::string::npos);
  CHECK(text.find("method=\"X") == std::string::npos);
}

TEST_CASE("known methods keep their own label; lower-case spellings are not the same method",
          "[http][metrics]") {
  world w;
  w.send("GET", "/healthz");
  w.send("get", "/healthz");
  w.send("PROPFIND", "/healthz");
  const auto text = w.metrics.expose();
  CHECK(
      text.find("rosterd_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"}") !=
      std::string::npos);
  CHECK(text.find("method=\"get\"") == std::string::npos);
  CHECK(text.find("method=\"PROPFIND\"") == std::string::npos);
  CHECK(text.find("method=\"other\"") != std::string::npos);
}

TEST_CASE("a method HTTP does not define is answered 501 on any path, not 404 or 405", "[http]") {
  world w;
  for (const auto* target : {"/healthz", "/v1/things/7", "/no/such/thing"}) {
    DYNAMIC_SECTION(target) {
      const auto res = w.send("BREW", target);
      CHECK(res.result() == status::not_implemented);
      CHECK(res[beast_http::field::content_type] == "application/problem+json");
      CHECK(res.body().find("/problems/method-not-implemented") != std::string::npos);
      CHECK(res.find(beast_http::field::allow) == res.end());
    }
  }
  // A defined method on a known path that does not answer it is still 405 with Allow.
  const auto wrong = w.send("DELETE", "/healthz");
  CHECK(wrong.result() == status::method_not_allowed);
  CHECK(wrong[beast_http::field::allow] == "GET, HEAD");
}

TEST_CASE("API answers forbid framing and loading anything; a handler's own policy is kept",
          "[http][headers]") {
  world w;
  constexpr std::string_view api_policy = "default-src 'none'; frame-ancestors 'none'";
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"GET", "/healthz"},
                                                        {"GET", "/nope"},
                                                        {"DELETE", "/healthz"},
                                                        {"BREW", "/healthz"},
                                                        {"GET", "/bad%zz"}}) {
    DYNAMIC_SECTION(method << " " << target) {
      const auto res = w.send(method, target);
      CHECK(res["Content-Security-Policy"] == api_policy);
      CHECK(res["X-Content-Type-Options"] == "nosniff");
    }
  }
  const auto rejected =
      w.d->reject(make_problem(status::bad_request, "malformed-request", "x"), 11);
  CHECK(rejected["Content-Security-Policy"] == api_policy);

  const auto page = w.send("GET", "/page");
  CHECK(page["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'");
}

TEST_CASE("Strict-Transport-Security is sent over TLS and when browsers reach us over https",
          "[http][headers]") {
  constexpr std::string_view hsts = "max-age=31536000";
  SECTION("plain HTTP with an http public URL: none (browsers would ignore it anyway)") {
    world w;
    const auto res = w.send("GET", "/healthz");
    CHECK(res.find(beast_http::field::strict_transport_security) == res.end());
  }
  SECTION("native TLS") {
    world w;
    const auto res = w.send("GET", "/healthz", true);
    CHECK(res[beast_http::field::strict_transport_security] == hsts);
    CHECK(w.send("GET", "/nope", true)[beast_http::field::strict_transport_security] == hsts);
  }
  SECTION("a TLS-terminating proxy in front (https public URL)") {
    world w(dispatch_options{.https_public_url = true});
    CHECK(w.send("GET", "/healthz")[beast_http::field::strict_transport_security] == hsts);
    CHECK(w.send("GET", "/page")[beast_http::field::strict_transport_security] == hsts);
    CHECK(w.d->reject(make_problem(status::bad_request, {}, "x"),
                      11)[beast_http::field::strict_transport_security] == hsts);
  }
  SECTION("a request refused before it was complete, over TLS") {
    world w;
    CHECK(w.d->reject(make_problem(status::bad_request, {}, "x"), 11,
                      true)[beast_http::field::strict_transport_security] == hsts);
  }
}
