#pragma once
// The notify integration tests' real parts: a throwaway CA with a server certificate for
// localhost (openssl CLI), and tests/fakes/smtp_server.py as a child process on loopback.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "notify/smtp.hpp"
#include "tests/support/process.hpp"
#include "tests/support/test_pki.hpp"

namespace rosterd::notify::testing {

/// The shared throwaway CA (tests/support/test_pki.hpp).
using rosterd::testing::test_pki;

/// One message as the server wrote it: the envelope lines and the bytes after DATA.
struct received_message {
  std::string envelope;
  std::string data;
};

class fake_smtp_server {
 public:
  struct options {
    bool starttls = true;       // offer and require STARTTLS (needs a pki)
    bool implicit_tls = false;  // smtps instead
    std::optional<std::pair<std::string, std::string>> login = std::nullopt;  // user, password
    int fail_next = 0;    // refuse this many messages at the end of DATA...
    int fail_code = 451;  // ...with this code
    std::vector<std::string> reject_recipients = {};  // "address=code"
    // Accept and write each message at the end of DATA, then hold the 250 this long (the
    // server prints "holding DATA reply NNNN"); only for the first delay_count messages
    // when that is positive.
    std::chrono::milliseconds delay_data{0};
    int delay_count = 0;
    bool log_rcpt = false;  // print "rcpt <address> code" for every RCPT TO
  };

  /// Starts the server and waits (up to 10 s) for it to print its port.
  fake_smtp_server(const test_pki& pki, const options& opts);
  ~fake_smtp_server();
  fake_smtp_server(const fake_smtp_server&) = delete;
  fake_smtp_server& operator=(const fake_smtp_server&) = delete;

  [[nodiscard]] std::uint16_t port() const { return port_; }
  /// Accepted messages, in arrival order.
  [[nodiscard]] std::vector<received_message> delivered() const;
  /// Messages refused at the end of DATA (fail_next), in arrival order.
  [[nodiscard]] std::vector<received_message> refused() const;

  /// What the server printed so far ("port N", "holding DATA reply NNNN", "rcpt <a> 250"...).
  [[nodiscard]] std::string output() const;
  /// Waits until output() contains `needle`; false after `timeout`.
  [[nodiscard]] bool wait_for_output(const std::string& needle,
                                     std::chrono::milliseconds timeout) const;
  /// How many RCPT TO:<address> the server has answered (needs log_rcpt).
  [[nodiscard]] int rcpt_count(const std::string& address) const;

  /// SMTP settings for this server: STARTTLS or smtps as started, the test CA, the login.
  [[nodiscard]] smtp_settings settings(const test_pki& pki) const;

 private:
  rosterd::testing::temp_directory dir_;
  options options_;
  std::unique_ptr<rosterd::testing::child_process> child_;
  std::uint16_t port_ = 0;
};

}  // namespace rosterd::notify::testing
