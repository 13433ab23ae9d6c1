// The daemon as systemd runs it: readiness, reload, graceful stop, watchdog, socket activation
// and refusing a database it does not understand.

#include <memory>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <sqlite3.h>

#include "store/migrations.hpp"
#include "tests/support/daemon_harness.hpp"
#include "tests/support/http_client.hpp"

using namespace rosterd::testing;
using namespace std::chrono_literals;

namespace {

void exec_sql(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  sqlite3_busy_timeout(handle, 10'000);  // the daemon may be writing: wait, as it would
  char* error = nullptr;
  const int rc = sqlite3_exec(handle, sql.c_str(), nullptr, nullptr, &error);
  INFO((error != nullptr ? error : ""));
  sqlite3_free(error);
  sqlite3_close(handle);
  REQUIRE(rc == SQLITE_OK);
}

/// The first column of the first row, or -1 when there is no row.
std::int64_t query_int(const std::filesystem::path& db, const std::string& sql) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open(db.c_str(), &handle) == SQLITE_OK);
  sqlite3_busy_timeout(handle, 10'000);
  sqlite3_stmt* statement = nullptr;
  const int rc = sqlite3_prepare_v2(handle, sql.c_str(), -1, &statement, nullptr);
  std::int64_t value = -1;
  if (rc == SQLITE_OK && sqlite3_step(statement) == SQLITE_ROW) {
    value = sqlite3_column_int64(statement, 0);
  }
  sqlite3_finalize(statement);
  sqlite3_close(handle);
  REQUIRE(rc == SQLITE_OK);
  return value;
}

}  // namespace

TEST_CASE("READY=1 is sent only when the store is migrated and /readyz answers 200",
          "[daemon][integration]") {
  daemon_harness d(test_config());
  REQUIRE(d.wait_ready());
  // The first request after READY must already succeed: no window where we claim readiness
  // while the listener or store is not there.
  const auto ready = http_request(d.port(), "GET", "/readyz");
  CHECK(ready.status == 200);
  CHECK(ready.body.find("\"schema_version\":" + std::to_string(rosterd::store::head_version())) !=
        std::string::npos);
  // The startup status lines came before READY, in order.
  const auto& history = d.notify().history();
  REQUIRE_FALSE(history.empty());
  CHECK(history.front().find("STATUS=Opening store") != std::string::npos);
  CHECK(history.back().find("READY=1") != std::string::npos);
  CHECK(http_request(d.port(), "GET", "/healthz").status == 200);
  CHECK(d.stop() == 0);
}

TEST_CASE("SIGHUP sends RELOADING=1 with MONOTONIC_USEC, applies the log level, then READY=1",
          "[daemon][integration]") {
  daemon_harness d(test_config());
  REQUIRE(d.wait_ready());
  // Change a reloadable key (log level) and one that needs a restart (listen).
  write_file(d.dir() / "rosterd.toml",
             "[server]\nlisten = [\"127.0.0.1:1\"]\nworkers = 2\n[store]\npath = "
             "\"state/rosterd.db\"\n[log]\nlevel = \"warn\"\n");
  d.process().signal(SIGHUP);
  auto reloading = d.notify().wait_for("RELOADING=1", 5s);
  REQUIRE(reloading);
  CHECK_FALSE(notify_field(*reloading, "MONOTONIC_USEC").empty());
  REQUIRE(d.notify().wait_for("READY=1", 5s));
  CHECK(http_request(d.port(), "GET", "/healthz").status == 200);
  const auto log = read_file(d.dir() / "rosterd.log");
  CHECK(log.find("config_change_needs_restart key=server.listen") != std::string::npos);
  CHECK(log.find("config_reloaded log_level=warn") != std::string::npos);
  CHECK(d.stop() == 0);
}

TEST_CASE("a reload with an invalid config keeps serving with the previous one",
          "[daemon][integration]") {
  daemon_harness d(test_config());
  REQUIRE(d.wait_ready());
  write_file(d.dir() / "rosterd.toml", "[server]\nworkers = \"many\"\n");
  d.process().signal(SIGHUP);
  REQUIRE(d.notify().wait_for("RELOADING=1", 5s));
  auto ready = d.notify().wait_for("READY=1", 5s);
  REQUIRE(ready);
  CHECK(notify_field(*ready, "STATUS").find("last reload failed") != std::string::npos);
  CHECK(http_request(d.port(), "GET", "/healthz").status == 200);
  const auto log = read_file(d.dir() / "rosterd.log");
  CHECK(log.find("config_reload_failed") != std::string::npos);
  CHECK(log.find("server.workers") != std::string::npos);
  CHECK(d.stop() == 0);
}

