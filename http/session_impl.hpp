#pragma once
// The session's member definitions, included by the two files that instantiate it (plain and
// TLS) so each instantiation compiles in parallel. Internal to the http library.

#include <array>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl.hpp>
#include <spdlog/spdlog.h>

#include "base/log_field.hpp"
#include "http/session.hpp"

namespace rosterd::http {
namespace session_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <class Stream>
constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

// Errors that only mean the peer went away or we closed the socket ourselves.
inline bool is_disconnect(const boost::system::error_code& ec) {
  return ec == beast_http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
         ec == asio::error::not_connected || ec == asio::ssl::error::stream_truncated;
}

// Maps a parse failure to the answer the client gets; nullopt means "just close".
inline std::optional<problem> rejection_for(const boost::system::error_code& ec,
                                            const limits& lim) {
  if (ec == beast_http::error::header_limit) {
    return make_problem(
        status::request_header_fields_too_large, "headers-too-large",
        "Request line and headers must fit in " + std::to_string(lim.max_header_bytes) + " bytes.");
  }
  if (ec == beast_http::error::body_limit) {
    return make_problem(
        status::payload_too_large, "body-too-large",
        "The request body must not exceed " + std::to_string(lim.max_body_bytes) + " bytes.");
  }
  const bool parse_error =
      ec.category() == make_error_code(beast_http::error::bad_method).category();
  const bool truncated = ec == beast_http::error::end_of_stream ||
                         ec == beast_http::error::partial_message ||
                         ec == beast_http::error::short_read;
  if (parse_error && !truncated) {
    return make_problem(status::bad_request, "malformed-request",
                        "The request could not be parsed as HTTP/1.1 (" + ec.message() + ").");
  }
  return std::nullopt;
}

}  // namespace session_detail

// Internal header, included only by session_plain.cpp and session_tls.cpp.
using namespace session_detail;  // NOLINT(google-build-using-namespace)

template <class Stream>
asio::awaitable<void> session<Stream>::run() {
  auto self = this->shared_from_this();  // alive until the coroutine ends
  boost::system::error_code ignored;
  remote_ = beast::get_lowest_layer(stream_).socket().remote_endpoint(ignored);
  beast::get_lowest_layer(stream_).socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  if (!co_await handshake()) {
    co_return;
  }
  while (!env_.draining.load() && co_await wait_for_request()) {
    if (!co_await serve_one()) {
      break;
    }
  }
  co_await close();
}

template <class Stream>
asio::awaitable<bool> session<Stream>::handshake() {
  if constexpr (is_tls<Stream>) {
    beast::get_lowest_layer(stream_).expires_after(env_.lim.handshake_timeout);
    auto [ec] = co_await stream_.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (ec) {
      env_.dispatch.count_drop(ec == beast::error::timeout ? "handshake_timeout"
                                                           : "handshake_failed");
      env_.log.debug("tls_handshake_failed remote={} error={}", remote_.address().to_string(),
                     base::log_field(ec.message()));
      co_return false;
    }
  }
  co_return true;
}

template <class Stream>
asio::awaitable<bool> session<Stream>::wait_for_request() {
  if (buffer_.size() > 0) {
    co_return true;  // a pipelined request is already here
  }
  // Idle between requests: only this wait may be interrupted by a drain.
  idle_ = true;
  beast::get_lowest_layer(stream_).expires_after(env_.lim.idle_timeout);
  auto [ec, n] = co_await stream_.async_read_some(buffer_.prepare(4096), use_tuple);
  idle_ = false;
  if (ec) {
    if (ec == beast::error::timeout) {
      env_.dispatch.count_drop("idle_timeout");
    }
    co_return false;
  }
  buffer_.commit(n);
  co_return true;
}

