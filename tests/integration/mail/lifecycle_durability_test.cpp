// Reminders, alerts and webhooks survive crashes: the real rosterd on a roster of 250 creators
// x 4 platforms whose connections all reach their 7-day stage at once, the python SMTP server
// over STARTTLS and the HTTPS webhook receiver on loopback, and at least 50 SIGKILLs at random
// moments while more than 1,000 messages and webhook deliveries go out. What must hold: none
// is lost, a message that arrives twice carries the same Message-ID (a webhook the same
// webhook-id), each stage is recorded once per connection, and the database is intact.

#include <filesystem>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "store/database.hpp"
#include "tests/fakes/fake_smtp.hpp"
#include "tests/fakes/webhook_receiver.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/notify/notify_testing.hpp"
#include "vault/keyring.hpp"

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using rosterd::notify::testing::eventually;
using rosterd::notify::testing::fake_smtp_server;
using rosterd::notify::testing::header_value;
using rosterd::notify::testing::test_pki;
using rosterd::testing::daemon_harness;
using rosterd::testing::temp_directory;

constexpr int creators = 250;
constexpr int agents = 10;
constexpr int kills = 50;
const std::vector<std::string> platforms{"facebook", "instagram_facebook", "tiktok", "pinterest"};
const std::pair<std::string, std::string> smtp_login{"rosterd", "s3cret-Passw0rd"};
const std::string webhook_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

rosterd::store::database open_database(const fs::path& path) {
  auto db = rosterd::store::database::open(path, rosterd::store::open_mode::read_write);
  REQUIRE(db);
  REQUIRE(db->exec("PRAGMA busy_timeout = 5000"));
  return std::move(*db);
}

std::int64_t count(const fs::path& path, const std::string& sql) {
  auto db = open_database(path);
  auto st = db.prepare(sql);
  REQUIRE(st);
  REQUIRE(st->step().value());
  return st->column_int64(0);
}

std::vector<std::string> column(const fs::path& path, const std::string& sql) {
  auto db = open_database(path);
  auto st = db.prepare(sql);
  REQUIRE(st);
  std::vector<std::string> out;
  while (st->step().value()) {
    out.push_back(st->column_text(0));
  }
  return out;
}

class site {
 public:
  site(const test_pki& pki, std::uint16_t smtp_port)
      : pki_(pki), daemon_(config(smtp_port), daemon_harness::not_started) {
    write_secret("smtp-password", smtp_login.second);
    for (const auto& p : platforms) {
      write_secret(p + "-secret", "client-secret-for-" + p);
    }
    write_secret("vault.key", std::string(rosterd::vault::generate_key_file_line(1).reveal()));
  }
  daemon_harness& daemon() { return daemon_; }
  fs::path database() const { return daemon_.database(); }

  void start() {
    daemon_.start();
    if (!daemon_.wait_ready(60s)) {
      FAIL("rosterd did not become ready:\n" << daemon_.process().output());
    }
  }

  /// What a lease's end would do, without waiting it out: every claimed job, mail and
  /// delivery is due again now. Only while the daemon is down.
  void let_leases_run_out() {
    auto db = open_database(database());
    const std::string now = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-1 seconds')";
    REQUIRE(db.exec("UPDATE jobs SET due_at = " + now +
                    " WHERE state = 'pending' AND lease_owner IS NOT NULL"));
    REQUIRE(db.exec("UPDATE outbox SET next_attempt_at = " + now + " WHERE status = 'pending'"));
    REQUIRE(db.exec("UPDATE webhook_deliveries SET next_attempt_at = " + now +
                    " WHERE status = 'pending'"));
  }

