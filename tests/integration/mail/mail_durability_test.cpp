// Email durability end to end ("SMTP for real"): the real rosterd and rosterctl binaries, the
// python SMTP server (tests/fakes/smtp_server.py) on loopback with STARTTLS and AUTH verified
// against a throwaway CA, and SIGKILL of the daemon at the moments that lose mail in a naive
// design. What must hold every time: every invitation arrives, none is lost, and a message
// that arrives twice carries the same Message-ID both times (at least once, with a stable id).
//
// Real behaviour the tests are built around (notify/relay.hpp, daemon/wiring.cpp):
// - rosterctl writes the outbox without waking the running daemon, whose relay only looks
//   again after its 60 s poll; a (re)started daemon delivers what is due at once.
// - A row the relay claimed is leased for connect_timeout + total_timeout + 1 min; after a
//   crash that lease is the redelivery delay. The mid-send test does not wait that minute: it
//   moves the lease's end to now while the daemon is dead (let_leases_run_out).

#include <algorithm>
#include <filesystem>
#include <map>
#include <netinet/in.h>
#include <regex>
#include <set>
#include <string>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>

#include "store/database.hpp"
#include "tests/fakes/fake_smtp.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/notify/notify_testing.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using rosterd::notify::testing::decoded_part;
using rosterd::notify::testing::eventually;
using rosterd::notify::testing::fake_smtp_server;
using rosterd::notify::testing::header_value;
using rosterd::notify::testing::test_pki;
using rosterd::testing::daemon_harness;
using rosterd::testing::run_to_end;
using rosterd::testing::temp_directory;

const std::pair<std::string, std::string> smtp_login{"rosterd", "s3cret-Passw0rd"};
constexpr auto deadline = 20s;  // for every wait; a passing run needs a fraction of it

constexpr int exit_sigkill = 128 + 9;

/// A loopback port nothing listens on (bound, read, closed).
std::uint16_t unused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  socklen_t len = sizeof addr;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// --- The onboarding file -------------------------------------------------------------------

struct onboarding_file {
  std::string csv;
  std::set<std::string> invitees;  // everyone who gets an invitation: creators and team
};

/// `creators` creators (none has an account yet) and `agents` team members spread over them,
/// each on several creators (one invitation per person all the same).
onboarding_file onboarding(int creators, int agents) {
  onboarding_file f;
  f.csv =
      "Creator Name,Creator Email,Does this creator have an account?,"
      "Emails of agency team members who require access\n";
  const auto agent = [](int i) { return "agent" + std::to_string(i) + "@agency.example"; };
  for (int i = 1; i <= creators; ++i) {
    const auto n = (i < 10 ? "0" : "") + std::to_string(i);
    const auto email = "creator" + n + "@example.com";
    f.invitees.insert(email);
    std::string team = agent(i % agents);
    f.invitees.insert(team);
    if (i % 3 == 0) {
      team += ";" + agent((i + 1) % agents);
      f.invitees.insert(agent((i + 1) % agents));
    }
    f.csv += "Creator " + n + "," + email + ",No," + team + "\n";
  }
  return f;
}

// --- The site: config, rosterctl, the daemon ------------------------------------------------

class site {
 public:
  /// Config and directory only: the daemon is started by start().
  site(const test_pki& pki, std::uint16_t smtp_port)
      : pki_(pki), daemon_(config(smtp_port), daemon_harness::not_started) {
    rosterd::testing::write_file(password_file(), smtp_login.second + "\n");
    fs::permissions(password_file(), fs::perms::owner_read | fs::perms::owner_write);
  }

  daemon_harness& daemon() { return daemon_; }
  fs::path database() const { return daemon_.database(); }
  const std::string& account() const { return account_; }

  /// Points the daemon at another SMTP port, from its next start.
  void use_smtp_port(std::uint16_t port) { daemon_.write_config(config(port)); }

