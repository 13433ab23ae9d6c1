#include "lifecycle/fleet_gauges.hpp"

#include <algorithm>
#include <map>

#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {

base::result<fleet_snapshot> read_fleet_snapshot(store::database& db, roster::time_point now) {
  fleet_snapshot out;
  const auto now_text = roster::stamp(now);
  const auto week_text = roster::stamp(now + std::chrono::hours(24 * 7));
  std::map<std::string, std::int64_t> due;
  // One pass over the table for both families.
  auto counted = store::sql::each(
      db,
      "SELECT provider, status, COUNT(*), "
      "SUM(CASE WHEN status NOT IN ('revoked', 'disconnected') AND reauth_due_at > ?1 "
      "AND reauth_due_at <= ?2 THEN 1 ELSE 0 END) "
      "FROM connections GROUP BY provider, status ORDER BY provider, status",
      [&](store::statement& s) {
        out.connections.push_back({s.column_text(0), s.column_text(1), s.column_int64(2)});
        due[s.column_text(0)] += s.column_int64(3);
      },
      now_text, week_text);
  if (!counted) {
    return counted.error();
  }
  for (const auto& [provider, n] : due) {
    out.deadlines_within_7d.push_back({provider, n});
  }
  // A claim moves due_at to the lease's expiry, so "due now" is exactly the unclaimed work
  // (and work whose runner died with its lease).
  auto jobs = store::sql::first(
      db, "SELECT COUNT(*), MIN(due_at) FROM jobs WHERE state = 'pending' AND due_at <= ?",
      [](store::statement& s) {
        return std::pair{s.column_int64(0), s.column_optional_text(1)};
      },
      now_text);
  if (!jobs) {
    return jobs.error();
  }
  if (*jobs) {
    out.jobs_due = (*jobs)->first;
    if ((*jobs)->second) {
      if (auto oldest = store::parse_iso8601_utc(*(*jobs)->second)) {
        out.job_lag_seconds = std::max(0.0, std::chrono::duration<double>(now - *oldest).count());
      }
    }
  }
  return out;
}

}  // namespace rosterd::lifecycle
