#pragma once
// The HTTP/1.1 server: accept loops and one coroutine per connection on its own strand, with
// deadlines on every read and write, size limits, optional TLS and a graceful drain.

#include <atomic>
#include <memory>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "base/failure.hpp"
#include "base/guarded.hpp"
#include "http/dispatcher.hpp"
#include "http/limits.hpp"
#include "http/peer_slots.hpp"

namespace rosterd::http {

class session_base;

class server {
 public:
  /// `tls` is null for plain HTTP. The dispatcher must outlive the server.
  server(boost::asio::io_context& io, limits lim, dispatcher& dispatch,
         std::shared_ptr<boost::asio::ssl::context> tls, std::shared_ptr<spdlog::logger> log);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and listens on `endpoint` (port 0 picks a free port). Returns the bound address.
  base::result<boost::asio::ip::tcp::endpoint> listen(const boost::asio::ip::tcp::endpoint& ep);

  /// Adopts an already listening socket (systemd socket activation).
  base::result<boost::asio::ip::tcp::endpoint> adopt(int native_listen_fd);

  /// Starts the accept loops on every listener.
  void start();

  /// Stops accepting, closes idle keep-alive connections, lets requests in flight finish, and
  /// after `grace` closes whatever is left. Completes when no connection remains.
  boost::asio::awaitable<void> shutdown(std::chrono::milliseconds grace);

  [[nodiscard]] std::vector<boost::asio::ip::tcp::endpoint> endpoints() const;
  [[nodiscard]] std::size_t active_connections() const { return active_.load(); }
  [[nodiscard]] bool draining() const { return draining_.load(); }

 private:
  friend class session_base;
  boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor);
  /// Starts a session for a connection whose peer already holds a slot in peers_.
  void launch(boost::asio::ip::tcp::socket socket, const boost::asio::ip::address& peer);
  /// The one place a connection's slots (active_, peers_) are given back; once per id.
  void forget(std::uint64_t id);

  struct tracked_session {
    std::weak_ptr<session_base> session;
    boost::asio::ip::address peer;
  };

  boost::asio::io_context& io_;
  limits limits_;
  dispatcher& dispatch_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::shared_ptr<spdlog::logger> log_;
  std::vector<std::unique_ptr<boost::asio::ip::tcp::acceptor>> acceptors_;
  std::atomic<bool> draining_{false};
  std::atomic<std::size_t> active_{0};
  std::atomic<std::uint64_t> next_id_{1};
  peer_slots peers_;
  base::guarded<std::unordered_map<std::uint64_t, tracked_session>> sessions_;
};

}  // namespace rosterd::http
