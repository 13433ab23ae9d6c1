#pragma once
// Agents' daily digests: alerts for a person who chose "digest" wait in digest_items until
// their local digest hour, then go out as one email grouped by creator, most urgent first,
// each creator with a fresh reconnect link the agent can forward. One durable job per person
// and digest moment ("agent_digest:<user>:<moment>") carries it there, so a restart loses
// nothing and a rerun of the same job queues nothing twice.

#include <optional>
#include <string>
#include <string_view>

#include "base/failure.hpp"
#include "lifecycle/providers.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "roster/clock.hpp"
#include "roster/mail.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

inline constexpr std::string_view digest_job_kind = "agent_digest";

struct digest_settings {
  link_settings links;  ///< public_url and lifetime of the reconnect links in the digest
};

/// One alert waiting for a person's digest, as the lifecycle made it.
struct digest_item {
  std::string user_id;
  std::string account_id;
  std::string creator_id;
  std::string connection_id;
  std::string provider;
  std::string stage;     ///< '7d', '1d', 'expired', 'revoked', 'refresh_failing'
  std::string deadline;  ///< the deadline stamp, '' for an event
  std::string status;    ///< the connection's status when the alert was made
  std::string status_reason;
  std::optional<std::string> due_at;  ///< the deadline, for sorting by urgency
};

/// The idempotency key of `user_id`'s digest due at `at`.
std::string digest_job_key(std::string_view user_id, time_point at);

/// Keeps `item` for its person's next digest: adds the digest_items row (nothing when the same
/// (user, connection, deadline, stage) waits or went out already) and schedules the digest job
/// at next_digest_at(preferences, now) unless it is scheduled. Inside the caller's transaction.
base::result<void> hold_for_digest(store::database& db, const digest_item& item, time_point now);

/// Runs the due digest job `idempotency_key` for `user_id`: queues one email (template
/// agent_digest) with the waiting items grouped by creator, most urgent first (expired, revoked
/// or failing before expiring, then the earliest deadline), each with a fresh reconnect link
/// for the platforms that need attention, and marks the items with the key. Items of creators
/// the person no longer sees (left the team or the account, creator removed) and of
/// connections reconnected since are marked without being sent. A rerun with the same key
/// queues nothing. Returns whether a message was queued. Inside the caller's transaction.
base::result<bool> send_digest(store::database& db, roster::mailer& mailer,
                               const provider_registry& providers, const digest_settings& s,
                               std::string_view user_id, std::string_view idempotency_key,
                               time_point now);

}  // namespace rosterd::lifecycle
