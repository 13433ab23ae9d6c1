#pragma once
// The durable outbox: a message is written in the same transaction as the
// change that causes it, and a relay delivers it later, at least once, always with the
// Message-ID fixed here. None of these functions opens a transaction: the caller owns it, so
// the message commits (or rolls back) together with the caller's change.
//
// Claiming is a lease: claim_due_emails pushes next_attempt_at forward by the lease and counts
// the attempt before anything is sent. A relay that dies mid-send leaves the row pending; once
// the lease runs out the row is due again and goes out with the same Message-ID.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "store/database.hpp"

namespace rosterd::notify {

using time_point = std::chrono::system_clock::time_point;

/// One email to queue. Subject and bodies are already rendered (templates.hpp).
struct email_message {
  std::string idempotency_key;  // unique forever, e.g. "invitation:inv_123:send:2"
  std::optional<std::string> account_id;
  std::string recipient;      // a bare address, checked by check_address
  std::string template_name;  // which template made it, for the admin view and logs
  std::string subject;        // one line
  std::string text_body;      // required: every message has a plain-text part
  std::optional<std::string> html_body;
  std::optional<std::string> ref_kind;  // what the message is about ("invitation"), so a
  std::optional<std::string> ref_id;    // permanent failure can be traced back to it
};

enum class outbox_status { pending, sent, failed, cancelled };

/// The status as stored ("pending"...).
std::string_view to_string(outbox_status s) noexcept;

/// One outbox row as read back. Bodies are empty once the row is finished (they may hold a
/// one-time link) and are never read by list_outbox.
struct outbox_row {
  std::string id;
  std::string idempotency_key;
  std::optional<std::string> account_id;
  std::string recipient;
  std::string template_name;
  std::string subject;
  std::optional<std::string> text_body;
  std::optional<std::string> html_body;
  std::string message_id;  // "<out_...@domain>", the same on every attempt
  outbox_status status = outbox_status::pending;
  int attempts = 0;  // attempts started, counted when claimed
  time_point next_attempt_at;
  std::optional<std::string> last_error;
  time_point created_at;
  std::optional<time_point> finished_at;
  std::optional<std::string> ref_kind;
  std::optional<std::string> ref_id;
};

/// Queues `message` inside the caller's open transaction (std::logic_error if none is open)
/// and returns its id ("out_" + 32 hex digits). The row is due at once and carries the
/// Message-ID "<id@message_id_domain>". If `idempotency_key` was used before, nothing is
/// inserted and the existing id is returned, so a retried request queues nothing twice.
/// Fails with invalid_address, invalid_header or invalid_message for a message that could
/// never be sent, with invalid_message when the key names a message to another recipient or
/// from another template (a caller bug), and with the store's errors.
[[nodiscard]] base::result<std::string> enqueue_email(store::database& db,
                                                      const email_message& message, time_point now,
                                                      std::string_view message_id_domain);

/// Claims up to `limit` pending emails due at `now`, oldest first: each claimed row's attempts
/// goes up by one and its next_attempt_at moves to now + lease, in one statement. The rows are
/// returned as updated (bodies included). Run it in a write transaction and commit before
/// sending.
[[nodiscard]] base::result<std::vector<outbox_row>> claim_due_emails(store::database& db,
                                                                     time_point now,
                                                                     std::chrono::seconds lease,
                                                                     int limit);

// Recording an outcome. Each takes the row as claim_due_emails returned it and reports whether
// the row was updated: false means the claim is no longer current (the row was finished,
// cancelled or claimed again after the lease ran out), and nothing was changed.

/// Marks the row sent at `now` and clears its bodies. Any pending claim of the row counts: the
/// message went out, whichever attempt carried it.
[[nodiscard]] base::result<bool> mark_sent(store::database& db, const outbox_row& claimed,
                                           time_point now);
/// Schedules the next attempt at `next_attempt_at` and records `error` (no bodies, no secrets).
[[nodiscard]] base::result<bool> mark_retry(store::database& db, const outbox_row& claimed,
                                            time_point next_attempt_at, std::string_view error);
/// Gives up: status failed, finished at `now`, bodies cleared, `error` recorded.
[[nodiscard]] base::result<bool> mark_failed(store::database& db, const outbox_row& claimed,
                                             time_point now, std::string_view error);
/// Hands a claimed row back untried (shutdown, or the server was unreachable for another row):
/// the attempt is not counted and the row is due at `next_attempt_at`.
[[nodiscard]] base::result<bool> release_claim(store::database& db, const outbox_row& claimed,
                                               time_point next_attempt_at);

/// Cancels the pending emails about (ref_kind, ref_id), e.g. the invitation email a resend
/// replaces; their bodies are cleared. Returns how many were cancelled.
[[nodiscard]] base::result<int> cancel_pending_emails(store::database& db,
                                                      std::string_view ref_kind,
                                                      std::string_view ref_id, time_point now);

/// When the earliest pending email falls due (possibly in the past); nullopt when none is
/// pending. A claimed row counts with its lease expiry.
[[nodiscard]] base::result<std::optional<time_point>> next_email_due(store::database& db);

/// Counts by status, for metrics and the health view.
struct outbox_stats {
  std::int64_t pending = 0;
  std::int64_t sent = 0;
  std::int64_t failed = 0;
  std::int64_t cancelled = 0;
  std::optional<time_point> oldest_pending_created_at;  // how long the queue has been stuck
};
[[nodiscard]] base::result<outbox_stats> read_outbox_stats(store::database& db);

/// A page of the outbox for an admin view, newest first. Bodies are never read.
struct outbox_query {
  std::optional<outbox_status> status = std::nullopt;
  std::optional<std::string> account_id = std::nullopt;
  std::optional<std::string> before_id = std::nullopt;  // continue after this row (keyset)
  int limit = 50;                                       // clamped to 1..500
};
[[nodiscard]] base::result<std::vector<outbox_row>> list_outbox(store::database& db,
                                                                const outbox_query& query);

/// One row by id, bodies not read. Fails with errc::not_found.
[[nodiscard]] base::result<outbox_row> find_outbox_row(store::database& db, std::string_view id);

}  // namespace rosterd::notify
