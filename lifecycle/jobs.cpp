#include "lifecycle/jobs.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

#include "store/sql.hpp"
#include "store/timestamp.hpp"

namespace rosterd::lifecycle {
namespace {

namespace sql = store::sql;

constexpr std::size_t max_error_text = 500;

// Whole seconds, rounded up: a lease or a retry is never cut short by the truncation.
std::string not_before(time_point t) {
  return store::iso8601_utc(std::chrono::ceil<std::chrono::seconds>(t));
}

time_point read_time(const store::statement& s, int column) {
  auto t = store::parse_iso8601_utc(s.column_text(column));
  if (!t) {
    throw std::logic_error("jobs: malformed timestamp '" + s.column_text(column) + "'");
  }
  return *t;
}

// The fencing condition every outcome is written under.
constexpr std::string_view claimed_by =
    " WHERE id = ?1 AND attempts = ?2 AND lease_owner = ?3 AND state = 'pending'";

}  // namespace

std::string_view to_string(job_state s) noexcept {
  switch (s) {
    case job_state::pending:
      return "pending";
    case job_state::done:
      return "done";
    case job_state::cancelled:
      return "cancelled";
    case job_state::failed:
      return "failed";
  }
  return "pending";
}

base::result<bool> schedule_job(store::database& db, const job_spec& spec, time_point now) {
  if (spec.kind.empty() || spec.subject.empty() || spec.idempotency_key.empty()) {
    throw std::logic_error("schedule_job: kind, subject and idempotency key are required");
  }
  // Whole seconds, rounded down: a job meant for 10:00:00.4 is claimable at 10:00:00.
  const auto due = store::iso8601_utc(spec.due_at);
  auto added = sql::run(db,
                        "INSERT INTO jobs (kind, subject, idempotency_key, payload, scheduled_for, "
                        "due_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6) "
                        "ON CONFLICT (idempotency_key) DO NOTHING",
                        spec.kind, spec.subject, spec.idempotency_key, spec.payload, due,
                        store::iso8601_utc(now));
  if (!added) {
    return added.error();
  }
  return db.changes() == 1;
}

base::result<std::vector<job>> claim_due_jobs(store::database& db, std::string_view owner,
                                              time_point now, std::chrono::seconds lease,
                                              int limit) {
  const auto until = not_before(now + lease);
  std::vector<job> claimed;
  auto ran = sql::each(
      db,
      "UPDATE jobs SET attempts = attempts + 1, lease_owner = ?1, lease_expires_at = ?3, "
      "due_at = ?3 WHERE id IN (SELECT id FROM jobs WHERE state = 'pending' AND due_at <= ?2 "
      "ORDER BY due_at, id LIMIT ?4) "
      "RETURNING id, kind, subject, idempotency_key, payload, scheduled_for, attempts, lease_owner",
      [&](store::statement& s) {
        claimed.push_back(job{s.column_int64(0), s.column_text(1), s.column_text(2),
                              s.column_text(3), s.column_text(4), read_time(s, 5),
                              static_cast<int>(s.column_int64(6)), s.column_text(7)});
      },
      owner, store::iso8601_utc(now), until, std::max(limit, 1));
  if (!ran) {
    return ran.error();
  }
  // RETURNING has no defined order.
  std::sort(claimed.begin(), claimed.end(), [](const job& a, const job& b) {
    return std::tie(a.scheduled_for, a.id) < std::tie(b.scheduled_for, b.id);
  });
  return claimed;
}

base::result<bool> finish_job(store::database& db, const job& claimed, job_state outcome,
                              std::string_view error, time_point now) {
  if (outcome == job_state::pending) {
    throw std::logic_error("finish_job: the outcome must be done, cancelled or failed");
  }
  const std::optional<std::string> text =
      error.empty() ? std::nullopt : std::optional<std::string>(error.substr(0, max_error_text));
  auto ran = sql::run(db,
                      std::string("UPDATE jobs SET state = ?4, finished_at = ?5, last_error = ?6, "
                                  "lease_owner = NULL, lease_expires_at = NULL") +
                          std::string(claimed_by),
                      claimed.id, claimed.attempts, claimed.lease_owner, to_string(outcome),
                      store::iso8601_utc(now), text);
  if (!ran) {
    return ran.error();
  }
  return db.changes() == 1;
}

base::result<bool> retry_job(store::database& db, const job& claimed, time_point when,
                             std::string_view error) {
  auto ran = sql::run(db,
                      std::string("UPDATE jobs SET due_at = ?4, last_error = ?5, lease_owner = "
                                  "NULL, lease_expires_at = NULL") +
                          std::string(claimed_by),
                      claimed.id, claimed.attempts, claimed.lease_owner, not_before(when),
                      std::string(error.substr(0, max_error_text)));
  if (!ran) {
    return ran.error();
  }
  return db.changes() == 1;
}

base::result<int> cancel_jobs(store::database& db, std::string_view kind, std::string_view subject,
                              time_point now) {
  auto ran = sql::run(db,
                      "UPDATE jobs SET state = 'cancelled', finished_at = ?3, lease_owner = NULL, "
                      "lease_expires_at = NULL WHERE subject = ?2 AND kind = ?1 AND "
                      "state = 'pending'",
                      kind, subject, store::iso8601_utc(now));
  if (!ran) {
    return ran.error();
  }
  return static_cast<int>(db.changes());
}

base::result<int> prune_finished_jobs(store::database& db, time_point before, int limit) {
  int pruned = 0;
  // due_at is the finishing claim's moment for a finished job: the (state, due_at) index
  // finds them without a scan.
  for (const char* state : {"done", "cancelled", "failed"}) {
    auto ran = sql::run(db,
                        "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = ?1 AND "
                        "due_at < ?2 AND COALESCE(finished_at, due_at) < ?2 LIMIT ?3)",
                        state, store::iso8601_utc(before), limit - pruned);
    if (!ran) {
      return ran.error();
    }
    pruned += static_cast<int>(db.changes());
    if (pruned >= limit) {
      break;
    }
  }
  return pruned;
}

base::result<std::optional<time_point>> next_job_due(store::database& db) {
  return sql::first(db, "SELECT due_at FROM jobs WHERE state = 'pending' ORDER BY due_at LIMIT 1",
                    [](store::statement& s) { return read_time(s, 0); });
}

}  // namespace rosterd::lifecycle
