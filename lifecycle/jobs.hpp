#pragma once
// Durable jobs: work due at a moment (a reminder stage, an agent alert, a digest, an identity
// check), stored so a restart loses none. One idempotency key per (kind, subject, deadline,
// stage) makes scheduling the same work twice a no-op, and a lease makes running it twice at
// the same time impossible: a claim fences the job with its owner and attempt number, and
// only that claim may record the outcome. A runner that dies simply lets its lease run out.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "roster/clock.hpp"
#include "store/database.hpp"

namespace rosterd::lifecycle {

using roster::time_point;

enum class job_state { pending, done, cancelled, failed };
std::string_view to_string(job_state s) noexcept;

struct job_spec {
  std::string kind;
  std::string subject;
  std::string idempotency_key;
  time_point due_at;
  std::string payload;
};

struct job {
  std::int64_t id = 0;
  std::string kind;
  std::string subject;
  std::string idempotency_key;
  std::string payload;
  time_point scheduled_for;
  int attempts = 0;  ///< including this claim
  std::string lease_owner;
};

/// Schedules `spec` unless a job with its idempotency key exists (in any state: work done or
/// cancelled is not redone). True when it was added.
base::result<bool> schedule_job(store::database& db, const job_spec& spec, time_point now);

/// Claims up to `limit` pending jobs due at `now`, earliest first, for `owner` until
/// now + lease. One statement, so claiming is atomic; on PostgreSQL its inner SELECT gains
/// FOR UPDATE SKIP LOCKED and several replicas can claim from one table.
base::result<std::vector<job>> claim_due_jobs(store::database& db, std::string_view owner,
                                              time_point now, std::chrono::seconds lease,
                                              int limit);

/// Records the outcome of a claimed job. False (and nothing written) when the claim is no
/// longer the job's current one: its lease ran out and another runner took it, or it was
/// cancelled meanwhile.
base::result<bool> finish_job(store::database& db, const job& claimed, job_state outcome,
                              std::string_view error, time_point now);

/// Puts a claimed job back to run again at `when` (a transient failure), keeping the error.
base::result<bool> retry_job(store::database& db, const job& claimed, time_point when,
                             std::string_view error);

/// Cancels the pending jobs of `kind` about `subject` (a reconnect cancels the remaining
/// reminder stages). Returns how many.
base::result<int> cancel_jobs(store::database& db, std::string_view kind, std::string_view subject,
                              time_point now);

/// Deletes up to `limit` jobs that finished (done, cancelled, failed) before `before`: the table
/// keeps what is pending and recent history, not every stage ever run. Returns how many.
base::result<int> prune_finished_jobs(store::database& db, time_point before, int limit);

/// When the earliest pending job may be claimed (a claimed job counts at its lease expiry);
/// nullopt when none is pending. One index lookup.
base::result<std::optional<time_point>> next_job_due(store::database& db);

}  // namespace rosterd::lifecycle