  void start() {
    daemon_.start();
    if (!daemon_.wait_ready()) {
      FAIL("rosterd did not become ready:\n" << daemon_.process().output());
    }
  }
  /// SIGKILL: no shutdown code runs, nothing is handed back.
  void crash() { REQUIRE(daemon_.kill_hard() == exit_sigkill); }

  /// rosterctl bootstrap: the agency account.
  void bootstrap() {
    const auto r = rosterctl(
        {"bootstrap", "--name", "Northlight Talent", "--owner-email", "owner@northlight.example"});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    std::smatch m;
    REQUIRE(std::regex_search(r.output, m, std::regex("account (acc_[A-Za-z0-9_-]+) created")));
    account_ = m[1].str();
  }

  /// rosterctl import: applies the file and queues the invitations in the outbox.
  void import(const onboarding_file& file) {
    const auto csv = daemon_.dir() / "onboarding.csv";
    rosterd::testing::write_file(csv, file.csv);
    const auto r = rosterctl({"import", "--account", account_, csv.string()});
    INFO(r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(r.output.find("invitations to send: " + std::to_string(file.invitees.size()) + ",") !=
          std::string::npos);
  }

  /// Waits until the daemon's current log contains `needle`.
  bool wait_for_log(const std::string& needle) {
    return eventually([&] { return daemon_.process().output().find(needle) != std::string::npos; },
                      deadline);
  }

 private:
  fs::path password_file() const { return secrets_ / "smtp-password"; }

  std::string config(std::uint16_t smtp_port) const {
    std::string mail = "\n[mail]\n";
    const auto set = [&](const std::string& key, const std::string& value) {
      mail += key + " = \"" + value + "\"\n";
    };
    set("smtp_url", "smtp://localhost:" + std::to_string(smtp_port));
    set("tls", "starttls");
    set("username", smtp_login.first);
    set("password_file", password_file().string());
    set("from_address", "noreply@rosterd.test");
    set("ca_file", pki_.ca_certificate().string());
    set("connect_timeout", "2s");
    set("total_timeout", "10s");
    set("retry_initial", "1s");
    set("retry_max", "2s");
    set("give_up_after", "1h");  // the minimum
    return rosterd::testing::test_config({}, mail);
  }

  rosterd::testing::run_result rosterctl(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--config", daemon_.config_path().string()});
    return run_to_end(rosterd::testing::rosterctl_binary(), args);
  }

  const test_pki& pki_;
  temp_directory secrets_;
  daemon_harness daemon_;
  std::string account_;
};

// --- Reading the database (a connection of our own, opened per look) -------------------------

rosterd::store::database open_database(const fs::path& path) {
  auto db = rosterd::store::database::open(path, rosterd::store::open_mode::read_write);
  REQUIRE(db);
  REQUIRE(db->exec("PRAGMA busy_timeout = 5000"));
  return std::move(*db);
}

struct outbox_entry {
  std::string id;
  std::string recipient;
  std::string message_id;
  std::string status;
  int attempts = 0;
  bool bodies_cleared = false;
  bool leased = false;  // next attempt more than 50 s away: a claim's lease, not a backoff
  std::string last_error;
};

std::vector<outbox_entry> read_outbox(const fs::path& path) {
  auto db = open_database(path);
  auto st = db.prepare(
      "SELECT id, recipient, message_id, status, attempts, "
      "text_body IS NULL AND html_body IS NULL, "
      "next_attempt_at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+50 seconds'), "
      "coalesce(last_error, '') FROM outbox ORDER BY created_at, id");
  REQUIRE(st);
  std::vector<outbox_entry> rows;
  while (st->step().value()) {
    rows.push_back({st->column_text(0), st->column_text(1), st->column_text(2), st->column_text(3),
                    static_cast<int>(st->column_int64(4)), st->column_int64(5) != 0,
                    st->column_int64(6) != 0, st->column_text(7)});
  }
  return rows;
}

bool none_pending(const fs::path& path) {
  const auto rows = read_outbox(path);
  return std::none_of(rows.begin(), rows.end(),
                      [](const outbox_entry& r) { return r.status == "pending"; });
}

/// invitations.status by the invitee's address, for one account.
std::map<std::string, std::string> invitation_status(const fs::path& path,
                                                     const std::string& account) {
  auto db = open_database(path);
  auto st = db.prepare(
      "SELECT u.email, i.status FROM invitations i JOIN users u ON u.id = i.user_id "
      "WHERE i.account_id = ?1");
  REQUIRE(st);
  st->bind_all(account);
  std::map<std::string, std::string> out;
  while (st->step().value()) {
    out[st->column_text(0)] = st->column_text(1);
  }
  return out;
}

/// What the clock does to a claim once relay_settings::lease (here 2 s + 10 s + 1 min) has
/// passed, without waiting that minute: every pending row is due now. Only while the daemon is
/// down.
void let_leases_run_out(const fs::path& path) {
  auto db = open_database(path);
  REQUIRE(
      db.exec("UPDATE outbox SET next_attempt_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now', "
              "'-1 seconds') WHERE status = 'pending'"));
}

// --- What the SMTP server received -----------------------------------------------------------

struct mail {
  std::string recipient;
  std::string message_id;
  std::string text;  // the decoded text/plain part
};

std::vector<mail> received(const fake_smtp_server& server) {
  std::vector<mail> out;
  for (const auto& m : server.delivered()) {
    std::smatch rcpt;
    REQUIRE(std::regex_search(m.envelope, rcpt, std::regex("RCPT TO:<([^>]*)>")));
    out.push_back(
        {rcpt[1].str(), header_value(m.data, "Message-ID"), decoded_part(m.data, "text/plain")});
  }
  return out;
}

/// The durability contract, checked from both ends: every outbox row has its own Message-ID
/// and reached its recipient; every message the server holds is one of those rows, to that
/// row's recipient; copies of one row are the same message (same Message-ID, same text and
/// so the same one-time link). Returns the number of copies per Message-ID.
std::map<std::string, int> check_every_row_delivered_under_its_own_message_id(
    const std::vector<outbox_entry>& rows, const std::vector<mail>& mails) {
  std::map<std::string, const outbox_entry*> by_message_id;
  for (const auto& row : rows) {
    INFO("outbox row " << row.id);
    CHECK(by_message_id.emplace(row.message_id, &row).second);  // unique per row
  }
  std::map<std::string, int> copies;
  std::map<std::string, std::string> text;
  for (const auto& m : mails) {
    INFO("received Message-ID " << m.message_id << " for " << m.recipient);
    const auto row = by_message_id.find(m.message_id);
    REQUIRE(row != by_message_id.end());  // no message that is not an outbox row
    CHECK(m.recipient == row->second->recipient);
    CHECK(m.text.find("/invitation?token=rdinv_") != std::string::npos);
    const auto [first, inserted] = text.emplace(m.message_id, m.text);
    if (!inserted) {
      CHECK(m.text == first->second);  // a duplicate is the same message
    }
    ++copies[m.message_id];
  }
  for (const auto& row : rows) {
    INFO("outbox row " << row.id << " to " << row.recipient);
    CHECK(copies[row.message_id] >= 1);  // none lost
  }
  return copies;
}

std::set<std::string> recipients_of(const std::vector<outbox_entry>& rows) {
  std::set<std::string> out;
  for (const auto& r : rows) {
    out.insert(r.recipient);
  }
  return out;
}

/// The one-time token in an invitation's text.
std::string invitation_token(const std::string& text) {
  std::smatch m;
  REQUIRE(std::regex_search(text, m, std::regex("/invitation\\?token=(rdinv_[A-Za-z0-9_-]+)")));
  return m[1].str();
}

}  // namespace

