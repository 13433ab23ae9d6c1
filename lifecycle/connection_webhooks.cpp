#include "lifecycle/connection_webhooks.hpp"

#include "store/sql.hpp"

namespace rosterd::lifecycle {

base::result<int> publish_connection_event(store::database& db, webhook_event e,
                                           const connection_record& c, std::string_view event_key,
                                           time_point now,
                                           std::optional<std::string> status_reason) {
  auto name = store::sql::first(
      db, "SELECT display_name FROM creators WHERE id = ? AND account_id = ?",
      [](store::statement& st) { return st.column_text(0); }, c.creator_id, c.account_id);
  if (!name) {
    return name.error();
  }
  webhook_subject s;
  s.account_id = c.account_id;
  s.creator_id = c.creator_id;
  s.creator_name = name->value_or("");
  s.connection_id = c.id;
  s.provider = c.provider;
  s.status = std::string(to_string(c.status));
  s.status_reason = std::move(status_reason);
  s.reauth_due_at = c.reauth_due_at;
  if (!c.username.empty()) {
    s.username = c.username;
  }
  return publish_webhook_event(db, e, s, event_key, now);
}

}  // namespace rosterd::lifecycle
