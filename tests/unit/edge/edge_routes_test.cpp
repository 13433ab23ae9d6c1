// The daemon's route list comes from one function, which the daemon itself calls; these check
// that it holds every area's routes and that the metrics token check is strict.

#include "edge/routes/edge_routes.hpp"

#include <filesystem>
#include <set>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include "store/store.hpp"
#include "tests/support/edge_doubles.hpp"

using namespace rosterd;

TEST_CASE("the daemon's router lists the operations, API, page and platform routes once each",
          "[routes]") {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("rosterd-routes-test-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    store::options opts;
    opts.path = dir / "routes.db";
    auto db = store::store::open(opts, nullptr).value();
    testing::no_mail mail;
    edge::api::api_context api(*db, mail, {}, spdlog::default_logger(), nullptr,
                               testing::inert_hooks());
    base::metrics::registry metrics;
    std::atomic<bool> stopping{false};
    const edge::ops_dependencies ops{*db, metrics, stopping};
    http::router routes;
    edge::add_edge_routes(routes, ops, api);

    std::set<std::string> listed;
    for (const auto& r : routes.routes()) {
      const auto name = std::string(http::beast_http::to_string(r.method)) + " " + r.pattern;
      CHECK(listed.insert(name).second);
    }
    for (const auto* expected :
         {"GET /healthz", "GET /readyz", "GET /metrics", "POST /v1/session",
          "GET /v1/accounts/{account}/creators", "GET /v1/onboarding/template.csv",
          "GET /connect/{token}", "GET /oauth/{provider}/callback"}) {
      INFO(expected);
      CHECK(listed.count(expected) == 1);
    }
    CHECK(std::any_of(listed.begin(), listed.end(),
                      [](const std::string& r) { return r.find("/hooks/") != std::string::npos; }));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("the metrics token must come as exactly 'Bearer <token>'", "[routes][metrics]") {
  const base::secret token("0123456789abcdef-metrics");
  CHECK(edge::bearer_token_matches(token, "Bearer 0123456789abcdef-metrics"));
  CHECK(edge::bearer_token_matches(token, "bearer 0123456789abcdef-metrics"));
  CHECK(edge::bearer_token_matches(token, "BEARER  0123456789abcdef-metrics"));
  for (const auto* wrong : {"", "Bearer", "Bearer ", "Bearer 0123456789abcdef-metric",
                            "Bearer 0123456789abcdef-metricsX", "Bearer 0123456789ABCDEF-METRICS",
                            "Basic 0123456789abcdef-metrics", "0123456789abcdef-metrics",
                            "Bearer0123456789abcdef-metrics"}) {
    INFO(wrong);
    CHECK_FALSE(edge::bearer_token_matches(token, wrong));
  }
}
