// The relay's decisions, with a scripted sender standing in for SMTP (the real server is in
// tests/integration/notify): what is retried, what never is, what happens on stop and nudge.

#include "notify/relay.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>

#include <catch2/catch.hpp>

#include "notify_testing.hpp"

using namespace rosterd;
using namespace rosterd::notify;
using namespace rosterd::notify::testing;
using namespace std::chrono_literals;

namespace {

// Answers from a script (then `otherwise`), and remembers every row it was given.
class scripted_sender final : public email_sender {
 public:
  explicit scripted_sender(send_outcome otherwise = send_outcome::delivered)
      : otherwise_(otherwise) {}

  void script(std::initializer_list<send_outcome> outcomes) {
    std::lock_guard lock(mutex_);
    script_.insert(script_.end(), outcomes);
  }
  /// Makes each send wait until stop is requested (a server that never answers).
  void hang() { hang_ = true; }

  send_result send(const outbox_row& row, std::stop_token stop) override {
    {
      std::lock_guard lock(mutex_);
      sent_.push_back(row);
    }
    if (hang_) {
      while (!stop.stop_requested()) {
        std::this_thread::sleep_for(10ms);
      }
      return {send_outcome::unavailable, 0, "aborted by shutdown"};
    }
    std::lock_guard lock(mutex_);
    auto outcome = otherwise_;
    if (!script_.empty()) {
      outcome = script_.front();
      script_.pop_front();
    }
    switch (outcome) {
      case send_outcome::delivered:
        return {outcome, 250, ""};
      case send_outcome::deferred:
        return {outcome, 451, "451 4.3.0 try later"};
      case send_outcome::rejected:
        return {outcome, 550, "RCPT failed: 550"};
      case send_outcome::unavailable:
        return {outcome, 0, "Couldn't connect to server"};
    }
    return {};
  }

  std::vector<outbox_row> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  mutable std::mutex mutex_;
  std::deque<send_outcome> script_;
  send_outcome otherwise_;
  std::vector<outbox_row> sent_;
  std::atomic<bool> hang_{false};
};

// Holds each send until release(), then delivers: a send that is in flight for as long as a
// test needs.
class gated_sender final : public email_sender {
 public:
  send_result send(const outbox_row& row, std::stop_token) override {
    std::unique_lock lock(mutex_);
    sent_.push_back(row.id);
    released_.wait(lock, [this] { return open_; });
    return {send_outcome::delivered, 250, ""};
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    released_.notify_all();
  }
  std::vector<std::string> sent() const {
    std::lock_guard lock(mutex_);
    return sent_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable released_;
  bool open_ = false;
  std::vector<std::string> sent_;
};

outbox_status status_of(store::store& s, const std::string& id) {
  return read_row(s, id).status;
}

// The daemon's kind of hook: it writes to another table in the same transaction.
relay_hooks recording_hooks() {
  const auto record = [](const char* what) {
    return [what](store::database& db, const outbox_row& row) -> base::result<void> {
      auto st = db.prepare("INSERT INTO hook_calls (what, outbox_id, ref_id) VALUES (?1, ?2, ?3)");
      if (!st) {
        return st.error();
      }
      st->bind_all(std::string_view(what), row.id, row.ref_id);
      return st->run();
    };
  };
  return {.on_sent = record("sent"), .on_failed = record("failed")};
}

void create_hook_table(store::store& s) {
  s.write_now([](store::database& db) {
    REQUIRE(db.exec("CREATE TABLE hook_calls (what TEXT, outbox_id TEXT, ref_id TEXT)"));
  });
}

std::vector<std::string> hook_calls(store::store& s) {
  return s.read_now([](store::database& db) {
    std::vector<std::string> calls;
    auto st = db.prepare("SELECT what || ' ' || ref_id FROM hook_calls ORDER BY rowid").value();
    while (st.step().value()) {
      calls.push_back(st.column_text(0));
    }
    return calls;
  });
}

}  // namespace

TEST_CASE("the relay delivers every queued email and runs the on_sent hook", "[notify][relay]") {
  temp_directory dir;
  auto s = open_store(dir);
  create_hook_table(*s);
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    ids.push_back(enqueue(*s, sample_message("k" + std::to_string(i))));
  }
  scripted_sender sender;
  auto settings = quick_settings();
  settings.batch_size = 3;  // several batches in a row
  relay_runner runner(*s, sender, settings, recording_hooks());
  REQUIRE(eventually([&] {
    return std::all_of(ids.begin(), ids.end(),
                       [&](const auto& id) { return status_of(*s, id) == outbox_status::sent; });
  }));
  CHECK(sender.sent().size() == 7);
  CHECK(hook_calls(*s).size() == 7);
  CHECK_FALSE(read_row(*s, ids[0]).text_body);
}

