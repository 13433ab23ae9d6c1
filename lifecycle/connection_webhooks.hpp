#pragma once
// Webhook events about one connection (connection.connected, .expiring, .expired, .revoked,
// .refresh_failed, .recovered, .account_changed): the payload is filled from the stored
// connection, so every producer sends the same fields. Call inside the transaction of the change
// the event reports, so a crash or a rollback cannot leave one without the other.

#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "lifecycle/connections.hpp"
#include "lifecycle/webhook_events.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

/// Queues `e` about `c` to the account's subscribed endpoints (see publish_webhook_event).
/// `event_key` names this occurrence (e.g. connection id + deadline + stage): the same key is
/// queued once, with one webhook-id. `status_reason` is a status_reasons code, when known.
base::result<int> publish_connection_event(store::database& db, webhook_event e,
                                           const connection_record& c, std::string_view event_key,
                                           time_point now,
                                           std::optional<std::string> status_reason = std::nullopt);

}  // namespace rosterd::lifecycle
