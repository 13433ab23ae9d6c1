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
