#pragma once
// Email delivery over SMTP through libcurl: STARTTLS or implicit TLS with certificate and host
// name verification, AUTH (PLAIN/LOGIN/... as the server offers), and the reply code of the
// step that failed, which decides between "try later" (4xx) and "never again" (5xx).
// The connection is kept between messages while the server allows it.

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>

#include <spdlog/logger.h>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "notify/sender.hpp"

namespace rosterd::notify {

/// How the connection to the mail server is protected.
enum class smtp_tls {
  starttls,  // smtp://, then STARTTLS; refuses a server that does not offer it (port 587, 25)
  implicit,  // smtps://, TLS from the first byte (port 465)
  none,      // smtp:// in clear: only for a relay on the same host; never with credentials
};
// There is deliberately no "opportunistic" mode: a man in the middle could strip STARTTLS and
// read every one-time link, and the operator would never know.

struct smtp_settings {
  /// smtp://host:port or smtps://host:port. A path names us in EHLO
  /// ("smtp://mail.example.com:587/rosterd.example.com"); without one libcurl greets with the
  /// machine's host name. User and password never go here.
  std::string url;
  smtp_tls tls = smtp_tls::starttls;
  std::optional<std::string> username;  // AUTH only when set
  base::secret password;
  std::string from_address;       // envelope sender and From
  std::string from_name;          // From display name; may be empty
  std::filesystem::path ca_file;  // PEM bundle to trust instead of the system store
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(30)};
  /// Bounds the whole exchange, and each wait for a reply. RFC 5321 4.5.3.2.6 gives the server
  /// 10 minutes to answer the end of DATA; giving up sooner, after it may have accepted the
  /// message, is how duplicates happen.
  std::chrono::milliseconds total_timeout{std::chrono::minutes(10)};
};

/// Checks `settings` without connecting: URL scheme against the TLS mode, no credentials in
/// the URL or without TLS, a usable From, positive timeouts, a readable ca_file. Fails with
/// invalid_settings (or invalid_address) naming the setting.
[[nodiscard]] base::result<void> check_smtp_settings(const smtp_settings& settings);

/// How a finished libcurl SMTP transfer maps to an outcome. `curl_code` is the CURLcode,
/// `reply_code` the last SMTP reply code (CURLINFO_RESPONSE_CODE). Exposed for its test.
send_outcome classify_smtp_result(int curl_code, long reply_code) noexcept;

/// An email_sender over one libcurl handle: send() must not run on two threads at once.
class smtp_sender final : public email_sender {
 public:
  /// Checks the settings (check_smtp_settings) and prepares a handle; does not connect.
  /// `log` may be null.
  [[nodiscard]] static base::result<std::unique_ptr<smtp_sender>> create(
      smtp_settings settings, std::shared_ptr<spdlog::logger> log);

  ~smtp_sender() override;
  smtp_sender(const smtp_sender&) = delete;
  smtp_sender& operator=(const smtp_sender&) = delete;

  /// Composes the row (message.hpp) and delivers it to its recipient. Blocks for up to
  /// total_timeout; a stop request aborts the exchange within about a second.
  send_result send(const outbox_row& row, std::stop_token stop) override;

 private:
  struct handle;
  smtp_sender(smtp_settings settings, std::unique_ptr<handle> h,
              std::shared_ptr<spdlog::logger> log);

  smtp_settings settings_;
  std::unique_ptr<handle> handle_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace rosterd::notify
