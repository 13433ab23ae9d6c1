#include "edge/api/client_address.hpp"

#include <catch2/catch.hpp>

using namespace rosterd::edge::api;
using boost::asio::ip::make_address;
using rosterd::base::parse_ip_network;

namespace {

proxy_trust trusting(std::initializer_list<const char*> blocks,
                     forwarded_header header = forwarded_header::x_forwarded_for) {
  proxy_trust t;
  for (const char* b : blocks) {
    t.proxies.push_back(parse_ip_network(b).value());
  }
  t.header = header;
  return t;
}

std::string client(const char* peer, std::vector<std::string_view> headers,
                   const proxy_trust& trust) {
  return client_address(make_address(peer), headers, trust).to_string();
}

}  // namespace

TEST_CASE("without trusted proxies a forwarding header is the client's own claim and ignored",
          "[proxies]") {
  const proxy_trust none;
  CHECK(client("203.0.113.9", {"198.51.100.1"}, none) == "203.0.113.9");
  CHECK(client("127.0.0.1", {"10.9.9.9, 198.51.100.1"}, none) == "127.0.0.1");
}

TEST_CASE("a spoofed header from a peer that is not a trusted proxy is ignored", "[proxies]") {
  const auto trust = trusting({"10.0.0.0/8"});
  // The client connects directly and claims to be someone else (or a trusted proxy).
  CHECK(client("203.0.113.9", {"198.51.100.1"}, trust) == "203.0.113.9");
  CHECK(client("203.0.113.9", {"10.0.0.2"}, trust) == "203.0.113.9");
}

TEST_CASE("behind trusted proxies the client is the rightmost hop that is not one of them",
          "[proxies]") {
  const auto trust = trusting({"10.0.0.0/8", "192.0.2.5"});
  CHECK(client("10.0.0.1", {"198.51.100.7"}, trust) == "198.51.100.7");
  // What the client wrote itself sits left of what the proxy appended: never used.
  CHECK(client("10.0.0.1", {"1.1.1.1, 2.2.2.2, 198.51.100.7"}, trust) == "198.51.100.7");
  // Two proxies (a CDN hop, then ours): both skipped.
  CHECK(client("10.0.0.1", {"6.6.6.6, 198.51.100.7, 192.0.2.5"}, trust) == "198.51.100.7");
  // Several header lines are one list, in order.
  CHECK(client("10.0.0.1", {"6.6.6.6", "198.51.100.7, 10.2.3.4"}, trust) == "198.51.100.7");
  // Every hop a trusted proxy: the leftmost is as far as we can see.
  CHECK(client("10.0.0.1", {"10.0.0.3, 10.0.0.2"}, trust) == "10.0.0.3");
  // No header at all: the proxy itself.
  CHECK(client("10.0.0.1", {}, trust) == "10.0.0.1");
}

TEST_CASE("hops are read with ports and IPv6 brackets; garbage ends the trust", "[proxies]") {
  const auto trust = trusting({"10.0.0.0/8", "::1"});
  CHECK(client("::1", {"198.51.100.7:4711"}, trust) == "198.51.100.7");
  CHECK(client("::1", {"[2001:db8::17]:4711"}, trust) == "2001:db8::17");
  CHECK(client("::1", {"2001:db8::17"}, trust) == "2001:db8::17");
  // A dual-stack listener reports IPv4 peers mapped into IPv6.
  CHECK(client("::ffff:10.0.0.1", {"198.51.100.7"}, trust) == "198.51.100.7");
  CHECK(client("10.0.0.1", {"::ffff:198.51.100.7"}, trust) == "198.51.100.7");
  // A hop the proxy vouches for that cannot be read: the proxy's own address, never the text.
  CHECK(client("10.0.0.1", {"198.51.100.7, not-an-address"}, trust) == "10.0.0.1");
  CHECK(client("10.0.0.1", {"198.51.100.7, unknown, 10.0.0.9"}, trust) == "10.0.0.9");
}

TEST_CASE("the Forwarded header is read only when configured, as RFC 7239 writes it", "[proxies]") {
  const auto forwarded = trusting({"10.0.0.0/8"}, forwarded_header::forwarded);
  CHECK(client("10.0.0.1", {"for=198.51.100.7;proto=https;by=10.0.0.1"}, forwarded) ==
        "198.51.100.7");
  CHECK(client("10.0.0.1", {"for=6.6.6.6, For=\"[2001:db8:cafe::17]:4711\""}, forwarded) ==
        "2001:db8:cafe::17");
  CHECK(client("10.0.0.1", {"for=\"198.51.100.7:80\";proto=http, for=10.1.1.1"}, forwarded) ==
        "198.51.100.7");
  CHECK(client("10.0.0.1", {"for=_hidden"}, forwarded) == "10.0.0.1");
  CHECK(client("10.0.0.1", {"proto=https"}, forwarded) == "10.0.0.1");
}
