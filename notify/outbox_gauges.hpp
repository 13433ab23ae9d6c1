#pragma once
// What /metrics says about the outbox, read at scrape time from the table (so it counts what
// rosterctl queued too, not only what this process did): messages waiting per channel and how
// long the oldest of them has waited.

#include <cstdint>
#include <string>
#include <vector>

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::notify {

struct outbox_backlog {
  std::string channel;  ///< email | webhook
  std::int64_t pending = 0;
  double oldest_age_seconds = 0;
};

/// One row per channel (both always present, zeros when empty).
base::result<std::vector<outbox_backlog>> read_outbox_backlog(
    store::database& db, std::chrono::system_clock::time_point now);

}  // namespace rosterd::notify
