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

namespace {

std::size_t series_count(const std::string& exposition) {
  std::size_t n = 0;
  for (std::size_t at = 0; at < exposition.size();) {
    const auto end = exposition.find('\n', at);
    const auto line = exposition.substr(at, end - at);
    n += !line.empty() && line.front() != '#' ? 1 : 0;
    at = end == std::string::npos ? exposition.size() : end + 1;
  }
  return n;
}

int answer_to(std::uint16_t port, const std::string& request_line) {
  raw_connection c(port);
  c.send(request_line + "\r\nHost: t\r\nConnection: close\r\n\r\n");
  return status_of(c.read_until_close(5s).data);
}

}  // namespace

TEST_CASE("requests with made-up methods get 501 or 400 and add no metric series",
          "[http][metrics][integration]") {
  auto& d = shared_daemon();
  CHECK(answer_to(d.port(), "BREW /healthz HTTP/1.1") == 501);
  CHECK(answer_to(d.port(), "get /no/such/thing HTTP/1.1") == 501);
  CHECK(answer_to(d.port(), "G@T /healthz HTTP/1.1") == 400);  // not even a method token
  http_request(d.port(), "GET", "/metrics");
  const auto before = series_count(http_request(d.port(), "GET", "/metrics").body);
  for (int i = 0; i < 200; ++i) {
    const auto method = "M" + std::to_string(i) + "X";
    const auto status =
        answer_to(d.port(), method + (i % 2 == 0 ? " /healthz" : " /v1/nothing") + " HTTP/1.1");
    INFO(method);
    REQUIRE(status == 501);
  }
  const auto after = http_request(d.port(), "GET", "/metrics").body;
  CHECK(series_count(after) == before);
  CHECK(after.find("method=\"M1") == std::string::npos);
  CHECK(after.find("method=\"other\",route=\"<unmatched>\",status=\"501\"") != std::string::npos);
}

TEST_CASE("API answers carry a no-framing CSP; connect pages keep their own; no HSTS on plain http",
          "[http][headers][integration]") {
  auto& d = shared_daemon();
  for (const auto* target : {"/healthz", "/no/such/thing", "/metrics"}) {
    INFO(target);
    auto reply = http_request(d.port(), "GET", target);
    CHECK(reply.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'");
    CHECK(reply.headers.count("strict-transport-security") == 0);
  }
  auto page = http_request(d.port(), "GET", "/connect/not-a-real-link");
  CHECK(page.headers["content-type"].rfind("text/html", 0) == 0);
  CHECK(page.headers["content-security-policy"].find("style-src 'unsafe-inline'") !=
        std::string::npos);
  CHECK(page.headers["content-security-policy"].find("frame-ancestors 'none'") !=
        std::string::npos);
}

namespace {

// A keep-alive request answered on `c`: proof that the server took the connection.
bool served(raw_connection& c) {
  if (!c.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")) {
    return false;
  }
  return status_of(c.read_until("{\"status\":\"ok\"}", 5s)) == 200;
}

// A connection the server closes at once, without reading or answering anything.
bool refused(std::uint16_t port, const std::string& source) {
  raw_connection c(port, source);
  const auto answer = c.read_until_close(5s);
  return answer.closed && answer.data.empty();
}

}  // namespace

TEST_CASE(
    "one client address holds at most max_connections_per_peer; others connect; every "
    "close returns its slot",
    "[http][integration]") {
  // A short drain: the connections held at the end must not keep the stop waiting for the
  // default 10 s grace should one of them still count as busy on a loaded machine.
  daemon_harness d(test_config(
      "max_connections_per_peer = 4\nheader_timeout = \"1s\"\nshutdown_grace = \"1s\"\n"));
  REQUIRE(d.wait_ready());
  std::vector<std::unique_ptr<raw_connection>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<raw_connection>(d.port(), "127.0.0.1"));
    REQUIRE(served(*held.back()));
  }
  CHECK(refused(d.port(), "127.0.0.1"));
  CHECK(refused(d.port(), "127.0.0.1"));

  // Another address is a different client and is served while the first one is at its cap.
  raw_connection other(d.port(), "127.0.0.2");
  REQUIRE(served(other));
  other.send("GET /metrics HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const auto metrics = other.read_until_close(5s).data;
  CHECK(
      metrics.find("rosterd_http_connections_dropped_total{reason=\"peer_connection_limit\"} 2") !=
      std::string::npos);

  // Each held connection ends a different way; every way must give its slot back.
  held[0].reset();  // the client closes
  held[1]->send("GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  CHECK(held[1]->read_until_close(5s).closed);  // the server closes after answering
  held[2]->send("GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(20 * 1024, 'a') +
                "\r\n\r\n");
  CHECK(status_of(held[2]->read_until_close(5s).data) == 431);  // refused mid-request
  held[3]->send("GET /healthz HTTP/1.1\r\nHost: t\r\n");
  CHECK(held[3]->read_until_close(5s).closed);  // header_timeout
  held.clear();

  // Exactly four slots again: not fewer (a leak) and not more (a slot given back twice). The
  // server notices the closes asynchronously, so wait for the fourth to be served.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (held.size() < 4 && std::chrono::steady_clock::now() < deadline) {
    auto c = std::make_unique<raw_connection>(d.port(), "127.0.0.1");
    if (served(*c)) {
      held.push_back(std::move(c));
    } else {
      std::this_thread::sleep_for(50ms);
    }
  }
  REQUIRE(held.size() == 4);
  CHECK(refused(d.port(), "127.0.0.1"));
  const auto stopped = d.stop(std::chrono::seconds(20));
  INFO(read_file(d.dir() / "rosterd.log"));
  CHECK(stopped == 0);
}

