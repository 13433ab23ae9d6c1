// Email delivery against a real SMTP server on loopback (tests/fakes/smtp_server.py): STARTTLS
// and implicit TLS verified against a test CA, AUTH, and the server's 4xx and 5xx replies
// turned into retries and permanent failures by the relay.

#include <mutex>
#include <set>

#include <catch2/catch.hpp>

#include "notify/smtp.hpp"
#include "tests/fakes/fake_smtp.hpp"
#include "tests/unit/notify/notify_testing.hpp"

using namespace rosterd;
using namespace rosterd::notify;
using namespace rosterd::notify::testing;
using namespace std::chrono_literals;

namespace {

const std::pair<std::string, std::string> login{"rosterd", "s3cret-Passw0rd"};

std::unique_ptr<smtp_sender> make_sender(smtp_settings settings) {
  auto sender = smtp_sender::create(std::move(settings), nullptr);
  REQUIRE(sender);
  return std::move(*sender);
}

// A row as the relay would claim it.
outbox_row claimed_row(store::store& s, const email_message& m) {
  const auto id = enqueue(s, m);
  auto row = read_row(s, id);
  row.attempts = 1;
  return row;
}

}  // namespace

TEST_CASE("an email goes out over STARTTLS with AUTH to a server the test CA vouches for",
          "[notify][smtp][integration]") {
  test_pki pki;
  fake_smtp_server server(pki, {.login = login});
  temp_directory dir;
  auto s = open_store(dir);
  auto m = sample_message("k", "ada@example.org");
  m.subject = "Connecte tes profils, Ada ✨";
  m.text_body = "Hi Ada,\n.a line starting with a dot\nhttps://rosterd.test/invite/TOKEN\n";
  const auto row = claimed_row(*s, m);

  const auto result = make_sender(server.settings(pki))->send(row, {});
  INFO(result.detail);
  CHECK(result.outcome == send_outcome::delivered);
  CHECK(result.reply_code == 250);

  const auto received = server.delivered();
  REQUIRE(received.size() == 1);
  CHECK(received[0].envelope == "MAIL FROM:<noreply@rosterd.test>\nRCPT TO:<ada@example.org>\n");
  const auto& data = received[0].data;
  CHECK(header_value(data, "Message-ID") == row.message_id);
  CHECK(header_value(data, "To") == "<ada@example.org>");
  CHECK(decode_header(header_value(data, "Subject")) == m.subject);
  CHECK(decoded_part(data, "text/plain") == m.text_body);
  CHECK(decoded_part(data, "text/html") == *m.html_body);
}

TEST_CASE("implicit TLS (smtps) delivers too", "[notify][smtp][integration]") {
  test_pki pki;
  fake_smtp_server server(pki, {.starttls = false, .implicit_tls = true, .login = login});
  temp_directory dir;
  auto s = open_store(dir);
  const auto row = claimed_row(*s, sample_message("k"));
  const auto result = make_sender(server.settings(pki))->send(row, {});
  INFO(result.detail);
  CHECK(result.outcome == send_outcome::delivered);
  CHECK(server.delivered().size() == 1);
}

TEST_CASE("one sender delivers several messages in a row over its kept connection",
          "[notify][smtp][integration]") {
  test_pki pki;
  fake_smtp_server server(pki, {.login = login});
  temp_directory dir;
  auto s = open_store(dir);
  auto sender = make_sender(server.settings(pki));
  for (int i = 0; i < 3; ++i) {
    const auto row = claimed_row(
        *s, sample_message("k" + std::to_string(i), "r" + std::to_string(i) + "@example.org"));
    const auto result = sender->send(row, {});
    INFO(result.detail);
    CHECK(result.outcome == send_outcome::delivered);
  }
  const auto received = server.delivered();
  REQUIRE(received.size() == 3);
  CHECK(received[2].envelope.find("RCPT TO:<r2@example.org>") != std::string::npos);
}

TEST_CASE("a server certificate the configured CA did not sign gets nothing, and may be retried",
          "[notify][smtp][integration]") {
  test_pki pki;
  test_pki other_ca;
  fake_smtp_server server(pki, {.login = login});
  temp_directory dir;
  auto s = open_store(dir);
  auto settings = server.settings(pki);
  settings.ca_file = other_ca.ca_certificate();
  const auto result =
      make_sender(std::move(settings))->send(claimed_row(*s, sample_message("k")), {});
  INFO(result.detail);
  CHECK(result.outcome == send_outcome::unavailable);  // transient: fix the CA, mail flows
  CHECK(server.delivered().empty());
}

TEST_CASE("a wrong password is a settings problem, never a rejection of the message",
          "[notify][smtp][integration]") {
  test_pki pki;
  fake_smtp_server server(pki, {.login = login});
  temp_directory dir;
  auto s = open_store(dir);
  auto settings = server.settings(pki);
  settings.password = base::secret("wrong");
  const auto result =
      make_sender(std::move(settings))->send(claimed_row(*s, sample_message("k")), {});
  CHECK(result.outcome == send_outcome::unavailable);
  CHECK(result.reply_code == 535);
  CHECK(result.detail.find("wrong") == std::string::npos);  // no password in the detail
  CHECK(server.delivered().empty());
}

