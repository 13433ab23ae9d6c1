// The HTTPS client against real TLS servers on loopback (certificates from tests/support's
// throwaway CA): requests and responses round-trip; every certificate that should not be
// trusted stops the exchange before a request is written (the server counts what it received);
// plain HTTP is never spoken; each transport failure comes back as its own errc, in time, and
// without the URL's query in its detail.

#include "oauth/https_client.hpp"

#include <atomic>
#include <functional>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <openssl/ssl.h>

#include "oauth/error.hpp"
#include "tests/support/catch_result.hpp"
#include "tests/support/test_pki.hpp"

using namespace rosterd;
using namespace rosterd::oauth;
using namespace rosterd::testing;
using namespace std::chrono_literals;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

using server_request = bhttp::request<bhttp::string_body>;
using server_response = bhttp::response<bhttp::string_body>;

// What the test server does once a connection is accepted.
enum class server_mode {
  answer,         // TLS, read one request, write options.answer(request)
  raw,            // TLS, read one request, write options.raw, then close_notify
  raw_truncated,  // TLS, read one request, write options.raw, then close TCP without close_notify
  silent,         // TLS, read one request, never answer
  no_handshake,   // accept TCP and never say anything
  plain_http,     // no TLS at all: read a little, answer in clear HTTP
};

struct server_options {
  certificate_files certificate{};
  server_mode mode = server_mode::answer;
  std::function<server_response(const server_request&)> answer{};
  std::string raw{};
  bool tls11_only = false;
};

server_response json_answer(const server_request& req) {
  server_response res{bhttp::status::ok, req.version()};
  res.set(bhttp::field::content_type, "application/json");
  res.body() = R"({"ok":true})";
  return res;
}

// A TLS server on 127.0.0.1 (ephemeral port) with its own io_context and thread. It counts the
// HTTP requests it actually parsed and records the SNI name of every handshake.
class tls_test_server {
 public:
  explicit tls_test_server(server_options options)
      : options_(std::move(options)), acceptor_(io_, {asio::ip::make_address("127.0.0.1"), 0}) {
    if (!options_.answer) {
      options_.answer = json_answer;
    }
    if (options_.mode != server_mode::plain_http && options_.mode != server_mode::no_handshake) {
      context_.use_certificate_chain_file(options_.certificate.certificate.string());
      context_.use_private_key_file(options_.certificate.key.string(), ssl::context::pem);
    }
    if (options_.tls11_only) {
      // OpenSSL 3 still speaks TLS 1.1 at security level 0 (SHA-1 signatures).
      SSL_CTX_set_security_level(context_.native_handle(), 0);
      SSL_CTX_set_cipher_list(context_.native_handle(), "DEFAULT:@SECLEVEL=0");
      SSL_CTX_set_min_proto_version(context_.native_handle(), TLS1_1_VERSION);
      SSL_CTX_set_max_proto_version(context_.native_handle(), TLS1_1_VERSION);
    }
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~tls_test_server() {
    io_.stop();
    thread_.join();
  }
  tls_test_server(const tls_test_server&) = delete;
  tls_test_server& operator=(const tls_test_server&) = delete;

  [[nodiscard]] std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  [[nodiscard]] std::string url(const std::string& path_and_query = "/") const {
    return "https://localhost:" + std::to_string(port()) + path_and_query;
  }
  [[nodiscard]] std::size_t connections() const { return connections_.load(); }
  [[nodiscard]] std::size_t requests_received() const {
    const std::lock_guard lock(mutex_);
    return requests_.size();
  }
  [[nodiscard]] std::vector<server_request> requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
  }
  // What a plain_http server read from its first connection.
  [[nodiscard]] std::string plain_received() const {
    const std::lock_guard lock(mutex_);
    return plain_received_;
  }
  // One entry per completed handshake: the SNI name, or "" when the client sent none.
  [[nodiscard]] std::vector<std::string> sni_names() const {
    const std::lock_guard lock(mutex_);
    return sni_;
  }