TEST_CASE(
    "invitations queued before a SIGKILL are all delivered once the daemon restarts, each once "
    "under its own Message-ID",
    "[integration][mail]") {
  test_pki pki;
  site s(pki, unused_port());  // no SMTP server yet: nothing can be delivered before the crash
  s.start();
  // The relay logs this as it takes its first look, at an empty outbox; then it sleeps for its
  // 60 s poll, and rows rosterctl writes do not wake it.
  REQUIRE(s.wait_for_log("outbox_relay_started"));
  s.bootstrap();
  const auto file = onboarding(20, 5);
  REQUIRE(file.invitees.size() == 25);
  s.import(file);
  s.crash();

  // The rows are committed and untouched: the crash fell between outbox write and delivery.
  // (Had the relay tried, to a port nothing listens on, the rows would now wait a poll.)
  const auto queued = read_outbox(s.database());
  REQUIRE(queued.size() == file.invitees.size());
  CHECK(recipients_of(queued) == file.invitees);
  for (const auto& row : queued) {
    INFO(row.id);
    CHECK(row.status == "pending");
    CHECK(row.attempts == 0);
    CHECK_FALSE(row.bodies_cleared);
  }

  fake_smtp_server server(pki, {.login = smtp_login});
  s.use_smtp_port(server.port());
  s.start();
  REQUIRE(eventually(
      [&] { return server.delivered().size() >= queued.size() && none_pending(s.database()); },
      deadline));

  const auto rows = read_outbox(s.database());
  const auto mails = received(server);
  const auto copies = check_every_row_delivered_under_its_own_message_id(rows, mails);
  CHECK(mails.size() == rows.size());  // nothing was in flight at the crash: no duplicate
  for (const auto& row : rows) {
    INFO(row.id << " to " << row.recipient << ": " << row.last_error);
    CHECK(row.status == "sent");
    CHECK(row.attempts == 1);
    CHECK(row.bodies_cleared);  // the one-time links are gone from the database
    CHECK(copies.at(row.message_id) == 1);
  }
  const auto statuses = invitation_status(s.database(), s.account());
  for (const auto& invitee : file.invitees) {
    CHECK(statuses.at(invitee) == "pending");  // sent, waiting for the person
  }

  // The link in a delivered email works: the creator accepts and is signed in.
  const auto creator_mail = std::find_if(mails.begin(), mails.end(), [](const mail& m) {
    return m.recipient == "creator07@example.com";
  });
  REQUIRE(creator_mail != mails.end());
  const auto accepted =
      rosterd::testing::http_request(s.daemon().port(), "POST", "/v1/invitations/accept",
                                     R"({"token":")" + invitation_token(creator_mail->text) +
                                         R"(","password":"correct horse battery staple"})",
                                     {{"Content-Type", "application/json"}});
  INFO(accepted.body);
  CHECK(accepted.status == 200);
  CHECK(accepted.headers.count("set-cookie") == 1);
  CHECK(invitation_status(s.database(), s.account()).at("creator07@example.com") == "accepted");
}