TEST_CASE("a recipient refused with 5xx is rejected, with the server's words in the detail",
          "[notify][smtp][integration]") {
  test_pki pki;
  fake_smtp_server server(pki, {.login = login, .reject_recipients = {"gone@example.org=550"}});
  temp_directory dir;
  auto s = open_store(dir);
  const auto result = make_sender(server.settings(pki))
                          ->send(claimed_row(*s, sample_message("k", "gone@example.org")), {});
  CHECK(result.outcome == send_outcome::rejected);
  CHECK(result.reply_code == 550);
  INFO(result.detail);
  CHECK(result.detail.find("550 5.7.1") != std::string::npos);
}

TEST_CASE("a 4xx reply is retried after the backoff and delivered with the same Message-ID",
          "[notify][relay][integration]") {
  test_pki pki;
  fake_smtp_server server(pki, {.login = login, .fail_next = 1, .fail_code = 451});
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"));
  auto sender = make_sender(server.settings(pki));
  relay_runner runner(*s, *sender, quick_settings());
  REQUIRE(eventually([&] { return read_row(*s, id).status == outbox_status::sent; }, 20s));
  const auto refused = server.refused();
  const auto delivered = server.delivered();
  REQUIRE(refused.size() == 1);
  REQUIRE(delivered.size() == 1);
  const auto message_id = header_value(delivered[0].data, "Message-ID");
  CHECK(message_id == "<" + id + "@rosterd.test>");
  CHECK(header_value(refused[0].data, "Message-ID") == message_id);
  CHECK(refused[0].data == delivered[0].data);  // the same message, byte for byte
  const auto row = read_row(*s, id);
  CHECK(row.attempts == 2);
  CHECK_FALSE(row.text_body);
}

TEST_CASE("a 5xx reply fails the message once, it is never retried, and the hook runs",
          "[notify][relay][integration]") {
  test_pki pki;
  fake_smtp_server server(pki, {.login = login, .fail_next = 1, .fail_code = 554});
  temp_directory dir;
  auto s = open_store(dir);
  const auto id = enqueue(*s, sample_message("k"));
  auto sender = make_sender(server.settings(pki));
  std::mutex mutex;  // the hook runs on the store's writer thread
  std::vector<std::string> bounced;
  relay_hooks hooks;
  hooks.on_failed = [&](store::database&, const outbox_row& row) -> base::result<void> {
    std::lock_guard lock(mutex);
    bounced.push_back(*row.ref_kind + ":" + *row.ref_id);
    return {};
  };
  relay_runner runner(*s, *sender, quick_settings(), std::move(hooks));
  REQUIRE(eventually([&] { return read_row(*s, id).status == outbox_status::failed; }, 20s));
  std::this_thread::sleep_for(2500ms);  // past any backoff: a retry would have come by now
  runner.stop();
  CHECK(server.refused().size() == 1);
  CHECK(server.delivered().empty());  // the server would accept a second try; none came
  {
    std::lock_guard lock(mutex);
    CHECK(bounced == std::vector<std::string>{"invitation:inv_1"});
  }
  const auto row = read_row(*s, id);
  CHECK(row.attempts == 1);
  REQUIRE(row.last_error);
  CHECK(row.last_error->find("554") != std::string::npos);
  CHECK_FALSE(row.text_body);
  CHECK_FALSE(row.html_body);
}

TEST_CASE("the relay delivers every queued message", "[notify][relay][integration]") {
  test_pki pki;
  fake_smtp_server server(pki, {.login = login});
  temp_directory dir;
  auto s = open_store(dir);
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    ids.push_back(enqueue(
        *s, sample_message("k" + std::to_string(i), "r" + std::to_string(i) + "@example.org")));
  }
  auto sender = make_sender(server.settings(pki));
  auto settings = quick_settings();
  settings.batch_size = 5;
  relay_runner runner(*s, *sender, settings);
  REQUIRE(eventually([&] { return server.delivered().size() == ids.size(); }, 30s));
  CHECK(eventually([&] {
    return std::all_of(ids.begin(), ids.end(), [&](const auto& id) {
      return read_row(*s, id).status == outbox_status::sent;
    });
  }));
  std::set<std::string> message_ids;
  for (const auto& m : server.delivered()) {
    message_ids.insert(header_value(m.data, "Message-ID"));
  }
  CHECK(message_ids.size() == ids.size());
}

TEST_CASE("after a crash mid-send the message goes out again with its Message-ID",
          "[notify][relay][integration]") {
  test_pki pki;
  fake_smtp_server server(pki, {.login = login});
  temp_directory dir;
  const auto queued_at = std::chrono::system_clock::now() - 1h;
  std::string id;
  std::string message_id;
  {
    // The previous process: queued, claimed with a 60 s lease, then died before any outcome.
    auto s = open_store(dir);
    id = enqueue(*s, sample_message("k"), queued_at);
    const auto claimed = s->write_now(
        [&](store::database& db) { return claim_due_emails(db, queued_at, 60s, 10).value(); });
    REQUIRE(claimed.size() == 1);
    message_id = claimed[0].message_id;
  }
  auto s = open_store(dir);  // the restart
  const auto before = read_row(*s, id);
  CHECK(before.attempts == 1);
  CHECK(before.status == outbox_status::pending);
  auto sender = make_sender(server.settings(pki));
  relay_runner runner(*s, *sender, quick_settings());
  REQUIRE(eventually([&] { return read_row(*s, id).status == outbox_status::sent; }, 20s));
  const auto delivered = server.delivered();
  REQUIRE(delivered.size() == 1);
  CHECK(header_value(delivered[0].data, "Message-ID") == message_id);
  CHECK(read_row(*s, id).attempts == 2);
}
