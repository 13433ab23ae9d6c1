#include "lifecycle/invitation_expiry.hpp"

#include <vector>

#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {

base::result<int> publish_expired_invitations(store::database& db, time_point since,
                                              time_point now) {
  struct expired {
    webhook_subject subject;
    std::string key;
  };
  std::vector<expired> found;
  // invitations_pending_by_expiry keeps this a range read; the EXISTS skips accounts nobody
  // listens for.
  auto read = store::sql::each(
      db,
      "SELECT i.id, i.account_id, i.expires_at, c.id, c.display_name FROM invitations i "
      "JOIN creators c ON c.account_id = i.account_id AND c.user_id = i.user_id "
      "WHERE i.status = 'pending' AND i.kind = 'creator' AND i.expires_at > ? "
      "AND i.expires_at <= ? AND EXISTS (SELECT 1 FROM webhook_endpoints e "
      "WHERE e.account_id = i.account_id AND e.enabled = 1) ORDER BY i.expires_at, i.id",
      [&found](store::statement& st) {
        expired x;
        x.subject.invitation_id = st.column_text(0);
        x.subject.account_id = st.column_text(1);
        x.key = *x.subject.invitation_id + ":" + st.column_text(2);
        x.subject.creator_id = st.column_text(3);
        x.subject.creator_name = st.column_text(4);
        found.push_back(std::move(x));
      },
      store::iso8601_utc(since), store::iso8601_utc(now));
  if (!read) {
    return read.error();
  }
  int queued = 0;
  for (const auto& x : found) {
    auto q = publish_webhook_event(db, webhook_event::invitation_expired, x.subject, x.key, now);
    if (!q) {
      return q.error();
    }
    queued += *q;
  }
  return queued;
}

}  // namespace rosterd::lifecycle
