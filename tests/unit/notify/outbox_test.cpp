#include "notify/outbox.hpp"

#include <stdexcept>

#include <catch2/catch.hpp>

#include "notify/error.hpp"
#include "notify_testing.hpp"
#include "store/transaction.hpp"

using namespace rosterd;
using namespace rosterd::notify;
using namespace rosterd::notify::testing;
using namespace std::chrono_literals;

namespace {

const time_point t0 = std::chrono::sys_days(std::chrono::year(2025) / 11 / 25) + 19h;

std::vector<outbox_row> claim(store::store& s, time_point now, int limit = 10,
                              std::chrono::seconds lease = 600s) {
  return s.write_now([&](store::database& db) {
    auto rows = claim_due_emails(db, now, lease, limit);
    REQUIRE(rows);
    return *rows;
  });
}

template <class F>
auto in_transaction(store::store& s, F f) {
  return s.write_now([&](store::database& db) {
    auto tx = store::transaction::begin(db);
    REQUIRE(tx);
    auto result = f(db);
    REQUIRE(tx->commit());
    return result;
  });
}

std::int64_t count_rows(store::store& s) {
  return s.read_now([](store::database& db) {
    auto st = db.prepare("SELECT count(*) FROM outbox").value();
    REQUIRE(st.step().value());
    return st.column_int64(0);
  });
}

}  // namespace

TEST_CASE("queuing the same idempotency key twice stores one message and returns its id",
          "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto first = enqueue(*s, sample_message("invitation:inv_1:send:1"), t0);
  const auto second = enqueue(*s, sample_message("invitation:inv_1:send:1"), t0 + 5s);
  CHECK(first == second);
  CHECK(first.starts_with("out_"));
  CHECK(first.size() == 4 + 32);
  CHECK(count_rows(*s) == 1);
  const auto third = enqueue(*s, sample_message("invitation:inv_1:send:2"), t0);
  CHECK(third != first);
  CHECK(count_rows(*s) == 2);
}

TEST_CASE("a message gets its Message-ID when queued, made of its id and the configured domain",
          "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"), t0);
  const auto row = read_row(*s, id);
  CHECK(row.message_id == "<" + id + "@rosterd.test>");
  CHECK(row.status == outbox_status::pending);
  CHECK(row.attempts == 0);
  CHECK(row.created_at == t0);
  CHECK(row.next_attempt_at == t0);  // due at once
  CHECK(row.ref_kind == "invitation");
  CHECK(row.ref_id == "inv_1");
  CHECK(row.text_body == sample_message("k").text_body);
}

TEST_CASE("a message queued in a transaction that rolls back is never stored", "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  s->write_now([](store::database& db) {
    auto tx = store::transaction::begin(db);
    REQUIRE(tx);
    REQUIRE(enqueue_email(db, sample_message("k"), t0, "rosterd.test"));
    // The caller's change failed: the transaction goes out of scope without commit.
  });
  CHECK(count_rows(*s) == 0);
}

TEST_CASE("queuing outside a transaction is a programming error", "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  s->write_now([](store::database& db) {
    CHECK_THROWS_AS(enqueue_email(db, sample_message("k"), t0, "rosterd.test"), std::logic_error);
  });
}

TEST_CASE("a message that could never be sent is refused when queued", "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto refused = [&](email_message m, std::string_view domain = "rosterd.test") {
    return s->write_now([&](store::database& db) {
      auto tx = store::transaction::begin(db);
      REQUIRE(tx);
      auto id = enqueue_email(db, m, t0, domain);
      REQUIRE_FALSE(id);
      return id.error().code;
    });
  };
  auto m = sample_message("k");
  m.recipient = "ada@example.org\r\nRCPT TO:<eve@example.org>";
  CHECK(refused(m) == errc::invalid_address);
  m = sample_message("k", "not-an-address");
  CHECK(refused(m) == errc::invalid_address);
  m = sample_message("k");
  m.subject = "Hello\r\nBcc: eve@example.org";
  CHECK(refused(m) == errc::invalid_header);
  m = sample_message("k");
  m.text_body.clear();
  CHECK(refused(m) == errc::invalid_message);
  m = sample_message("");
  CHECK(refused(m) == errc::invalid_message);
  CHECK(refused(sample_message("k"), "bad domain>") == errc::invalid_address);
  CHECK(count_rows(*s) == 0);
}