TEST_CASE("a trusted reverse proxy is not held to the per-peer cap; other peers still are",
          "[http][integration]") {
  daemon_harness d(
      test_config("max_connections_per_peer = 2\ntrusted_proxies = [\"127.0.0.1\"]\nshutdown_grace "
                  "= \"1s\"\n"));
  REQUIRE(d.wait_ready());
  // Every client behind the proxy arrives from 127.0.0.1: capping it would cap them all.
  std::vector<std::unique_ptr<raw_connection>> through_proxy;
  for (int i = 0; i < 6; ++i) {
    through_proxy.push_back(std::make_unique<raw_connection>(d.port(), "127.0.0.1"));
    REQUIRE(served(*through_proxy.back()));
  }
  raw_connection first(d.port(), "127.0.0.2");
  raw_connection second(d.port(), "127.0.0.2");
  REQUIRE(served(first));
  REQUIRE(served(second));
  CHECK(refused(d.port(), "127.0.0.2"));
  const auto stopped = d.stop(std::chrono::seconds(20));
  INFO(read_file(d.dir() / "rosterd.log"));
  CHECK(stopped == 0);
}

TEST_CASE("with metrics.token_file, /metrics needs the bearer token, which is never logged",
          "[http][metrics][integration]") {
  const std::string token = "CANARY-METRICS-TOKEN-7d41c9a0e2";
  daemon_harness d(test_config({}, "\n[metrics]\ntoken_file = \"metrics.token\"\n"),
                   daemon_harness::not_started);
  write_file(d.dir() / "metrics.token", token + "\n");
  d.start();
  REQUIRE(d.wait_ready());

  auto anonymous = http_request(d.port(), "GET", "/metrics");
  CHECK(anonymous.status == 401);
  CHECK(anonymous.headers["www-authenticate"].rfind("Bearer", 0) == 0);
  CHECK(anonymous.headers["content-type"] == "application/problem+json");
  CHECK(anonymous.body.find("rosterd_http_requests_total") == std::string::npos);
  const std::vector<std::string> wrong_values{"Bearer " + token.substr(0, token.size() - 1) + "X",
                                              "Bearer " + token + "X",
                                              "Bearer " + token.substr(0, 8),
                                              "Basic " + token,
                                              token,
                                              "Bearer"};
  for (const auto& wrong : wrong_values) {
    INFO(wrong.substr(0, 12) << "... (" << wrong.size() << " bytes)");
    CHECK(http_request(d.port(), "GET", "/metrics", {}, {{"Authorization", wrong}}).status == 401);
  }
  const auto allowed =
      http_request(d.port(), "GET", "/metrics", {}, {{"Authorization", "Bearer " + token}});
  CHECK(allowed.status == 200);
  CHECK(allowed.body.find("rosterd_http_requests_total") != std::string::npos);
  CHECK(allowed.body.find("route=\"/metrics\",status=\"401\"") != std::string::npos);
  // The auth scheme is case-insensitive (RFC 9110); health checks stay open.
  CHECK(http_request(d.port(), "GET", "/metrics", {}, {{"Authorization", "bearer " + token}})
            .status == 200);
  CHECK(http_request(d.port(), "GET", "/healthz").status == 200);
  CHECK(http_request(d.port(), "GET", "/readyz").status == 200);

  CHECK(d.stop() == 0);
  CHECK(read_file(d.dir() / "rosterd.log").find(token) == std::string::npos);
  const auto printed =
      run_to_end(rosterd_binary(), {"--print-config", "--config", d.config_path().string()});
  CHECK(printed.output.find("token_file = 'metrics.token'") != std::string::npos);
  CHECK(printed.output.find(token) == std::string::npos);
}
