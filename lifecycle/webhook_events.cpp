#include "lifecycle/webhook_events.hpp"

#include <sstream>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/crypto.hpp"
#include "roster/clock.hpp"
#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {
namespace {

struct subscribed_endpoint {
  std::string id;
  std::string events;
};

bool subscribes(const std::string& events, std::string_view type) {
  std::istringstream words(events);
  std::string word;
  while (words >> word) {
    if (word == type) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string_view to_string(webhook_event e) noexcept {
  switch (e) {
    case webhook_event::connection_connected:
      return "connection.connected";
    case webhook_event::connection_expiring:
      return "connection.expiring";
    case webhook_event::connection_expired:
      return "connection.expired";
    case webhook_event::connection_revoked:
      return "connection.revoked";
    case webhook_event::connection_refresh_failed:
      return "connection.refresh_failed";
    case webhook_event::connection_recovered:
      return "connection.recovered";
    case webhook_event::connection_account_changed:
      return "connection.account_changed";
    case webhook_event::invitation_accepted:
      return "invitation.accepted";
    case webhook_event::invitation_expired:
      return "invitation.expired";
  }
  return "unknown";
}

std::optional<webhook_event> parse_webhook_event(std::string_view type) noexcept {
  for (const auto e : all_webhook_events) {
    if (to_string(e) == type) {
      return e;
    }
  }
  return std::nullopt;
}

std::string webhook_id_for(std::string_view account_id, webhook_event e,
                           std::string_view event_key) {
  // A separator no id or key contains, so ("a", "bc") and ("ab", "c") cannot collide.
  std::string text;
  text.append(account_id).push_back('\x1f');
  text.append(to_string(e)).push_back('\x1f');
  text.append(event_key);
  const auto digest = base::sha256(text);
  return "msg_" + base::to_hex(digest.data(), 16);
}

std::string webhook_payload(std::string_view type, const webhook_subject& s, time_point now) {
  nlohmann::json data = {
      {"account_id", s.account_id}, {"creator_id", s.creator_id}, {"creator_name", s.creator_name}};
  const auto put = [&data](const char* key, const std::optional<std::string>& value) {
    if (value) {
      data[key] = *value;
    }
  };
  put("connection_id", s.connection_id);
  put("provider", s.provider);
  put("status", s.status);
  put("status_reason", s.status_reason);
  put("reauth_due_at", s.reauth_due_at);
  put("username", s.username);
  put("invitation_id", s.invitation_id);
  // Fixed at enqueue: every retry sends (and signs) exactly these bytes.
  return nlohmann::json{{"type", type}, {"timestamp", store::iso8601_utc(now)}, {"data", data}}
      .dump();
}

base::result<int> publish_webhook_event(store::database& db, webhook_event e,
                                        const webhook_subject& s, std::string_view event_key,
                                        time_point now) {
  std::vector<subscribed_endpoint> endpoints;
  auto read = store::sql::each(
      db, "SELECT id, events FROM webhook_endpoints WHERE account_id = ? AND enabled = 1",
      [&endpoints](store::statement& st) {
        endpoints.push_back({st.column_text(0), st.column_text(1)});
      },
      s.account_id);
  if (!read) {
    return read.error();
  }
  const auto type = to_string(e);
  const auto webhook_id = webhook_id_for(s.account_id, e, event_key);
  const auto body = webhook_payload(type, s, now);
  const auto at = store::iso8601_utc(now);
  int queued = 0;
  for (const auto& endpoint : endpoints) {
    if (!subscribes(endpoint.events, type)) {
      continue;
    }
    auto inserted = store::sql::run(
        db,
        "INSERT INTO webhook_deliveries (id, endpoint_id, account_id, webhook_id, event_type, "
        "payload, status, attempts, next_attempt_at, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) "
        "ON CONFLICT (endpoint_id, webhook_id) DO NOTHING",
        roster::new_id("whd"), endpoint.id, s.account_id, webhook_id, type, body, at, at);
    if (!inserted) {
      return inserted.error();
    }
    queued += static_cast<int>(db.changes());
  }
  return queued;
}

}  // namespace rosterd::lifecycle