TEST_CASE("an idempotency key reused for another recipient is refused, not silently merged",
          "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  enqueue(*s, sample_message("k", "ada@example.org"), t0);
  s->write_now([](store::database& db) {
    auto tx = store::transaction::begin(db);
    REQUIRE(tx);
    auto id = enqueue_email(db, sample_message("k", "bo@example.org"), t0, "rosterd.test");
    REQUIRE_FALSE(id);
    CHECK(id.error().code == errc::invalid_message);
  });
}

TEST_CASE("claiming takes due rows oldest first, counts the attempt and leases them",
          "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto older = enqueue(*s, sample_message("a"), t0);
  const auto newer = enqueue(*s, sample_message("b"), t0 + 10s);
  enqueue(*s, sample_message("not-yet-due"), t0 + 1h);

  const auto rows = claim(*s, t0 + 20s, 10, 600s);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].id == older);
  CHECK(rows[1].id == newer);
  CHECK(rows[0].attempts == 1);
  CHECK(rows[0].next_attempt_at == t0 + 20s + 600s);
  CHECK(rows[0].text_body);  // the sender needs the bodies

  // Leased: a second claim before the lease runs out finds nothing.
  CHECK(claim(*s, t0 + 21s).empty());
}

TEST_CASE("a claim respects its limit", "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  for (int i = 0; i < 5; ++i) {
    enqueue(*s, sample_message("k" + std::to_string(i)), t0 + std::chrono::seconds(i));
  }
  CHECK(claim(*s, t0 + 1min, 3).size() == 3);
  CHECK(claim(*s, t0 + 1min, 3).size() == 2);
}

TEST_CASE("a row claimed by a relay that died comes back after the lease with its Message-ID",
          "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"), t0);
  const auto first = claim(*s, t0, 10, 300s);
  REQUIRE(first.size() == 1);
  // No outcome is ever recorded: the process crashed mid-send.
  CHECK(claim(*s, t0 + 299s).empty());
  const auto again = claim(*s, t0 + 300s);
  REQUIRE(again.size() == 1);
  CHECK(again[0].id == id);
  CHECK(again[0].attempts == 2);
  CHECK(again[0].message_id == first[0].message_id);
}

TEST_CASE("marking a row sent clears its bodies, which may hold a one-time link",
          "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"), t0);
  const auto rows = claim(*s, t0);
  REQUIRE(rows.size() == 1);
  CHECK(in_transaction(*s, [&](store::database& db) {
          return mark_sent(db, rows[0], t0 + 3s);
        }).value());
  const auto row = read_row(*s, id);
  CHECK(row.status == outbox_status::sent);
  CHECK_FALSE(row.text_body);
  CHECK_FALSE(row.html_body);
  CHECK(row.finished_at == t0 + 3s);
  CHECK(row.subject == "Northlight invited you");  // kept for the admin view
  // Never claimed again, however late.
  CHECK(claim(*s, t0 + 1000h).empty());
}

TEST_CASE("a failed row keeps its error, loses its bodies and is never claimed again",
          "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"), t0);
  const auto rows = claim(*s, t0);
  REQUIRE(rows.size() == 1);
  CHECK(in_transaction(*s, [&](store::database& db) {
          return mark_failed(db, rows[0], t0 + 1s, "RCPT failed: 550");
        }).value());
  const auto row = read_row(*s, id);
  CHECK(row.status == outbox_status::failed);
  CHECK(row.last_error == "RCPT failed: 550");
  CHECK_FALSE(row.text_body);
  CHECK_FALSE(row.html_body);
  CHECK(claim(*s, t0 + 1000h).empty());
}