 private:
  using tls_stream = beast::ssl_stream<beast::tcp_stream>;

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
      if (ec) {
        co_return;
      }
      ++connections_;
      asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
  }

  asio::awaitable<void> hold_open() {
    asio::steady_timer forever(io_, 60s);
    co_await forever.async_wait(use_tuple);
  }

  asio::awaitable<void> serve(tcp::socket socket) {
    if (options_.mode == server_mode::no_handshake) {
      co_await hold_open();
      co_return;
    }
    if (options_.mode == server_mode::plain_http) {
      std::array<char, 2048> bytes{};
      auto [ec, n] = co_await socket.async_read_some(asio::buffer(bytes), use_tuple);
      {
        const std::lock_guard lock(mutex_);
        plain_received_.assign(bytes.data(), n);
      }
      static constexpr std::string_view answer =
          "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno";
      co_await asio::async_write(socket, asio::buffer(answer), use_tuple);
      co_return;
    }
    tls_stream stream(std::move(socket), context_);
    beast::get_lowest_layer(stream).expires_after(5s);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, use_tuple);
    if (hec) {
      co_return;
    }
    {
      const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name);
      const std::lock_guard lock(mutex_);
      sni_.emplace_back(sni != nullptr ? sni : "");
    }
    beast::flat_buffer buffer;
    server_request req;
    auto [rec, n] = co_await bhttp::async_read(stream, buffer, req, use_tuple);
    if (rec) {
      co_return;
    }
    {
      const std::lock_guard lock(mutex_);
      requests_.push_back(req);
    }
    switch (options_.mode) {
      case server_mode::answer: {
        auto res = options_.answer(req);
        res.prepare_payload();
        co_await bhttp::async_write(stream, res, use_tuple);
        co_await stream.async_shutdown(use_tuple);
        break;
      }
      case server_mode::raw:
        co_await asio::async_write(stream, asio::buffer(options_.raw), use_tuple);
        co_await stream.async_shutdown(use_tuple);
        break;
      case server_mode::raw_truncated:
        co_await asio::async_write(stream, asio::buffer(options_.raw), use_tuple);
        beast::get_lowest_layer(stream).close();
        break;
      default:
        co_await hold_open();
        break;
    }
  }

  server_options options_;
  asio::io_context io_;
  ssl::context context_{ssl::context::tls_server};
  tcp::acceptor acceptor_;
  std::atomic<std::size_t> connections_{0};
  mutable std::mutex mutex_;
  std::vector<server_request> requests_;
  std::vector<std::string> sni_;
  std::string plain_received_;
  std::thread thread_;
};

// One CA for the whole run: making certificates costs openssl processes.
const test_pki& pki() {
  static const test_pki instance;
  return instance;
}

https_client make_client(https_settings settings = {}) {
  if (settings.ca_file.empty()) {
    settings.ca_file = pki().ca_certificate();
  }
  auto client = https_client::create(std::move(settings));
  REQUIRE(client);
  return std::move(*client);
}

https_settings fast_settings() {
  https_settings s;
  s.ca_file = pki().ca_certificate();
  s.connect_timeout = 300ms;
  s.total_timeout = 300ms;
  return s;
}

// Runs one exchange to completion on a fresh io_context.
base::result<http_response> send(const https_client& client, const http_request& request) {
  asio::io_context io;
  auto answer = asio::co_spawn(io, client.send(request), asio::use_future);
  io.run();
  return answer.get();
}

base::result<http_response> get(const https_client& client, const std::string& url) {
  http_request request;
  request.url = url;
  return send(client, request);
}

// The query of every failing request carries this; no failure detail may repeat it.
constexpr std::string_view canary = "CANARY-7Q2";
const std::string secret_query = "?access_token=" + std::string(canary);

// For INFO: boost's operator<< for result needs a streamable value type.
std::string outcome(const base::result<http_response>& r) {
  return Catch::Detail::stringify(r);
}

