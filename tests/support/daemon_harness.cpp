#include "tests/support/daemon_harness.hpp"

#include <signal.h>
#include <stdexcept>

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
                               const std::map<std::string, std::string>& env)
    : daemon_harness(config_toml, not_started, env) {
  start();
}

daemon_harness::daemon_harness(const std::string& config_toml, not_started_t,
                               const std::map<std::string, std::string>& env)
    : env_(env) {
  write_config(config_toml);
}

void daemon_harness::start() {
  if (process_ && !process_->wait(std::chrono::milliseconds(0))) {
    throw std::logic_error("daemon_harness::start: rosterd is still running");
  }
  ++starts_;
  const auto suffix = starts_ == 1 ? std::string() : "." + std::to_string(starts_);
  process_.reset();
  notify_ = std::make_unique<notify_socket>(dir() / ("notify" + suffix + ".sock"));
  port_ = 0;
  auto full_env = env_;
  full_env["NOTIFY_SOCKET"] = notify_->path();
  process_ = std::make_unique<child_process>(
      rosterd_binary(), std::vector<std::string>{"--config", config_path().string()}, full_env,
      dir() / ("rosterd" + suffix + ".log"));
}

std::optional<int> daemon_harness::kill_hard(std::chrono::milliseconds timeout) {
  if (!process_) {
    return std::nullopt;
  }
  process_->signal(SIGKILL);
  return process_->wait(timeout);
}

void daemon_harness::write_config(const std::string& config_toml) {
  write_file(config_path(), config_toml);
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
