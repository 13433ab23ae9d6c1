#pragma once
// Numeric IP addresses and address blocks, as configuration names them (trusted proxies).

#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "base/failure.hpp"

namespace rosterd::base {

/// An address block: "192.0.2.0/24", "2001:db8::/32", or a single address ("10.0.0.7", "::1").
struct ip_network {
  boost::asio::ip::address base;
  unsigned prefix_length = 0;

  /// True when `a` is in the block. IPv4-mapped IPv6 addresses (::ffff:10.0.0.1, as a
  /// dual-stack listener reports IPv4 peers) count as their IPv4 address.
  [[nodiscard]] bool contains(const boost::asio::ip::address& a) const;

  /// The same block: parsing refuses bits beyond the prefix, so equal blocks are equal values.
  bool operator==(const ip_network&) const = default;
};

/// Parses one entry of server.trusted_proxies. Fails with a detail saying what is wrong: not
/// a numeric address, a prefix out of range, or bits set beyond the prefix ("10.0.0.1/8" is
/// refused as a likely typo for "10.0.0.0/8").
result<ip_network> parse_ip_network(std::string_view text);

/// An IPv4-mapped IPv6 address (::ffff:10.0.0.1, as a dual-stack listener reports IPv4
/// peers) as its IPv4 address; any other address unchanged.
boost::asio::ip::address without_v4_mapping(const boost::asio::ip::address& a);

/// What an address reaches, for refusing outbound connections to our own network (a webhook
/// URL naming the metadata service or a database next door).
enum class address_scope {
  global,        ///< the public internet
  loopback,      ///< 127.0.0.0/8, ::1
  private_use,   ///< 10/8, 172.16/12, 192.168/16, fc00::/7
  link_local,    ///< 169.254/16, fe80::/10 (169.254.169.254 is the cloud metadata service)
  shared_cgnat,  ///< 100.64/10, carrier-grade NAT
  unspecified,   ///< 0.0.0.0/8, ::
  multicast,     ///< 224/4, ff00::/8
  reserved,      ///< documentation, benchmarking, 240/4, broadcast, 6to4 relays, discard ::/64
};
std::string_view to_string(address_scope s) noexcept;

/// The scope of `a`. IPv4 carried inside IPv6 (mapped ::ffff:0:0/96, NAT64 64:ff9b::/96,
/// 6to4 2002::/16) counts as the IPv4 address it carries, so it cannot smuggle a private one.
address_scope scope_of(const boost::asio::ip::address& a);

}  // namespace rosterd::base
