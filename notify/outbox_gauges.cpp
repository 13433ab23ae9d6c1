#include "notify/outbox_gauges.hpp"

#include <algorithm>

#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::notify {

base::result<std::vector<outbox_backlog>> read_outbox_backlog(
    store::database& db, std::chrono::system_clock::time_point now) {
  std::vector<outbox_backlog> out{{"email", 0, 0}, {"webhook", 0, 0}};
  auto done = store::sql::each(
      db,
      "SELECT channel, COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending' "
      "GROUP BY channel",
      [&](store::statement& s) {
        auto it = std::find_if(out.begin(), out.end(), [&](const outbox_backlog& b) {
          return b.channel == s.column_text(0);
        });
        if (it == out.end()) {
          return;
        }
        it->pending = s.column_int64(1);
        if (auto oldest = store::parse_iso8601_utc(s.column_text(2))) {
          it->oldest_age_seconds =
              std::max(0.0, std::chrono::duration<double>(now - *oldest).count());
        }
      });
  if (!done) {
    return done.error();
  }
  return out;
}

}  // namespace rosterd::notify
