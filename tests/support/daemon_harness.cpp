#include "tests/support/daemon_harness.hpp"

#include <signal.h>

namespace rosterd::testing {

std::string test_config(const std::string& server_extra, const std::string& tail) {
  return "[server]\n"
         "listen = [\"127.0.0.1:0\"]\n"
         "workers = 2\n" +
         server_extra +
         "\n[store]\n"
         "path = \"state/rosterd.db\"\n"
         "\n[log]\n"
         "level = \"debug\"\n" +
         tail;
}

daemon_harness::daemon_harness(const std::string& config_toml,
                               const std::map<std::string, std::string>& env) {
  write_file(dir() / "rosterd.toml", config_toml);
  notify_ = std::make_unique<notify_socket>(dir() / "notify.sock");
  auto full_env = env;
  full_env["NOTIFY_SOCKET"] = notify_->path();
  process_ = std::make_unique<child_process>(
      rosterd_binary(), std::vector<std::string>{"--config", (dir() / "rosterd.toml").string()},
      full_env, dir() / "rosterd.log");
}

daemon_harness::~daemon_harness() = default;

bool daemon_harness::wait_ready(std::chrono::milliseconds timeout) {
  auto ready = notify_->wait_for("READY=1", timeout);
  if (!ready) {
    return false;
  }
  const auto status = notify_field(*ready, "STATUS");
  const auto colon = status.rfind(':');
  if (colon == std::string::npos) {
    return false;
  }
  port_ = static_cast<std::uint16_t>(std::stoi(status.substr(colon + 1)));
  return true;
}

std::optional<int> daemon_harness::stop(std::chrono::milliseconds timeout) {
  process_->signal(SIGTERM);
  return process_->wait(timeout);
}

}  // namespace rosterd::testing