template <class Stream>
asio::awaitable<bool> session<Stream>::serve_one() {
  beast_http::request_parser<beast_http::string_body> parser;
  parser.header_limit(env_.lim.max_header_bytes);
  parser.body_limit(env_.lim.max_body_bytes);

  // Parse what already arrived first: a whole small request usually came in one read, and
  // parsing it in place saves an asynchronous round trip per request.
  parser.eager(true);
  boost::system::error_code ec;
  while (buffer_.size() > 0 && !parser.is_header_done()) {
    const auto used = parser.put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec || used == 0) {
      break;
    }
  }
  if (ec == beast_http::error::need_more) {
    ec = {};
  }
  if (!ec && !parser.is_header_done()) {
    beast::get_lowest_layer(stream_).expires_after(env_.lim.header_timeout);
    std::size_t n = 0;
    std::tie(ec, n) = co_await beast_http::async_read_header(stream_, buffer_, parser, use_tuple);
  }
  if (ec) {
    co_await end_after_read_error(ec, "header_timeout", 11);
    co_return false;
  }
  const auto& header = parser.get();
  const auto field_count =
      static_cast<std::size_t>(std::distance(header.base().begin(), header.base().end()));
  if (field_count > env_.lim.max_header_count) {
    co_await send_rejection(
        make_problem(status::request_header_fields_too_large, "too-many-headers",
                     "A request may carry at most " + std::to_string(env_.lim.max_header_count) +
                         " header fields."),
        header.version());
    co_return false;
  }
  if (!parser.is_done()) {
    if (beast::iequals(header[beast_http::field::expect], "100-continue")) {
      beast_http::response<beast_http::empty_body> cont{status::continue_, header.version()};
      beast::get_lowest_layer(stream_).expires_after(env_.lim.write_timeout);
      auto [wec, wn] = co_await beast_http::async_write(stream_, cont, use_tuple);
      if (wec) {
        co_return false;
      }
    }
    beast::get_lowest_layer(stream_).expires_after(env_.lim.body_timeout);
    auto [bec, bn] = co_await beast_http::async_read(stream_, buffer_, parser, use_tuple);
    if (bec) {
      co_await end_after_read_error(bec, "body_timeout", header.version());
      co_return false;
    }
  }

  auto req = parser.release();
  auto res = co_await env_.dispatch.dispatch(req, remote_, secure_);
  const bool keep_alive = req.keep_alive() && res.keep_alive() && !env_.draining.load();
  res.keep_alive(keep_alive);

  beast::get_lowest_layer(stream_).expires_after(env_.lim.write_timeout);
  auto [wec, wn] = co_await beast_http::async_write(stream_, res, use_tuple);
  if (wec) {
    if (wec == beast::error::timeout) {
      env_.dispatch.count_drop("write_timeout");
    }
    co_return false;
  }
  co_return keep_alive;
}

template <class Stream>
asio::awaitable<void> session<Stream>::end_after_read_error(const boost::system::error_code& ec,
                                                            const char* timeout_reason,
                                                            unsigned version) {
  if (ec == beast::error::timeout) {
    env_.dispatch.count_drop(timeout_reason);
  } else if (auto p = rejection_for(ec, env_.lim)) {
    co_await send_rejection(*p, version);
  } else if (!is_disconnect(ec)) {
    env_.dispatch.count_drop("read_error");
  }
}

template <class Stream>
asio::awaitable<void> session<Stream>::send_rejection(const problem& p, unsigned version) {
  auto res = env_.dispatch.reject(p, version == 10 ? 10 : 11, secure_);
  beast::get_lowest_layer(stream_).expires_after(env_.lim.write_timeout);
  co_await beast_http::async_write(stream_, res, use_tuple);
}

template <class Stream>
asio::awaitable<void> session<Stream>::close() {
  auto& lowest = beast::get_lowest_layer(stream_);
  if constexpr (is_tls<Stream>) {
    if (lowest.socket().is_open()) {
      lowest.expires_after(std::chrono::seconds(2));
      co_await stream_.async_shutdown(use_tuple);
    }
  }
  boost::system::error_code ignored;
  if (lowest.socket().is_open()) {
    // Lingering close: half-close, then drain what the client is still sending for a moment,
    // so a client cut off mid-body (413) reads our answer instead of a connection reset.
    lowest.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    lowest.expires_after(std::chrono::seconds(1));
    std::array<char, 16 * 1024> sink{};
    for (std::size_t drained = 0; drained < 256 * 1024;) {
      auto [ec, n] = co_await lowest.async_read_some(asio::buffer(sink), use_tuple);
      if (ec) {
        break;
      }
      drained += n;
    }
    lowest.socket().close(ignored);
  }
  co_return;
}

template <class Stream>
void session<Stream>::interrupt_if_idle() {
  // The socket belongs to the connection's strand; touch it only from there.
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
    if (self->idle_) {
      beast::get_lowest_layer(self->stream_).cancel();
    }
  });
}

template <class Stream>
void session<Stream>::force_close() {
  asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
    boost::system::error_code ignored;
    beast::get_lowest_layer(self->stream_).socket().close(ignored);
  });
}

}  // namespace rosterd::http