void check_failure(const base::result<http_response>& r, errc expected) {
  INFO(outcome(r));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == make_error_code(expected));
  CHECK(r.error().detail.find(canary) == std::string::npos);
}

std::uint16_t closed_port() {
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  acceptor.close();
  return port;
}

// Whether this OpenSSL can still complete a TLS 1.1 handshake with `port` (a client that
// allows it, without verification): proves the "TLS 1.1 only" server really is one.
bool tls11_handshake_works(std::uint16_t port) {
  asio::io_context io;
  ssl::context ctx(ssl::context::tls_client);
  SSL_CTX_set_security_level(ctx.native_handle(), 0);
  SSL_CTX_set_cipher_list(ctx.native_handle(), "DEFAULT:@SECLEVEL=0");
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
  ctx.set_verify_mode(ssl::verify_none);
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  beast::get_lowest_layer(stream).expires_after(5s);
  boost::system::error_code ec;
  beast::get_lowest_layer(stream).connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  if (!ec) {
    stream.handshake(ssl::stream_base::client, ec);
  }
  return !ec;
}

}  // namespace

TEST_CASE("a GET returns the status, every header and the body the server sent",
          "[oauth][https][integration]") {
  const auto answer = [](const server_request& req) {
    server_response res{bhttp::status::created, req.version()};
    res.set(bhttp::field::content_type, "application/json");
    res.insert("X-Test", "one");
    res.insert(bhttp::field::set_cookie, "a=1");
    res.insert(bhttp::field::set_cookie, "b=2");
    res.body() = R"({"id":"17841400000","name":"Ada"})";
    return res;
  };
  tls_test_server server({.certificate = pki().server(), .answer = answer});
  const auto client = make_client();

  const auto r = get(client, server.url("/v19.0/me?fields=id,name"));
  INFO(outcome(r));
  REQUIRE(r);
  CHECK(r->status == 201);
  CHECK(r->body == R"({"id":"17841400000","name":"Ada"})");
  CHECK(r->header("content-type") == "application/json");
  CHECK(r->header("X-TEST") == "one");
  std::vector<std::string> cookies;
  for (const auto& [name, value] : r->headers) {
    if (name == "Set-Cookie") {
      cookies.push_back(value);
    }
  }
  CHECK(cookies == std::vector<std::string>{"a=1", "b=2"});

  REQUIRE(server.requests_received() == 1);
  const auto seen = server.requests().front();
  CHECK(seen.method() == bhttp::verb::get);
  CHECK(seen.target() == "/v19.0/me?fields=id,name");
  CHECK(seen[bhttp::field::host] == "localhost:" + std::to_string(server.port()));
  CHECK(seen[bhttp::field::user_agent] == "rosterd/0.1");
  CHECK(seen[bhttp::field::accept] == "application/json");
  CHECK(seen[bhttp::field::connection] == "close");
  CHECK(seen.find(bhttp::field::content_length) == seen.end());
  CHECK(seen.body().empty());
}

TEST_CASE("a form POST carries its body, Content-Length and the caller's own headers",
          "[oauth][https][integration]") {
  const auto echo = [](const server_request& req) {
    server_response res{bhttp::status::ok, req.version()};
    res.set(bhttp::field::content_type, "text/plain");
    res.body() = "got " + req.body();
    return res;
  };
  tls_test_server server({.certificate = pki().server(), .answer = echo});
  https_settings settings;
  settings.user_agent = "rosterd-test/9";
  const auto client = make_client(settings);

  http_request request;
  request.method = http_method::post;
  request.url = server.url("/oauth/access_token");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Authorization", "Basic Y2xpZW50OnNlY3JldA=="},
                     {"accept", "application/x-www-form-urlencoded"},
                     {"Content-Length", "999"}};
  request.body = "grant_type=authorization_code&code=abc%2F123&redirect_uri=https%3A%2F%2Fr";
  const auto r = send(client, request);
  INFO(outcome(r));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "got " + request.body);

  REQUIRE(server.requests_received() == 1);
  const auto seen = server.requests().front();
  CHECK(seen.method() == bhttp::verb::post);
  CHECK(seen.target() == "/oauth/access_token");
  CHECK(seen.body() == request.body);
  CHECK(seen[bhttp::field::content_length] == std::to_string(request.body.size()));
  CHECK(seen[bhttp::field::content_type] == "application/x-www-form-urlencoded");
  CHECK(seen[bhttp::field::authorization] == "Basic Y2xpZW50OnNlY3JldA==");
  CHECK(seen[bhttp::field::accept] == "application/x-www-form-urlencoded");  // caller's kept
  CHECK(seen[bhttp::field::user_agent] == "rosterd-test/9");
  CHECK(std::distance(seen.equal_range(bhttp::field::accept).first,
                      seen.equal_range(bhttp::field::accept).second) == 1);
}

