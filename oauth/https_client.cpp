#include "oauth/https_client.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "oauth/error.hpp"

namespace rosterd::oauth {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using steady = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Where a request goes, taken apart once.
struct endpoint_target {
  std::string host;         // lower-case name, or an IP address without brackets
  bool host_is_ip = false;  // verified as an IP address, and no SNI
  std::uint16_t port = 443;
  std::string host_header;  // host, [v6], with ":port" unless 443
  std::string target;       // path and query; "/" when the path is empty
  std::string redacted;     // for details: no query, no fragment
  [[nodiscard]] std::string authority() const {
    return (host_is_ip && host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
           std::to_string(port);
  }
};

// A URL we refuse may still carry secrets: drop query, fragment and any user:password@, and
// keep it short.
std::string url_for_detail(std::string_view url) {
  auto out = redact_url(url);
  const auto scheme_end = out.find("://");
  const auto authority_start = scheme_end == std::string::npos ? 0 : scheme_end + 3;
  const auto authority_end = out.find('/', authority_start);
  const auto at = out.rfind('@', authority_end);
  if (at != std::string::npos && at >= authority_start) {
    out.erase(authority_start, at + 1 - authority_start);
  }
  constexpr std::size_t max_chars = 200;
  if (out.size() > max_chars) {
    out.resize(max_chars);
    out += "...";
  }
  return out;
}

base::failure bad_url(std::string_view url, const std::string& why) {
  return base::fail(errc::invalid_url, why + ": \"" + url_for_detail(url) + "\"");
}

bool is_host_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return out;
}

base::result<endpoint_target> parse_target(std::string_view url) {
  const auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    return bad_url(url, "not an absolute URL");
  }
  const auto& u = *parsed;
  if (u.scheme_id() != boost::urls::scheme::https) {
    return bad_url(url, "only https URLs are allowed (scheme \"" + std::string(u.scheme()) + "\")");
  }
  if (!u.has_authority()) {
    return bad_url(url, "the URL has no host");
  }
  if (u.has_userinfo()) {
    return bad_url(url, "credentials in the URL are not allowed");
  }
  endpoint_target t;
  switch (u.host_type()) {
    case boost::urls::host_type::name: {
      const auto name = u.encoded_host_name();
      if (name.empty() || !std::all_of(name.begin(), name.end(), is_host_name_char)) {
        return bad_url(url, "the host is not a DNS name or an IP address");
      }
      t.host = lower(name);
      break;
    }
    case boost::urls::host_type::ipv4:
      t.host = u.host_ipv4_address().to_string();
      t.host_is_ip = true;
      break;
    case boost::urls::host_type::ipv6:
      t.host = u.host_ipv6_address().to_string();
      t.host_is_ip = true;
      break;
    default:
      return bad_url(url, "the host is not a DNS name or an IP address");
  }
  if (u.has_port() && !u.port().empty()) {
    t.port = u.port_number();
    if (t.port == 0) {
      return bad_url(url, "the port is not between 1 and 65535");
    }
  }
  t.host_header =
      t.host_is_ip && t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
  if (t.port != 443) {
    t.host_header += ":" + std::to_string(t.port);
  }
  t.target = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) {
    t.target += "?" + std::string(u.encoded_query());
  }
  t.redacted = url_for_detail(url);
  return t;
}

bool is_token_char(char c) {
  static constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
         extra.find(c) != std::string_view::npos;
}

// Header names and values are ours (or copied from provider answers by our code): a line
// break in one would let it add headers or a second request.
void check_header(const std::string& name, const std::string& value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char)) {
    throw std::invalid_argument("https_client: request header name \"" + lower(name.substr(0, 40)) +
                                "\" is not an HTTP token");
  }
  if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
    throw std::invalid_argument("https_client: the value of request header " + name +
                                " contains CR, LF or NUL");
  }
}

bhttp::verb verb_of(http_method m) {
  switch (m) {
    case http_method::get:
      return bhttp::verb::get;
    case http_method::post:
      return bhttp::verb::post;
    case http_method::delete_:
      return bhttp::verb::delete_;
  }
  throw std::invalid_argument("https_client: unknown http_method");
}

