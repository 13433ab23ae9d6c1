#include "base/ip_network.hpp"

#include <catch2/catch.hpp>

using boost::asio::ip::make_address;
using rosterd::base::parse_ip_network;

TEST_CASE("trusted proxy entries parse as blocks; typos are refused with a reason", "[proxies]") {
  const auto block = parse_ip_network("192.168.0.0/16").value();
  CHECK(block.contains(make_address("192.168.44.1")));
  CHECK_FALSE(block.contains(make_address("192.169.0.1")));
  CHECK_FALSE(block.contains(make_address("::1")));
  const auto one = parse_ip_network("2001:db8::5").value();
  CHECK(one.contains(make_address("2001:db8::5")));
  CHECK_FALSE(one.contains(make_address("2001:db8::6")));
  CHECK(parse_ip_network("0.0.0.0/0").value().contains(make_address("203.0.113.1")));
  CHECK(parse_ip_network("2001:db8::/33").value().contains(make_address("2001:db8:7fff::1")));
  CHECK_FALSE(parse_ip_network("2001:db8::/33").value().contains(make_address("2001:db8:8000::1")));
  CHECK(parse_ip_network("::ffff:10.0.0.0/104").value().contains(make_address("10.2.3.4")));

  CHECK(parse_ip_network("10.0.0.1/8").error().detail.find("did you mean \"10.0.0.0/8\"") !=
        std::string::npos);
  CHECK(parse_ip_network("10.0.0.0/33").error().detail.find("0 to 32") != std::string::npos);
  CHECK(parse_ip_network("fd00::/129").error().detail.find("0 to 128") != std::string::npos);
  CHECK_FALSE(parse_ip_network("10.0.0.0/").has_value());
  CHECK_FALSE(parse_ip_network("10.0.0.0/+8").has_value());
  CHECK_FALSE(parse_ip_network("proxy.internal").has_value());
  CHECK_FALSE(parse_ip_network("").has_value());
}

TEST_CASE("addresses inside our own networks are told apart from the public internet", "[ssrf]") {
  using rosterd::base::address_scope;
  using rosterd::base::scope_of;
  const std::pair<const char*, address_scope> cases[] = {
      {"93.184.215.14", address_scope::global},
      {"2606:4700::6810:84e5", address_scope::global},
      {"127.0.0.1", address_scope::loopback},
      {"127.8.9.10", address_scope::loopback},
      {"::1", address_scope::loopback},
      {"10.1.2.3", address_scope::private_use},
      {"172.16.0.1", address_scope::private_use},
      {"172.31.255.255", address_scope::private_use},
      {"172.32.0.1", address_scope::global},
      {"192.168.1.1", address_scope::private_use},
      {"fd12:3456::1", address_scope::private_use},
      {"169.254.169.254", address_scope::link_local},
      {"fe80::1", address_scope::link_local},
      {"100.64.0.1", address_scope::shared_cgnat},
      {"100.127.255.255", address_scope::shared_cgnat},
      {"100.128.0.1", address_scope::global},
      {"0.0.0.0", address_scope::unspecified},
      {"::", address_scope::unspecified},
      {"224.0.0.251", address_scope::multicast},
      {"ff02::1", address_scope::multicast},
      {"255.255.255.255", address_scope::reserved},
      {"192.0.2.10", address_scope::reserved},
      {"2001:db8::1", address_scope::reserved},
      // IPv4 carried inside IPv6 is judged by the IPv4 address it carries.
      {"::ffff:127.0.0.1", address_scope::loopback},
      {"::ffff:169.254.169.254", address_scope::link_local},
      {"64:ff9b::10.0.0.1", address_scope::private_use},
      {"2002:c0a8:0101::1", address_scope::private_use},
      {"64:ff9b::93.184.215.14", address_scope::global},
      {"::127.0.0.1", address_scope::reserved},
  };
  for (const auto& [text, scope] : cases) {
    CAPTURE(text);
    CHECK(scope_of(make_address(text)) == scope);
  }
}
