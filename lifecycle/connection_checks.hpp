#pragma once
// What happens as a connection's re-consent deadline comes closer, and when a platform ends it.
// One check per connection, run as a durable job ("connection_check"), decides everything in
// one transaction:
//   - the status the clocks call for: connected -> expiring (inside the reminder window) ->
//     expired (the deadline has passed), each transition with its event and plain reason;
//   - the creator stage due now (stages missed while the daemon was down collapse into the
//     latest one): one email to the creator naming every platform of theirs that needs
//     attention, with one fresh reconnect link that renews them all;
//   - the team stage due now: an alert to each agent on that creator's team; at the creator's
//     last stage, one alert to the account's admins; once the connection works again, one
//     recovery notice to the team;
//   - a revoked connection: the creator and the team hear at once;
//   - when to look again (a planned check at the next stage).
// Each stage goes out at most once per (connection, deadline, audience, stage): its
// lifecycle_notices row commits with the outbox message, and the message's idempotency key is
// made from the same four things, so a crash and rerun sends nothing twice.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/failure.hpp"
#include "lifecycle/check_requests.hpp"
#include "lifecycle/jobs.hpp"
#include "lifecycle/providers.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "lifecycle/stage_settings.hpp"
#include "roster/clock.hpp"
#include "roster/mail.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

struct check_context {
  const provider_registry& providers;
  const stage_settings& stages;
  roster::mailer& mailer;
  link_settings links;
};

struct check_report {
  std::optional<time_point> next_check;  ///< the planned check it scheduled
  int creator_messages = 0;
  int team_alerts = 0;  ///< messages (or digest items) for agents
  int admin_alerts = 0;
  int webhooks = 0;  ///< webhook deliveries queued
  bool status_changed = false;
  /// Each stage this check recorded, as (audience, stage): ("creator", "7d"), ("team",
  /// "revoked"), ("admins", "escalation").
  std::vector<std::pair<std::string, std::string>> notices;
};

/// Checks the connection at `now` (see above) and plans its next check. In the caller's
/// transaction; a connection that is gone or disconnected is left alone.
base::result<check_report> check_connection(store::database& db, const check_context& ctx,
                                            std::string_view connection_id, time_point now);

}  // namespace rosterd::lifecycle
