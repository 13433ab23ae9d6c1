#pragma once
// One spdlog logger per module, created here and injected; messages are `event key=value`.

#include <memory>

#include "setup/config.hpp"

namespace spdlog {
class logger;
}

namespace rosterd::daemon {

/// One per library that logs, named as in setup::log_modules (so log.modules can set each).
struct loggers {
  std::shared_ptr<spdlog::logger> main, config, store, http, lifecycle, notify;
};

/// Loggers writing to stderr. When stderr is the journal (JOURNAL_STREAM matches), lines carry
/// a syslog priority prefix and no timestamp; otherwise an ISO-8601 UTC timestamp and level.
loggers make_loggers(const setup::log_config& cfg);

/// Applies the configured levels (also used by SIGHUP reload).
void apply_log_levels(const loggers& logs, const setup::log_config& cfg);

/// True when $JOURNAL_STREAM names the device and inode of our stderr.
bool stderr_is_journal();

}  // namespace rosterd::daemon
