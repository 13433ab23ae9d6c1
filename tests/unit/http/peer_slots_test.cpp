#include "http/peer_slots.hpp"

#include <catch2/catch.hpp>

using namespace rosterd::http;
using boost::asio::ip::make_address;

TEST_CASE("a peer holds at most its limit of slots, and a returned slot can be taken again",
          "[http][limits]") {
  peer_slots slots(2);
  const auto a = make_address("192.0.2.1");
  const auto b = make_address("192.0.2.2");
  CHECK(slots.try_take(a));
  CHECK(slots.try_take(a));
  CHECK_FALSE(slots.try_take(a));
  CHECK(slots.held_by(a) == 2);
  CHECK(slots.try_take(b));  // another address has its own allowance
  slots.give_back(a);
  CHECK(slots.held_by(a) == 1);
  CHECK(slots.try_take(a));
  CHECK_FALSE(slots.try_take(a));
  slots.give_back(a);
  slots.give_back(a);
  slots.give_back(b);
  CHECK(slots.held_by(a) == 0);
  CHECK(slots.peers() == 0);  // nothing kept for addresses that hold nothing
}

TEST_CASE("IPv6 peers are counted per /64 and IPv4-mapped addresses as IPv4", "[http][limits]") {
  peer_slots slots(1);
  CHECK(slots.try_take(make_address("2001:db8:1:2::1")));
  // The same /64 is one host or one site's network: it shares the allowance.
  CHECK_FALSE(slots.try_take(make_address("2001:db8:1:2:ffff::9")));
  CHECK(slots.try_take(make_address("2001:db8:1:3::1")));
  CHECK(slots.try_take(make_address("::ffff:192.0.2.7")));
  CHECK_FALSE(slots.try_take(make_address("192.0.2.7")));
  CHECK(peer_slots::key_of(make_address("::ffff:192.0.2.7")) == make_address("192.0.2.7"));
  CHECK(peer_slots::key_of(make_address("2001:db8:1:2:3:4:5:6")) == make_address("2001:db8:1:2::"));
}

TEST_CASE("an uncapped peer is never refused and holds no slot", "[http][limits]") {
  const auto proxy = make_address("10.0.0.7");
  peer_slots slots(1, [proxy](const boost::asio::ip::address& a) { return a == proxy; });
  for (int i = 0; i < 5; ++i) {
    CHECK(slots.try_take(proxy));
  }
  CHECK(slots.held_by(proxy) == 0);
  slots.give_back(proxy);  // nothing was counted, so nothing to give back or to throw about
  CHECK(slots.try_take(make_address("10.0.0.8")));
  CHECK_FALSE(slots.try_take(make_address("10.0.0.8")));
}

TEST_CASE("giving back a slot that was never taken is a wiring bug", "[http][limits]") {
  peer_slots slots(1);
  CHECK_THROWS_AS(slots.give_back(make_address("192.0.2.1")), std::logic_error);
}
