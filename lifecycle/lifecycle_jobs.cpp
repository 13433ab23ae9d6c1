#include "lifecycle/lifecycle_jobs.hpp"

#include <algorithm>
#include <system_error>

#include "lifecycle/agent_digests.hpp"
#include "lifecycle/check_requests.hpp"
#include "lifecycle/connection_checks.hpp"
#include "lifecycle/identity_checks.hpp"
#include "store/in_transaction.hpp"
#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {
namespace {

namespace asio = boost::asio;
namespace sql = store::sql;

constexpr auto retry_after_problem = std::chrono::minutes(5);
// Rows deleted per transaction: a backlog is pruned in short writes, the next batch at once.
constexpr int prune_batch = 1000;

// The job's work and its "done" in one transaction; a claim that is no longer current (lease
// lost, cancelled by a reconnect) rolls the work back.
template <typename Work>
asio::awaitable<job_outcome> run_and_finish(store::store& db, const job& j, time_point now,
                                            Work work) {
  bool claim_lost = false;
  auto op = store::in_transaction([&](store::database& d) -> base::result<bool> {
    if (auto done = work(d); !done) {
      return done.error();
    }
    auto finished = finish_job(d, j, job_state::done, "", now);
    if (!finished) {
      return finished.error();
    }
    if (!*finished) {
      claim_lost = true;
      return base::failure{std::make_error_code(std::errc::operation_canceled),
                           "the job's claim is no longer current"};
    }
    return true;
  });
  auto written = co_await db.write(op);
  if (!written) {
    if (claim_lost) {
      // Nothing of the run was stored; the error only tells the caller so.
      co_return job_outcome{job_outcome::kind::recorded, std::nullopt, "the claim was lost"};
    }
    co_return job_outcome{job_outcome::kind::retry, now + retry_after_problem,
                          written.error().detail};
  }
  co_return job_outcome{job_outcome::kind::recorded, std::nullopt, ""};
}

std::optional<time_point> parse(const std::optional<std::string>& text) {
  return text ? store::parse_iso8601_utc(*text) : std::nullopt;
}

}  // namespace

void add_lifecycle_jobs(job_scheduler& jobs, store::store& db, lifecycle_jobs_context ctx,
                        job_scheduler::clock_fn clock) {
  auto shared = std::make_shared<lifecycle_jobs_context>(std::move(ctx));
  jobs.on(std::string(connection_check_kind),
          [&db, shared, clock](const job& j) -> asio::awaitable<job_outcome> {
            const auto now = clock();
            const auto stages = shared->stages.current();
            const check_context cc{shared->providers, *stages, shared->mailer, shared->links};
            int messages = 0;
            int webhooks = 0;
            std::vector<std::pair<std::string, std::string>> notices;
            auto outcome = co_await run_and_finish(db, j, now, [&](store::database& d) {
              auto report = check_connection(d, cc, j.subject, now);
              if (!report) {
                return base::result<void>(report.error());
              }
              messages = report->creator_messages + report->team_alerts + report->admin_alerts;
              notices = std::move(report->notices);
              webhooks = report->webhooks;
              if (shared->identity_interval) {
                return plan_identity_check(d, j.subject, *shared->identity_interval, now);
              }
              return base::result<void>();
            });
            if (messages > 0 && shared->mail_queued) {
              shared->mail_queued();
            }
            if (webhooks > 0 && shared->webhooks_queued) {
              shared->webhooks_queued();
            }
            if (shared->on_notice && outcome.what == job_outcome::kind::recorded &&
                outcome.error.empty()) {
              for (const auto& [audience, stage] : notices) {
                shared->on_notice(audience, stage);
              }
            }
            co_return outcome;
          });
  jobs.on(std::string(digest_job_kind),
          [&db, shared, clock](const job& j) -> asio::awaitable<job_outcome> {
            const auto now = clock();
            bool queued = false;
            auto outcome = co_await run_and_finish(db, j, now, [&](store::database& d) {
              auto sent =
                  send_digest(d, shared->mailer, shared->providers, digest_settings{shared->links},
                              j.subject, j.idempotency_key, now);
              if (!sent) {
                return base::result<void>(sent.error());
              }
              queued = *sent;
              return base::result<void>();
            });
            if (queued && shared->mail_queued) {
              shared->mail_queued();
            }
            co_return outcome;
          });
  jobs.on(std::string(prune_jobs_kind),
          [&db, shared, clock](const job& j) -> asio::awaitable<job_outcome> {
            const auto now = clock();
            int pruned = 0;
            auto outcome = co_await run_and_finish(db, j, now, [&](store::database& d) {
              auto n = prune_finished_jobs(d, now - finished_jobs_kept, prune_batch);
              if (!n) {
                return base::result<void>(n.error());
              }
              pruned = *n;
              // A full batch leaves more: the next batch runs at once, else tomorrow. Keyed by
              // this job, so a rerun of it plans the same successor, never a second one.
              const auto next = pruned >= prune_batch ? now : now + prune_jobs_every;
              auto planned = schedule_job(
                  d,
                  {std::string(prune_jobs_kind), "jobs",
                   std::string(prune_jobs_kind) + ":after:" + std::to_string(j.id), next, ""},
                  now);
              if (!planned) {
                return base::result<void>(planned.error());
              }
              return base::result<void>();
            });
            if (pruned > 0 && shared->log && outcome.what == job_outcome::kind::recorded &&
                outcome.error.empty()) {
              shared->log->info("jobs_pruned count={}", pruned);
            }
            co_return outcome;
          });
}

