#include "lifecycle/webhooks.hpp"

#include <algorithm>
#include <sstream>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include "base/random.hpp"
#include "notify/webhook_sender.hpp"
#include "notify/webhook_signature.hpp"
#include "roster/audit.hpp"
#include "roster/clock.hpp"
#include "roster/error.hpp"
#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {
namespace {

constexpr std::size_t max_url_length = 2000;
constexpr std::size_t max_description_length = 500;

base::failure bad(std::string message) {
  return base::reject(roster::errc::invalid_argument, std::move(message));
}

base::result<void> require_admin(const roster::caller& who) {
  if (!who.is_admin()) {
    return base::reject(roster::errc::forbidden, "only owners and admins manage webhooks");
  }
  return {};
}

std::string join_events(const std::vector<std::string>& events) {
  std::string out;
  for (const auto& e : events) {
    out += (out.empty() ? "" : " ") + e;
  }
  return out;
}

std::vector<std::string> split_events(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream words(text);
  std::string word;
  while (words >> word) {
    out.push_back(word);
  }
  return out;
}

constexpr const char* endpoint_columns =
    "id, account_id, url, description, events, enabled, disabled_reason, "
    "previous_secret_expires_at, created_at, updated_at";

webhook_endpoint_record endpoint_from(store::statement& st, time_point now) {
  webhook_endpoint_record r;
  r.id = st.column_text(0);
  r.account_id = st.column_text(1);
  r.url = st.column_text(2);
  r.description = st.column_text(3);
  r.events = split_events(st.column_text(4));
  r.enabled = st.column_int64(5) != 0;
  r.disabled_reason = st.column_optional_text(6);
  if (auto until = st.column_optional_text(7); until && *until > store::iso8601_utc(now)) {
    r.previous_secret_until = until;
  }
  r.created_at = st.column_text(8);
  r.updated_at = st.column_text(9);
  return r;
}

base::result<webhook_endpoint_record> find_endpoint(store::database& db, const roster::caller& who,
                                                    std::string_view id, time_point now) {
  auto found = store::sql::first(
      db,
      std::string("SELECT ") + endpoint_columns +
          " FROM webhook_endpoints WHERE id = ? AND account_id = ?",
      [now](store::statement& st) { return endpoint_from(st, now); }, id, who.account_id);
  if (!found) {
    return found.error();
  }
  if (!*found) {
    return base::reject(roster::errc::not_found, "no such webhook endpoint");
  }
  return std::move(**found);
}

base::result<void> audit(store::database& db, const roster::caller& who, const char* action,
                         const std::string& endpoint_id, std::string detail, time_point now) {
  return roster::record(db, roster::actor::of(who),
                        {.account_id = who.account_id,
                         .action = action,
                         .target_kind = "webhook_endpoint",
                         .target_id = endpoint_id,
                         .creator_id = "",
                         .detail = std::move(detail)},
                        now);
}

}  // namespace

base::result<void> check_webhook_url(std::string_view url, const webhook_target_rules& rules) {
  if (url.empty()) {
    return bad("url: required, an https:// address of your receiver");
  }
  if (url.size() > max_url_length) {
    return bad("url: at most 2000 characters");
  }
  auto parsed = boost::urls::parse_uri(url);
  if (!parsed) {
    return bad("url: not a valid absolute URL (e.g. https://hooks.example.com/rosterd)");
  }
  if (parsed->scheme() != "https") {
    return bad("url: must start with https:// (events are only sent over TLS)");
  }
  if (parsed->encoded_host().empty()) {
    return bad("url: names no host");
  }
  if (parsed->has_userinfo()) {
    return bad("url: must not carry a user name or password; authenticate with the signature");
  }
  if (parsed->has_fragment()) {
    return bad("url: must not have a #fragment");
  }
  if (parsed->has_port() && (parsed->port_number() == 0)) {
    return bad("url: port must be 1 to 65535");
  }
  std::string host(parsed->encoded_host_address());
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  boost::system::error_code ec;
  const auto literal = boost::asio::ip::make_address(host, ec);
  if (!ec) {
    if (auto why = notify::refused_target(literal, rules.allow_private_targets)) {
      return bad("url: " + host + " is " + *why);
    }
  }
  return {};
}

