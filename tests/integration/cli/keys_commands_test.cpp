// rosterctl keys rotate and keys status as an operator runs them: the built binary, a real
// database with sealed tokens, key files with mode 0600, exit codes and what they print.
#include <fstream>

#include <catch2/catch.hpp>

#include "../../unit/store/temp_dir.hpp"
#include "run_process.hpp"
#include "store/connection.hpp"
#include "store/database.hpp"
#include "vault/keyring.hpp"

using rosterd::store::testing::temp_dir;
using rosterd::testing::process_result;
namespace vault = rosterd::vault;

namespace {

const std::string rosterctl = ROSTERD_BINARY_DIR "/cli/rosterctl";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct keys_world {
  keys_world() {
    REQUIRE(run({"--database", db.string(), "migrate", "--create"}).exit_code == 0);
    write_keys("k1", line1);
    write_keys("k12", line1 + "\n" + line2);
    write_keys("k2", line2);
    write_keys("k1x", line1 + "\n" + std::string(vault::generate_key_file_line(2).reveal()));
    // Twelve connections sealed under version 1, which the daemon recorded when it started.
    auto d = rosterd::store::database::open(db, rosterd::store::open_mode::read_write).value();
    const auto ring1 = vault::keyring::parse(line1, "k1").value();
    std::string sql = "PRAGMA foreign_keys = OFF; BEGIN;";
    for (int i = 0; i < 12; ++i) {
      const auto id = "con_" + std::to_string(i);
      sql +=
          "INSERT INTO connections (id, account_id, creator_id, provider, status, "
          "status_changed_at, external_id, access_token, refresh_token, connected_at) VALUES "
          "('" +
          id + "', 'acc', 'cre', 'p" + id + "', 'connected', 't', 'e', " +
          hex(ring1.seal("A" + id, {"connections", id, "access_token"}).value()) + ", " +
          hex(ring1.seal("R" + id, {"connections", id, "refresh_token"}).value()) + ", 't');";
    }
    sql += "COMMIT;";
    d.exec(sql).value();
    record(1, ring1);
  }

  static std::string hex(const std::vector<std::uint8_t>& bytes) {
    static const char* digits = "0123456789abcdef";
    std::string out = "X'";
    for (auto b : bytes) {
      out += digits[b >> 4];
      out += digits[b & 15];
    }
    return out + "'";
  }

  // What the daemon does when it loads a version (start or SIGHUP): record its check value.
  void record(std::uint32_t version, const vault::keyring& ring) {
    auto d = rosterd::store::database::open(db, rosterd::store::open_mode::read_write).value();
    d.exec("INSERT INTO vault_keys (version, check_value, first_seen_at) VALUES (" +
           std::to_string(version) + ", '" + ring.check_value(version).value() + "', 't')")
        .value();
  }

  void write_keys(const std::string& name, const std::string& text) {
    const auto path = dir / name;
    std::ofstream(path) << text << "\n";
    std::filesystem::permissions(
        path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }

  process_result run(std::vector<std::string> args) const {
    args.insert(args.begin(), rosterctl);
    return rosterd::testing::run_process(args, dir.path());
  }
  process_result keys(const std::string& command, const std::string& key_file,
                      std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"--database", db.string(),  "keys",
                                  command,      "--key-file", (dir / key_file).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }

  temp_dir dir;
  std::filesystem::path db = dir / "rosterd.db";
  std::string line1{vault::generate_key_file_line(1).reveal()};
  std::string line2{vault::generate_key_file_line(2).reveal()};
};

}  // namespace

TEST_CASE("keys rotate moves every token to the new version, then has nothing to do",
          "[integration][cli][vault]") {
  keys_world w;
  w.record(2, vault::keyring::parse(w.line2, "k2").value());  // the daemon was reloaded

  const auto rotated = w.keys("rotate", "k12", {"--batch", "5"});
  INFO(rotated.err);
  CHECK(rotated.exit_code == 0);
  CHECK(contains(rotated.out, "rotating 24 stored values to key version 2 in batches of 5"));
  CHECK(contains(rotated.out, "rewrapped 24, already on version 2: 0"));
  CHECK(contains(rotated.out, "every stored value now uses key version 2"));
  CHECK(contains(rotated.out, "no stored value uses key version 1 any more: delete its line"));

  const auto again = w.keys("rotate", "k12");
  CHECK(again.exit_code == 0);
  CHECK(contains(again.out, "nothing to do: all 24 stored values use key version 2"));

  // Version 1 retired: the file without it opens everything and status says so.
  const auto status = w.keys("status", "k2");
  INFO(status.out << status.err);
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "key version 1: 0 stored values; retired"));
  CHECK(contains(status.out,
                 "key version 2: 24 stored values (connections.access_token 12, "
                 "connections.refresh_token 12); in the key file, seals new values"));
  CHECK(contains(status.out, "rotation: complete"));
}

