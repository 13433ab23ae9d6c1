#include "lifecycle/webhook_deliveries.hpp"

#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {

base::result<std::vector<webhook_delivery_claim>> claim_due_webhook_deliveries(
    store::database& db, time_point now, std::chrono::seconds lease, int limit,
    const std::set<std::string>& busy) {
  std::vector<webhook_delivery_claim> claims;
  std::set<std::string> taken = busy;
  const auto at = store::iso8601_utc(now);
  // Oldest due first; the first due row of each endpoint is the one it gets, so one endpoint's
  // events leave in order.
  auto listed = store::sql::each(
      db,
      "SELECT d.id, d.endpoint_id, e.url, d.webhook_id, d.event_type, d.payload, d.attempts, "
      "d.created_at, e.secret, e.previous_secret, e.previous_secret_expires_at "
      "FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id "
      "WHERE d.status = 'pending' AND d.next_attempt_at <= ? AND "
      "(e.enabled = 1 OR d.event_type = 'webhook.test') "
      "ORDER BY d.next_attempt_at, d.created_at, d.id LIMIT ?",
      [&](store::statement& st) -> bool {
        if (static_cast<int>(claims.size()) >= limit) {
          return false;
        }
        auto endpoint = st.column_text(1);
        if (!taken.insert(endpoint).second) {
          return true;
        }
        webhook_delivery_claim c;
        c.id = st.column_text(0);
        c.endpoint_id = std::move(endpoint);
        c.url = st.column_text(2);
        c.webhook_id = st.column_text(3);
        c.event_type = st.column_text(4);
        c.payload = st.column_text(5);
        c.attempts = static_cast<int>(st.column_int64(6)) + 1;
        c.created_at = store::parse_iso8601_utc(st.column_text(7)).value_or(now);
        c.secrets.emplace_back(st.column_text(8));
        auto previous = st.column_optional_text(9);
        auto until = st.column_optional_text(10);
        if (previous && until && *until > at) {
          c.secrets.emplace_back(std::move(*previous));
        }
        claims.push_back(std::move(c));
        return true;
      },
      at, (limit + static_cast<int>(busy.size())) * 8);
  if (!listed) {
    return listed.error();
  }
  const auto lease_end = store::iso8601_utc(now + lease);
  for (const auto& c : claims) {
    auto leased = store::sql::run(
        db, "UPDATE webhook_deliveries SET attempts = ?, next_attempt_at = ? WHERE id = ?",
        c.attempts, lease_end, c.id);
    if (!leased) {
      return leased.error();
    }
  }
  return claims;
}

base::result<bool> record_webhook_attempt(store::database& db, const webhook_delivery_claim& claim,
                                          webhook_verdict verdict,
                                          const webhook_attempt_result& result,
                                          time_point next_attempt_at, time_point now) {
  const auto at = store::iso8601_utc(now);
  const std::optional<std::string> error =
      result.error.empty() ? std::nullopt : std::optional<std::string>(result.error);
  if (verdict == webhook_verdict::released) {
    auto released = store::sql::run(db,
                                    "UPDATE webhook_deliveries SET attempts = attempts - 1, "
                                    "next_attempt_at = ? WHERE id = ? AND status = 'pending'",
                                    at, claim.id);
    if (!released) {
      return released.error();
    }
    return db.changes() > 0;
  }
  const char* status = verdict == webhook_verdict::delivered ? "delivered"
                       : verdict == webhook_verdict::retry   ? "pending"
                                                             : "failed";
  const auto next = verdict == webhook_verdict::retry ? store::iso8601_utc(next_attempt_at) : at;
  const std::optional<std::string> finished =
      verdict == webhook_verdict::retry ? std::nullopt : std::optional<std::string>(at);
  auto updated = store::sql::run(
      db,
      "UPDATE webhook_deliveries SET status = ?, next_attempt_at = ?, last_status_code = ?, "
      "last_error = ?, finished_at = ? WHERE id = ? AND status = 'pending'",
      status, next, result.status_code, error, finished, claim.id);
  if (!updated) {
    return updated.error();
  }
  if (db.changes() == 0) {
    return false;
  }
  auto logged = store::sql::run(
      db,
      "INSERT INTO webhook_attempts (delivery_id, attempt, at, status_code, duration_ms, error) "
      "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (delivery_id, attempt) DO NOTHING",
      claim.id, claim.attempts, at, result.status_code,
      static_cast<std::int64_t>(result.took.count()), error);
  if (!logged) {
    return logged.error();
  }
  if (verdict == webhook_verdict::gone) {
    auto disabled = store::sql::run(
        db,
        "UPDATE webhook_endpoints SET enabled = 0, disabled_reason = 'gone', updated_at = ? "
        "WHERE id = ?",
        at, claim.endpoint_id);
    if (!disabled) {
      return disabled.error();
    }
    auto cancelled =
        store::sql::run(db,
                        "UPDATE webhook_deliveries SET status = 'cancelled', finished_at = ?, "
                        "last_error = 'endpoint disabled: the receiver answered 410 Gone' "
                        "WHERE endpoint_id = ? AND status = 'pending'",
                        at, claim.endpoint_id);
    if (!cancelled) {
      return cancelled.error();
    }
  }
  return true;
}

base::result<std::optional<time_point>> next_webhook_due(store::database& db) {
  auto next = store::sql::first(
      db,
      "SELECT MIN(d.next_attempt_at) FROM webhook_deliveries d "
      "JOIN webhook_endpoints e ON e.id = d.endpoint_id "
      "WHERE d.status = 'pending' AND (e.enabled = 1 OR d.event_type = 'webhook.test')",
      [](store::statement& st) { return st.column_optional_text(0); });
  if (!next) {
    return next.error();
  }
  if (!*next || !**next) {
    return std::optional<time_point>{};
  }
  return store::parse_iso8601_utc(***next);
}

base::result<std::int64_t> pending_webhook_deliveries(store::database& db) {
  return store::sql::integer(db,
                             "SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'");
}

}  // namespace rosterd::lifecycle
