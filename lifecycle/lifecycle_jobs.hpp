#pragma once
// The lifecycle's durable jobs, as the daemon runs them: each connection's check (status,
// creator reminders, team alerts), each person's digest, and the daily pruning of finished
// jobs (a daemon that runs for months must not keep every stage it ever ran). Each job's work and
// its "done" commit in one transaction, so a crash between the two leaves the job to run again with
// nothing of it stored, and a job whose lease was lost or that was cancelled meanwhile (a
// reconnect) stores nothing at all.

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

#include "base/failure.hpp"
#include "lifecycle/job_scheduler.hpp"
#include "lifecycle/providers.hpp"
#include "lifecycle/reconnect_links.hpp"
#include "lifecycle/stage_settings.hpp"
#include "roster/mail.hpp"
#include "store/store.hpp"

namespace rosterd::lifecycle {

struct lifecycle_jobs_context {
  const provider_registry& providers;
  const stage_settings_holder& stages;  ///< replaced by a reload; each job takes one snapshot
  roster::mailer& mailer;
  link_settings links;
  std::function<void()> mail_queued;      ///< wakes the mail relay after a job queued mail
  std::function<void()> webhooks_queued;  ///< wakes the webhook dispatcher likewise
  /// The identity check's interval; each check makes sure one is planned. nullopt: off.
  std::optional<std::chrono::seconds> identity_interval;
  /// Told each stage a check recorded (audience, stage), after its commit; may be empty.
  std::function<void(std::string_view, std::string_view)> on_notice;
  /// Where the pruning says how many finished jobs it deleted; may be null.
  std::shared_ptr<spdlog::logger> log;
};

inline constexpr std::string_view prune_jobs_kind = "prune_jobs";
/// Finished jobs (done, cancelled, failed) are kept this long, then pruned.
inline constexpr std::chrono::hours finished_jobs_kept{24 * 30};
/// How often the pruning runs while the daemon is up.
inline constexpr std::chrono::hours prune_jobs_every{24};

/// Plans a pruning of finished jobs at `now` unless one is pending; each run plans the next,
/// a day later. Call at start. In the caller's transaction.
base::result<void> plan_job_pruning(store::database& db, time_point now);

/// Registers the connection_check, agent_digest and prune_jobs handlers on `jobs`. `ctx` and `db`
/// must outlive it.
void add_lifecycle_jobs(job_scheduler& jobs, store::store& db, lifecycle_jobs_context ctx,
                        job_scheduler::clock_fn clock);

/// Plans a check for each connection that follows a deadline or was revoked and has no check
/// pending (connections from before the lifecycle existed, or restored from a backup), at the
/// start of its reminder window (now when it has begun). Looks at up to `limit` connections
/// with ids after `after_id`; returns the last id it looked at (nullopt when none was left):
/// pass it back to go on. A check already planned once for the same grant and deadline is not
/// planned again. With `identity_interval`, a connection that may be checked at its platform
/// and has no identity check pending gets one too. In the caller's transaction.
struct missing_checks_page {
  int planned = 0;
  std::optional<std::string> last_id;
};
base::result<missing_checks_page> plan_missing_checks(
    store::database& db, const stage_settings& stages, std::string_view after_id, time_point now,
    int limit, std::optional<std::chrono::seconds> identity_interval = std::nullopt);

}  // namespace rosterd::lifecycle
