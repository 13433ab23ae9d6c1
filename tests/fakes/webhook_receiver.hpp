#pragma once
// tests/fakes/webhook_receiver.py as a child process: a real HTTPS webhook receiver on
// 127.0.0.1 (certificate from the test CA) that records every request and answers by path
// (/ok, /status/NNN, /fail-once/K, /redirect, /hang; see the script).

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"
#include "tests/support/test_pki.hpp"

namespace rosterd::testing {

struct received_webhook {
  std::string path;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

class webhook_receiver {
 public:
  /// Starts the receiver and waits (up to 10 s) for its port.
  explicit webhook_receiver(const test_pki& pki);
  ~webhook_receiver();
  webhook_receiver(const webhook_receiver&) = delete;
  webhook_receiver& operator=(const webhook_receiver&) = delete;

  /// "https://localhost:PORT" + path.
  [[nodiscard]] std::string url(const std::string& path) const;
  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// Every request received so far, in order.
  [[nodiscard]] std::vector<received_webhook> received() const;
  /// Waits until at least `n` requests have arrived (false after `timeout`).
  bool wait_for(std::size_t n, std::chrono::milliseconds timeout) const;

 private:
  temp_directory dir_;
  std::unique_ptr<child_process> child_;
  std::uint16_t port_ = 0;
};

/// What the Standard Webhooks reference library for TypeScript (npm "standardwebhooks", put in
/// .deps/npm by scripts/install-deps) says of a received webhook signed with `secret`: an
/// implementation that is not rosterd's own. `available` is false when node or the package is
/// missing on this machine.
struct independent_check {
  bool available = false;
  bool verified = false;
  std::string output;
};
independent_check verify_with_standardwebhooks(const std::string& secret,
                                               const received_webhook& r);

}  // namespace rosterd::testing
