#pragma once
// One webhook delivery attempt over HTTPS, guarded against server-side request forgery: the
// URL an agency admin typed must never make rosterd reach its own network (the cloud metadata
// service, a database next door, loopback services).
//
//  - https only; no proxy from the environment; redirects are never followed (a 3xx fails);
//  - the host is resolved once, every address it resolves to must be public (base::scope_of),
//    and the connection goes to the checked address only (CURLOPT_RESOLVE pins it, and the
//    socket callback refuses any other), so a second lookup cannot swap in a private one;
//  - TLS verifies the certificate and the host name (SNI is the URL's host);
//  - the whole attempt is bounded in time, and the answer in size.
//
// libcurl carries the request (it already carries SMTP): pinning the address, checking the
// socket's address and refusing other protocols are options there, not code of ours.

#include <chrono>
#include <filesystem>
#include <optional>
#include <stop_token>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "base/failure.hpp"
#include "base/secret.hpp"

namespace rosterd::notify {

struct webhook_sender_settings {
  std::chrono::milliseconds total_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(5)};
  std::size_t max_response_bytes = 64 * 1024;
  /// Test-only: lets loopback and private addresses through (a receiver on this machine).
  bool allow_private_targets = false;
  /// PEM bundle to verify receivers with instead of the system store (tests, private CAs).
  std::filesystem::path ca_file;
  bool operator==(const webhook_sender_settings&) const = default;
};

struct webhook_request {
  std::string url;
  std::string webhook_id;
  std::string body;
  /// Signing keys (as webhook_signing_key returns them), current first.
  const std::vector<base::secret>* keys = nullptr;
  std::chrono::system_clock::time_point timestamp;
};

enum class webhook_send_outcome {
  delivered,  // 2xx
  gone,       // 410: the receiver says it will never take these again
  failed,     // anything else: another status, a refused target, TLS, timeout, no connection
  aborted,    // our own stop cut it off
};

struct webhook_send_result {
  webhook_send_outcome outcome = webhook_send_outcome::failed;
  std::optional<int> status_code;
  std::string error;  // for the delivery log; empty when delivered
};

/// Why `a` may not be a webhook target, or nullopt when it may. IPv4-mapped and other
/// IPv4-in-IPv6 forms count as the IPv4 address they carry.
std::optional<std::string> refused_target(const boost::asio::ip::address& a,
                                          bool allow_private_targets);

/// Sends one attempt. Blocks for at most settings.total_timeout (the name lookup included; it
/// gets at most connect_timeout of it) and
/// returns early with `aborted` once `stop` is requested. Safe to call from several threads at
/// once (each call has its own curl handle).
webhook_send_result send_webhook(const webhook_sender_settings& settings,
                                 const webhook_request& request, std::stop_token stop);

}  // namespace rosterd::notify
