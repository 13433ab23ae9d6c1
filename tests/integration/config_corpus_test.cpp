// Every file in tests/data/bad_configs must stop rosterd before READY with a message naming the
// offending key; its first line says which ("# expect: <text>").

#include <catch2/catch.hpp>

#include "tests/support/notify_socket.hpp"
#include "tests/support/process.hpp"

using namespace rosterd::testing;
using namespace std::chrono_literals;

namespace {

std::string expectation(const std::filesystem::path& file) {
  const auto text = read_file(file);
  const std::string marker = "# expect: ";
  REQUIRE(text.rfind(marker, 0) == 0);
  return text.substr(marker.size(), text.find('\n') - marker.size());
}

}  // namespace

TEST_CASE("each bad config exits 78 before READY with a message naming the key",
          "[config][integration]") {
  const auto corpus = source_dir() / "tests" / "data" / "bad_configs";
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(corpus)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 20);
  for (const auto& file : files) {
    const auto expected = expectation(file);
    DYNAMIC_SECTION(file.filename().string()) {
      temp_directory dir;
      notify_socket notify(dir.path() / "notify.sock");
      child_process daemon(rosterd_binary(), {"--config", file.string()},
                           {{"NOTIFY_SOCKET", notify.path()}, {"CREDENTIALS_DIRECTORY", ""}},
                           dir.path() / "out");
      const auto code = daemon.wait(20s);
      REQUIRE(code);
      CHECK(*code == 78);
      CHECK_FALSE(notify.wait_for("READY=1", 50ms));
      const auto output = daemon.output();
      INFO(output);
      CHECK(output.find(expected) != std::string::npos);
      CHECK(output.find(file.filename().string() + ":") != std::string::npos);

      const auto check = run_to_end(rosterd_binary(), {"--check-config", "--config", file.string()},
                                    {{"CREDENTIALS_DIRECTORY", ""}});
      CHECK(check.exit_code == 78);
      CHECK(check.output.find(expected) != std::string::npos);
    }
  }
}

TEST_CASE("a missing config file is reported with its path", "[config][integration]") {
  const auto result = run_to_end(rosterd_binary(), {"--config", "/nonexistent/rosterd.toml"});
  CHECK(result.exit_code == 78);
  CHECK(result.output.find("/nonexistent/rosterd.toml") != std::string::npos);
}

TEST_CASE("--check-config accepts the shipped example and development configs",
          "[config][integration]") {
  for (const char* name : {"rosterd.toml", "rosterd.dev.toml"}) {
    const auto path = source_dir() / "config" / name;
    const auto result = run_to_end(rosterd_binary(), {"--check-config", "--config", path.string()});
    INFO(result.output);
    CHECK(result.exit_code == 0);
  }
}

TEST_CASE("--print-config shows defaults and secrets only by reference", "[config][integration]") {
  temp_directory dir;
  const std::string canary = "CANARY-PRIVATE-KEY-5f1e";
  write_file(dir.path() / "tls.key", canary);
  write_file(dir.path() / "tls.crt", "not read by --print-config");
  write_file(dir.path() / "rosterd.toml",
             "[server]\nidle_timeout = \"90s\"\n[server.tls]\nenabled = true\n"
             "cert_file = \"tls.crt\"\nkey_file = \"tls.key\"\n");
  const auto result = run_to_end(
      rosterd_binary(), {"--print-config", "--config", (dir.path() / "rosterd.toml").string()});
  INFO(result.output);
  CHECK(result.exit_code == 0);
  CHECK(result.output.find("idle_timeout = '90s'") != std::string::npos);
  CHECK(result.output.find("header_timeout = '10s'") != std::string::npos);
  CHECK(result.output.find("key_file = 'tls.key'") != std::string::npos);
  CHECK(result.output.find(canary) == std::string::npos);
}

TEST_CASE("a secret named as a systemd credential is read from $CREDENTIALS_DIRECTORY",
          "[config][integration]") {
  temp_directory dir;
  write_file(dir.path() / "creds" / "tls.key", "x");
  write_file(dir.path() / "rosterd.toml",
             "[server.tls]\nenabled = true\ncert_file = \"/nonexistent.pem\"\n"
             "key_file = \"credential:tls.key\"\n");
  const auto result = run_to_end(
      rosterd_binary(), {"--check-config", "--config", (dir.path() / "rosterd.toml").string()},
      {{"CREDENTIALS_DIRECTORY", (dir.path() / "creds").string()}});
  // The credential resolves; only the missing certificate is reported.
  CHECK(result.exit_code == 78);
  CHECK(result.output.find("server.tls.cert_file") != std::string::npos);
  CHECK(result.output.find("server.tls.key_file") == std::string::npos);
}