TEST_CASE("a DELETE without a body goes out without Content-Length and a 204 comes back empty",
          "[oauth][https][integration]") {
  const auto no_content = [](const server_request& req) {
    return server_response{bhttp::status::no_content, req.version()};
  };
  tls_test_server server({.certificate = pki().server(), .answer = no_content});
  const auto client = make_client();
  http_request request;
  request.method = http_method::delete_;
  request.url = server.url("/v2/permissions");
  const auto r = send(client, request);
  INFO(outcome(r));
  REQUIRE(r);
  CHECK(r->status == 204);
  CHECK(r->body.empty());
  REQUIRE(server.requests_received() == 1);
  const auto seen = server.requests().front();
  CHECK(seen.method() == bhttp::verb::delete_);
  CHECK(seen.find(bhttp::field::content_length) == seen.end());
}

TEST_CASE("the client sends SNI for a host name and none for an IP address, which it verifies",
          "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().server()});
  const auto client = make_client();
  REQUIRE(get(client, server.url()));
  const auto by_ip = get(client, "https://127.0.0.1:" + std::to_string(server.port()) + "/");
  INFO(outcome(by_ip));
  CHECK(by_ip);
  CHECK(server.sni_names() == std::vector<std::string>{"localhost", ""});
  CHECK(server.requests().back()[bhttp::field::host] ==
        "127.0.0.1:" + std::to_string(server.port()));

  // A certificate for the name only does not cover the address.
  tls_test_server name_only({.certificate = pki().issue("name-only", "DNS:localhost")});
  const auto r =
      get(client, "https://127.0.0.1:" + std::to_string(name_only.port()) + "/" + secret_query);
  check_failure(r, errc::tls_failed);
  CHECK(r.error().detail.find("IP address mismatch") != std::string::npos);
  CHECK(name_only.requests_received() == 0);
}

TEST_CASE("a server certificate for another host name is refused before any request is sent",
          "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().issue("wrong", "DNS:wrong.example")});
  const auto r = get(make_client(), server.url("/token" + secret_query));
  check_failure(r, errc::tls_failed);
  CHECK(r.error().detail.find("certificate verify failed: hostname mismatch") != std::string::npos);
  CHECK(r.error().detail.find("localhost:" + std::to_string(server.port())) != std::string::npos);
  CHECK(server.connections() == 1);
  CHECK(server.requests_received() == 0);
}

TEST_CASE("a self-signed server certificate is refused before any request is sent",
          "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().self_signed("self")});
  const auto r = get(make_client(), server.url("/token" + secret_query));
  check_failure(r, errc::tls_failed);
  CHECK(r.error().detail.find("certificate verify failed: self-signed certificate") !=
        std::string::npos);
  CHECK(server.requests_received() == 0);
}

