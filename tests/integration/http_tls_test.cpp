// Native TLS with a test CA: a verifying client gets through, an unverifying peer does not, and
// a plain-HTTP client on the TLS port is dropped without disturbing anyone.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>

#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"

using namespace rosterd::testing;
using namespace std::chrono_literals;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;

namespace {

void openssl(const std::vector<std::string>& args) {
  const auto r = run_to_end("/usr/bin/openssl", args);
  INFO(r.output);
  REQUIRE(r.exit_code == 0);
}

// A throwaway CA and a server certificate for localhost / 127.0.0.1 signed by it.
void make_test_pki(const std::filesystem::path& dir) {
  const auto p = [&](const char* name) { return (dir / name).string(); };
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-keyout", p("ca.key"), "-out", p("ca.crt"), "-days", "2", "-subj",
           "/CN=rosterd test CA"});
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
           p("server.key"), "-out", p("server.csr"), "-subj", "/CN=localhost"});
  write_file(dir / "ext.cnf", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  openssl({"x509", "-req", "-in", p("server.csr"), "-CA", p("ca.crt"), "-CAkey", p("ca.key"),
           "-CAcreateserial", "-out", p("server.crt"), "-days", "2", "-extfile", p("ext.cnf")});
}

// GET `target` over TLS; throws when the handshake or verification fails.
beast::http::response<beast::http::string_body> tls_request(std::uint16_t port,
                                                            const std::filesystem::path& ca_file,
                                                            const std::string& host,
                                                            const std::string& target) {
  boost::asio::io_context io;
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_verify_mode(ssl::verify_peer);
  if (!ca_file.empty()) {
    ctx.load_verify_file(ca_file.string());
  }
  beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
  SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
  stream.set_verify_callback(ssl::host_name_verification(host));
  beast::get_lowest_layer(stream).expires_after(10s);
  beast::get_lowest_layer(stream).connect({boost::asio::ip::make_address("127.0.0.1"), port});
  stream.handshake(ssl::stream_base::client);
  beast::http::request<beast::http::empty_body> req{beast::http::verb::get, target, 11};
  req.set(beast::http::field::host, host);
  beast::http::write(stream, req);
  beast::flat_buffer buffer;
  beast::http::response<beast::http::string_body> res;
  beast::http::read(stream, buffer, res);
  return res;
}

// The status of GET /healthz over TLS; throws when the handshake or verification fails.
int tls_get(std::uint16_t port, const std::filesystem::path& ca_file, const std::string& host) {
  return static_cast<int>(tls_request(port, ca_file, host, "/healthz").result_int());
}

}  // namespace

TEST_CASE("native TLS serves a client that verifies the chain and host name",
          "[http][tls][integration]") {
  temp_directory pki;
  make_test_pki(pki.path());
  daemon_harness d(test_config("[server.tls]\nenabled = true\ncert_file = \"" +
                               (pki.path() / "server.crt").string() + "\"\nkey_file = \"" +
                               (pki.path() / "server.key").string() + "\"\n"));
  REQUIRE(d.wait_ready());
  CHECK(notify_field(d.notify().history().back(), "STATUS").find("https://") != std::string::npos);

  CHECK(tls_get(d.port(), pki.path() / "ca.crt", "localhost") == 200);
  // Without our CA the chain does not verify; with the wrong name the host check fails.
  CHECK_THROWS(tls_get(d.port(), {}, "localhost"));
  CHECK_THROWS(tls_get(d.port(), pki.path() / "ca.crt", "example.org"));

  // Plain HTTP on the TLS port is dropped; TLS clients keep being served.
  raw_connection plain(d.port());
  plain.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto answer = plain.read_until_close(5s);
  CHECK(status_of(answer.data) == 0);
  CHECK(tls_get(d.port(), pki.path() / "ca.crt", "localhost") == 200);
  // The private key never reaches the log.
  const auto key = read_file(pki.path() / "server.key");
  const auto body = key.substr(key.find('\n') + 1, 40);
  CHECK(read_file(d.dir() / "rosterd.log").find(body) == std::string::npos);
  CHECK(d.stop() == 0);
}

TEST_CASE("a key that does not match the certificate stops startup with exit 78",
          "[http][tls][integration]") {
  temp_directory pki;
  make_test_pki(pki.path());
  daemon_harness d(test_config("[server.tls]\nenabled = true\ncert_file = \"" +
                               (pki.path() / "server.crt").string() + "\"\nkey_file = \"" +
                               (pki.path() / "ca.key").string() + "\"\n"));
  CHECK(d.process().wait(20s) == 78);
  CHECK_FALSE(d.notify().wait_for("READY=1", 50ms));
  CHECK(d.process().output().find("does not match") != std::string::npos);
}

TEST_CASE("answers over TLS carry Strict-Transport-Security, API and pages alike",
          "[http][tls][headers][integration]") {
  temp_directory pki;
  make_test_pki(pki.path());
  daemon_harness d(test_config("[server.tls]\nenabled = true\ncert_file = \"" +
                               (pki.path() / "server.crt").string() + "\"\nkey_file = \"" +
                               (pki.path() / "server.key").string() + "\"\n"));
  REQUIRE(d.wait_ready());
  for (const auto* target : {"/healthz", "/no/such/thing", "/connect/not-a-real-link"}) {
    INFO(target);
    const auto res = tls_request(d.port(), pki.path() / "ca.crt", "localhost", target);
    CHECK(res[beast::http::field::strict_transport_security] == "max-age=31536000");
  }
  CHECK(d.stop() == 0);
}

TEST_CASE("behind a TLS-terminating proxy (an https public_url) plain answers carry HSTS",
          "[http][tls][headers][integration]") {
  daemon_harness d(test_config("public_url = \"https://rosterd.example\"\n"));
  REQUIRE(d.wait_ready());
  auto reply = http_request(d.port(), "GET", "/healthz");
  CHECK(reply.headers["strict-transport-security"] == "max-age=31536000");
  CHECK(reply.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'");
  CHECK(d.stop() == 0);
}
