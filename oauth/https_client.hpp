#pragma once
// The HTTPS client the daemon talks to providers with: one request per connection over TLS 1.2+,
// with the certificate chain and the host name always verified (there is no switch to turn that
// off), a connect and a total deadline, and a size limit on the response. Plain http:// is
// refused, never tried. Nothing here logs: requests and URLs carry secrets, and the caller
// decides what is worth a line (with redact_url).

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "base/failure.hpp"
#include "oauth/http_types.hpp"

namespace rosterd::oauth {

struct https_settings {
  /// PEM bundle of the CAs to trust; empty means the system trust store.
  std::filesystem::path ca_file;
  /// DNS resolution, TCP connect and TLS handshake together.
  std::chrono::milliseconds connect_timeout{5000};
  /// The whole exchange, from resolution to the last byte of the response.
  std::chrono::milliseconds total_timeout{20000};
  /// Status line, headers and body together.
  std::size_t max_response_bytes = 1024 * 1024;
  /// Sent unless the request has its own User-Agent.
  std::string user_agent = "rosterd/0.1";
};

class https_client {
 public:
  /// Builds the TLS context once: TLS >= 1.2, peer verification, the CA file (or the system
  /// store) loaded. Fails with tls_failed and a detail naming the file when ca_file is missing,
  /// unreadable or holds no certificate.
  [[nodiscard]] static base::result<https_client> create(https_settings settings);

  /// Sends `request` on a new connection and reads the whole response: resolve, connect, TLS
  /// with SNI (not for an IP address), chain and host name (or IP address) verification, write,
  /// read. Adds Host, Connection: close and Content-Length (for a body, and for every POST), and
  /// User-Agent and Accept: application/json unless the request has them; a Host or
  /// Content-Length in `request` is replaced. Redirects are not followed: a 3xx is a response
  /// like any other. `request` must stay alive until the returned awaitable completes; the
  /// client need not (the exchange shares its TLS context).
  ///
  /// Fails with (oauth/error.hpp) invalid_url (not an absolute https URL; nothing is sent),
  /// dns_failed, connect_failed, tls_failed (the detail has OpenSSL's reason, e.g. "certificate
  /// verify failed: hostname mismatch"), timeout, response_too_large, malformed_response or
  /// connection_closed. Details name the host and the redacted URL, never the query or a body.
  /// Throws std::invalid_argument for a header name that is not an HTTP token or a value with
  /// CR, LF or NUL (header injection is a bug of the caller, not an answer from a peer).
  [[nodiscard]] boost::asio::awaitable<base::result<http_response>> send(
      const http_request& request) const;

  [[nodiscard]] const https_settings& settings() const;

 private:
  struct state;
  explicit https_client(std::shared_ptr<state> s);
  static boost::asio::awaitable<base::result<http_response>> exchange(std::shared_ptr<state> s,
                                                                      const http_request& request);

  std::shared_ptr<state> state_;  // settings and TLS context, shared with exchanges in flight
};

}  // namespace rosterd::oauth
