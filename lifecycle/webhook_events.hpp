#pragma once
// The events rosterd tells an agency's own systems about, and how lifecycle code queues them:
// inside the transaction of the change they report, one delivery per enabled endpoint of the
// account that subscribed to the event. The webhook sender (webhook_dispatcher.hpp) delivers
// them later, signed the Standard Webhooks way.

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

using time_point = std::chrono::system_clock::time_point;

enum class webhook_event {
  connection_connected,
  connection_expiring,
  connection_expired,
  connection_revoked,
  connection_refresh_failed,
  connection_recovered,
  connection_account_changed,
  invitation_accepted,
  invitation_expired
};

/// The event's type on the wire: "connection.connected", "invitation.accepted", ...
std::string_view to_string(webhook_event e) noexcept;
/// The event named by its wire type, or nullopt for any other text.
std::optional<webhook_event> parse_webhook_event(std::string_view type) noexcept;
/// Every event, in declaration order (what an endpoint may subscribe to).
inline constexpr std::array<webhook_event, 9> all_webhook_events{
    webhook_event::connection_connected,       webhook_event::connection_expiring,
    webhook_event::connection_expired,         webhook_event::connection_revoked,
    webhook_event::connection_refresh_failed,  webhook_event::connection_recovered,
    webhook_event::connection_account_changed, webhook_event::invitation_accepted,
    webhook_event::invitation_expired};

/// What the event is about. Empty optionals are left out of the payload.
struct webhook_subject {
  std::string account_id;
  std::string creator_id;
  std::string creator_name;
  std::optional<std::string> connection_id;
  std::optional<std::string> provider;
  std::optional<std::string> status;         // connection status word
  std::optional<std::string> status_reason;  // lifecycle::status_reason code
  std::optional<std::string> reauth_due_at;  // ISO-8601 UTC
  std::optional<std::string> username;
  std::optional<std::string> invitation_id;
};

/// Queues one delivery per enabled endpoint of subject.account_id subscribed to `e`, inside the
/// caller's open transaction (commits or rolls back with the caller's change). `event_key` makes
/// it idempotent: the same (e, event_key) queued twice is queued once; it also fixes the stable
/// webhook-id. Returns how many deliveries were queued. Never contains a token or secret.
base::result<int> publish_webhook_event(store::database& db, webhook_event e,
                                        const webhook_subject& s, std::string_view event_key,
                                        time_point now);

/// The webhook-id of (account, e, event_key): "msg_" + 32 hex digits of a SHA-256 over them, so
/// every endpoint and every retry of one event carries the same id and receivers can drop
/// duplicates by it.
std::string webhook_id_for(std::string_view account_id, webhook_event e,
                           std::string_view event_key);

/// The Standard Webhooks body: {"type":..., "timestamp":..., "data":{...}}.
std::string webhook_payload(std::string_view type, const webhook_subject& s, time_point now);

}  // namespace rosterd::lifecycle
