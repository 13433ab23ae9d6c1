// Clients that send too much, too little, too slowly or nonsense get a clear refusal or are cut
// off, and everyone else keeps being served.

#include <thread>

#include <catch2/catch.hpp>

#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"

using namespace rosterd::testing;
using namespace std::chrono_literals;

namespace {

// Short deadlines so the slow-client cases finish quickly; limits at their defaults.
daemon_harness& shared_daemon() {
  static daemon_harness d(
      test_config("idle_timeout = \"1s\"\nheader_timeout = \"1s\"\nbody_timeout = \"1s\"\n"
                  "max_body_bytes = \"1MiB\"\n"));
  static const bool ready = d.wait_ready();
  REQUIRE(ready);
  return d;
}

void still_serving(std::uint16_t port) {
  const auto ok = http_request(port, "GET", "/healthz");
  REQUIRE(ok.status == 200);
}

}  // namespace

TEST_CASE("a body over max_body_bytes is refused with 413 problem+json", "[http][integration]") {
  auto& d = shared_daemon();
  raw_connection c(d.port());
  c.send("POST /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 2000000\r\n\r\n" +
         std::string(64 * 1024, 'x'));
  const auto answer = c.read_until_close(5s);
  CHECK(status_of(answer.data) == 413);
  CHECK(answer.data.find("application/problem+json") != std::string::npos);
  CHECK(answer.data.find("/problems/body-too-large") != std::string::npos);
  CHECK(answer.closed);
  still_serving(d.port());
}

TEST_CASE("a chunked body that grows past max_body_bytes is refused with 413",
          "[http][integration]") {
  auto& d = shared_daemon();
  raw_connection c(d.port());
  c.send("POST /healthz HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n");
  const std::string chunk = "10000\r\n" + std::string(0x10000, 'y') + "\r\n";
  for (int i = 0; i < 20 && c.send(chunk); ++i) {
  }
  const auto answer = c.read_until_close(5s);
  CHECK(status_of(answer.data) == 413);
  still_serving(d.port());
}

TEST_CASE("a header block over max_header_bytes is refused with 431", "[http][integration]") {
  auto& d = shared_daemon();
  raw_connection c(d.port());
  c.send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20 * 1024, 'a') + "\r\n\r\n");
  const auto answer = c.read_until_close(5s);
  CHECK(status_of(answer.data) == 431);
  CHECK(answer.data.find("/problems/headers-too-large") != std::string::npos);
  still_serving(d.port());
}

TEST_CASE("more than max_header_count header fields is refused with 431", "[http][integration]") {
  auto& d = shared_daemon();
  raw_connection c(d.port());
  std::string request = "GET /healthz HTTP/1.1\r\nHost: t\r\n";
  for (int i = 0; i < 150; ++i) {
    request += "X-H" + std::to_string(i) + ": v\r\n";
  }
  c.send(request + "\r\n");
  const auto answer = c.read_until_close(5s);
  CHECK(status_of(answer.data) == 431);
  CHECK(answer.data.find("/problems/too-many-headers") != std::string::npos);
  still_serving(d.port());
}

TEST_CASE("a malformed request line is refused with 400", "[http][integration]") {
  auto& d = shared_daemon();
  for (const std::string bad :
       {"GARBAGE\r\n\r\n", "GET /healthz HTTP/9.9\r\nHost: t\r\n\r\n", "GET\t/ HTTP/1.1\r\n\r\n",
        "GET /a b HTTP/1.1\r\n\r\n", "GET /healthz HTTP/1.1\r\nBad Header\r\n\r\n"}) {
    DYNAMIC_SECTION(bad.substr(0, bad.find('\r'))) {
      raw_connection c(d.port());
      c.send(bad);
      const auto answer = c.read_until_close(5s);
      CHECK(status_of(answer.data) == 400);
      CHECK(answer.data.find("/problems/malformed-request") != std::string::npos);
    }
  }
  still_serving(d.port());
}

TEST_CASE("a target with broken percent-encoding is refused with 400", "[http][integration]") {
  auto& d = shared_daemon();
  auto reply = http_request(d.port(), "GET", "/healthz%zz");
  CHECK(reply.status == 400);
  CHECK(reply.headers["content-type"] == "application/problem+json");
  CHECK(reply.body.find("\"request_id\":\"" + reply.headers["x-request-id"] + "\"") !=
        std::string::npos);
}

TEST_CASE("an idle client is closed after idle_timeout", "[http][integration]") {
  auto& d = shared_daemon();
  raw_connection idle(d.port());
  const auto result = idle.read_until_close(5s);
  CHECK(result.closed);
  CHECK(result.data.empty());
  still_serving(d.port());
}

