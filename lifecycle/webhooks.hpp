#pragma once
// An account's webhook endpoints: where rosterd sends signed events about its creators'
// connections and invitations. Only the account's owners and admins manage them (service
// tokens and agents are refused: an endpoint decides where data about every creator goes).
// The signing secret is shown once, in the answer to create and rotate, and never again.

#include <optional>
#include <string>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "lifecycle/webhook_events.hpp"
#include "roster/model.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

/// How long the old secret keeps signing after a rotation, so receivers can switch over.
inline constexpr std::chrono::hours webhook_secret_overlap{24};
/// At most this many endpoints per account.
inline constexpr int max_webhook_endpoints = 20;

struct webhook_endpoint_record {
  std::string id;
  std::string account_id;
  std::string url;
  std::string description;
  std::vector<std::string> events;
  bool enabled = true;
  std::optional<std::string> disabled_reason;        // "gone": the receiver answered 410
  std::optional<std::string> previous_secret_until;  // the old secret still signs until then
  std::string created_at;
  std::string updated_at;
};

/// An endpoint with its new secret: the one time the secret leaves the database.
struct webhook_endpoint_with_secret {
  webhook_endpoint_record endpoint;
  base::secret secret;
};

struct webhook_endpoint_input {
  std::string url;
  std::string description;
  std::vector<std::string> events;
};

struct webhook_endpoint_change {
  std::optional<std::string> url;  // checked like a new endpoint's; pending deliveries follow it
  std::optional<std::vector<std::string>> events;
  std::optional<std::string> description;
  std::optional<bool> enabled;
};

/// What a webhook URL may name. allow_private_targets is for tests only (a receiver on
/// loopback); with it off an address literal in a private range is refused when stored, and a
/// host name is checked again each time it is resolved.
struct webhook_target_rules {
  bool allow_private_targets = false;
};

/// Checks a URL an admin gave: https, a host, no user name or password, no fragment, at most
/// 2,000 characters; a literal address must be public unless the rules allow private ones.
/// Fails with invalid_argument and a message saying what to fix.
base::result<void> check_webhook_url(std::string_view url, const webhook_target_rules& rules);
/// Checks event types against the fixed set: at least one, none unknown, no duplicates.
base::result<void> check_webhook_events(const std::vector<std::string>& events);

base::result<webhook_endpoint_with_secret> create_webhook_endpoint(
    store::database& db, const roster::caller& who, const webhook_endpoint_input& input,
    const webhook_target_rules& rules, time_point now);
base::result<std::vector<webhook_endpoint_record>> list_webhook_endpoints(
    store::database& db, const roster::caller& who);
base::result<webhook_endpoint_record> get_webhook_endpoint(store::database& db,
                                                           const roster::caller& who,
                                                           std::string_view id);
/// Enabling an endpoint a 410 disabled clears the reason; disabling cancels its pending
/// deliveries (they would otherwise pile up for an endpoint nobody listens on). A new URL is
/// checked by the same rules as at create.
base::result<webhook_endpoint_record> update_webhook_endpoint(
    store::database& db, const roster::caller& who, std::string_view id,
    const webhook_endpoint_change& change, const webhook_target_rules& rules, time_point now);
/// A new secret; the current one keeps signing alongside it for webhook_secret_overlap.
base::result<webhook_endpoint_with_secret> rotate_webhook_secret(store::database& db,
                                                                 const roster::caller& who,
                                                                 std::string_view id,
                                                                 time_point now);
base::result<void> delete_webhook_endpoint(store::database& db, const roster::caller& who,
                                           std::string_view id, time_point now);
/// Queues a "webhook.test" event to this endpoint only (even when it is disabled: that is how
/// an admin checks a receiver before enabling it again). Returns the delivery's webhook-id.
base::result<std::string> queue_webhook_test(store::database& db, const roster::caller& who,
                                             std::string_view id, time_point now);

/// invitation.accepted for a creator's invitation (the event is about creators; a team member
/// joining is in the audit log). Call inside the transaction that accepted it. Returns how many
/// deliveries were queued (0 for other invitations).
base::result<int> publish_invitation_accepted(store::database& db,
                                              const roster::invitation_record& invitation,
                                              time_point now);

struct webhook_attempt_record {
  int attempt = 0;
  std::string at;
  std::optional<int> status_code;
  std::int64_t duration_ms = 0;
  std::optional<std::string> error;
};

struct webhook_delivery_record {
  std::string id;
  std::string webhook_id;
  std::string event_type;
  std::string status;  // pending | delivered | failed | cancelled
  int attempts = 0;
  std::string next_attempt_at;
  std::optional<int> last_status_code;
  std::optional<std::string> last_error;
  std::string created_at;
  std::optional<std::string> finished_at;
  std::vector<webhook_attempt_record> log;  // oldest first
};

/// The endpoint's most recent deliveries, newest first, each with its attempts.
base::result<std::vector<webhook_delivery_record>> list_webhook_deliveries(
    store::database& db, const roster::caller& who, std::string_view id, int limit);

}  // namespace rosterd::lifecycle
