#pragma once
// Test support: blocking HTTP over loopback, both well-formed (Beast) and raw bytes for abuse.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace rosterd::testing {

struct http_reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
};

/// One request on a fresh connection. Throws on connection failure or timeout.
http_reply http_request(std::uint16_t port, const std::string& method, const std::string& target,
                        const std::string& body = {},
                        const std::map<std::string, std::string>& headers = {},
                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

/// A raw TCP connection to 127.0.0.1:port for sending arbitrary bytes.
class raw_connection {
 public:
  explicit raw_connection(std::uint16_t port);
  /// From `source_address` (another loopback address such as "127.0.0.2"), so the server sees
  /// a second client.
  raw_connection(std::uint16_t port, const std::string& source_address);
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  /// Sends all bytes; false if the peer has closed.
  bool send(const std::string& bytes);
  /// Reads until the peer closes or `timeout`; returns what arrived and whether it closed.
  struct read_result {
    std::string data;
    bool closed;
  };
  read_result read_until_close(std::chrono::milliseconds timeout);
  /// Reads until `needle` is seen (or close/timeout).
  std::string read_until(const std::string& needle, std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
};

/// The status code in the first line of a raw HTTP response, or 0.
int status_of(const std::string& raw_response);

}  // namespace rosterd::testing