  /// The roster, written straight into the migrated database: creators with their agent, four
  /// connections each whose deadline is four days away (their 7-day stage is due now), and one
  /// webhook endpoint for connection.expiring.
  void seed(const std::string& webhook_url) {
    auto db = open_database(database());
    const std::string t = "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')";
    std::string sql = "BEGIN;";
    sql += "INSERT INTO accounts (id, name, created_at) VALUES ('acc_crash', 'Crash Talent', " + t +
           ");";
    for (int a = 0; a < agents; ++a) {
      const auto id = "usr_agent" + std::to_string(a);
      sql += "INSERT INTO users (id, email, display_name, created_at) VALUES ('" + id +
             "', 'agent" + std::to_string(a) + "@agency.test', 'Agent " + std::to_string(a) +
             "', " + t + ");";
      sql +=
          "INSERT INTO account_members (account_id, user_id, role, created_at, joined_at) "
          "VALUES ('acc_crash', '" +
          id + "', 'agent', " + t + ", " + t + ");";
    }
    for (int c = 0; c < creators; ++c) {
      const auto n = std::to_string(c);
      sql += "INSERT INTO users (id, email, display_name, created_at) VALUES ('usr_c" + n +
             "', 'c" + n + "@creators.test', 'Creator " + n + "', " + t + ");";
      sql +=
          "INSERT INTO creators (id, account_id, user_id, display_name, created_at) VALUES "
          "('cre_" +
          n + "', 'acc_crash', 'usr_c" + n + "', 'Creator " + n + "', " + t + ");";
      sql +=
          "INSERT INTO access_groups (id, account_id, creator_id, name, created_at) VALUES "
          "('grp_" +
          n + "', 'acc_crash', 'cre_" + n + "', 'Creator " + n + "', " + t + ");";
      sql += "INSERT INTO group_members (group_id, user_id, added_at) VALUES ('grp_" + n +
             "', 'usr_agent" + std::to_string(c % agents) + "', " + t + ");";
      for (std::size_t k = 0; k < platforms.size(); ++k) {
        const auto id = "con_" + n + "_" + std::to_string(k);
        sql +=
            "INSERT INTO connections (id, account_id, creator_id, provider, status, "
            "status_changed_at, external_id, connected_at, reauth_due_at, deadline_cause) "
            "VALUES ('" +
            id + "', 'acc_crash', 'cre_" + n + "', '" + platforms[k] + "', 'connected', " + t +
            ", 'ext_" + id + "', " + t +
            ", strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+4 days'), 'token_expiry');";
      }
    }
    sql +=
        "INSERT INTO webhook_endpoints (id, account_id, url, events, secret, created_at, "
        "updated_at) VALUES ('whk_crash', 'acc_crash', '" +
        webhook_url + "', 'connection.expiring', '" + webhook_secret + "', " + t + ", " + t + ");";
    sql += "COMMIT;";
    REQUIRE(db.exec(sql));
  }

 private:
  void write_secret(const std::string& name, const std::string& value) {
    rosterd::testing::write_file(secrets_.path() / name, value + "\n");
    fs::permissions(secrets_.path() / name, fs::perms::owner_read | fs::perms::owner_write);
  }
  std::string secret(const std::string& name) const { return (secrets_.path() / name).string(); }

  std::string config(std::uint16_t smtp_port) const {
    std::string tail = "\n[mail]\n";
    const auto set = [&](const std::string& key, const std::string& value) {
      tail += key + " = \"" + value + "\"\n";
    };
    set("smtp_url", "smtp://localhost:" + std::to_string(smtp_port));
    set("tls", "starttls");
    set("username", smtp_login.first);
    set("password_file", secret("smtp-password"));
    set("from_address", "noreply@rosterd.test");
    set("ca_file", pki_.ca_certificate().string());
    set("connect_timeout", "2s");
    set("total_timeout", "10s");
    set("retry_initial", "1s");
    set("retry_max", "2s");
    set("give_up_after", "1h");
    tail += "\n[vault]\nkey_file = \"" + secret("vault.key") + "\"\n";
    tail += "\n[oauth]\n";
    for (const auto& p : platforms) {
      tail += "\n[oauth.providers." + p + "]\nclient_id = \"client-" + p +
              "\"\nclient_secret_file = \"" + secret(p + "-secret") + "\"\n";
    }
    tail += "\n[lifecycle]\nidentity_check_interval = \"0s\"\n";
    tail += "\n[webhooks]\nallow_private_targets = true\nca_file = \"" +
            pki_.ca_certificate().string() + "\"\ntimeout = \"5s\"\n";
    return rosterd::testing::test_config("public_url = \"https://rosterd.test\"\n", tail);
  }

