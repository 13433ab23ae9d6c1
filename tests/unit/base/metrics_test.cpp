#include "base/metrics.hpp"

#include <catch2/catch.hpp>

using namespace rosterd::base::metrics;

TEST_CASE("counters are exposed with escaped labels in Prometheus text format", "[base]") {
  registry r;
  auto& c = r.counter("http_requests_total", "Requests.", {"route", "status"});
  c.inc({"/healthz", "200"});
  c.inc({"/healthz", "200"});
  c.inc({"/a\"b", "404"});
  const auto text = r.expose();
  CHECK(text.find("# TYPE http_requests_total counter") != std::string::npos);
  CHECK(text.find("http_requests_total{route=\"/healthz\",status=\"200\"} 2") != std::string::npos);
  CHECK(text.find("route=\"/a\\\"b\"") != std::string::npos);
}

TEST_CASE("histogram buckets are cumulative and end with +Inf", "[base]") {
  registry r;
  auto& h = r.histogram("latency_seconds", "Latency.", {"route"}, {0.1, 1.0});
  h.observe({"/x"}, 0.05);
  h.observe({"/x"}, 0.5);
  h.observe({"/x"}, 5.0);
  const auto text = r.expose();
  CHECK(text.find("latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 1") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{route=\"/x\",le=\"1\"} 2") != std::string::npos);
  CHECK(text.find("latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3") != std::string::npos);
  CHECK(text.find("latency_seconds_count{route=\"/x\"} 3") != std::string::npos);
}

TEST_CASE("gauges are read at scrape time", "[base]") {
  registry r;
  double v = 1;
  r.gauge("store_schema_version", "Schema.", {}, [&] {
    return std::vector<gauge_sample>{{{}, v}};
  });
  v = 7;
  CHECK(r.expose().find("store_schema_version 7") != std::string::npos);
}
