#pragma once
// The bounds that keep one client from starving the others.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>

#include <boost/asio/ip/address.hpp>

namespace rosterd::http {

struct limits {
  std::size_t max_body_bytes = 1024 * 1024;    ///< larger bodies get 413
  std::uint32_t max_header_bytes = 16 * 1024;  ///< request line + headers; larger gets 431
  std::size_t max_header_count = 100;          ///< more fields get 431
  std::size_t max_connections = 1024;          ///< further connections are closed at accept
  /// Open connections one client address may hold (IPv6: one /64); further ones are closed at
  /// accept, so a single client cannot take every connection.
  std::size_t max_connections_per_peer = 128;
  /// Peers the per-peer cap does not apply to: the trusted reverse proxies, which carry every
  /// client's connections (capping one would cap everyone behind it). Empty: none.
  std::function<bool(const boost::asio::ip::address&)> uncapped_peer;
  std::chrono::milliseconds idle_timeout{60'000};    ///< keep-alive wait for a request's first byte
  std::chrono::milliseconds header_timeout{10'000};  ///< whole request line + headers
  std::chrono::milliseconds body_timeout{30'000};    ///< whole body
  std::chrono::milliseconds write_timeout{30'000};   ///< whole response
  std::chrono::milliseconds handshake_timeout{10'000};  ///< TLS handshake
};

}  // namespace rosterd::http
