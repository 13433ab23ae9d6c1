#include "roster/audit.hpp"

#include "store/sql.hpp"

namespace rosterd::roster {
namespace {

std::optional<std::string_view> or_null(const std::string& s) {
  if (s.empty()) {
    return std::nullopt;
  }
  return std::string_view(s);
}

}  // namespace

actor actor::of(const caller& c) {
  if (c.is_service()) {
    return {"token", c.token_id, c.label};
  }
  if (!c.token_id.empty()) {
    return {"token", c.token_id, c.label + " (personal token)"};
  }
  return {"user", c.user_id, c.label};
}

base::result<void> record(store::database& db, const actor& who, const audit_entry& entry,
                          time_point now) {
  return store::sql::run(
      db,
      "INSERT INTO audit_log (at, account_id, actor_kind, actor_id, actor_label, "
      "action, target_kind, target_id, creator_id, detail) "
      "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      stamp(now), or_null(entry.account_id), who.kind, or_null(who.id), who.label, entry.action,
      or_null(entry.target_kind), or_null(entry.target_id), or_null(entry.creator_id),
      entry.detail);
}

}  // namespace rosterd::roster