bhttp::request<bhttp::string_body> build_request(const http_request& request,
                                                 const endpoint_target& t,
                                                 const std::string& user_agent) {
  bhttp::request<bhttp::string_body> req{verb_of(request.method), t.target, 11};
  for (const auto& [name, value] : request.headers) {
    check_header(name, value);
    req.insert(name, value);
  }
  req.set(bhttp::field::host, t.host_header);
  if (req.find(bhttp::field::user_agent) == req.end()) {
    check_header("User-Agent", user_agent);
    req.set(bhttp::field::user_agent, user_agent);
  }
  if (req.find(bhttp::field::accept) == req.end()) {
    req.set(bhttp::field::accept, "application/json");
  }
  req.set(bhttp::field::connection, "close");  // one request per connection
  req.erase(bhttp::field::content_length);
  req.erase(bhttp::field::transfer_encoding);
  req.body() = request.body;
  req.prepare_payload();
  return req;
}

std::string ms(std::chrono::milliseconds d) {
  return std::to_string(d.count()) + " ms";
}

// OpenSSL's reason for a failed handshake, with the certificate check's own reason when the
// chain or name did not verify ("certificate verify failed: hostname mismatch").
std::string tls_reason(const error_code& ec, SSL* ssl) {
  std::string reason;
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* text = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    reason = text != nullptr ? text : ec.message();
  } else {
    reason = ec.message();
  }
  const long verify = SSL_get_verify_result(ssl);
  if (verify != X509_V_OK) {
    reason += ": ";
    reason += X509_verify_cert_error_string(verify);
  }
  ERR_clear_error();
  return reason;
}

bool is_peer_gone(const error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == ssl::error::stream_truncated || ec == bhttp::error::end_of_stream ||
         ec == bhttp::error::partial_message || ec == bhttp::error::short_read;
}

using resolve_channel =
    asio::experimental::concurrent_channel<void(error_code, tcp::resolver::results_type)>;

// getaddrinfo runs on Asio's resolver thread and cancelling it does not interrupt it, so the
// answer is handed over through a channel that the coroutine can stop waiting for at the
// deadline; a late answer then lands in the abandoned channel.
struct pending_resolution {
  explicit pending_resolution(const asio::any_io_executor& ex) : resolver(ex), answer(ex, 1) {}
  tcp::resolver resolver;
  resolve_channel answer;
};

// Resolution's outcome: the addresses, or the failure to return.
using resolved = base::result<tcp::resolver::results_type>;

asio::awaitable<resolved> resolve(const endpoint_target& t, steady::time_point deadline,
                                  std::chrono::milliseconds budget) {
  using namespace asio::experimental::awaitable_operators;  // NOLINT(google-build-using-namespace)
  const auto ex = co_await asio::this_coro::executor;
  auto pending = std::make_shared<pending_resolution>(ex);
  auto deliver = [pending](const error_code& ec, tcp::resolver::results_type results) {
    (void)pending->answer.try_send(ec, std::move(results));
  };
  pending->resolver.async_resolve(t.host, std::to_string(t.port), tcp::resolver::numeric_service,
                                  deliver);
  asio::steady_timer timer(ex);
  timer.expires_at(deadline);
  auto receive = pending->answer.async_receive(use_tuple);
  auto expire = timer.async_wait(use_tuple);
  auto first = co_await (std::move(receive) || std::move(expire));
  if (first.index() == 1) {
    pending->resolver.cancel();
    co_return base::fail(errc::timeout, "resolving " + t.host + " for " + t.redacted +
                                            " took longer than " + ms(budget));
  }
  auto [ec, results] = std::get<0>(std::move(first));
  if (ec || results.empty()) {
    co_return base::fail(errc::dns_failed, "cannot resolve " + t.host + " for " + t.redacted +
                                               ": " + (ec ? ec.message() : "no address"));
  }
  co_return results;
}

// Sets up SNI and the name (or address) the certificate must carry. Returns false when OpenSSL
// refuses them, which only happens for names it cannot use.
bool expect_peer(SSL* ssl, const endpoint_target& t) {
  if (t.host_is_ip) {
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), t.host.c_str()) == 1;
  }
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  // SSL_set_tlsext_host_name spelled out: the macro's C cast trips -Wold-style-cast.
  return SSL_set1_host(ssl, t.host.c_str()) == 1 &&
         SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                  const_cast<char*>(t.host.c_str())) == 1;
}