TEST_CASE("keys status shows what each version holds and which ones can go",
          "[integration][cli][vault]") {
  keys_world w;
  const auto before = w.keys("status", "k12");
  INFO(before.out << before.err);
  CHECK(before.exit_code == 0);
  CHECK(contains(before.out,
                 "key version 1: 24 stored values (connections.access_token 12, "
                 "connections.refresh_token 12); in the key file, still needed"));
  CHECK(contains(before.out,
                 "key version 2: 0 stored values; in the key file, not loaded by the "
                 "daemon yet"));
  CHECK(contains(before.out, "rotation: 24 values still use older versions"));

  // A file without version 1 cannot open what it sealed: status fails and says so.
  const auto missing = w.keys("status", "k2");
  CHECK(missing.exit_code == 1);
  CHECK(contains(missing.out, "key version 1: 24 stored values"));
  CHECK(contains(missing.out, "MISSING from the key file"));
}

TEST_CASE("keys rotate refuses what would leave tokens unreadable, and moves nothing",
          "[integration][cli][vault]") {
  keys_world w;
  SECTION("no newer version in the key file") {
    const auto r = w.keys("rotate", "k1");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "the key file has only version 1"));
    CHECK(contains(r.err, "rosterctl keys generate --version 2"));
  }
  SECTION("a new version the daemon has not loaded yet") {
    const auto r = w.keys("rotate", "k12");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "key version 2 is not loaded by the daemon yet"));
    CHECK(contains(r.err, "systemctl reload rosterd"));
  }
  SECTION("a version 2 other than the one the daemon recorded") {
    w.record(2, vault::keyring::parse(w.line2, "k2").value());
    const auto r = w.keys("rotate", "k1x");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err, "vault key version 2 is not the key this database was sealed with"));
  }
  SECTION("a key file without the version the tokens use") {
    w.write_keys("k23", w.line2 + "\n" + std::string(vault::generate_key_file_line(3).reveal()));
    const auto r = w.keys("rotate", "k23");
    CHECK(r.exit_code == 1);
    CHECK(contains(r.err,
                   "vault key version 1 still seals 24 stored values, but the key file "
                   "does not have it"));
  }
  auto d = rosterd::store::open_reader(w.db, std::chrono::seconds(1)).value();
  auto st = d.prepare(
                 "SELECT COUNT(*) FROM connections WHERE substr(access_token, 2, 4) = "
                 "X'00000001' AND substr(refresh_token, 2, 4) = X'00000001'")
                .value();
  REQUIRE(st.step().value());
  CHECK(st.column_int64(0) == 12);
}

TEST_CASE("keys rotate --offline records the new version itself when the daemon is stopped",
          "[integration][cli][vault]") {
  keys_world w;
  const auto r = w.keys("rotate", "k12", {"--offline"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "rewrapped 24"));
  const auto status = w.keys("status", "k12");
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, "key version 1: 0 stored values; in the key file, can be removed"));
}
