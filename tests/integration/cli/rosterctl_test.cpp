// rosterctl as an operator runs it: the built binary, real database files, exit codes.
#include <fstream>

#include <catch2/catch.hpp>

#include "../../unit/store/temp_dir.hpp"
#include "run_process.hpp"
#include "store/connection.hpp"
#include "store/database.hpp"
#include "store/migrations.hpp"

using rosterd::store::testing::temp_dir;
using rosterd::testing::process_result;

namespace {

const std::string rosterctl = ROSTERD_BINARY_DIR "/cli/rosterctl";

process_result run(const temp_dir& dir, std::vector<std::string> args) {
  args.insert(args.begin(), rosterctl);
  return rosterd::testing::run_process(args, dir.path());
}

std::string version_line(int version) {
  const int head = rosterd::store::head_version();
  return "schema version " + std::to_string(version) + " (head " + std::to_string(head) + ")\n";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("migrate --create makes a new database at head and says what it applied",
          "[integration][cli]") {
  temp_dir dir;
  const auto db = (dir / "rosterd.db").string();
  const auto first = run(dir, {"--database", db, "migrate", "--create"});
  CHECK(first.exit_code == 0);
  CHECK(contains(first.out, "applied 0001_instance.sql\n"));
  CHECK(contains(first.out, version_line(rosterd::store::head_version())));
  CHECK(first.err.empty());

  const auto again = run(dir, {"--database", db, "migrate"});
  CHECK(again.exit_code == 0);
  CHECK(again.out == version_line(rosterd::store::head_version()));
}

TEST_CASE("migrate --status prints the version and what is pending without changing the file",
          "[integration][cli]") {
  temp_dir dir;
  const auto db = dir / "empty.db";
  rosterd::store::database::open(db, rosterd::store::open_mode::read_write_create)
      .value()
      .exec("CREATE TABLE unrelated (id INTEGER)")
      .value();
  const auto before = rosterd::store::testing::read_bytes(db);

  const auto status = run(dir, {"--database", db.string(), "migrate", "--status"});
  CHECK(status.exit_code == 0);
  CHECK(contains(status.out, version_line(0)));
  CHECK(contains(status.out, "pending 0001_instance.sql\n"));
  CHECK(rosterd::store::testing::read_bytes(db) == before);
}

TEST_CASE("migrate refuses a database with a newer schema and leaves it alone",
          "[integration][cli]") {
  temp_dir dir;
  const auto db = dir / "newer.db";
  rosterd::store::database::open(db, rosterd::store::open_mode::read_write_create)
      .value()
      .exec(
          "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
          " checksum TEXT NOT NULL, applied_at TEXT NOT NULL);"
          "INSERT INTO schema_migrations VALUES (999, '0999_x.sql', 'x', '2030-01-01T00:00:00Z')")
      .value();
  const auto before = rosterd::store::testing::read_bytes(db);

  const auto result = run(dir, {"--database", db.string(), "migrate"});
  CHECK(result.exit_code == 1);
  CHECK(contains(result.err, "has schema version 999 but this rosterd knows versions up to"));
  CHECK(contains(result.err, "upgrade rosterd or restore a backup"));
  CHECK(result.out.empty());
  CHECK(rosterd::store::testing::read_bytes(db) == before);
}

TEST_CASE("backup writes a verified copy and reports it", "[integration][cli]") {
  temp_dir dir;
  const auto db = (dir / "rosterd.db").string();
  REQUIRE(run(dir, {"--database", db, "migrate", "--create"}).exit_code == 0);
  const auto destination = dir / "copy.db";

  const auto result = run(dir, {"--database", db, "backup", destination.string()});
  CHECK(result.exit_code == 0);
  CHECK(contains(result.out, "backed up " + db + " to " + destination.string() + ": "));
  CHECK(contains(result.out, "schema version " + std::to_string(rosterd::store::head_version())));
  auto copy = rosterd::store::open_reader(destination, std::chrono::seconds(1)).value();
  CHECK(rosterd::store::current_version(copy).value() == rosterd::store::head_version());
}

TEST_CASE("backup into a missing directory fails clearly and writes nothing",
          "[integration][cli]") {
  temp_dir dir;
  const auto db = (dir / "rosterd.db").string();
  REQUIRE(run(dir, {"--database", db, "migrate", "--create"}).exit_code == 0);
  const auto result = run(dir, {"--database", db, "backup", (dir / "nope" / "b.db").string()});
  CHECK(result.exit_code == 1);
  CHECK(contains(result.err, "rosterctl: backup of " + db));
  CHECK(
      contains(result.err, "destination directory " + (dir / "nope").string() + " does not exist"));
  CHECK_FALSE(std::filesystem::exists(dir / "nope"));
}

TEST_CASE("a missing database is a clear error for every command and is not created",
          "[integration][cli]") {
  temp_dir dir;
  const auto db = (dir / "missing.db").string();
  for (const auto& command : std::vector<std::vector<std::string>>{
           {"migrate"}, {"migrate", "--status"}, {"backup", (dir / "b.db").string()}}) {
    auto args = command;
    args.insert(args.begin(), {"--database", db});
    const auto result = run(dir, args);
    INFO(command.front() << " stderr: " << result.err);
    CHECK(result.exit_code == 1);
    CHECK(contains(result.err, "rosterctl: "));
    CHECK(contains(result.err, db));
    CHECK(contains(result.err, "does not exist"));
  }
  CHECK_FALSE(std::filesystem::exists(db));
  CHECK_FALSE(std::filesystem::exists(dir / "b.db"));
}

TEST_CASE("a wrong command line exits with 2 and help exits with 0", "[integration][cli]") {
  temp_dir dir;
  CHECK(run(dir, {}).exit_code == 2);
  CHECK(run(dir, {"backup"}).exit_code == 2);
  CHECK(run(dir, {"frobnicate"}).exit_code == 2);
  CHECK(run(dir, {"migrate", "--bogus"}).exit_code == 2);
  const auto help = run(dir, {"--help"});
  CHECK(help.exit_code == 0);
  CHECK(contains(help.out, "backup"));
  CHECK(contains(help.out, "migrate"));
  CHECK(contains(help.out, "--database"));
}

TEST_CASE("--config finds the database where the daemon's config puts it", "[integration][cli]") {
  temp_dir dir;
  {
    std::ofstream cfg(dir / "rosterd.toml");
    cfg << "[store]\npath = \"state/rosterd.db\"\n";
  }
  const auto config = (dir / "rosterd.toml").string();
  const auto migrated = run(dir, {"--config", config, "migrate", "--create"});
  CHECK(migrated.exit_code == 0);
  CHECK(std::filesystem::exists(dir / "state" / "rosterd.db"));
  const auto backed_up = run(dir, {"--config", config, "backup", (dir / "copy.db").string()});
  CHECK(backed_up.exit_code == 0);
  CHECK(std::filesystem::exists(dir / "copy.db"));
}

TEST_CASE("an invalid --config is reported with the offending key and nothing is touched",
          "[integration][cli]") {
  temp_dir dir;
  {
    std::ofstream cfg(dir / "rosterd.toml");
    cfg << "[store]\npaht = \"x.db\"\n";
  }
  const auto result =
      run(dir, {"--config", (dir / "rosterd.toml").string(), "migrate", "--create"});
  CHECK(result.exit_code == 1);
  CHECK(contains(result.err, "store.paht"));
  CHECK_FALSE(std::filesystem::exists(dir / "x.db"));
}

TEST_CASE("--config and --database together are refused", "[integration][cli]") {
  temp_dir dir;
  const auto result = run(dir, {"--config", "a.toml", "--database", "b.db", "migrate"});
  CHECK(result.exit_code == 2);
}