base::failure read_failure(const error_code& ec, const endpoint_target& t,
                           std::chrono::milliseconds total, std::size_t limit) {
  if (ec == beast::error::timeout) {
    return base::fail(errc::timeout, "no complete response from " + t.redacted + " within the " +
                                         ms(total) + " total timeout");
  }
  if (ec == bhttp::error::body_limit || ec == bhttp::error::header_limit ||
      ec == bhttp::error::buffer_overflow) {
    return base::fail(errc::response_too_large, "the response from " + t.redacted +
                                                    " exceeds the limit of " +
                                                    std::to_string(limit) + " bytes");
  }
  if (is_peer_gone(ec)) {
    return base::fail(errc::connection_closed, t.authority() +
                                                   " closed the connection before a complete "
                                                   "response to " +
                                                   t.redacted + " (" + ec.message() + ")");
  }
  if (ec.category() == bhttp::make_error_code(bhttp::error::bad_version).category()) {
    return base::fail(
        errc::malformed_response,
        "the response from " + t.redacted + " is not valid HTTP/1.1 (" + ec.message() + ")");
  }
  if (ec.category() == asio::error::get_ssl_category()) {
    const char* text = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
    ERR_clear_error();
    return base::fail(errc::tls_failed, "TLS error while reading from " + t.authority() + ": " +
                                            (text != nullptr ? text : ec.message()));
  }
  return base::fail(errc::connection_closed,
                    "reading the response from " + t.redacted + " failed: " + ec.message());
}

using tls_stream = beast::ssl_stream<beast::tcp_stream>;

// Reads one final response (skipping 1xx interim ones) within `limit` bytes for the status
// line, headers and body together.
asio::awaitable<base::result<http_response>> read_response(tls_stream& stream,
                                                           const endpoint_target& t,
                                                           std::chrono::milliseconds total,
                                                           std::size_t limit) {
  constexpr int max_interim = 8;
  beast::flat_buffer buffer;
  std::size_t budget = limit;
  for (int interim = 0; interim <= max_interim; ++interim) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(budget, std::numeric_limits<std::uint32_t>::max())));
    parser.body_limit(budget);
    auto [hec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, use_tuple);
    if (hec) {
      co_return read_failure(hec, t, total, limit);
    }
    budget -= std::min(budget, header_bytes);
    const auto status = parser.get().result_int();
    if (status >= 100 && status < 200 && status != 101) {
      continue;  // 103 Early Hints and the like: the real answer follows
    }
    // The parser compared Content-Length with the whole budget; the header took its share.
    const auto length = parser.content_length();
    if (length && *length > budget) {
      co_return read_failure(bhttp::error::body_limit, t, total, limit);
    }
    parser.body_limit(budget);
    if (!parser.is_done()) {
      auto [bec, body_bytes] = co_await bhttp::async_read(stream, buffer, parser, use_tuple);
      if (bec) {
        co_return read_failure(bec, t, total, limit);
      }
    }
    auto message = parser.release();
    http_response response;
    response.status = message.result_int();
    for (const auto& field : message.base()) {
      response.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    response.body = std::move(message.body());
    co_return response;
  }
  co_return base::fail(
      errc::malformed_response,
      t.redacted + " sent more than " + std::to_string(max_interim) + " interim (1xx) responses");
}

}  // namespace

struct https_client::state {
  https_settings settings;
  ssl::context context{ssl::context::tls_client};
};

https_client::https_client(std::shared_ptr<state> s) : state_(std::move(s)) {}

const https_settings& https_client::settings() const {
  return state_->settings;
}

