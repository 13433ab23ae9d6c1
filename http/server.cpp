#include "http/server.hpp"

#include <optional>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include "http/errc.hpp"
#include "http/session.hpp"

namespace rosterd::http {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string describe(const tcp::endpoint& ep) {
  return (ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string()) +
         ":" + std::to_string(ep.port());
}

}  // namespace

server::server(asio::io_context& io, limits lim, dispatcher& dispatch,
               std::shared_ptr<asio::ssl::context> tls, std::shared_ptr<spdlog::logger> log)
    : io_(io),
      limits_(lim),
      dispatch_(dispatch),
      tls_(std::move(tls)),
      log_(std::move(log)),
      peers_(lim.max_connections_per_peer, lim.uncapped_peer) {}

server::~server() = default;

base::result<tcp::endpoint> server::listen(const tcp::endpoint& ep) {
  auto acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(io_));
  boost::system::error_code ec;
  acceptor->open(ep.protocol(), ec);
  if (!ec) {
    acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  }
  if (!ec && ep.address().is_v6()) {
    acceptor->set_option(asio::ip::v6_only(true), ec);
  }
  if (!ec) {
    acceptor->bind(ep, ec);
  }
  if (!ec) {
    acceptor->listen(asio::socket_base::max_listen_connections, ec);
  }
  if (ec) {
    return base::fail(errc::bind_failed, "cannot listen on " + describe(ep) + ": " + ec.message());
  }
  auto bound = acceptor->local_endpoint(ec);
  acceptors_.push_back(std::move(acceptor));
  return bound;
}

base::result<tcp::endpoint> server::adopt(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0 ||
      (addr.ss_family != AF_INET && addr.ss_family != AF_INET6)) {
    return base::fail(errc::adopt_failed,
                      "inherited fd " + std::to_string(fd) + " is not a TCP listening socket");
  }
  auto acceptor = std::make_unique<tcp::acceptor>(asio::make_strand(io_));
  boost::system::error_code ec;
  acceptor->assign(addr.ss_family == AF_INET ? tcp::v4() : tcp::v6(), fd, ec);
  if (ec) {
    return base::fail(errc::adopt_failed,
                      "cannot use inherited fd " + std::to_string(fd) + ": " + ec.message());
  }
  auto bound = acceptor->local_endpoint(ec);
  acceptors_.push_back(std::move(acceptor));
  return bound;
}

void server::start() {
  for (auto& acceptor : acceptors_) {
    asio::co_spawn(acceptor->get_executor(), accept_loop(*acceptor), asio::detached);
  }
}

asio::awaitable<void> server::accept_loop(tcp::acceptor& acceptor) {
  asio::steady_timer backoff(acceptor.get_executor());
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io_), use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
        co_return;
      }
      // Out of descriptors or memory: pause instead of spinning, then try again.
      log_->warn("http_accept_failed error={}", ec.message());
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    if (draining_.load()) {
      continue;  // the socket closes as it goes out of scope
    }
    if (active_.load() >= limits_.max_connections) {
      dispatch_.count_drop("connection_limit");
      continue;
    }
    boost::system::error_code gone;
    const auto peer = socket.remote_endpoint(gone);
    if (gone) {
      continue;  // reset before we got to it; nothing to serve
    }
    if (!peers_.try_take(peer.address())) {
      dispatch_.count_drop("peer_connection_limit");
      continue;
    }
    launch(std::move(socket), peer.address());
  }
}

void server::launch(tcp::socket socket, const asio::ip::address& peer) {
  const auto id = next_id_.fetch_add(1);
  const session_env env{limits_, dispatch_, draining_, *log_};
  auto executor = socket.get_executor();
  auto on_done = [this, id](const std::exception_ptr& error) {
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        log_->error("http_session_failed error={}", e.what());
      }
    }
    forget(id);
  };
  ++active_;
  sessions_.lock()->emplace(id, tracked_session{{}, peer});
  try {
    if (tls_) {
      auto s = std::make_shared<session<tls_stream>>(
          tls_stream(plain_stream(std::move(socket)), *tls_), env, true);
      sessions_.lock()->at(id).session = s;
      asio::co_spawn(executor, s->run(), on_done);
    } else {
      auto s = std::make_shared<session<plain_stream>>(plain_stream(std::move(socket)), env, false);
      sessions_.lock()->at(id).session = s;
      asio::co_spawn(executor, s->run(), on_done);
    }
  } catch (const std::exception& e) {
    // Out of memory or TLS state: this connection closes, the accept loop goes on, and its
    // slots are not lost.
    log_->error("http_session_start_failed error={}", e.what());
    forget(id);
  }
}

void server::forget(std::uint64_t id) {
  std::optional<asio::ip::address> peer;
  {
    auto sessions = sessions_.lock();
    if (auto it = sessions->find(id); it != sessions->end()) {
      peer = it->second.peer;
      sessions->erase(it);
    }
  }
  if (peer) {
    peers_.give_back(*peer);
    --active_;
  }
}

asio::awaitable<void> server::shutdown(std::chrono::milliseconds grace) {
  draining_ = true;
  for (auto& acceptor : acceptors_) {
    asio::post(acceptor->get_executor(), [a = acceptor.get()] {
      boost::system::error_code ignored;
      a->close(ignored);
    });
  }
  auto each_session = [this](auto action) {
    std::vector<std::shared_ptr<session_base>> live;
    {
      auto sessions = sessions_.lock();
      for (auto& [id, tracked] : *sessions) {
        if (auto s = tracked.session.lock()) {
          live.push_back(std::move(s));
        }
      }
    }
    for (auto& s : live) {
      action(s);
    }
  };
  each_session([](const std::shared_ptr<session_base>& s) { s->interrupt_if_idle(); });

  asio::steady_timer timer(io_);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (active_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(use_tuple);
  }
  if (active_.load() > 0) {
    log_->warn("http_drain_deadline_reached open_connections={}", active_.load());
    each_session([](const std::shared_ptr<session_base>& s) { s->force_close(); });
    const auto hard_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (active_.load() > 0 && std::chrono::steady_clock::now() < hard_deadline) {
      timer.expires_after(std::chrono::milliseconds(10));
      co_await timer.async_wait(use_tuple);
    }
  }
}

std::vector<tcp::endpoint> server::endpoints() const {
  std::vector<tcp::endpoint> out;
  for (const auto& acceptor : acceptors_) {
    boost::system::error_code ec;
    auto ep = acceptor->local_endpoint(ec);
    if (!ec) {
      out.push_back(ep);
    }
  }
  return out;
}

}  // namespace rosterd::http
