// rosterctl status and rosterctl link as an operator runs them: the built binary, a real
// database made by rosterctl itself (migrate, bootstrap, import), connections in every state.
#include <fstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "../../unit/store/temp_dir.hpp"
#include "run_process.hpp"
#include "store/database.hpp"

using rosterd::store::testing::temp_dir;
using rosterd::testing::process_result;

namespace {

const std::string rosterctl = ROSTERD_BINARY_DIR "/cli/rosterctl";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct operator_world {
  temp_dir dir;
  std::string config;
  std::string account;
  std::string ana, ben;

  process_result run(std::vector<std::string> args) {
    args.insert(args.begin(), {rosterctl, "--config", config});
    return rosterd::testing::run_process(args, dir.path());
  }

  std::string query(const std::string& sql) {
    auto db = rosterd::store::database::open(dir / "state" / "rosterd.db",
                                             rosterd::store::open_mode::read_only)
                  .value();
    auto st = db.prepare(sql).value();
    REQUIRE(st.step().value());
    return st.column_text(0);
  }
  void exec(const std::string& sql) {
    auto db = rosterd::store::database::open(dir / "state" / "rosterd.db",
                                             rosterd::store::open_mode::read_write)
                  .value();
    REQUIRE(db.exec(sql));
  }

  operator_world() {
    {
      std::ofstream secret(dir / "tiktok-secret");
      secret << "not-a-real-secret\n";
    }
    {
      // An OAuth provider needs the vault's key file.
      const auto key = rosterd::testing::run_process({rosterctl, "keys", "generate"}, dir.path());
      REQUIRE(key.exit_code == 0);
      std::ofstream file(dir / "vault.key");
      file << key.out;
    }
    std::filesystem::permissions(dir / "vault.key", std::filesystem::perms::owner_read |
                                                        std::filesystem::perms::owner_write);
    {
      std::ofstream cfg(dir / "rosterd.toml");
      cfg << "[server]\npublic_url = \"https://roster.example\"\n"
             "[store]\npath = \"state/rosterd.db\"\n"
             "[vault]\nkey_file = \""
          << (dir / "vault.key").string()
          << "\"\n"
             "[oauth.providers.tiktok]\nclient_id = \"awtest\"\nclient_secret_file = \""
          << (dir / "tiktok-secret").string() << "\"\n";
    }
    config = (dir / "rosterd.toml").string();
    REQUIRE(run({"migrate", "--create"}).exit_code == 0);
    const auto made =
        run({"bootstrap", "--name", "Talent Partnerships", "--owner-email", "owner@agency.test"});
    INFO(made.err);
    REQUIRE(made.exit_code == 0);
    account = query("SELECT id FROM accounts");
    {
      std::ofstream csv(dir / "roster.csv");
      csv << "Creator Name,Creator Email,Does this creator have an account?,"
             "Emails of agency team members who require access\n"
             "Ana Lima,ana@creators.test,No,amy@agency.test\n"
             "Ben Ode,ben@creators.test,No,bo@agency.test\n";
    }
    const auto imported = run({"import", "--account", account, (dir / "roster.csv").string()});
    INFO(imported.out << imported.err);
    REQUIRE(imported.exit_code == 0);
    ana = query(
        "SELECT c.id FROM creators c JOIN users u ON u.id = c.user_id "
        "WHERE u.email = 'ana@creators.test'");
    ben = query(
        "SELECT c.id FROM creators c JOIN users u ON u.id = c.user_id "
        "WHERE u.email = 'ben@creators.test'");
    auto insert = [&](const std::string& id, const std::string& creator,
                      const std::string& provider, const std::string& status,
                      const std::string& due) {
      exec(
          "INSERT INTO connections (id, account_id, creator_id, provider, status, "
          "status_changed_at, external_id, connected_at, reauth_due_at) VALUES ('" +
          id + "', '" + account + "', '" + creator + "', '" + provider + "', '" + status +
          "', '2026-01-01T00:00:00Z', 'x-" + id + "', '2026-01-01T00:00:00Z', " + due + ")");
    };
    insert("con_a1", ana, "tiktok", "expired", "'2026-01-02T00:00:00Z'");
    insert("con_a2", ana, "instagram", "revoked", "NULL");  // not enabled in this config
    insert("con_b1", ben, "tiktok", "connected", "'2099-01-01T00:00:00Z'");
  }
};

}  // namespace

