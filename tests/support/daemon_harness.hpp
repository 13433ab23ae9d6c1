#pragma once
// Test support: the real rosterd binary in a temp directory with its own config, database and
// notify socket, listening on a free loopback port.

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "tests/support/notify_socket.hpp"
#include "tests/support/process.hpp"

namespace rosterd::testing {

/// A config for tests: loopback port 0, two workers, database under the config's directory.
/// `server_extra` lines go into [server]; `tail` is appended as further tables.
std::string test_config(const std::string& server_extra = {}, const std::string& tail = {});

class daemon_harness {
 public:
  /// Tag for the constructor that writes the directory but starts nothing.
  struct not_started_t {
    explicit not_started_t() = default;
  };
  static constexpr not_started_t not_started{};

  /// Writes `config_toml` to <tmp>/rosterd.toml and starts rosterd on it.
  explicit daemon_harness(const std::string& config_toml,
                          const std::map<std::string, std::string>& env = {});
  /// Writes `config_toml` to <tmp>/rosterd.toml only, so a test can prepare the database
  /// (rosterctl on config_path()) before the first start().
  daemon_harness(const std::string& config_toml, not_started_t,
                 const std::map<std::string, std::string>& env = {});
  ~daemon_harness();

  /// Starts rosterd on the same directory, config file and database, after a stop(),
  /// kill_hard() or the not_started constructor (std::logic_error while one still runs). Each
  /// start gets a fresh notify socket (call wait_ready() again; earlier notify() references
  /// are invalid) and its own output file: rosterd.log, then rosterd.2.log, rosterd.3.log...
  void start();
  /// SIGKILL, as a crash or the OOM killer would (no shutdown code runs), and wait; returns
  /// the exit code (128 + 9), or nullopt if none was running or it did not end in time.
  std::optional<int> kill_hard(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  /// Replaces the config file; takes effect at the next start().
  void write_config(const std::string& config_toml);
  [[nodiscard]] std::filesystem::path config_path() const { return dir() / "rosterd.toml"; }
  /// How many times rosterd was started.
  [[nodiscard]] int starts() const { return starts_; }

  /// Waits for READY=1 and reads the bound port from its STATUS. False on timeout.
  bool wait_ready(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  [[nodiscard]] std::uint16_t port() const { return port_; }
  notify_socket& notify() { return *notify_; }
  child_process& process() { return *process_; }
  [[nodiscard]] const std::filesystem::path& dir() const { return dir_.path(); }
  [[nodiscard]] std::filesystem::path database() const { return dir() / "state" / "rosterd.db"; }
  /// SIGTERM and wait; returns the exit code.
  std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  temp_directory dir_;
  std::unique_ptr<notify_socket> notify_;
  std::unique_ptr<child_process> process_;
  std::uint16_t port_ = 0;
  std::map<std::string, std::string> env_;
  int starts_ = 0;
};

}  // namespace rosterd::testing
