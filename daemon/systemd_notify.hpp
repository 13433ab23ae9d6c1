#pragma once
// The systemd service protocol: readiness, status, reload, stop and watchdog notifications,
// and sockets passed by socket activation. Without NOTIFY_SOCKET every call is a no-op.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace rosterd::daemon {

class systemd_notifier {
 public:
  void ready(const std::string& status);
  void status(const std::string& status);
  /// RELOADING=1 with MONOTONIC_USEC, as systemd 253+ Type=notify-reload expects.
  void reloading();
  void stopping(const std::string& status);
  void watchdog();
  /// The watchdog interval systemd expects (WATCHDOG_USEC), if the watchdog is enabled.
  [[nodiscard]] static std::optional<std::chrono::microseconds> watchdog_interval();
};

/// Listening sockets passed by systemd (LISTEN_FDS); empty when not socket-activated.
/// The environment variables are unset so children do not inherit them.
std::vector<int> socket_activation_fds();

}  // namespace rosterd::daemon
