#pragma once
// What /metrics says about the whole instance's connections and jobs, read at scrape time:
// connections by provider and state, deadlines coming within a week, and how far the job
// scheduler is behind. Each is one aggregate query, whatever the number of rows.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/failure.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

struct fleet_snapshot {
  struct by_state {
    std::string provider;
    std::string state;
    std::int64_t connections = 0;
  };
  struct due_soon {
    std::string provider;
    std::int64_t connections = 0;
  };
  std::vector<by_state> connections;
  /// Connections still to be renewed (not revoked or disconnected) whose re-consent deadline
  /// falls within the next 7 days (an overdue one counts as expired, not here).
  std::vector<due_soon> deadlines_within_7d;
  /// Jobs due and not claimed by a runner, and how long the oldest of them has waited (0
  /// when none): the scheduler's lag.
  std::int64_t jobs_due = 0;
  double job_lag_seconds = 0;
};

base::result<fleet_snapshot> read_fleet_snapshot(store::database& db, roster::time_point now);

}  // namespace rosterd::lifecycle