base::result<void> check_webhook_events(const std::vector<std::string>& events) {
  if (events.empty()) {
    return bad("events: name at least one event type");
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (!parse_webhook_event(events[i])) {
      std::string known;
      for (const auto e : all_webhook_events) {
        known += (known.empty() ? "" : ", ") + std::string(to_string(e));
      }
      return bad("events: unknown event type \"" + events[i].substr(0, 40) + "\"; one of " + known);
    }
    if (std::find(events.begin(), events.begin() + static_cast<std::ptrdiff_t>(i), events[i]) !=
        events.begin() + static_cast<std::ptrdiff_t>(i)) {
      return bad("events: \"" + events[i] + "\" is listed twice");
    }
  }
  return {};
}

base::result<webhook_endpoint_with_secret> create_webhook_endpoint(
    store::database& db, const roster::caller& who, const webhook_endpoint_input& input,
    const webhook_target_rules& rules, time_point now) {
  if (auto allowed = require_admin(who); !allowed) {
    return allowed.error();
  }
  if (auto ok = check_webhook_url(input.url, rules); !ok) {
    return ok.error();
  }
  if (auto ok = check_webhook_events(input.events); !ok) {
    return ok.error();
  }
  if (input.description.size() > max_description_length) {
    return bad("description: at most 500 characters");
  }
  auto count = store::sql::integer(
      db, "SELECT COUNT(*) FROM webhook_endpoints WHERE account_id = ?", who.account_id);
  if (!count) {
    return count.error();
  }
  if (*count >= max_webhook_endpoints) {
    return base::reject(roster::errc::conflict,
                        "this account already has 20 webhook endpoints; delete one first");
  }
  const auto id = roster::new_id("whk");
  auto secret = notify::generate_webhook_secret();
  const auto at = store::iso8601_utc(now);
  auto inserted = store::sql::run(
      db,
      "INSERT INTO webhook_endpoints (id, account_id, url, description, events, enabled, secret, "
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?)",
      id, who.account_id, input.url, input.description, join_events(input.events), secret.reveal(),
      at, at);
  if (!inserted) {
    return inserted.error();
  }
  if (auto logged = audit(db, who, "webhook.created", id, "url " + input.url, now); !logged) {
    return logged.error();
  }
  auto record = find_endpoint(db, who, id, now);
  if (!record) {
    return record.error();
  }
  return webhook_endpoint_with_secret{std::move(*record), std::move(secret)};
}

base::result<std::vector<webhook_endpoint_record>> list_webhook_endpoints(
    store::database& db, const roster::caller& who) {
  if (auto allowed = require_admin(who); !allowed) {
    return allowed.error();
  }
  const auto now = std::chrono::system_clock::now();
  std::vector<webhook_endpoint_record> out;
  auto listed = store::sql::each(
      db,
      std::string("SELECT ") + endpoint_columns +
          " FROM webhook_endpoints WHERE account_id = ? ORDER BY created_at, id",
      [&out, now](store::statement& st) { out.push_back(endpoint_from(st, now)); }, who.account_id);
  if (!listed) {
    return listed.error();
  }
  return out;
}

base::result<webhook_endpoint_record> get_webhook_endpoint(store::database& db,
                                                           const roster::caller& who,
                                                           std::string_view id) {
  if (auto allowed = require_admin(who); !allowed) {
    return allowed.error();
  }
  return find_endpoint(db, who, id, std::chrono::system_clock::now());
}

