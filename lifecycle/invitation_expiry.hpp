#pragma once
// invitation.expired: an invitation's expiry is never written (a pending invitation past
// expires_at reads as expired), so nothing happens at that moment for a webhook to report.
// The webhook dispatcher sweeps for creator invitations whose expiry passed since its last look
// and queues one event each; the key is the invitation and its expiry, so a sweep repeated
// after a crash queues nothing twice, and a resent invitation that expires again is a new event.

#include <chrono>

#include "base/failure.hpp"
#include "lifecycle/webhook_events.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

/// Queues invitation.expired for every pending creator invitation with since < expires_at <= now
/// in an account that has an enabled endpoint. Returns how many deliveries were queued. Call
/// inside a write transaction.
base::result<int> publish_expired_invitations(store::database& db, time_point since,
                                              time_point now);

}  // namespace rosterd::lifecycle