TEST_CASE(
    "a SIGKILL while the SMTP server holds its reply to DATA: after the restart the message "
    "goes out again with the same Message-ID, and nothing is lost",
    "[integration][mail]") {
  test_pki pki;
  // The server takes the first message, then sits on its 250 far longer than the test runs.
  fake_smtp_server server(pki, {.login = smtp_login, .delay_data = 60s, .delay_count = 1});
  site s(pki, server.port());
  s.bootstrap();
  const auto file = onboarding(4, 2);
  REQUIRE(file.invitees.size() == 6);
  s.import(file);
  s.start();  // delivers what is due at once
  REQUIRE(server.wait_for_output("holding DATA reply", deadline));
  s.crash();  // while the relay waits for the server's answer

  const auto held = received(server);
  REQUIRE(held.size() == 1);
  const auto after_crash = read_outbox(s.database());
  const auto in_flight =
      std::find_if(after_crash.begin(), after_crash.end(),
                   [&](const outbox_entry& r) { return r.message_id == held[0].message_id; });
  REQUIRE(in_flight != after_crash.end());
  // The outcome never reached the database: still pending, the attempt counted, and leased
  // (the lease, not a retry backoff, is what brings it back).
  CHECK(in_flight->status == "pending");
  CHECK(in_flight->attempts == 1);
  CHECK(in_flight->leased);
  CHECK_FALSE(in_flight->bodies_cleared);

  let_leases_run_out(s.database());
  s.start();
  REQUIRE(eventually(
      [&] {
        return server.delivered().size() >= after_crash.size() + 1 && none_pending(s.database());
      },
      deadline));

  const auto rows = read_outbox(s.database());
  REQUIRE(rows.size() == file.invitees.size());
  CHECK(recipients_of(rows) == file.invitees);
  const auto mails = received(server);
  const auto copies = check_every_row_delivered_under_its_own_message_id(rows, mails);
  // At least once with a stable id: the server got the interrupted message twice, both times
  // with its Message-ID; everything else once.
  CHECK(copies.at(held[0].message_id) == 2);
  CHECK(mails.size() == rows.size() + 1);
  for (const auto& row : rows) {
    INFO(row.id << " to " << row.recipient << ": " << row.last_error);
    CHECK(row.status == "sent");
    CHECK(row.bodies_cleared);
    if (row.message_id == held[0].message_id) {
      CHECK(row.attempts == 2);
    }
  }
}

