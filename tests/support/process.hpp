#pragma once
// Test support: run a real binary as a child process with its own environment and captured
// output, and wait for it with a deadline.

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace rosterd::testing {

class child_process {
 public:
  /// Starts `program` with `args`; `env` entries are added to (or replace) the current
  /// environment, and an entry with an empty value removes the variable. stdout and stderr both
  /// go to `output_file`. `pass_fd_as_3` (if >= 0) becomes the child's fd 3, as systemd socket
  /// activation passes listening sockets.
  child_process(const std::filesystem::path& program, const std::vector<std::string>& args,
                const std::map<std::string, std::string>& env,
                const std::filesystem::path& output_file, int pass_fd_as_3 = -1);
  ~child_process();  // SIGKILLs a child still running
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  [[nodiscard]] pid_t pid() const { return pid_; }
  void signal(int sig) const;
  /// The exit code (or 128 + signal) if the child ended within `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  [[nodiscard]] std::string output() const;

 private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::filesystem::path output_file_;
};

/// Runs `program` to completion (at most `timeout`), returning exit code and combined output.
struct run_result {
  int exit_code;
  std::string output;
};
run_result run_to_end(const std::filesystem::path& program, const std::vector<std::string>& args,
                      const std::map<std::string, std::string>& env = {},
                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

/// A fresh directory under $TMPDIR, removed with everything in it on destruction.
class temp_directory {
 public:
  temp_directory();
  ~temp_directory();
  temp_directory(const temp_directory&) = delete;
  temp_directory& operator=(const temp_directory&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }
  [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
    return path_ / name;
  }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& content);

/// Paths of the binaries under test.
std::filesystem::path rosterd_binary();
std::filesystem::path rosterctl_binary();
std::filesystem::path source_dir();

}  // namespace rosterd::testing
