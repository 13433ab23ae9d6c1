#pragma once
// Who the client is, for the per-address rate limits. Behind a reverse proxy every request
// comes from the proxy, so the proxy's forwarding header is read, but only when the peer is
// one of server.trusted_proxies: from anyone else the header is the client's own claim and is
// ignored (anyone could write X-Forwarded-For: <a fresh address> on every guess).
//
// The header is a list that each proxy appends to. It is read from the right, skipping the
// hops that are trusted proxies too; the first hop that is not is the client. Whatever lies
// left of it was written by that client and is never used.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "base/ip_network.hpp"
#include "http/types.hpp"

namespace rosterd::edge::api {

/// Which header the trusted proxies write. Only one is read: a proxy that appends to one of
/// them passes the other through as the client sent it, so reading both would let a client
/// choose its own address.
enum class forwarded_header { x_forwarded_for, forwarded };

struct proxy_trust {
  std::vector<base::ip_network> proxies;  ///< empty: forwarding headers are never read
  forwarded_header header = forwarded_header::x_forwarded_for;

  [[nodiscard]] bool trusts(const boost::asio::ip::address& a) const;
};

/// The client's address, given the TCP peer and the values of every instance of the
/// configured header, in the order they arrived. When the peer is not trusted, the peer.
/// When a hop the trusted proxies vouch for cannot be read ("unknown", an obfuscated name, a
/// malformed value), the nearest hop that could: a proxy that forwards garbage gets no
/// further trust, and the garbage never becomes a rate-limit key.
boost::asio::ip::address client_address(const boost::asio::ip::address& peer,
                                        const std::vector<std::string_view>& header_values,
                                        const proxy_trust& trust);

/// The same for a request, as text (an IPv4-mapped address as plain IPv4).
std::string client_address(const http::request_context& ctx, const proxy_trust& trust);

}  // namespace rosterd::edge::api
