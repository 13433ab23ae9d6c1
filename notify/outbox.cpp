#include "notify/outbox.hpp"

#include <algorithm>
#include <stdexcept>

#include "base/random.hpp"
#include "notify/address.hpp"
#include "notify/error.hpp"
#include "store/timestamp.hpp"

namespace rosterd::notify {
namespace {

// Every query that builds an outbox_row selects these columns in this order (read_row).
constexpr std::string_view row_columns =
    "id, idempotency_key, account_id, recipient, template, subject, text_body, html_body, "
    "message_id, status, attempts, next_attempt_at, last_error, created_at, finished_at, "
    "ref_kind, ref_id";
// The same without the bodies, for views that must never carry a one-time link.
constexpr std::string_view summary_columns =
    "id, idempotency_key, account_id, recipient, template, subject, NULL, NULL, "
    "message_id, status, attempts, next_attempt_at, last_error, created_at, finished_at, "
    "ref_kind, ref_id";

constexpr std::size_t max_idempotency_key = 200;
constexpr std::size_t max_error_text = 500;

std::string with_columns(std::string_view before, std::string_view columns,
                         std::string_view after) {
  std::string sql(before);
  sql += columns;
  sql += after;
  return sql;
}

// Reads back what store::iso8601_utc wrote. The rows are ours, so a value in another shape is a
// broken invariant, not an expected failure.
time_point parse_timestamp(std::string_view text) {
  if (auto t = store::parse_iso8601_utc(text)) {
    return *t;
  }
  throw std::logic_error("outbox: malformed timestamp '" + std::string(text) + "'");
}

outbox_status parse_status(std::string_view text) {
  for (auto s : {outbox_status::pending, outbox_status::sent, outbox_status::failed,
                 outbox_status::cancelled}) {
    if (to_string(s) == text) {
      return s;
    }
  }
  throw std::logic_error("outbox: unknown status '" + std::string(text) + "'");
}

outbox_row read_row(const store::statement& st) {
  outbox_row row;
  row.id = st.column_text(0);
  row.idempotency_key = st.column_text(1);
  row.account_id = st.column_optional_text(2);
  row.recipient = st.column_text(3);
  row.template_name = st.column_text(4);
  row.subject = st.column_text(5);
  row.text_body = st.column_optional_text(6);
  row.html_body = st.column_optional_text(7);
  row.message_id = st.column_text(8);
  row.status = parse_status(st.column_text(9));
  row.attempts = static_cast<int>(st.column_int64(10));
  row.next_attempt_at = parse_timestamp(st.column_text(11));
  row.last_error = st.column_optional_text(12);
  row.created_at = parse_timestamp(st.column_text(13));
  if (auto finished = st.column_optional_text(14)) {
    row.finished_at = parse_timestamp(*finished);
  }
  row.ref_kind = st.column_optional_text(15);
  row.ref_id = st.column_optional_text(16);
  return row;
}

base::result<std::vector<outbox_row>> read_rows(store::statement& st) {
  std::vector<outbox_row> rows;
  for (;;) {
    auto has_row = st.step();
    if (!has_row) {
      return has_row.error();
    }
    if (!*has_row) {
      return rows;
    }
    rows.push_back(read_row(st));
  }
}

// A time something must not happen before, stored in whole seconds: rounded up, so a backoff or
// a lease is never cut short by the truncation.
std::string not_before(time_point t) {
  return store::iso8601_utc(std::chrono::ceil<std::chrono::seconds>(t));
}

// Error texts come from mail servers; they are stored for operators, bounded in size.
std::string bounded(std::string_view text) {
  return std::string(text.substr(0, max_error_text));
}

base::result<void> check_message(const email_message& m, std::string_view domain) {
  if (m.idempotency_key.empty() || m.idempotency_key.size() > max_idempotency_key) {
    return base::fail(errc::invalid_message, "idempotency key must be 1 to 200 characters");
  }
  if (auto ok = check_address(m.recipient, "recipient"); !ok) {
    return ok;
  }
  if (auto ok = check_header_text(m.subject, "subject"); !ok) {
    return ok;
  }
  if (m.template_name.empty()) {
    return base::fail(errc::invalid_message, "template name is empty");
  }
  if (m.text_body.empty()) {
    return base::fail(errc::invalid_message, "text body is empty");
  }
  // The domain ends up inside <...@domain>: the address rules keep it one clean token.
  if (auto ok = check_address("x@" + std::string(domain), "message_id_domain"); !ok) {
    return ok;
  }
  return {};
}

// Updates one claimed row; `sql` has ?1 = id and ?2 = attempts as claimed, then `args`.
template <class... Args>
base::result<bool> update_claimed(store::database& db, std::string_view sql,
                                  const outbox_row& claimed, const Args&... args) {
  auto st = db.cached(sql);
  if (!st) {
    return st.error();
  }
  (*st)->bind_all(claimed.id, claimed.attempts, args...);
  if (auto ran = (*st)->run(); !ran) {
    return ran.error();
  }
  return db.changes() == 1;
}

}  // namespace

std::string_view to_string(outbox_status s) noexcept {
  switch (s) {
    case outbox_status::pending:
      return "pending";
    case outbox_status::sent:
      return "sent";
    case outbox_status::failed:
      return "failed";
    case outbox_status::cancelled:
      return "cancelled";
  }
  return "pending";
}

base::result<std::string> enqueue_email(store::database& db, const email_message& message,
                                        time_point now, std::string_view message_id_domain) {
  if (!db.in_transaction()) {
    // The whole point is committing with the caller's change: a message exists exactly when the
    // change that caused it does.
    throw std::logic_error("enqueue_email must run inside the caller's transaction");
  }
  if (auto ok = check_message(message, message_id_domain); !ok) {
    return ok.error();
  }
  const std::string id = "out_" + base::random_hex(16);
  const std::string message_id = "<" + id + "@" + std::string(message_id_domain) + ">";
  const std::string at = store::iso8601_utc(now);
  // No RETURNING: it makes SQLite keep a statement journal for the insert, which cost more than
  // the insert itself inside a caller's transaction of many messages; changes() tells the same.
  auto insert = db.cached(
      "INSERT INTO outbox (id, idempotency_key, account_id, channel, recipient, template, "
      "subject, text_body, html_body, message_id, status, attempts, next_attempt_at, "
      "created_at, ref_kind, ref_id) "
      "VALUES (?1, ?2, ?3, 'email', ?4, ?5, ?6, ?7, ?8, ?9, 'pending', 0, ?10, ?10, ?11, ?12) "
      "ON CONFLICT (idempotency_key) DO NOTHING");
  if (!insert) {
    return insert.error();
  }
  (*insert)->bind_all(id, message.idempotency_key, message.account_id, message.recipient,
                      message.template_name, message.subject, message.text_body, message.html_body,
                      message_id, at, message.ref_kind, message.ref_id);
  if (auto done = (*insert)->run(); !done) {
    return done.error();
  }
  if (db.changes() == 1) {
    return id;
  }
  // The key exists: this is a retry of a request that already queued its message.
  auto existing =
      db.cached("SELECT id, recipient, template FROM outbox WHERE idempotency_key = ?1");
  if (!existing) {
    return existing.error();
  }
  (*existing)->bind_all(message.idempotency_key);
  auto found = (*existing)->step();
  if (!found) {
    return found.error();
  }
  if (!*found) {
    throw std::logic_error("outbox: idempotency key conflicted but no row has it");
  }
  if ((*existing)->column_text(1) != message.recipient ||
      (*existing)->column_text(2) != message.template_name) {
    return base::fail(errc::invalid_message,
                      "idempotency key " + message.idempotency_key +
                          " already names a message to another recipient or template");
  }
  return (*existing)->column_text(0);
}

base::result<std::vector<outbox_row>> claim_due_emails(store::database& db, time_point now,
                                                       std::chrono::seconds lease, int limit) {
  // One statement, so claiming is atomic even outside a transaction. On PostgreSQL the inner
  // SELECT gains FOR UPDATE SKIP LOCKED and several relays can share the table.
  auto st = db.cached(with_columns(
      "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2 "
      "WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' AND channel = 'email' "
      "AND next_attempt_at <= ?1 ORDER BY next_attempt_at, created_at, id LIMIT ?3) "
      "RETURNING ",
      row_columns, ""));
  if (!st) {
    return st.error();
  }
  (*st)->bind_all(store::iso8601_utc(now), not_before(now + lease), std::max(limit, 1));
  auto rows = read_rows(**st);
  if (!rows) {
    return rows;
  }
  // RETURNING has no defined order.
  std::sort(rows->begin(), rows->end(), [](const outbox_row& a, const outbox_row& b) {
    return std::tie(a.created_at, a.id) < std::tie(b.created_at, b.id);
  });
  return rows;
}

base::result<bool> mark_sent(store::database& db, const outbox_row& claimed, time_point now) {
  auto st = db.cached(
      "UPDATE outbox SET status = 'sent', finished_at = ?2, last_error = NULL, "
      "text_body = NULL, html_body = NULL WHERE id = ?1 AND status = 'pending'");
  if (!st) {
    return st.error();
  }
  (*st)->bind_all(claimed.id, store::iso8601_utc(now));
  if (auto ran = (*st)->run(); !ran) {
    return ran.error();
  }
  return db.changes() == 1;
}

base::result<bool> mark_retry(store::database& db, const outbox_row& claimed,
                              time_point next_attempt_at, std::string_view error) {
  return update_claimed(db,
                        "UPDATE outbox SET next_attempt_at = ?3, last_error = ?4 "
                        "WHERE id = ?1 AND attempts = ?2 AND status = 'pending'",
                        claimed, not_before(next_attempt_at), bounded(error));
}

base::result<bool> mark_failed(store::database& db, const outbox_row& claimed, time_point now,
                               std::string_view error) {
  return update_claimed(db,
                        "UPDATE outbox SET status = 'failed', finished_at = ?3, last_error = ?4, "
                        "text_body = NULL, html_body = NULL "
                        "WHERE id = ?1 AND attempts = ?2 AND status = 'pending'",
                        claimed, store::iso8601_utc(now), bounded(error));
}

base::result<bool> release_claim(store::database& db, const outbox_row& claimed,
                                 time_point next_attempt_at) {
  return update_claimed(db,
                        "UPDATE outbox SET attempts = attempts - 1, next_attempt_at = ?3 "
                        "WHERE id = ?1 AND attempts = ?2 AND status = 'pending'",
                        claimed, store::iso8601_utc(next_attempt_at));
}

base::result<int> cancel_pending_emails(store::database& db, std::string_view ref_kind,
                                        std::string_view ref_id, time_point now) {
  auto st = db.cached(
      "UPDATE outbox SET status = 'cancelled', finished_at = ?3, text_body = NULL, "
      "html_body = NULL WHERE ref_kind = ?1 AND ref_id = ?2 AND status = 'pending' "
      "AND channel = 'email'");
  if (!st) {
    return st.error();
  }
  (*st)->bind_all(ref_kind, ref_id, store::iso8601_utc(now));
  if (auto ran = (*st)->run(); !ran) {
    return ran.error();
  }
  return static_cast<int>(db.changes());
}

base::result<std::optional<time_point>> next_email_due(store::database& db) {
  auto st = db.cached(
      "SELECT min(next_attempt_at) FROM outbox WHERE status = 'pending' AND channel = 'email'");
  if (!st) {
    return st.error();
  }
  auto row = (*st)->step();
  if (!row) {
    return row.error();
  }
  if (!*row || (*st)->column_is_null(0)) {
    return std::optional<time_point>();
  }
  return std::optional<time_point>(parse_timestamp((*st)->column_text(0)));
}

base::result<outbox_stats> read_outbox_stats(store::database& db) {
  auto st = db.cached("SELECT status, count(*), min(created_at) FROM outbox GROUP BY status");
  if (!st) {
    return st.error();
  }
  outbox_stats stats;
  for (;;) {
    auto row = (*st)->step();
    if (!row) {
      return row.error();
    }
    if (!*row) {
      return stats;
    }
    const auto count = (*st)->column_int64(1);
    switch (parse_status((*st)->column_text(0))) {
      case outbox_status::pending:
        stats.pending = count;
        stats.oldest_pending_created_at = parse_timestamp((*st)->column_text(2));
        break;
      case outbox_status::sent:
        stats.sent = count;
        break;
      case outbox_status::failed:
        stats.failed = count;
        break;
      case outbox_status::cancelled:
        stats.cancelled = count;
        break;
    }
  }
}

base::result<std::vector<outbox_row>> list_outbox(store::database& db, const outbox_query& query) {
  // Unused filters bind NULL and drop out, so one statement serves every combination.
  auto st = db.cached(with_columns(
      "SELECT ", summary_columns,
      " FROM outbox WHERE (?1 IS NULL OR status = ?1) AND (?2 IS NULL OR account_id = ?2) "
      "AND (?3 IS NULL OR (created_at, id) < (SELECT created_at, id FROM outbox WHERE id = ?3)) "
      "ORDER BY created_at DESC, id DESC LIMIT ?4"));
  if (!st) {
    return st.error();
  }
  std::optional<std::string> status;
  if (query.status) {
    status = std::string(to_string(*query.status));
  }
  (*st)->bind_all(status, query.account_id, query.before_id, std::clamp(query.limit, 1, 500));
  return read_rows(**st);
}

base::result<outbox_row> find_outbox_row(store::database& db, std::string_view id) {
  auto st = db.cached(with_columns("SELECT ", summary_columns, " FROM outbox WHERE id = ?1"));
  if (!st) {
    return st.error();
  }
  (*st)->bind_all(id);
  auto rows = read_rows(**st);
  if (!rows) {
    return rows.error();
  }
  if (rows->empty()) {
    return base::fail(errc::not_found, "no outbox row " + std::string(id));
  }
  return std::move(rows->front());
}

}  // namespace rosterd::notify
