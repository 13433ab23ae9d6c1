#include "daemon/logging.hpp"

#include <cstdlib>
#include <string>
#include <sys/stat.h>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace rosterd::daemon {
namespace {

// "%*" in the pattern: the syslog priority journald reads from a "<N>" line prefix.
class syslog_priority_flag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    static constexpr char priorities[] = {'7', '7', '6', '4', '3', '2', '6'};
    dest.push_back(priorities[static_cast<int>(msg.level)]);
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<syslog_priority_flag>();
  }
};

spdlog::level::level_enum spdlog_level(setup::log_level level) {
  switch (level) {
    case setup::log_level::trace:
      return spdlog::level::trace;
    case setup::log_level::debug:
      return spdlog::level::debug;
    case setup::log_level::info:
      return spdlog::level::info;
    case setup::log_level::warn:
      return spdlog::level::warn;
    case setup::log_level::error:
      return spdlog::level::err;
    case setup::log_level::critical:
      return spdlog::level::critical;
    case setup::log_level::off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

// A logger's name as [log.modules] knows it: a name missing there does not compile, so every
// logger's level can be set.
consteval std::string_view module(std::string_view name) {
  for (const auto known : setup::log_modules) {
    if (known == name) {
      return name;
    }
  }
  throw "not in setup::log_modules";
}

std::shared_ptr<spdlog::logger> make_logger(std::string_view name, const spdlog::sink_ptr& sink) {
  auto logger = std::make_shared<spdlog::logger>(std::string(name), sink);
  logger->flush_on(spdlog::level::trace);  // a crash must not eat the last lines
  return logger;
}

}  // namespace

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (stream == nullptr) {
    return false;
  }
  struct stat st {};
  if (fstat(2, &st) != 0) {
    return false;
  }
  const std::string expected = std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
  return expected == stream;
}

loggers make_loggers(const setup::log_config& cfg) {
  auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  const bool journal = stderr_is_journal();
  const std::string pattern = journal ? "<%*>%n: %v" : "%Y-%m-%dT%H:%M:%S.%eZ %-5l %n: %v";
  auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  formatter->add_flag<syslog_priority_flag>('*').set_pattern(pattern);
  sink->set_formatter(std::move(formatter));
  // And a module named there without a logger here would take a level that nothing uses.
  static_assert(setup::log_modules.size() == 6, "each of setup::log_modules needs a logger");
  loggers logs{make_logger(module("main"), sink),      make_logger(module("config"), sink),
               make_logger(module("store"), sink),     make_logger(module("http"), sink),
               make_logger(module("lifecycle"), sink), make_logger(module("notify"), sink)};
  apply_log_levels(logs, cfg);
  return logs;
}

void apply_log_levels(const loggers& logs, const setup::log_config& cfg) {
  for (const auto& logger :
       {logs.main, logs.config, logs.store, logs.http, logs.lifecycle, logs.notify}) {
    auto it = cfg.modules.find(logger->name());
    logger->set_level(spdlog_level(it == cfg.modules.end() ? cfg.level : it->second));
  }
}

}  // namespace rosterd::daemon