base::result<webhook_endpoint_record> update_webhook_endpoint(
    store::database& db, const roster::caller& who, std::string_view id,
    const webhook_endpoint_change& change, const webhook_target_rules& rules, time_point now) {
  if (auto allowed = require_admin(who); !allowed) {
    return allowed.error();
  }
  if (change.url) {
    if (auto ok = check_webhook_url(*change.url, rules); !ok) {
      return ok.error();
    }
  }
  if (change.events) {
    if (auto ok = check_webhook_events(*change.events); !ok) {
      return ok.error();
    }
  }
  if (change.description && change.description->size() > max_description_length) {
    return bad("description: at most 500 characters");
  }
  auto current = find_endpoint(db, who, id, now);
  if (!current) {
    return current.error();
  }
  const auto events = change.events ? join_events(*change.events) : join_events(current->events);
  const auto url = change.url.value_or(current->url);
  const auto description = change.description.value_or(current->description);
  const bool enabled = change.enabled.value_or(current->enabled);
  // Enabling clears why it was disabled; disabling by hand leaves no automatic reason.
  std::optional<std::string> reason = enabled          ? std::nullopt
                                      : change.enabled ? std::nullopt
                                                       : current->disabled_reason;
  auto updated = store::sql::run(
      db,
      "UPDATE webhook_endpoints SET url = ?, events = ?, description = ?, enabled = ?, "
      "disabled_reason = ?, updated_at = ? WHERE id = ? AND account_id = ?",
      url, events, description, enabled, reason, store::iso8601_utc(now), current->id,
      who.account_id);
  if (!updated) {
    return updated.error();
  }
  if (!enabled && current->enabled) {
    auto cancelled = store::sql::run(
        db,
        "UPDATE webhook_deliveries SET status = 'cancelled', finished_at = ?, "
        "last_error = 'endpoint disabled' WHERE endpoint_id = ? AND status = 'pending'",
        store::iso8601_utc(now), current->id);
    if (!cancelled) {
      return cancelled.error();
    }
  }
  std::string detail;
  if (change.url && *change.url != current->url) {
    detail += "url " + url;
  }
  if (change.events) {
    detail += std::string(detail.empty() ? "" : "; ") + "events " + events;
  }
  if (change.enabled) {
    detail += std::string(detail.empty() ? "" : "; ") + (enabled ? "enabled" : "disabled");
  }
  if (change.description) {
    detail += std::string(detail.empty() ? "" : "; ") + "description changed";
  }
  if (auto logged = audit(db, who, "webhook.updated", current->id, detail, now); !logged) {
    return logged.error();
  }
  return find_endpoint(db, who, id, now);
}

base::result<webhook_endpoint_with_secret> rotate_webhook_secret(store::database& db,
                                                                 const roster::caller& who,
                                                                 std::string_view id,
                                                                 time_point now) {
  if (auto allowed = require_admin(who); !allowed) {
    return allowed.error();
  }
  auto current = find_endpoint(db, who, id, now);
  if (!current) {
    return current.error();
  }
  auto secret = notify::generate_webhook_secret();
  auto rotated = store::sql::run(
      db,
      "UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = ?, "
      "secret = ?, updated_at = ? WHERE id = ? AND account_id = ?",
      store::iso8601_utc(now + webhook_secret_overlap), secret.reveal(), store::iso8601_utc(now),
      current->id, who.account_id);
  if (!rotated) {
    return rotated.error();
  }
  if (auto logged = audit(db, who, "webhook.secret_rotated", current->id,
                          "the previous secret signs for 24 h more", now);
      !logged) {
    return logged.error();
  }
  auto record = find_endpoint(db, who, id, now);
  if (!record) {
    return record.error();
  }
  return webhook_endpoint_with_secret{std::move(*record), std::move(secret)};
}

base::result<void> delete_webhook_endpoint(store::database& db, const roster::caller& who,
                                           std::string_view id, time_point now) {
  if (auto allowed = require_admin(who); !allowed) {
    return allowed.error();
  }
  auto current = find_endpoint(db, who, id, now);
  if (!current) {
    return current.error();
  }
  // Deliveries and their attempts go with it (ON DELETE CASCADE).
  auto deleted =
      store::sql::run(db, "DELETE FROM webhook_endpoints WHERE id = ? AND account_id = ?",
                      current->id, who.account_id);
  if (!deleted) {
    return deleted.error();
  }
  return audit(db, who, "webhook.deleted", current->id, "url " + current->url, now);
}