base::result<https_client> https_client::create(https_settings settings) {
  auto s = std::make_shared<state>();
  s->settings = std::move(settings);
  auto& ctx = s->context;
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                  ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                  ssl::context::no_compression);
  if (SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION) != 1) {
    ERR_clear_error();
    return base::fail(errc::tls_failed, "OpenSSL refuses TLS 1.2 as the minimum version");
  }
  ctx.set_verify_mode(ssl::verify_peer);
  error_code ec;
  const auto& ca_file = s->settings.ca_file;
  if (ca_file.empty()) {
    ctx.set_default_verify_paths(ec);
    if (ec) {
      const auto reason = ec.message();
      ERR_clear_error();
      return base::fail(errc::tls_failed, "cannot use the system trust store: " + reason);
    }
  } else {
    // Checked first so the message says what is wrong with the file rather than OpenSSL's
    // "system lib".
    if (!std::ifstream(ca_file).is_open()) {
      std::error_code ignored;
      const bool exists = std::filesystem::exists(ca_file, ignored);
      return base::fail(errc::tls_failed,
                        "cannot read the CA file " + ca_file.string() +
                            (exists ? " (permission denied?)" : " (no such file)"));
    }
    ctx.load_verify_file(ca_file.string(), ec);
    if (ec) {
      const char* text = ERR_reason_error_string(static_cast<unsigned long>(ec.value()));
      const std::string reason = text != nullptr ? text : ec.message();
      ERR_clear_error();
      return base::fail(errc::tls_failed, "the CA file " + ca_file.string() +
                                              " holds no usable PEM certificate: " + reason);
    }
  }
  return https_client(std::move(s));
}

asio::awaitable<base::result<http_response>> https_client::send(const http_request& request) const {
  return exchange(state_, request);
}

asio::awaitable<base::result<http_response>> https_client::exchange(std::shared_ptr<state> s,
                                                                    const http_request& request) {
  const auto& settings = s->settings;
  const auto start = steady::now();
  const auto total_deadline = start + settings.total_timeout;
  const auto connect_deadline = std::min(start + settings.connect_timeout, total_deadline);
  const auto connect_budget = std::min(settings.connect_timeout, settings.total_timeout);

  auto parsed = parse_target(request.url);
  if (!parsed) {
    co_return parsed.error();
  }
  const endpoint_target& t = *parsed;
  auto req = build_request(request, t, settings.user_agent);

  auto addresses = co_await resolve(t, connect_deadline, connect_budget);
  if (!addresses) {
    co_return addresses.error();
  }

  const auto executor = co_await asio::this_coro::executor;
  tls_stream stream(executor, s->context);
  if (!expect_peer(stream.native_handle(), t)) {
    ERR_clear_error();
    co_return base::fail(errc::invalid_url,
                         "OpenSSL cannot verify a certificate for the host of " + t.redacted);
  }
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp_layer.expires_at(connect_deadline);
  auto [cec, peer] = co_await tcp_layer.async_connect(*addresses, use_tuple);
  if (cec == beast::error::timeout) {
    co_return base::fail(errc::timeout, "no TCP connection to " + t.authority() + " within the " +
                                            ms(connect_budget) + " connect timeout");
  }
  if (cec) {
    co_return base::fail(errc::connect_failed, "cannot connect to " + t.authority() + " for " +
                                                   t.redacted + ": " + cec.message());
  }
  (void)peer;

  auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, use_tuple);
  if (hec == beast::error::timeout) {
    co_return base::fail(errc::timeout, "no TLS handshake with " + t.authority() + " within the " +
                                            ms(connect_budget) + " connect timeout");
  }
  if (is_peer_gone(hec)) {
    co_return base::fail(
        errc::connection_closed,
        t.authority() + " closed the connection during the TLS handshake (" + hec.message() + ")");
  }
  if (hec) {
    co_return base::fail(errc::tls_failed, "TLS handshake with " + t.authority() + " failed: " +
                                               tls_reason(hec, stream.native_handle()));
  }

  tcp_layer.expires_at(total_deadline);
  auto [wec, written] = co_await bhttp::async_write(stream, req, use_tuple);
  if (wec == beast::error::timeout) {
    co_return base::fail(errc::timeout, "sending the request to " + t.redacted +
                                            " did not finish within the " +
                                            ms(settings.total_timeout) + " total timeout");
  }
  if (wec) {
    co_return base::fail(errc::connection_closed,
                         "sending the request to " + t.redacted + " failed: " + wec.message());
  }
  (void)written;
  // The response is complete and self-delimited when we stop reading, so closing without
  // waiting for the server's close_notify loses nothing.
  co_return co_await read_response(stream, t, settings.total_timeout, settings.max_response_bytes);
}

}  // namespace rosterd::oauth