  const test_pki& pki_;
  temp_directory secrets_;
  daemon_harness daemon_;
};

}  // namespace

TEST_CASE(
    "50 crashes during 2,000 reminders, alerts and webhooks lose nothing and send no "
    "stage twice",
    "[lifecycle][crash][slow]") {
  test_pki pki;
  fake_smtp_server::options smtp_options;
  smtp_options.login = smtp_login;
  fake_smtp_server smtp(pki, smtp_options);
  rosterd::testing::webhook_receiver receiver(pki);
  site s(pki, smtp.port());

  // The first start migrates the database; then the roster goes in while it is down.
  s.start();
  REQUIRE(s.daemon().stop() == 0);
  s.seed(receiver.url("/ok"));

  std::mt19937 rng(20261207);
  std::uniform_int_distribution<int> pause_ms(50, 700);
  for (int i = 0; i < kills; ++i) {
    s.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(rng)));
    REQUIRE(s.daemon().kill_hard() == 128 + 9);
    s.let_leases_run_out();
  }
  const auto path = s.database();
  // Some work was done under the kills, and some is left for the last start.
  CHECK(count(path, "SELECT COUNT(*) FROM lifecycle_notices") > 0);

  s.start();
  const auto settled = [&] {
    return count(path,
                 "SELECT (SELECT COUNT(*) FROM outbox WHERE status = 'pending') + (SELECT "
                 "COUNT(*) FROM webhook_deliveries WHERE status = 'pending') + (SELECT COUNT(*) "
                 "FROM jobs WHERE state = 'pending' AND kind = 'connection_check' AND due_at <= "
                 "strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))") == 0 &&
           count(path, "SELECT COUNT(*) FROM lifecycle_notices WHERE audience = 'team'") ==
               creators * 4;
  };
  REQUIRE(eventually(settled, 300s));
  REQUIRE(s.daemon().stop() == 0);

  // Each stage once per connection: the creator's 7-day stage and the team's.
  CHECK(count(path,
              "SELECT COUNT(*) FROM lifecycle_notices WHERE audience = 'creator' AND stage = "
              "'7d'") == creators * 4);
  CHECK(count(path,
              "SELECT COUNT(*) FROM lifecycle_notices WHERE audience = 'team' AND stage = "
              "'7d'") == creators * 4);

  // Nothing lost: every message in the outbox was sent, and arrived; a duplicate arrival has
  // the same Message-ID, which the outbox holds once.
  const auto queued = column(path, "SELECT message_id FROM outbox ORDER BY message_id");
  CHECK(count(path, "SELECT COUNT(*) FROM outbox WHERE status <> 'sent'") == 0);
  CHECK(queued.size() >= static_cast<std::size_t>(creators + creators * 4));
  std::set<std::string> arrived;
  for (const auto& m : smtp.delivered()) {
    arrived.insert(header_value(m.data, "Message-ID"));
  }
  for (const auto& id : queued) {
    INFO(id);
    CHECK(arrived.count(id) == 1);
  }
  CHECK(arrived.size() == queued.size());  // nothing arrived that the outbox does not hold

  // Webhooks likewise, by webhook-id.
  const auto deliveries = column(path, "SELECT webhook_id FROM webhook_deliveries");
  CHECK(deliveries.size() == static_cast<std::size_t>(creators * 4));
  CHECK(count(path, "SELECT COUNT(*) FROM webhook_deliveries WHERE status <> 'delivered'") == 0);
  std::set<std::string> hooks;
  for (const auto& r : receiver.received()) {
    hooks.insert(r.headers.at("webhook-id"));
  }
  for (const auto& id : deliveries) {
    CHECK(hooks.count(id) == 1);
  }
  CHECK(hooks.size() == deliveries.size());
  CHECK(queued.size() + deliveries.size() >= 1000);

  auto db = open_database(path);
  auto check = db.prepare("PRAGMA integrity_check");
  REQUIRE(check);
  REQUIRE(check->step().value());
  CHECK(check->column_text(0) == "ok");
}