TEST_CASE("SIGTERM sends STOPPING=1, lets a slow request in flight finish, and exits 0",
          "[daemon][integration]") {
  daemon_harness d(test_config());
  REQUIRE(d.wait_ready());
  // A request whose body is still arriving when the signal comes.
  raw_connection slow(d.port());
  REQUIRE(slow.send("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12345"));
  raw_connection idle(d.port());  // a keep-alive connection with nothing to do
  std::this_thread::sleep_for(200ms);

  const auto signalled = std::chrono::steady_clock::now();
  d.process().signal(SIGTERM);
  REQUIRE(d.notify().wait_for("STOPPING=1", 5s));
  // The idle connection is closed at once; the in-flight one is not.
  CHECK(idle.read_until_close(3s).closed);
  std::this_thread::sleep_for(500ms);
  REQUIRE(slow.send("67890"));
  const auto answer = slow.read_until_close(5s);
  CHECK(status_of(answer.data) == 200);
  CHECK(answer.data.find("Connection: close") != std::string::npos);

  const auto code = d.process().wait(5s);
  REQUIRE(code);
  CHECK(*code == 0);
  CHECK(std::chrono::steady_clock::now() - signalled < 5s);
}

TEST_CASE("a drain that outlasts shutdown_grace closes the stragglers and still exits 0",
          "[daemon][integration]") {
  daemon_harness d(test_config("shutdown_grace = \"500ms\"\n"));
  REQUIRE(d.wait_ready());
  raw_connection stuck(d.port());
  REQUIRE(stuck.send("GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n1"));
  std::this_thread::sleep_for(200ms);
  d.process().signal(SIGTERM);
  CHECK(stuck.read_until_close(5s).closed);
  CHECK(d.process().wait(5s) == 0);
  CHECK(read_file(d.dir() / "rosterd.log").find("http_drain_deadline_reached") !=
        std::string::npos);
}

TEST_CASE("a stop while password checks are still queued exits 0 and touches no freed memory",
          "[daemon][integration]") {
  // Costly hashes on one hashing thread: the queue outlasts the drain and its hard deadline,
  // so the event loop stops with checks still queued. Their completions must not reach the
  // event loop once it is gone (under ASan, a use after free aborts with a report).
  daemon_harness d(test_config("shutdown_grace = \"200ms\"\n", "\n[passwords]\niterations = 24\n"));
  REQUIRE(d.wait_ready());
  std::vector<std::unique_ptr<raw_connection>> logins;
  for (int i = 0; i < 12; ++i) {
    const auto body = "{\"email\":\"nobody" + std::to_string(i) +
                      "@nowhere.test\",\"password\":\"not the password\"}";
    auto c = std::make_unique<raw_connection>(d.port());
    REQUIRE(
        c->send("POST /v1/session HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                "Content-Length: " +
                std::to_string(body.size()) + "\r\n\r\n" + body));
    logins.push_back(std::move(c));
  }
  std::this_thread::sleep_for(300ms);
  d.process().signal(SIGTERM);
  const auto code = d.process().wait(60s);
  REQUIRE(code);
  CHECK(*code == 0);
  const auto log = read_file(d.dir() / "rosterd.log");
  const auto report = log.find("AddressSanitizer");
  INFO((report == std::string::npos ? std::string() : log.substr(report, 4000)));
  CHECK(report == std::string::npos);
  CHECK(log.find("http_drain_deadline_reached") != std::string::npos);  // checks were queued
  CHECK(log.find("stopped") != std::string::npos);
}

TEST_CASE("the watchdog is fed from the event loop at half WATCHDOG_USEC",
          "[daemon][integration]") {
  daemon_harness d(test_config(), {{"WATCHDOG_USEC", "400000"}});
  REQUIRE(d.wait_ready());
  d.notify().drain(1100ms);
  int pings = 0;
  for (const auto& m : d.notify().history()) {
    pings += m.find("WATCHDOG=1") != std::string::npos ? 1 : 0;
  }
  // About one ping per 200 ms: at least 4 in 1.1 s after READY (plus the one at start).
  CHECK(pings >= 4);
  CHECK(d.stop() == 0);
}