TEST_CASE("rosterctl status prints the account's connections, most urgent first, with counts",
          "[integration][cli][roster-status]") {
  operator_world w;
  const auto table = w.run({"status", "--account", w.account});
  INFO(table.err);
  REQUIRE(table.exit_code == 0);
  CHECK(contains(table.out, "3 connections;"));
  CHECK(contains(table.out, "connected 1"));
  CHECK(contains(table.out, "expired 1"));
  CHECK(contains(table.out, "by provider: instagram 1, tiktok 2"));
  const auto expired_at = table.out.find("Ana Lima");
  const auto connected_at = table.out.find("Ben Ode");
  REQUIRE(expired_at != std::string::npos);
  REQUIRE(connected_at != std::string::npos);
  CHECK(expired_at < connected_at);

  const auto as_json = w.run({"status", "--account", w.account, "--json"});
  REQUIRE(as_json.exit_code == 0);
  const auto body = nlohmann::json::parse(as_json.out);
  CHECK(body["account_id"] == w.account);
  CHECK(body["counts"]["total"] == 3);
  REQUIRE(body["items"].size() == 3);
  CHECK(body["items"][0]["connection_id"] == "con_a1");
  CHECK(body["items"][1]["connection_id"] == "con_a2");
  CHECK(body["items"][2]["connection_id"] == "con_b1");
  CHECK(body["items"][2]["creator_name"] == "Ben Ode");
}

TEST_CASE("rosterctl status refuses an unknown account or a missing --account",
          "[integration][cli][roster-status]") {
  operator_world w;
  const auto unknown = w.run({"status", "--account", "acc_000000000000000000000000"});
  CHECK(unknown.exit_code == 1);
  CHECK(contains(unknown.err, "no account acc_000000000000000000000000"));
  CHECK(w.run({"status"}).exit_code == 2);
}

TEST_CASE("rosterctl link prints a fresh link covering the creator's platforms needing attention",
          "[integration][cli][roster-status]") {
  operator_world w;
  const auto before = w.query("SELECT COUNT(*) FROM reconnect_links");
  const auto by_email = w.run({"link", "ANA@creators.test"});
  INFO(by_email.err);
  REQUIRE(by_email.exit_code == 0);
  CHECK(contains(by_email.out, "reconnect link for Ana Lima <ana@creators.test> (tiktok;"));
  CHECK(contains(by_email.out, "https://roster.example/connect/rdlink_"));
  // Instagram needs her too, but this server has no Instagram app: said, and left off.
  CHECK(contains(by_email.err, "instagram needs attention but is not enabled"));
  CHECK(w.query("SELECT COUNT(*) FROM reconnect_links") == std::to_string(std::stoi(before) + 1));
  CHECK(w.query("SELECT providers FROM reconnect_links WHERE creator_id = '" + w.ana +
                "' ORDER BY created_at DESC LIMIT 1") == "tiktok");
  // Only the hash is stored: the printed token is nowhere in the database file.
  const auto token = by_email.out.substr(by_email.out.find("rdlink_"), 20);
  CHECK(w.query("SELECT COUNT(*) FROM reconnect_links WHERE token_hash LIKE '%" + token + "%'") ==
        "0");

  const auto by_id = w.run({"link", w.ana});
  CHECK(by_id.exit_code == 0);
  CHECK(by_id.out != by_email.out);  // a fresh link each time
}

TEST_CASE("rosterctl link refuses an unknown creator or one with nothing to renew",
          "[integration][cli][roster-status]") {
  operator_world w;
  const auto unknown = w.run({"link", "nobody@creators.test"});
  CHECK(unknown.exit_code == 1);
  CHECK(contains(unknown.err, "no creator nobody@creators.test"));
  const auto healthy = w.run({"link", w.ben});
  CHECK(healthy.exit_code == 1);
  CHECK(contains(healthy.err, "has no platform needing attention"));
  CHECK(w.query("SELECT COUNT(*) FROM reconnect_links") == "0");
  CHECK(w.run({"link"}).exit_code == 2);
}