TEST_CASE("a certificate from a CA the client does not trust is refused",
          "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().server()});
  const test_pki other;
  https_settings trusts_other;
  trusts_other.ca_file = other.ca_certificate();
  const auto r = get(make_client(trusts_other), server.url("/token" + secret_query));
  check_failure(r, errc::tls_failed);
  CHECK(r.error().detail.find("unable to get local issuer certificate") != std::string::npos);

  // The system store does not know the test CA either.
  https_settings system_store;
  system_store.ca_file.clear();
  auto client = https_client::create(system_store);
  REQUIRE(client);
  check_failure(get(*client, server.url("/token" + secret_query)), errc::tls_failed);
  CHECK(server.requests_received() == 0);
}

TEST_CASE("an expired server certificate is refused before any request is sent",
          "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().expired("expired")});
  const auto r = get(make_client(), server.url("/token" + secret_query));
  check_failure(r, errc::tls_failed);
  CHECK(r.error().detail.find("certificate has expired") != std::string::npos);
  CHECK(server.requests_received() == 0);
}

TEST_CASE("a server that only speaks TLS 1.1 is refused", "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().server(), .tls11_only = true});
  if (!tls11_handshake_works(server.port())) {
    WARN("this OpenSSL cannot complete a TLS 1.1 handshake at all; case skipped");
    return;
  }
  const auto r = get(make_client(), server.url("/token" + secret_query));
  check_failure(r, errc::tls_failed);
  CHECK(server.requests_received() == 0);
}

TEST_CASE("a plain-HTTP server is never spoken to in clear text", "[oauth][https][integration]") {
  tls_test_server server({.mode = server_mode::plain_http});
  const auto r = get(make_client(), server.url("/token" + secret_query));
  check_failure(r, errc::tls_failed);
  // All the server saw was a TLS ClientHello (record type 22): no request line, no token.
  const auto seen = server.plain_received();
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.front() == '\x16');
  CHECK(seen.find("/token") == std::string::npos);
  CHECK(seen.find(canary) == std::string::npos);
}

TEST_CASE("http and malformed URLs are refused as invalid_url without connecting",
          "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().server()});
  const auto port = std::to_string(server.port());
  const auto client = make_client();
  const std::vector<std::string> urls{
      "http://localhost:" + port + "/token" + secret_query,
      "HTTP://localhost:" + port + "/",
      "ftp://localhost:" + port + "/",
      "ws://localhost:" + port + "/",
      "",
      "not a url",
      "localhost:" + port,
      "//localhost:" + port + "/",
      "/token" + secret_query,
      "https://",
      "https:///token",
      "https://exa mple.com/",
      "https://localhost:0/",
      "https://localhost:65536/",
      "https://localhost:" + port + "/a b",
      "https://[v1.x]/",
      "https://bad%2Fhost/",
      "https://user:" + std::string(canary) + "@localhost:" + port + "/",
  };
  for (const auto& url : urls) {
    INFO("url: " << url);
    check_failure(get(client, url), errc::invalid_url);
  }
  CHECK(server.connections() == 0);
  // Upper-case scheme and host are still https and localhost.
  CHECK(get(client, "HTTPS://LOCALHOST:" + port + "/"));
  CHECK(server.sni_names() == std::vector<std::string>{"localhost"});
}

TEST_CASE("a header that would inject a line is refused before connecting",
          "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().server()});
  const auto client = make_client();
  http_request request;
  request.url = server.url();
  request.headers = {{"Authorization", "Bearer x\r\nX-Injected: 1"}};
  CHECK_THROWS_AS(send(client, request), std::invalid_argument);
  request.headers = {{"Bad Name", "x"}};
  CHECK_THROWS_AS(send(client, request), std::invalid_argument);
  CHECK(server.connections() == 0);
}

TEST_CASE("a closed port gives connect_failed", "[oauth][https][integration]") {
  const auto r =
      get(make_client(fast_settings()),
          "https://localhost:" + std::to_string(closed_port()) + "/token" + secret_query);
  check_failure(r, errc::connect_failed);
}