TEST_CASE("a retry is due at the time given, and an outdated claim cannot record an outcome",
          "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"), t0);
  const auto first = claim(*s, t0, 10, 60s);
  REQUIRE(first.size() == 1);
  CHECK(in_transaction(*s, [&](store::database& db) {
          return mark_retry(db, first[0], t0 + 30min, "451 try later");
        }).value());
  CHECK(claim(*s, t0 + 29min).empty());
  const auto second = claim(*s, t0 + 30min, 10, 60s);
  REQUIRE(second.size() == 1);
  CHECK(second[0].last_error == "451 try later");
  // The first claim is stale now: it cannot fail or reschedule the row...
  CHECK_FALSE(in_transaction(*s, [&](store::database& db) {
                return mark_failed(db, first[0], t0 + 31min, "late");
              }).value());
  CHECK(read_row(*s, id).status == outbox_status::pending);
  // ...but a late "it was delivered" still counts: the message did go out.
  CHECK(in_transaction(*s, [&](store::database& db) {
          return mark_sent(db, first[0], t0 + 31min);
        }).value());
  CHECK(read_row(*s, id).status == outbox_status::sent);
}

TEST_CASE("a released claim does not count as an attempt", "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"), t0);
  const auto rows = claim(*s, t0);
  REQUIRE(rows.size() == 1);
  CHECK(in_transaction(*s, [&](store::database& db) {
          return release_claim(db, rows[0], t0 + 5s);
        }).value());
  const auto row = read_row(*s, id);
  CHECK(row.attempts == 0);
  CHECK(row.next_attempt_at == t0 + 5s);
}

TEST_CASE("cancelling the emails about a reference clears their bodies and skips them",
          "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"), t0);
  auto other = sample_message("other");
  other.ref_id = "inv_2";
  enqueue(*s, other, t0);
  CHECK(in_transaction(*s, [&](store::database& db) {
          return cancel_pending_emails(db, "invitation", "inv_1", t0).value();
        }) == 1);
  const auto row = read_row(*s, id);
  CHECK(row.status == outbox_status::cancelled);
  CHECK_FALSE(row.text_body);
  const auto left = claim(*s, t0);
  REQUIRE(left.size() == 1);
  CHECK(left[0].ref_id == "inv_2");
}

TEST_CASE("the next due time is the earliest pending attempt, or none", "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto next = [&] {
    return s->read_now([](store::database& db) { return next_email_due(db).value(); });
  };
  CHECK_FALSE(next());
  enqueue(*s, sample_message("a"), t0 + 1h);
  enqueue(*s, sample_message("b"), t0 + 2h);
  CHECK(next() == t0 + 1h);
  claim(*s, t0 + 1h, 1, 600s);  // the lease moves it
  CHECK(next() == t0 + 1h + 600s);
}

TEST_CASE("stats count rows by status; the admin list never carries bodies", "[notify][outbox]") {
  temp_directory dir;
  auto s = open_store(dir);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(
        enqueue(*s, sample_message("k" + std::to_string(i)), t0 + std::chrono::minutes(i)));
  }
  const auto rows = claim(*s, t0 + 1h, 1);
  REQUIRE(rows.size() == 1);
  REQUIRE(in_transaction(*s, [&](store::database& db) {
            return mark_sent(db, rows[0], t0 + 1h);
          }).value());

  const auto stats = s->read_now([](store::database& db) { return read_outbox_stats(db).value(); });
  CHECK(stats.pending == 3);
  CHECK(stats.sent == 1);
  CHECK(stats.failed == 0);
  CHECK(stats.oldest_pending_created_at == t0 + 1min);

  const auto page = s->read_now([](store::database& db) {
    return list_outbox(db, {.status = outbox_status::pending, .limit = 2}).value();
  });
  REQUIRE(page.size() == 2);
  CHECK(page[0].id == ids[3]);  // newest first
  CHECK(page[1].id == ids[2]);
  CHECK_FALSE(page[0].text_body);
  CHECK_FALSE(page[0].html_body);
  const auto rest = s->read_now([&](store::database& db) {
    return list_outbox(db, {.status = outbox_status::pending, .before_id = page[1].id}).value();
  });
  REQUIRE(rest.size() == 1);
  CHECK(rest[0].id == ids[1]);

  s->read_now([](store::database& db) {
    auto missing = find_outbox_row(db, "out_nope");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == errc::not_found);
  });
}