base::result<void> plan_job_pruning(store::database& db, time_point now) {
  auto pending = sql::integer(db, "SELECT COUNT(*) FROM jobs WHERE kind = ? AND state = 'pending'",
                              prune_jobs_kind);
  if (!pending) {
    return pending.error();
  }
  if (*pending > 0) {
    return {};
  }
  auto planned =
      schedule_job(db,
                   {std::string(prune_jobs_kind), "jobs",
                    std::string(prune_jobs_kind) + ":start:" + roster::stamp(now), now, ""},
                   now);
  if (!planned) {
    return planned.error();
  }
  return {};
}

base::result<missing_checks_page> plan_missing_checks(
    store::database& db, const stage_settings& stages, std::string_view after_id, time_point now,
    int limit, std::optional<std::chrono::seconds> identity_interval) {
  struct candidate {
    std::string id;
    std::string provider;
    std::string status;
    std::string status_changed_at;
    std::string connected_at;
    std::optional<std::string> due;
    bool self_renewing = false;
    bool check_pending = false;
    bool identity_pending = false;
  };
  std::vector<candidate> found;
  auto read = sql::each(
      db,
      "SELECT c.id, c.provider, c.status, c.status_changed_at, c.connected_at, c.reauth_due_at, "
      "c.deadline_self_renewing, EXISTS (SELECT 1 FROM jobs j WHERE j.subject = c.id AND "
      "j.state = 'pending' AND j.kind = ?2), EXISTS (SELECT 1 FROM jobs j WHERE j.subject = "
      "c.id AND j.state = 'pending' AND j.kind = ?3) FROM connections c WHERE c.id > ?1 AND "
      "c.status IN ('connected', 'expiring', 'expired', 'error', 'revoked') ORDER BY c.id "
      "LIMIT ?4",
      [&](store::statement& s) {
        found.push_back({s.column_text(0), s.column_text(1), s.column_text(2), s.column_text(3),
                         s.column_text(4), s.column_optional_text(5), s.column_int64(6) != 0,
                         s.column_int64(7) != 0, s.column_int64(8) != 0});
      },
      after_id, connection_check_kind, identity_check_kind, limit);
  if (!read) {
    return read.error();
  }
  missing_checks_page page;
  for (const auto& c : found) {
    page.last_id = c.id;
    if (identity_interval && !c.identity_pending && c.status != "revoked") {
      if (auto planned = plan_identity_check(db, c.id, *identity_interval, now); !planned) {
        return planned.error();
      }
    }
    if (c.check_pending) {
      continue;
    }
    std::optional<time_point> at;
    std::string about;
    if (c.status == "revoked" || c.status == "error") {
      at = now;
      about = c.status + "@" + c.status_changed_at;
    } else if (const auto due = parse(c.due)) {
      const auto& plan = stages.for_provider(c.provider);
      auto start = *due;
      if (!c.self_renewing) {
        for (const auto* schedule : {&plan.creator, &plan.team}) {
          const auto list = stages_for(*due, *schedule);
          if (!list.empty()) {
            start = std::min(start, list.front().at);
          }
        }
      }
      at = std::max(now, start);
      about = *c.due;
    }
    if (!at) {
      continue;  // nothing ends this grant: nothing to watch
    }
    auto planned = schedule_job(db,
                                {std::string(connection_check_kind), c.id,
                                 std::string(connection_check_kind) + ":" + c.id + ":" +
                                     c.connected_at + ":" + about + ":sweep",
                                 *at, ""},
                                now);
    if (!planned) {
      return planned.error();
    }
    page.planned += *planned ? 1 : 0;
  }
  if (static_cast<int>(found.size()) < limit) {
    page.last_id.reset();
  }
  return page;
}

}  // namespace rosterd::lifecycle