TEST_CASE(
    "a recipient refused with 5xx is never retried and the invitation is marked bounced, while "
    "the others are delivered",
    "[integration][mail]") {
  const std::string refused = "creator03@example.com";
  test_pki pki;
  fake_smtp_server server(
      pki, {.login = smtp_login, .reject_recipients = {refused + "=550"}, .log_rcpt = true});
  site s(pki, server.port());
  s.bootstrap();
  const auto file = onboarding(6, 2);
  s.import(file);
  s.start();
  REQUIRE(eventually([&] { return none_pending(s.database()); }, deadline));

  const auto rows = read_outbox(s.database());
  REQUIRE(rows.size() == file.invitees.size());
  std::vector<outbox_entry> sent;
  for (const auto& row : rows) {
    INFO(row.id << " to " << row.recipient << ": " << row.last_error);
    CHECK(row.bodies_cleared);
    CHECK(row.attempts == 1);
    if (row.recipient == refused) {
      CHECK(row.status == "failed");
      CHECK(row.last_error.find("550") != std::string::npos);
    } else {
      CHECK(row.status == "sent");
      sent.push_back(row);
    }
  }
  auto others = file.invitees;
  others.erase(refused);
  CHECK(recipients_of(sent) == others);
  const auto mails = received(server);
  check_every_row_delivered_under_its_own_message_id(sent, mails);
  CHECK(mails.size() == sent.size());
  const auto statuses = invitation_status(s.database(), s.account());
  CHECK(statuses.at(refused) == "bounced");
  for (const auto& invitee : others) {
    CHECK(statuses.at(invitee) == "pending");
  }

  // Never again, not after a restart either: the restarted relay's first batch takes every
  // due row oldest first, so once it has delivered a newer invitation it has passed over the
  // refused one.
  s.crash();
  s.import(
      {"Creator Name,Creator Email,Does this creator have an account?,"
       "Emails of agency team members who require access\n"
       "Creator 99,creator99@example.com,No,agent1@agency.example\n",
       {"creator99@example.com"}});
  s.start();
  REQUIRE(eventually(
      [&] {
        const auto now = received(server);
        return std::any_of(now.begin(), now.end(),
                           [](const mail& m) { return m.recipient == "creator99@example.com"; });
      },
      deadline));
  CHECK(server.rcpt_count(refused) == 1);
  for (const auto& row : read_outbox(s.database())) {
    if (row.recipient == refused) {
      CHECK(row.status == "failed");
      CHECK(row.attempts == 1);
    }
  }
}