TEST_CASE("a rejected email fails at once, is never retried, and on_failed runs",
          "[notify][relay]") {
  temp_directory dir;
  auto s = open_store(dir);
  create_hook_table(*s);
  const auto id = enqueue(*s, sample_message("k"));
  scripted_sender sender(send_outcome::rejected);
  relay_runner runner(*s, sender, quick_settings(), recording_hooks());
  REQUIRE(eventually([&] { return status_of(*s, id) == outbox_status::failed; }));
  // Longer than a backoff: a retry would have happened by now.
  std::this_thread::sleep_for(1500ms);
  CHECK(sender.sent().size() == 1);
  const auto row = read_row(*s, id);
  CHECK(row.attempts == 1);
  CHECK(row.last_error == "RCPT failed: 550");
  CHECK_FALSE(row.text_body);
  CHECK(hook_calls(*s) == std::vector<std::string>{"failed inv_1"});
}

TEST_CASE("a deferred email is retried after the backoff with the same Message-ID",
          "[notify][relay]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"));
  scripted_sender sender;
  sender.script({send_outcome::deferred});
  const auto started = std::chrono::steady_clock::now();
  relay_runner runner(*s, sender, quick_settings());
  REQUIRE(eventually([&] { return status_of(*s, id) == outbox_status::sent; }));
  CHECK(std::chrono::steady_clock::now() - started >= 1s);  // the backoff, rounded up
  const auto sent = sender.sent();
  REQUIRE(sent.size() == 2);
  CHECK(sent[0].message_id == sent[1].message_id);
  CHECK(sent[1].attempts == 2);
  CHECK(read_row(*s, id).attempts == 2);
}

TEST_CASE("a failing hook is rolled back alone and the failure is still recorded",
          "[notify][relay]") {
  temp_directory dir;
  auto s = open_store(dir);
  create_hook_table(*s);
  const auto id = enqueue(*s, sample_message("k"));
  scripted_sender sender(send_outcome::rejected);
  relay_hooks hooks;
  hooks.on_failed = [](store::database& db, const outbox_row&) -> base::result<void> {
    REQUIRE(db.exec("INSERT INTO hook_calls (what) VALUES ('half-done')"));
    throw std::runtime_error("the hook broke halfway");
  };
  relay_runner runner(*s, sender, quick_settings(), std::move(hooks));
  REQUIRE(eventually([&] { return status_of(*s, id) == outbox_status::failed; }));
  CHECK(hook_calls(*s).empty());  // its half-done write is gone
  std::this_thread::sleep_for(1500ms);
  CHECK(sender.sent().size() == 1);  // and the message is still never retried
}

TEST_CASE("a message deferred past give_up_after fails and runs on_failed", "[notify][relay]") {
  temp_directory dir;
  auto s = open_store(dir);
  create_hook_table(*s);
  const auto id = enqueue(*s, sample_message("k"));
  scripted_sender sender(send_outcome::deferred);
  auto settings = quick_settings();
  settings.retry.give_up_after = 1s;
  settings.retry.initial_backoff = 2s;  // the first retry would already be too late
  relay_runner runner(*s, sender, settings, recording_hooks());
  REQUIRE(eventually([&] { return status_of(*s, id) == outbox_status::failed; }));
  const auto row = read_row(*s, id);
  REQUIRE(row.last_error);
  CHECK(row.last_error->starts_with("gave up after 1 attempts over "));
  CHECK(row.last_error->ends_with("451 4.3.0 try later"));
  CHECK(hook_calls(*s) == std::vector<std::string>{"failed inv_1"});
}

TEST_CASE("with no server reachable one message is tried and the rest are handed back untried",
          "[notify][relay]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto now = std::chrono::system_clock::now();
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) {
    ids.push_back(enqueue(*s, sample_message("k" + std::to_string(i)), now));
  }
  scripted_sender sender(send_outcome::unavailable);
  auto settings = quick_settings();
  settings.poll_interval = 1h;  // one round only
  relay_runner runner(*s, sender, settings);
  REQUIRE(eventually([&] { return sender.sent().size() == 1; }));
  std::this_thread::sleep_for(300ms);
  runner.stop();
  CHECK(sender.sent().size() == 1);
  int tried = 0;
  for (const auto& id : ids) {
    const auto row = read_row(*s, id);
    CHECK(row.status == outbox_status::pending);
    if (row.id == sender.sent()[0].id) {
      ++tried;
      CHECK(row.attempts == 1);
      CHECK(row.last_error == "Couldn't connect to server");
    } else {
      CHECK(row.attempts == 0);  // handed back: this outage is not their attempt
      CHECK_FALSE(row.last_error);
    }
  }
  CHECK(tried == 1);
}

