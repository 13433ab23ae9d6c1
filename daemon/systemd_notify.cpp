#include "daemon/systemd_notify.hpp"

#include <time.h>

#include <systemd/sd-daemon.h>

namespace rosterd::daemon {
namespace {

void notify(const std::string& message) {
  sd_notify(0, message.c_str());
}

}  // namespace

void systemd_notifier::ready(const std::string& status) {
  notify("READY=1\nSTATUS=" + status);
}

void systemd_notifier::status(const std::string& status) {
  notify("STATUS=" + status);
}

void systemd_notifier::reloading() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec = static_cast<unsigned long long>(now.tv_sec) * 1'000'000ULL +
                    static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
  notify("RELOADING=1\nSTATUS=Reloading configuration\nMONOTONIC_USEC=" + std::to_string(usec));
}

void systemd_notifier::stopping(const std::string& status) {
  notify("STOPPING=1\nSTATUS=" + status);
}

void systemd_notifier::watchdog() {
  notify("WATCHDOG=1");
}

std::optional<std::chrono::microseconds> systemd_notifier::watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
    return std::chrono::microseconds(usec);
  }
  return std::nullopt;
}

std::vector<int> socket_activation_fds() {
  std::vector<int> fds;
  const int n = sd_listen_fds(1);
  fds.reserve(n > 0 ? static_cast<std::size_t>(n) : 0);
  for (int i = 0; i < n; ++i) {
    fds.push_back(SD_LISTEN_FDS_START + i);
  }
  return fds;
}

}  // namespace rosterd::daemon