TEST_CASE("socket activation: the daemon serves on the listening socket systemd passes",
          "[daemon][integration]") {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(listener, 16) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  const auto port = ntohs(addr.sin_port);

  temp_directory dir;
  write_file(dir.path() / "rosterd.toml",
             test_config() /* its listen address must be ignored in favour of fd 3 */);
  notify_socket notify(dir.path() / "notify.sock");
  // LISTEN_PID must be the daemon's own pid, so a shell sets it and execs.
  child_process child("/bin/sh",
                      {"-c", "LISTEN_PID=$$ LISTEN_FDS=1 exec \"$0\" --config \"$1\"",
                       rosterd_binary().string(), (dir.path() / "rosterd.toml").string()},
                      {{"NOTIFY_SOCKET", notify.path()}}, dir.path() / "rosterd.log", listener);
  ::close(listener);
  auto ready = notify.wait_for("READY=1", 20s);
  REQUIRE(ready);
  CHECK(notify_field(*ready, "STATUS").find(":" + std::to_string(port)) != std::string::npos);
  CHECK(http_request(port, "GET", "/healthz").status == 200);
  child.signal(SIGTERM);
  CHECK(child.wait(5s) == 0);
}

TEST_CASE("a database from a newer rosterd is refused and left byte-for-byte untouched",
          "[daemon][integration][store]") {
  temp_directory keep;
  std::filesystem::path db;
  {
    daemon_harness first(test_config());
    REQUIRE(first.wait_ready());
    REQUIRE(first.stop() == 0);
    db = keep.path() / "rosterd.db";
    std::filesystem::copy_file(first.database(), db);
  }
  exec_sql(db,
           "INSERT INTO schema_migrations(version, name, checksum, applied_at) "
           "VALUES (999, '0999_future.sql', 'x', '2030-01-01T00:00:00Z');");
  const auto before = read_file(db);

  write_file(keep.path() / "future.toml",
             "[server]\nlisten = [\"127.0.0.1:0\"]\n[store]\npath = \"rosterd.db\"\n");
  notify_socket notify(keep.path() / "notify.sock");
  child_process child(rosterd_binary(), {"--config", (keep.path() / "future.toml").string()},
                      {{"NOTIFY_SOCKET", notify.path()}}, keep.path() / "rosterd.log");
  const auto code = child.wait(20s);
  REQUIRE(code);
  CHECK(*code != 0);
  CHECK_FALSE(notify.wait_for("READY=1", 100ms));
  const auto output = child.output();
  CHECK(output.find("999") != std::string::npos);
  CHECK(output.find("upgrade rosterd") != std::string::npos);
  CHECK(read_file(db) == before);
}

TEST_CASE("when stderr is the journal, lines carry a priority prefix and no timestamp",
          "[daemon][integration]") {
  temp_directory dir;
  write_file(dir.path() / "rosterd.toml", test_config());
  const auto log = dir.path() / "rosterd.log";
  write_file(log, "");
  struct stat st {};
  REQUIRE(::stat(log.c_str(), &st) == 0);
  notify_socket notify(dir.path() / "notify.sock");
  // The child's stderr is this very file (opened with O_TRUNC keeps the inode).
  child_process child(
      rosterd_binary(), {"--config", (dir.path() / "rosterd.toml").string()},
      {{"NOTIFY_SOCKET", notify.path()},
       {"JOURNAL_STREAM", std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)}},
      log);
  REQUIRE(notify.wait_for("READY=1", 20s));
  child.signal(SIGTERM);
  REQUIRE(child.wait(5s) == 0);
  const auto output = read_file(log);
  CHECK(output.rfind("<6>main: starting version=", 0) == 0);
  CHECK(output.find("\n<6>main: stopped") != std::string::npos);
  CHECK(output.find("Z info") == std::string::npos);
}

