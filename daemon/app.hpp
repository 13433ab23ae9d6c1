#pragma once
// The composition root: builds every part in dependency order, serves until SIGTERM/SIGINT,
// then drains and tears down in reverse.

#include <filesystem>

#include "setup/config.hpp"

namespace rosterd::daemon {

/// Process exit codes (sysexits.h values where one fits; the unit's RestartPreventExitStatus
/// relies on exit_config).
enum exit_code : int {
  exit_ok = 0,
  exit_failure = 1,
  exit_config = 78,  ///< EX_CONFIG: bad config, unreadable secret; restarting will not help
};

/// Runs the daemon with `cfg` (read from `config_path`, re-read on SIGHUP). Returns the exit code.
int run_daemon(const std::filesystem::path& config_path, setup::config cfg);

}  // namespace rosterd::daemon
