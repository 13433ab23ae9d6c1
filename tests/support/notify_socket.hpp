#pragma once
// Test support: the receiving end of the systemd notify protocol (a datagram socket whose path
// goes into the child's NOTIFY_SOCKET), recording every message with its arrival time.

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rosterd::testing {

class notify_socket {
 public:
  explicit notify_socket(const std::filesystem::path& path);
  ~notify_socket();
  notify_socket(const notify_socket&) = delete;
  notify_socket& operator=(const notify_socket&) = delete;

  [[nodiscard]] std::string path() const { return path_.string(); }
  /// Waits for the next message whose text contains `needle`; earlier ones are kept in
  /// history(). Returns the message, or nullopt after `timeout`.
  std::optional<std::string> wait_for(const std::string& needle, std::chrono::milliseconds timeout);
  /// Every message received so far, in order.
  [[nodiscard]] const std::vector<std::string>& history() const { return history_; }
  /// Receives whatever arrives within `window` (non-matching waits).
  void drain(std::chrono::milliseconds window);

 private:
  std::optional<std::string> receive(std::chrono::milliseconds timeout);
  int fd_ = -1;
  std::filesystem::path path_;
  std::vector<std::string> history_;
};

/// The value of `KEY=` in a notify message ("STATUS=Serving on ..."), or empty.
std::string notify_field(const std::string& message, const std::string& key);

}  // namespace rosterd::testing
