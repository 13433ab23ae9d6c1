#pragma once
// The queue the webhook dispatcher works from: claiming due deliveries (a lease, as the email
// outbox does: next_attempt_at is pushed forward, so a crash mid-send makes the row due again
// with the same webhook-id and body) and recording what each attempt got.

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "lifecycle/webhook_events.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

/// One delivery claimed for an attempt, with what sending needs.
struct webhook_delivery_claim {
  std::string id;
  std::string endpoint_id;
  std::string url;
  std::string webhook_id;
  std::string event_type;
  std::string payload;
  int attempts = 0;  // including this one
  time_point created_at;
  std::vector<base::secret> secrets;  // "whsec_..." now signing: current first, then the old
};

/// Claims up to `limit` due deliveries of enabled endpoints, at most one per endpoint and none
/// of an endpoint in `busy` (one request in flight per endpoint keeps a slow receiver's
/// backlog from taking every slot, and its events in order). Each claimed row's
/// next_attempt_at moves to now + lease and its attempts count one more. Call inside a write
/// transaction.
base::result<std::vector<webhook_delivery_claim>> claim_due_webhook_deliveries(
    store::database& db, time_point now, std::chrono::seconds lease, int limit,
    const std::set<std::string>& busy);

/// What happened to one attempt.
struct webhook_attempt_result {
  std::optional<int> status_code;  // the receiver's answer, if one came
  std::chrono::milliseconds took{0};
  std::string error;  // empty on success; never holds a secret
};

enum class webhook_verdict {
  delivered,  // 2xx
  retry,      // try again at `next_attempt_at`
  failed,     // gave up (out of time)
  gone,       // 410: the endpoint is disabled and its pending deliveries cancelled
  released,   // our own shutdown cut it off: due again at once, attempt not counted
};

/// Records the attempt in the delivery log and applies the verdict. Returns false when the
/// claim was lost (the row is no longer pending, e.g. its endpoint was deleted).
base::result<bool> record_webhook_attempt(store::database& db, const webhook_delivery_claim& claim,
                                          webhook_verdict verdict,
                                          const webhook_attempt_result& result,
                                          time_point next_attempt_at, time_point now);

/// When the next pending delivery of an enabled endpoint is due, if any.
base::result<std::optional<time_point>> next_webhook_due(store::database& db);

/// Deliveries still pending (for /metrics).
base::result<std::int64_t> pending_webhook_deliveries(store::database& db);

}  // namespace rosterd::lifecycle
