#include "lifecycle/check_requests.hpp"

#include <string>

#include "lifecycle/jobs.hpp"
#include "roster/clock.hpp"

namespace rosterd::lifecycle {

base::result<void> request_connection_check(store::database& db, std::string_view connection_id,
                                            roster::time_point now, bool cancel_planned) {
  if (cancel_planned) {
    if (auto cancelled = cancel_jobs(db, connection_check_kind, connection_id, now); !cancelled) {
      return cancelled.error();
    }
  }
  // A fresh key each time: two changes a moment apart both get looked at.
  auto scheduled = schedule_job(db,
                                {std::string(connection_check_kind), std::string(connection_id),
                                 std::string(connection_check_kind) + ":" +
                                     std::string(connection_id) + ":now:" + roster::new_id("chk"),
                                 now, ""},
                                now);
  if (!scheduled) {
    return scheduled.error();
  }
  return {};
}

}  // namespace rosterd::lifecycle