TEST_CASE("a host name that does not resolve gives dns_failed", "[oauth][https][integration]") {
  // .invalid never resolves (RFC 6761), with or without a DNS server in reach.
  const auto r = get(make_client(), "https://nonexistent.invalid/token" + secret_query);
  check_failure(r, errc::dns_failed);
  CHECK(r.error().detail.find("nonexistent.invalid") != std::string::npos);
}

TEST_CASE("a server that accepts but never starts TLS times out after the connect timeout",
          "[oauth][https][integration]") {
  tls_test_server server({.mode = server_mode::no_handshake});
  auto settings = fast_settings();
  settings.total_timeout = 10s;
  const auto started = std::chrono::steady_clock::now();
  const auto r = get(make_client(settings), server.url("/token" + secret_query));
  const auto took = std::chrono::steady_clock::now() - started;
  check_failure(r, errc::timeout);
  CHECK(r.error().detail.find("connect timeout") != std::string::npos);
  CHECK(took >= 250ms);
  CHECK(took < 3s);
}

TEST_CASE("a server that never answers the request times out after the total timeout",
          "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().server(), .mode = server_mode::silent});
  auto settings = fast_settings();
  settings.connect_timeout = 10s;
  const auto started = std::chrono::steady_clock::now();
  const auto r = get(make_client(settings), server.url("/token" + secret_query));
  const auto took = std::chrono::steady_clock::now() - started;
  check_failure(r, errc::timeout);
  CHECK(r.error().detail.find("total timeout") != std::string::npos);
  CHECK(server.requests_received() == 1);
  CHECK(took >= 250ms);
  CHECK(took < 3s);
}

TEST_CASE("a response over max_response_bytes is refused, headers included",
          "[oauth][https][integration]") {
  auto settings = fast_settings();
  settings.total_timeout = 5s;
  settings.max_response_bytes = 1024;
  const auto client = make_client(settings);
  const auto sized = [](std::size_t body_bytes, std::size_t header_bytes) {
    return [=](const server_request& req) {
      server_response res{bhttp::status::ok, req.version()};
      res.set("X-Padding", std::string(header_bytes, 'h'));
      res.body() = std::string(body_bytes, 'b');
      return res;
    };
  };
  SECTION("the body alone is too large") {
    tls_test_server server({.certificate = pki().server(), .answer = sized(2048, 1)});
    check_failure(get(client, server.url("/" + secret_query)), errc::response_too_large);
  }
  SECTION("the body fits but headers and body together do not") {
    tls_test_server server({.certificate = pki().server(), .answer = sized(900, 300)});
    check_failure(get(client, server.url("/" + secret_query)), errc::response_too_large);
  }
  SECTION("the headers alone are too large") {
    tls_test_server server({.certificate = pki().server(), .answer = sized(0, 4096)});
    check_failure(get(client, server.url("/" + secret_query)), errc::response_too_large);
  }
  SECTION("a chunked body is counted as it arrives") {
    std::string chunks;
    for (int i = 0; i < 8; ++i) {
      chunks += "100\r\n" + std::string(256, 'c') + "\r\n";
    }
    tls_test_server server(
        {.certificate = pki().server(),
         .mode = server_mode::raw,
         .raw = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks + "0\r\n\r\n"});
    check_failure(get(client, server.url("/" + secret_query)), errc::response_too_large);
  }
  SECTION("a response within the limit is read whole") {
    tls_test_server server({.certificate = pki().server(), .answer = sized(600, 10)});
    const auto r = get(client, server.url());
    INFO(outcome(r));
    REQUIRE(r);
    CHECK(r->body.size() == 600);
  }
}

TEST_CASE("garbage instead of HTTP is a malformed_response", "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().server(),
                          .mode = server_mode::raw,
                          .raw = "SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n\r\n"});
  check_failure(get(make_client(fast_settings()), server.url("/" + secret_query)),
                errc::malformed_response);
}