base::result<std::string> queue_webhook_test(store::database& db, const roster::caller& who,
                                             std::string_view id, time_point now) {
  if (auto allowed = require_admin(who); !allowed) {
    return allowed.error();
  }
  auto current = find_endpoint(db, who, id, now);
  if (!current) {
    return current.error();
  }
  const auto webhook_id = "msg_" + base::random_hex(16);
  webhook_subject subject;
  subject.account_id = who.account_id;
  const auto body = webhook_payload("webhook.test", subject, now);
  const auto at = store::iso8601_utc(now);
  auto inserted = store::sql::run(
      db,
      "INSERT INTO webhook_deliveries (id, endpoint_id, account_id, webhook_id, event_type, "
      "payload, status, attempts, next_attempt_at, created_at) "
      "VALUES (?, ?, ?, ?, 'webhook.test', ?, 'pending', 0, ?, ?)",
      roster::new_id("whd"), current->id, who.account_id, webhook_id, body, at, at);
  if (!inserted) {
    return inserted.error();
  }
  return webhook_id;
}

base::result<int> publish_invitation_accepted(store::database& db,
                                              const roster::invitation_record& invitation,
                                              time_point now) {
  if (invitation.kind != roster::role::creator) {
    return 0;
  }
  auto creator = store::sql::first(
      db, "SELECT id, display_name FROM creators WHERE account_id = ? AND user_id = ?",
      [](store::statement& st) {
        return std::pair{st.column_text(0), st.column_text(1)};
      },
      invitation.account_id, invitation.user_id);
  if (!creator) {
    return creator.error();
  }
  if (!*creator) {
    return 0;
  }
  webhook_subject s;
  s.account_id = invitation.account_id;
  s.creator_id = (*creator)->first;
  s.creator_name = (*creator)->second;
  s.invitation_id = invitation.id;
  return publish_webhook_event(db, webhook_event::invitation_accepted, s, invitation.id, now);
}

base::result<std::vector<webhook_delivery_record>> list_webhook_deliveries(
    store::database& db, const roster::caller& who, std::string_view id, int limit) {
  if (auto allowed = require_admin(who); !allowed) {
    return allowed.error();
  }
  auto current = find_endpoint(db, who, id, std::chrono::system_clock::now());
  if (!current) {
    return current.error();
  }
  std::vector<webhook_delivery_record> out;
  auto listed = store::sql::each(
      db,
      "SELECT id, webhook_id, event_type, status, attempts, next_attempt_at, last_status_code, "
      "last_error, created_at, finished_at FROM webhook_deliveries WHERE endpoint_id = ? "
      "ORDER BY created_at DESC, id DESC LIMIT ?",
      [&out](store::statement& st) {
        webhook_delivery_record d;
        d.id = st.column_text(0);
        d.webhook_id = st.column_text(1);
        d.event_type = st.column_text(2);
        d.status = st.column_text(3);
        d.attempts = static_cast<int>(st.column_int64(4));
        d.next_attempt_at = st.column_text(5);
        if (!st.column_is_null(6)) {
          d.last_status_code = static_cast<int>(st.column_int64(6));
        }
        d.last_error = st.column_optional_text(7);
        d.created_at = st.column_text(8);
        d.finished_at = st.column_optional_text(9);
        out.push_back(std::move(d));
      },
      current->id, limit);
  if (!listed) {
    return listed.error();
  }
  for (auto& d : out) {
    auto attempts = store::sql::each(
        db,
        "SELECT attempt, at, status_code, duration_ms, error FROM webhook_attempts "
        "WHERE delivery_id = ? ORDER BY attempt",
        [&d](store::statement& st) {
          webhook_attempt_record a;
          a.attempt = static_cast<int>(st.column_int64(0));
          a.at = st.column_text(1);
          if (!st.column_is_null(2)) {
            a.status_code = static_cast<int>(st.column_int64(2));
          }
          a.duration_ms = st.column_int64(3);
          a.error = st.column_optional_text(4);
          d.log.push_back(std::move(a));
        },
        d.id);
    if (!attempts) {
      return attempts.error();
    }
  }
  return out;
}

}  // namespace rosterd::lifecycle
