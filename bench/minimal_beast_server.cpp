// bench_minimal_beast_server: the smallest honest Beast HTTP/1.1 keep-alive server, used by
// bench/http_load.sh as the upper bound rosterd's HTTP path should stay close to.
//
// It is built the way rosterd's http/ library is (one io_context run by N threads, one strand
// per connection, beast::tcp_stream with a deadline per operation, C++20 coroutines with
// as_tuple(use_awaitable), TCP_NODELAY), minus everything that makes rosterd rosterd: no
// routing, no logging, no metrics, no limits beyond Beast's defaults. Every request, whatever
// its method or target, is answered 200 with the same JSON body /healthz returns.
//
// Usage: bench_minimal_beast_server [--port P] [--threads N] [--address A]
// Stops on SIGINT/SIGTERM.

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Same bytes as rosterd's /healthz body (nlohmann dump + "\n").
constexpr std::string_view body = "{\"status\":\"ok\"}\n";
constexpr auto timeout = std::chrono::seconds(30);

asio::awaitable<void> session(beast::tcp_stream stream) {
  boost::system::error_code ignored;
  stream.socket().set_option(tcp::no_delay(true), ignored);
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    stream.expires_after(timeout);
    auto [rec, rn] = co_await http::async_read(stream, buffer, req, use_tuple);
    if (rec) {
      break;  // end_of_stream, timeout, parse error: just close
    }
    http::response<http::string_body> res{http::status::ok, req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = body;
    res.prepare_payload();
    stream.expires_after(timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, use_tuple);
    if (wec || !res.keep_alive()) {
      break;
    }
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(asio::io_context& io, tcp::acceptor& acceptor) {
  while (acceptor.is_open()) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::make_strand(io), use_tuple);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) {
        co_return;
      }
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, session(beast::tcp_stream(std::move(socket))), asio::detached);
  }
}

bool parse_uint(std::string_view s, unsigned& out) {
  const auto* end = s.data() + s.size();
  auto [p, ec] = std::from_chars(s.data(), end, out);
  return ec == std::errc{} && p == end;
}

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--port P] [--threads N] [--address A]\n", argv0);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  unsigned port = 8080;
  unsigned threads = 1;
  std::string address = "127.0.0.1";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (i + 1 >= argc) {
      usage(argv[0]);
    }
    const std::string_view value = argv[++i];
    if (arg == "--port") {
      if (!parse_uint(value, port) || port > 65535) {
        usage(argv[0]);
      }
    } else if (arg == "--threads") {
      if (!parse_uint(value, threads) || threads == 0 || threads > 256) {
        usage(argv[0]);
      }
    } else if (arg == "--address") {
      address = value;
    } else {
      usage(argv[0]);
    }
  }

  try {
    asio::io_context io(static_cast<int>(threads));
    tcp::acceptor acceptor(asio::make_strand(io));
    const tcp::endpoint ep(asio::ip::make_address(address), static_cast<unsigned short>(port));
    acceptor.open(ep.protocol());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen(asio::socket_base::max_listen_connections);
    std::printf("listening on %s:%u threads=%u\n", address.c_str(),
                static_cast<unsigned>(acceptor.local_endpoint().port()), threads);
    std::fflush(stdout);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) { io.stop(); });

    asio::co_spawn(acceptor.get_executor(), accept_loop(io, acceptor), asio::detached);

    std::vector<std::thread> pool;
    pool.reserve(threads - 1);
    for (unsigned i = 1; i < threads; ++i) {
      pool.emplace_back([&io] { io.run(); });
    }
    io.run();
    for (auto& t : pool) {
      t.join();
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_minimal_beast_server: %s\n", e.what());
    return 1;
  }
  return 0;
}