TEST_CASE("a server closing in the middle of the body gives connection_closed",
          "[oauth][https][integration]") {
  const std::string partial =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"acc";
  auto settings = fast_settings();
  settings.total_timeout = 5s;
  SECTION("with a TLS close_notify") {
    tls_test_server server(
        {.certificate = pki().server(), .mode = server_mode::raw, .raw = partial});
    check_failure(get(make_client(settings), server.url("/" + secret_query)),
                  errc::connection_closed);
  }
  SECTION("by dropping TCP") {
    tls_test_server server(
        {.certificate = pki().server(), .mode = server_mode::raw_truncated, .raw = partial});
    check_failure(get(make_client(settings), server.url("/" + secret_query)),
                  errc::connection_closed);
  }
  SECTION("before the status line") {
    tls_test_server server({.certificate = pki().server(), .mode = server_mode::raw});
    check_failure(get(make_client(settings), server.url("/" + secret_query)),
                  errc::connection_closed);
  }
}

TEST_CASE("a body delimited by the end of the connection needs TLS close_notify to count",
          "[oauth][https][integration]") {
  const std::string until_close = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it";
  auto settings = fast_settings();
  settings.total_timeout = 5s;
  tls_test_server clean(
      {.certificate = pki().server(), .mode = server_mode::raw, .raw = until_close});
  const auto r = get(make_client(settings), clean.url());
  INFO(outcome(r));
  REQUIRE(r);
  CHECK(r->body == "all of it");
  // Without close_notify an attacker could have cut it short: not a response.
  tls_test_server truncated(
      {.certificate = pki().server(), .mode = server_mode::raw_truncated, .raw = until_close});
  check_failure(get(make_client(settings), truncated.url("/" + secret_query)),
                errc::connection_closed);
}

TEST_CASE("interim 1xx responses are skipped", "[oauth][https][integration]") {
  tls_test_server server({.certificate = pki().server(),
                          .mode = server_mode::raw,
                          .raw =
                              "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
                              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"});
  const auto r = get(make_client(fast_settings()), server.url());
  INFO(outcome(r));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "ok");
}

TEST_CASE("create refuses a CA file that is missing or holds no certificate",
          "[oauth][https][integration]") {
  temp_directory dir;
  https_settings settings;
  settings.ca_file = dir / "missing.pem";
  auto missing = https_client::create(settings);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == make_error_code(errc::tls_failed));
  CHECK(missing.error().detail.find("missing.pem") != std::string::npos);
  CHECK(missing.error().detail.find("no such file") != std::string::npos);

  write_file(dir / "empty.pem", "");
  settings.ca_file = dir / "empty.pem";
  auto empty = https_client::create(settings);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().detail.find("empty.pem") != std::string::npos);

  write_file(dir / "garbage.pem", "-----BEGIN CERTIFICATE-----\nnot base64!\n");
  settings.ca_file = dir / "garbage.pem";
  auto garbage = https_client::create(settings);
  REQUIRE_FALSE(garbage);
  CHECK(garbage.error().detail.find("garbage.pem") != std::string::npos);

  settings.ca_file = pki().ca_certificate();
  CHECK(https_client::create(settings));
}

TEST_CASE("redact_url keeps scheme, host and path and drops query, fragment and userinfo",
          "[oauth][https]") {
  CHECK(redact_url("https://graph.instagram.com/refresh_access_token?grant_type=ig_refresh_token"
                   "&access_token=IGQV") == "https://graph.instagram.com/refresh_access_token");
  CHECK(redact_url("https://h.example/p#access_token=x") == "https://h.example/p");
  CHECK(redact_url("https://h.example:8443/a/b") == "https://h.example:8443/a/b");
  CHECK(redact_url("https://h.example?code=x#y") == "https://h.example");
  CHECK(redact_url("https://h.example/?") == "https://h.example/");
  CHECK(redact_url("") == "");
  CHECK(redact_url("https://user:CANARY-PW@h.example/p?x=1") == "https://h.example/p");
  CHECK(redact_url("https://h.example/a@b") == "https://h.example/a@b");
}