TEST_CASE("stop ends the relay promptly and a send cut short is handed back for the next start",
          "[notify][relay]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"));
  scripted_sender sender;
  sender.hang();
  relay_runner runner(*s, sender, quick_settings());
  REQUIRE(eventually([&] { return sender.sent().size() == 1; }));
  const auto stopping = std::chrono::steady_clock::now();
  runner.stop();  // joins: the grace (200 ms) aborts the send
  CHECK(std::chrono::steady_clock::now() - stopping < 5s);
  const auto row = read_row(*s, id);
  CHECK(row.status == outbox_status::pending);
  CHECK(row.attempts == 0);  // not counted: our shutdown, not the message
  CHECK(row.next_attempt_at <= std::chrono::system_clock::now());
  REQUIRE(row.text_body);
}

TEST_CASE("a nudge wakes a sleeping relay at once", "[notify][relay]") {
  temp_directory dir;
  auto s = open_store(dir);
  scripted_sender sender;
  auto settings = quick_settings();
  settings.poll_interval = 1h;
  relay_runner runner(*s, sender, settings);
  std::this_thread::sleep_for(200ms);  // asleep now, with nothing due
  const auto id = enqueue(*s, sample_message("k"));
  runner.get().nudge();
  CHECK(eventually([&] { return status_of(*s, id) == outbox_status::sent; }, 5s));
}

TEST_CASE("the relay counts outcomes and the pending queue in metrics", "[notify][relay]") {
  temp_directory dir;
  base::metrics::registry metrics;
  auto s = open_store(dir);
  enqueue(*s, sample_message("a", "ok@example.org"));
  enqueue(*s, sample_message("b", "nope@example.org"));
  scripted_sender sender;
  sender.script({send_outcome::delivered, send_outcome::rejected});
  relay_runner runner(*s, sender, quick_settings(), {}, &metrics);
  REQUIRE(eventually([&] {
    const auto text = metrics.expose();
    return text.find("rosterd_notify_emails_total{outcome=\"failed\"} 1") != std::string::npos;
  }));
  const auto text = metrics.expose();
  CHECK(text.find("rosterd_notify_emails_total{outcome=\"sent\"} 1") != std::string::npos);
  CHECK(eventually([&] {
    return metrics.expose().find("rosterd_notify_outbox_pending 0") != std::string::npos;
  }));
  CHECK(text.find("rosterd_notify_send_seconds_count{outcome=\"rejected\"} 1") !=
        std::string::npos);
}

TEST_CASE("stopping an idle relay completes, and mail queued meanwhile goes out at the next start",
          "[notify][relay][stop]") {
  temp_directory dir;
  auto s = open_store(dir);
  scripted_sender sender;
  auto settings = quick_settings();
  settings.poll_interval = 1h;  // asleep until stopped: only the stop can end the wait
  const auto first = enqueue(*s, sample_message("first"));
  std::string queued;
  {
    relay_runner runner(*s, sender, settings);
    REQUIRE(eventually([&] { return status_of(*s, first) == outbox_status::sent; }));
    queued = enqueue(*s, sample_message("queued"));  // no nudge: it waits for a later pass
    auto stopped = runner.stop_async();
    REQUIRE(ready_within(stopped));
    stopped.get();
    CHECK_FALSE(runner.get().running());
  }
  relay_runner next(*s, sender, settings);
  CHECK(eventually([&] { return status_of(*s, queued) == outbox_status::sent; }));
  CHECK(read_row(*s, queued).attempts == 1);
}

TEST_CASE("stopping while a send is in flight lets it finish and records its outcome",
          "[notify][relay][stop]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("in-flight"));
  gated_sender sender;
  auto settings = quick_settings();
  settings.stop_grace = 1h;  // nothing is aborted: the send decides when the stop completes
  relay_runner runner(*s, sender, settings);
  REQUIRE(eventually([&] { return sender.sent().size() == 1; }));
  auto stopped = runner.stop_async();
  sender.release();
  REQUIRE(ready_within(stopped));
  stopped.get();
  CHECK_FALSE(runner.get().running());
  const auto row = read_row(*s, id);
  CHECK(row.status == outbox_status::sent);
  CHECK(row.attempts == 1);
}

TEST_CASE("a stop whose abort time has come hands the send in progress back for the next start",
          "[notify][relay][stop]") {
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("cut"));
  scripted_sender sender;
  sender.hang();
  auto settings = quick_settings();
  settings.stop_grace = 1h;  // only the abort time given to stop() ends the send
  relay_runner runner(*s, sender, settings);
  REQUIRE(eventually([&] { return sender.sent().size() == 1; }));
  auto stopped = runner.stop_async(std::chrono::steady_clock::now());
  REQUIRE(ready_within(stopped));
  stopped.get();
  const auto row = read_row(*s, id);
  CHECK(row.status == outbox_status::pending);
  CHECK(row.attempts == 0);  // our shutdown, not the message's attempt
  CHECK(row.next_attempt_at <= std::chrono::system_clock::now());
}
