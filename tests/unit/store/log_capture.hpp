#pragma once
// A logger whose output a test can read back.

#include <memory>
#include <sstream>
#include <string>

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>

namespace rosterd::store::testing {

class log_capture {
 public:
  log_capture()
      : logger_(std::make_shared<spdlog::logger>(
            "store", std::make_shared<spdlog::sinks::ostream_sink_st>(out_))) {
    logger_->set_pattern("%l %v");
  }
  [[nodiscard]] spdlog::logger& logger() { return *logger_; }
  [[nodiscard]] std::shared_ptr<spdlog::logger> shared() { return logger_; }
  [[nodiscard]] std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace rosterd::store::testing