TEST_CASE("a wrong or missing vault key stops the daemon before READY and writes nothing",
          "[daemon][integration][vault]") {
  const auto key_line = [](const char* fill) {
    return std::string("1 ") + std::string(43, fill[0]) + "=\n";  // 32 bytes of base64
  };
  daemon_harness d(test_config(), daemon_harness::not_started);
  const auto key_file = d.dir() / "vault.key";
  const auto with_key = test_config({}, "[vault]\nkey_file = \"" + key_file.string() + "\"\n");
  write_file(key_file, key_line("Q"));
  std::filesystem::permissions(
      key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  d.write_config(with_key);
  d.start();
  REQUIRE(d.wait_ready());
  REQUIRE(d.stop() == 0);
  const auto recorded = read_file(d.database());

  // Another key under the same version: refused, nothing written.
  write_file(key_file, key_line("g"));
  d.start();
  CHECK(d.process().wait(20s) == 78);
  CHECK_FALSE(d.notify().wait_for("READY=1", 100ms));
  CHECK(d.process().output().find("vault key version 1") != std::string::npos);
  CHECK(read_file(d.database()) == recorded);

  // Stored ciphertext and no key configured: refused too.
  exec_sql(d.database(),
           "PRAGMA foreign_keys = OFF; INSERT INTO connections (id, account_id, creator_id, "
           "provider, status, status_changed_at, external_id, access_token, connected_at) "
           "VALUES ('con_x', 'acc_x', 'cre_x', 'tiktok', 'connected', 't', 'e', "
           "X'0100000001" +
               std::string(80, '0') + "', 't');");  // a v1 header, 45 bytes
  d.write_config(test_config());
  d.start();
  CHECK(d.process().wait(20s) == 78);
  CHECK_FALSE(d.notify().wait_for("READY=1", 100ms));
  CHECK(d.process().output().find("key_file is not set") != std::string::npos);
}

TEST_CASE("SIGHUP loads a key file's new version, and refuses one that drops a version in use",
          "[daemon][integration][vault]") {
  const auto key_line = [](int version, char fill) {
    return std::to_string(version) + " " + std::string(43, fill) + "=\n";  // 32 bytes of base64
  };
  daemon_harness d(test_config(), daemon_harness::not_started);
  const auto key_file = d.dir() / "vault.key";
  write_file(key_file, key_line(1, 'Q'));
  std::filesystem::permissions(
      key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  d.write_config(test_config({}, "[vault]\nkey_file = \"" + key_file.string() + "\"\n"));
  d.start();
  REQUIRE(d.wait_ready());
  // A token under version 1 (the check reads only the header).
  exec_sql(d.database(),
           "PRAGMA foreign_keys = OFF; INSERT INTO connections (id, account_id, creator_id, "
           "provider, status, status_changed_at, external_id, access_token, connected_at) "
           "VALUES ('con_x', 'acc_x', 'cre_x', 'tiktok', 'connected', 't', 'e', "
           "X'0100000001" +
               std::string(80, '0') + "', 't');");

  // A new line: accepted, recorded, and version 2 seals from now on.
  write_file(key_file, key_line(1, 'Q') + key_line(2, 'g'));
  d.process().signal(SIGHUP);
  REQUIRE(d.notify().wait_for("RELOADING=1", 5s));
  auto ready = d.notify().wait_for("READY=1", 5s);
  REQUIRE(ready);
  CHECK(notify_field(*ready, "STATUS").find("failed") == std::string::npos);
  CHECK(d.process().output().find("vault_reloaded versions=1,2 sealing_version=2") !=
        std::string::npos);
  CHECK(query_int(d.database(), "SELECT COUNT(*) FROM vault_keys WHERE version = 2") == 1);

  // Version 1 removed while a token still uses it: refused, the old keyring kept, still serving.
  write_file(key_file, key_line(2, 'g'));
  d.process().signal(SIGHUP);
  REQUIRE(d.notify().wait_for("RELOADING=1", 5s));
  ready = d.notify().wait_for("READY=1", 5s);
  REQUIRE(ready);
  CHECK(notify_field(*ready, "STATUS").find("last key reload failed") != std::string::npos);
  CHECK(http_request(d.port(), "GET", "/healthz").status == 200);
  CHECK(d.stop() == 0);
  const auto output = d.process().output();
  CHECK(output.find("vault_reload_failed keeping=previous") != std::string::npos);
  CHECK(output.find("vault key version 1 still seals 1 stored value,") != std::string::npos);
  CHECK(output.find(std::string(43, 'g')) == std::string::npos);  // no key material logged
}