TEST_CASE("a client trickling its headers is dropped after header_timeout while others are served",
          "[http][integration]") {
  auto& d = shared_daemon();
  raw_connection slow(d.port());
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Slow: abcdefghijkl\r\n\r\n";
  bool cut_off = false;
  for (std::size_t i = 0; i < request.size(); ++i) {
    if (!slow.send(request.substr(i, 1))) {
      cut_off = true;
      break;
    }
    still_serving(d.port());  // the others are served throughout
    std::this_thread::sleep_for(150ms);
    if (slow.read_until_close(1ms).closed) {
      cut_off = true;
      break;
    }
  }
  CHECK(cut_off);
  const auto metrics = http_request(d.port(), "GET", "/metrics").body;
  CHECK(metrics.find("rosterd_http_connections_dropped_total{reason=\"header_timeout\"}") !=
        std::string::npos);
}

TEST_CASE("a client trickling its body is dropped after body_timeout", "[http][integration]") {
  auto& d = shared_daemon();
  raw_connection slow(d.port());
  slow.send("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\nabc");
  const auto result = slow.read_until_close(5s);
  CHECK(result.closed);
  still_serving(d.port());
}

TEST_CASE("keep-alive and pipelined requests are answered in order on one connection",
          "[http][integration]") {
  auto& d = shared_daemon();
  raw_connection c(d.port());
  c.send(
      "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const auto answer = c.read_until_close(5s);
  const auto first = answer.data.find("HTTP/1.1 200");
  const auto second = answer.data.find("HTTP/1.1 404");
  const auto third = answer.data.find("HTTP/1.1 200", second);
  CHECK(first != std::string::npos);
  CHECK(second != std::string::npos);
  CHECK(third != std::string::npos);
  CHECK(first < second);
  CHECK(answer.closed);
}

TEST_CASE("HEAD answers headers without a body and a wrong method gets 405 with Allow",
          "[http][integration]") {
  auto& d = shared_daemon();
  auto head = http_request(d.port(), "HEAD", "/healthz");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.headers["content-length"] != "0");
  auto wrong = http_request(d.port(), "DELETE", "/healthz");
  CHECK(wrong.status == 405);
  CHECK(wrong.headers["allow"] == "GET, HEAD");
}

TEST_CASE("an error's request id is in its body, its header and the log line",
          "[http][integration]") {
  auto& d = shared_daemon();
  auto reply = http_request(d.port(), "GET", "/no/such/thing?token=CANARY-QUERY-77");
  REQUIRE(reply.status == 404);
  const auto id = reply.headers["x-request-id"];
  CHECK(reply.body.find("\"request_id\":\"" + id + "\"") != std::string::npos);
  std::string log;
  for (int i = 0; i < 50 && log.find("request_id=" + id) == std::string::npos; ++i) {
    std::this_thread::sleep_for(20ms);
    log = read_file(d.dir() / "rosterd.log");
  }
  CHECK(log.find("request_id=" + id + " method=GET route=<unmatched> status=404") !=
        std::string::npos);
  // Neither the path nor the query reaches the log: they may carry tokens.
  CHECK(log.find("CANARY-QUERY-77") == std::string::npos);
  CHECK(log.find("/no/such/thing") == std::string::npos);
}

TEST_CASE("every response carries a request id and no-store by default", "[http][integration]") {
  auto& d = shared_daemon();
  auto a = http_request(d.port(), "GET", "/healthz");
  auto b = http_request(d.port(), "GET", "/healthz");
  CHECK(a.headers["x-request-id"].size() == 16);
  CHECK(a.headers["x-request-id"] != b.headers["x-request-id"]);
  CHECK(a.headers["cache-control"] == "no-store");
  CHECK(a.headers["x-content-type-options"] == "nosniff");
}

TEST_CASE("/metrics counts requests by route pattern and status in Prometheus format",
          "[http][integration]") {
  auto& d = shared_daemon();
  http_request(d.port(), "GET", "/readyz");
  auto reply = http_request(d.port(), "GET", "/metrics");
  CHECK(reply.status == 200);
  CHECK(reply.headers["content-type"].rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(reply.body.find(
            "rosterd_http_requests_total{method=\"GET\",route=\"/readyz\",status=\"200\"}") !=
        std::string::npos);
  CHECK(reply.body.find("rosterd_http_request_duration_seconds_bucket{route=\"/readyz\"") !=
        std::string::npos);
  CHECK(reply.body.find("rosterd_store_schema_version") != std::string::npos);
  CHECK(reply.body.find("rosterd_http_connections_active") != std::string::npos);
}

TEST_CASE("a request arriving in pieces is reassembled and answered", "[http][integration]") {
  auto& d = shared_daemon();
  raw_connection c(d.port());
  for (const std::string piece :
       {"GET /hea", "lthz HTTP/1.1\r\nHo", "st: t\r\nConnection: cl", "ose\r\n\r\n"}) {
    REQUIRE(c.send(piece));
    std::this_thread::sleep_for(50ms);
  }
  const auto answer = c.read_until_close(5s);
  CHECK(status_of(answer.data) == 200);
  CHECK(answer.data.find("{\"status\":\"ok\"}") != std::string::npos);
}
