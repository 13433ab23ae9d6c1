#include <catch2/catch.hpp>

#include "notify/webhook_sender.hpp"

using namespace rosterd;

namespace {

std::optional<std::string> refused(const char* address, bool allow_private = false) {
  return notify::refused_target(boost::asio::ip::make_address(address), allow_private);
}

}  // namespace

TEST_CASE("every address class a webhook must never reach is refused", "[webhooks][ssrf]") {
  const char* never[] = {
      "127.0.0.1",         // loopback
      "127.8.9.10",        // the rest of 127/8
      "::1",               // IPv6 loopback
      "10.1.2.3",          // private 10/8
      "172.16.0.1",        // private 172.16/12
      "172.31.255.254",    // its last block
      "192.168.1.1",       // private 192.168/16
      "169.254.169.254",   // the cloud metadata service (link-local)
      "169.254.1.1",       // link-local
      "fe80::1",           // IPv6 link-local
      "100.64.0.1",        // carrier-grade NAT 100.64/10
      "100.127.255.254",   // its end
      "fc00::1",           // unique-local fc00::/7
      "fd12:3456::1",      // unique-local, fd half
      "fd00:ec2::254",     // the AWS metadata service over IPv6
      "::ffff:127.0.0.1",  // IPv4-mapped loopback
      "::ffff:10.0.0.1",   // IPv4-mapped private
      "::ffff:169.254.169.254",
      "0.0.0.0",    // unspecified (reaches this host on Linux)
      "::",         // IPv6 unspecified
      "224.0.0.1",  // multicast
      "ff02::1",    // IPv6 multicast
      "255.255.255.255",
  };
  for (const char* address : never) {
    INFO(address);
    CHECK(refused(address));
  }
}

TEST_CASE("a public address may be a webhook target", "[webhooks][ssrf]") {
  CHECK_FALSE(refused("93.184.215.14"));
  CHECK_FALSE(refused("2606:4700::6810:84e5"));
  CHECK_FALSE(refused("172.32.0.1"));   // just outside 172.16/12
  CHECK_FALSE(refused("100.128.0.1"));  // just outside 100.64/10
}

TEST_CASE("the refusal says what kind of address it was", "[webhooks][ssrf]") {
  CHECK(refused("10.0.0.1").value().find("private") != std::string::npos);
  CHECK(refused("127.0.0.1").value().find("loopback") != std::string::npos);
  CHECK(refused("100.64.0.1").value().find("carrier-grade NAT") != std::string::npos);
  CHECK(refused("169.254.169.254").value().find("metadata") != std::string::npos);
}

TEST_CASE("the test-only switch lets loopback and private receivers through but never metadata",
          "[webhooks][ssrf]") {
  CHECK_FALSE(refused("127.0.0.1", true));
  CHECK_FALSE(refused("::1", true));
  CHECK_FALSE(refused("10.0.0.1", true));
  CHECK(refused("169.254.169.254", true));
  CHECK(refused("::ffff:169.254.169.254", true));
  CHECK(refused("fd00:ec2::254", true));
  CHECK(refused("0.0.0.0", true));
  CHECK(refused("224.0.0.1", true));
}

TEST_CASE("a URL that is not https is refused before anything is sent", "[webhooks][ssrf]") {
  notify::webhook_sender_settings settings;
  settings.allow_private_targets = true;
  const std::vector<base::secret> keys;
  notify::webhook_request request{.url = "http://127.0.0.1:9/hook",
                                  .webhook_id = "msg_1",
                                  .body = "{}",
                                  .keys = &keys,
                                  .timestamp = std::chrono::system_clock::now()};
  const auto result = notify::send_webhook(settings, request, {});
  CHECK(result.outcome == notify::webhook_send_outcome::failed);
  CHECK(result.error.find("https") != std::string::npos);
  CHECK_FALSE(result.status_code);
}
