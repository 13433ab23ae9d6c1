#pragma once
// One HTTP connection (internal to the server). Runs as a coroutine on the connection's strand.

#include <atomic>
#include <memory>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "http/dispatcher.hpp"
#include "http/limits.hpp"

namespace rosterd::http {

class server;

/// What the server needs to reach a live connection during a drain.
class session_base {
 public:
  virtual ~session_base() = default;
  /// Closes the connection if it is waiting for a next request. Thread-safe: posts to the
  /// connection's strand.
  virtual void interrupt_if_idle() = 0;
  /// Closes the connection whatever it is doing. Thread-safe: posts to the connection's strand.
  virtual void force_close() = 0;
};

using plain_stream = boost::beast::tcp_stream;
using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

/// Everything a session reads from its server; the server outlives every session.
struct session_env {
  const limits& lim;
  dispatcher& dispatch;
  const std::atomic<bool>& draining;
  spdlog::logger& log;
};

template <class Stream>
class session final : public session_base, public std::enable_shared_from_this<session<Stream>> {
 public:
  session(Stream stream, session_env env, bool secure)
      : stream_(std::move(stream)), env_(env), secure_(secure) {}

  /// Serves requests until the peer closes, an error, a limit, or the drain.
  boost::asio::awaitable<void> run();

  void interrupt_if_idle() override;
  void force_close() override;

 private:
  boost::asio::awaitable<bool> handshake();
  boost::asio::awaitable<bool> wait_for_request();
  boost::asio::awaitable<bool> serve_one();
  /// Counts, answers (400/413/431) or silently ends after a failed read.
  boost::asio::awaitable<void> end_after_read_error(const boost::system::error_code& ec,
                                                    const char* timeout_reason, unsigned version);
  boost::asio::awaitable<void> send_rejection(const problem& p, unsigned version);
  boost::asio::awaitable<void> close();

  Stream stream_;
  session_env env_;
  bool secure_;
  bool idle_ = false;
  boost::beast::flat_buffer buffer_;
  boost::asio::ip::tcp::endpoint remote_;
};

extern template class session<plain_stream>;
extern template class session<tls_stream>;

}  // namespace rosterd::http
