// Key files, systemd credentials, key-check values and key generation.

#include <cctype>
#include <filesystem>
#include <optional>
#include <string>
#include <sys/resource.h>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/support/process.hpp"
#include "tests/unit/vault/vault_testing.hpp"
#include "vault/keyring.hpp"

using rosterd::testing::temp_directory;
using rosterd::testing::write_file;
using rosterd::vault::binding;
using rosterd::vault::generate_key_file_line;
using rosterd::vault::keyring;
using rosterd::vault::testing::failure_code;
using rosterd::vault::testing::failure_detail;
using rosterd::vault::testing::key_file_text;
using rosterd::vault::testing::ring_with;
using rosterd::vault::testing::scoped_credentials_directory;
namespace fs = std::filesystem;

namespace {

// Keys used in these tests (each 32 bytes, valid): bytes 0..31, and bytes 32..63.
constexpr const char* key_a = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr const char* key_b = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

fs::path write_key_file(const temp_directory& dir, const std::string& name, const std::string& text,
                        fs::perms mode = fs::perms::owner_read | fs::perms::owner_write) {
  const fs::path path = dir / name;
  write_file(path, text);
  fs::permissions(path, mode, fs::perm_options::replace);
  return path;
}

}  // namespace

TEST_CASE("a key file with comments, blank lines, tabs and CRLF line ends loads", "[vault]") {
  const std::string text = std::string("# rosterd vault keys\n\n") + "1 " + key_a +
                           "\r\n"
                           "   # indented comment\n"
                           "5\t" +
                           key_b + "   # added later\n\n";
  const auto ring = keyring::parse(text, "keys.txt");
  REQUIRE(ring);
  CHECK(ring->versions() == std::vector<std::uint32_t>{1, 5});
  CHECK(ring->current_version() == 5);
  CHECK(ring->has_version(1));
  CHECK_FALSE(ring->has_version(2));
}

TEST_CASE("the highest version is current whatever the line order", "[vault]") {
  const auto ring = keyring::parse(std::string("9 ") + key_b + "\n3 " + key_a, "keys");
  REQUIRE(ring);
  CHECK(ring->current_version() == 9);
  CHECK(ring->versions() == std::vector<std::uint32_t>{3, 9});
}

TEST_CASE("a key file with mode 0600 or 0400 loads from disk", "[vault]") {
  const scoped_credentials_directory no_credentials(std::nullopt);
  temp_directory dir;
  const auto rw = write_key_file(dir, "rw.keys", key_file_text({1, 2}));
  const auto ro = write_key_file(dir, "ro.keys", key_file_text({3}), fs::perms::owner_read);
  const auto a = keyring::load_file(rw);
  REQUIRE(a);
  CHECK(a->current_version() == 2);
  const auto b = keyring::load_file(ro);
  REQUIRE(b);
  CHECK(b->current_version() == 3);
}

TEST_CASE("a missing key file is refused and named", "[vault]") {
  temp_directory dir;
  const auto r = keyring::load_file(dir / "nope.keys");
  CHECK(failure_code(r) == "key_file_missing");
  CHECK(failure_detail(r) == "key file " + (dir / "nope.keys").string() + " does not exist");
}

TEST_CASE("a key file readable by group or others is refused with a chmod 600 hint", "[vault]") {
  const scoped_credentials_directory no_credentials(std::nullopt);
  temp_directory dir;
  using p = fs::perms;
  for (const auto& [mode, shown] : std::vector<std::pair<p, std::string>>{
           {p::owner_read | p::owner_write | p::group_read | p::others_read, "0644"},
           {p::owner_read | p::group_read, "0440"},
           {p::owner_read | p::owner_write | p::others_write, "0602"}}) {
    const auto path = write_key_file(dir, "keys-" + shown, key_file_text({1}), mode);
    const auto r = keyring::load_file(path);
    INFO(failure_detail(r));
    CHECK(failure_code(r) == "key_file_unsafe");
    CHECK(failure_detail(r).find(path.string()) != std::string::npos);
    CHECK(failure_detail(r).find("mode " + shown) != std::string::npos);
    CHECK(failure_detail(r).find("chmod 600 " + path.string()) != std::string::npos);
  }
}

TEST_CASE("a key file in $CREDENTIALS_DIRECTORY may have group bits (systemd manages it)",
          "[vault]") {
  temp_directory dir;
  const auto path = write_key_file(dir, "vault-key", key_file_text({4}),
                                   fs::perms::owner_read | fs::perms::group_read);
  // With a trailing slash, as a hand-written environment might have it.
  const scoped_credentials_directory credentials(dir.path().string() + "/");
  const auto r = keyring::load_file(path);
  REQUIRE(r);
  CHECK(r->current_version() == 4);
  const auto by_name = keyring::load_credential("vault-key");
  REQUIRE(by_name);
  CHECK(by_name->current_version() == 4);
}

TEST_CASE("a directory given as the key file is refused as unreadable", "[vault]") {
  temp_directory dir;
  const auto r = keyring::load_file(dir.path());
  CHECK(failure_code(r) == "key_file_unreadable");
  CHECK(failure_detail(r).find("not a regular file") != std::string::npos);
}

TEST_CASE("an oversized key file is refused before it is read", "[vault]") {
  temp_directory dir;
  const auto path = write_key_file(dir, "huge.keys", std::string(70 * 1024, '#'));
  const auto r = keyring::load_file(path);
  CHECK(failure_code(r) == "key_file_invalid");
  CHECK(failure_detail(r).find("at most 65536 bytes") != std::string::npos);
}

TEST_CASE("an empty key file, or one with only comments, has no keys", "[vault]") {
  temp_directory dir;
  const auto empty = keyring::load_file(write_key_file(dir, "empty.keys", ""));
  CHECK(failure_code(empty) == "no_keys");
  CHECK(failure_detail(empty).find("empty.keys: no keys") != std::string::npos);
  CHECK(failure_detail(empty).find("openssl rand -base64 32") != std::string::npos);
  CHECK(failure_code(keyring::parse("# nothing\n\n   \n\t# here\n", "k")) == "no_keys");
}

TEST_CASE("bad key lines are refused with the file and line, and every bad line is reported",
          "[vault]") {
  struct bad_line {
    std::string line;
    std::string expected;
  };
  const std::string key_16 = "AAECAwQFBgcICQoLDA0ODw==";  // 16 bytes
  const std::string key_48 =
      "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v";  // 48
  const std::string not_canonical = std::string(key_a).substr(0, 42) + "9=";
  const std::vector<bad_line> cases = {
      {"1 " + std::string(key_a).substr(0, 43) + "!", "is not valid base64"},
      {"1 " + std::string(key_a).substr(0, 43), "is not valid base64"},
      {"1 " + not_canonical, "is not valid base64"},
      {"1 " + key_16, "is 16 bytes; an AES-256 key is 32 bytes"},
      {"1 " + key_48, "is 48 bytes"},
      {std::string(key_a), "expected 2 fields, found 1"},
      {std::string("1 ") + key_a + " extra", "expected 2 fields, found 3"},
      {std::string("0 ") + key_a, "is not a key version"},
      {std::string("4294967296 ") + key_a, "is not a key version"},
      {std::string("v1 ") + key_a, "is not a key version"},
      {std::string(key_a) + " 1", "is not a key version"},
      {"1 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "all zero bytes"},
  };
  for (const auto& c : cases) {
    const std::string text = "# keys\n2 " + std::string(key_b) + "\n" + c.line + "\n";
    const auto r = keyring::parse(text, "/etc/rosterd/vault.keys");
    INFO(failure_detail(r));
    CHECK(failure_code(r) == "key_file_invalid");
    CHECK(failure_detail(r).rfind("/etc/rosterd/vault.keys:3: ", 0) == 0);
    CHECK(failure_detail(r).find(c.expected) != std::string::npos);
  }

  SECTION("several bad lines are all reported, in line order") {
    const std::string text =
        std::string("1 short\n") + "2 " + key_a + "\n" + "2 " + key_b + "\n" + "3 " + key_a + "\n";
    const auto r = keyring::parse(text, "k");
    CHECK(failure_code(r) == "key_file_invalid");
    CHECK(failure_detail(r) ==
          "k:1: the key of version 1 is not valid base64 (expected 44 characters of standard "
          "base64 with '=' padding)\n"
          "k:3: key version 2 is already defined on line 2; each version appears once\n"
          "k:4: key version 3 has the same key as version 2 (line 2); a new version needs a "
          "newly generated key");
  }
}

TEST_CASE("a key version defined twice is refused", "[vault]") {
  const auto r =
      keyring::parse(std::string("7 ") + key_a + "\n# again\n7 " + key_b + "\n", "keys.txt");
  CHECK(failure_code(r) == "key_file_invalid");
  CHECK(failure_detail(r) ==
        "keys.txt:3: key version 7 is already defined on line 1; each version appears once");
}

TEST_CASE("no key material appears in any key file error detail", "[vault]") {
  // Every way a line holding a key can be wrong: the key, or any 12-character piece of it, must
  // not be in the detail. Same for a key file on disk.
  const std::string key = std::string(generate_key_file_line(1).reveal()).substr(2);
  const std::vector<std::string> texts = {
      key + "\n",
      key + " 1\n",
      "1 " + key + " trailing\n",
      "1 " + key + "\n1 " + key + "\n",
      "1 " + key + "\n2 " + key + "\n",
      "1 " + key.substr(0, 43) + "*\n",
      "1 " + key.substr(0, 40) + "\n",
      "1 " + key + key + "\n",
      "0 " + key + "\n",
      "one " + key + "\n",
  };
  std::vector<std::string> details;
  for (const auto& text : texts) {
    const auto r = keyring::parse(text, "vault.keys");
    REQUIRE_FALSE(r);
    details.push_back(failure_detail(r));
  }
  temp_directory dir;
  details.push_back(failure_detail(keyring::load_file(
      write_key_file(dir, "open.keys", "1 " + key + "\n",
                     fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read))));
  for (const auto& detail : details) {
    INFO(detail);
    for (std::size_t i = 0; i + 12 <= key.size(); ++i) {
      CHECK(detail.find(key.substr(i, 12)) == std::string::npos);
    }
  }
}

TEST_CASE("credential_path resolves a name in $CREDENTIALS_DIRECTORY", "[vault]") {
  temp_directory dir;
  write_key_file(dir, "vault-key", key_file_text({1}));

  SECTION("found") {
    const scoped_credentials_directory credentials(dir.path().string());
    const auto path = rosterd::vault::credential_path("vault-key");
    REQUIRE(path);
    CHECK(*path == dir / "vault-key");
  }
  SECTION("the variable is unset or empty") {
    for (const auto& value : {std::optional<std::string>(), std::optional<std::string>("")}) {
      const scoped_credentials_directory credentials(value);
      const auto path = rosterd::vault::credential_path("vault-key");
      CHECK(failure_code(path) == "key_file_missing");
      CHECK(failure_detail(path).find("needs $CREDENTIALS_DIRECTORY") != std::string::npos);
      CHECK(failure_detail(path).find("LoadCredentialEncrypted=vault-key:") != std::string::npos);
      CHECK(failure_code(keyring::load_credential("vault-key")) == "key_file_missing");
    }
  }
  SECTION("the credential file is missing") {
    const scoped_credentials_directory credentials(dir.path().string());
    const auto path = rosterd::vault::credential_path("other-key");
    CHECK(failure_code(path) == "key_file_missing");
    CHECK(failure_detail(path).find((dir / "other-key").string() + " does not exist") !=
          std::string::npos);
  }
  SECTION("a name that is not a plain file name") {
    const scoped_credentials_directory credentials(dir.path().string());
    for (const char* name : {"", ".", "..", "../vault-key", "a/b"}) {
      INFO(name);
      const auto path = rosterd::vault::credential_path(name);
      CHECK(failure_code(path) == "key_file_missing");
      CHECK(failure_detail(path).find("is not a credential name") != std::string::npos);
    }
  }
}

TEST_CASE("the key check value is HMAC-SHA256 of a fixed label, in lower-case hex", "[vault]") {
  // Pinned: databases store this value, so its definition must never drift.
  // python3: hmac.new(bytes(range(32)), b"rosterd vault key check v1", sha256).hexdigest()
  const auto ring = keyring::parse(std::string("1 ") + key_a + "\n", "k").value();
  CHECK(ring.check_value(1).value() ==
        "6a053e92acf7fad1cbe3339fa325b025f01062a98b617657966c21fb430d3a9c");
}

TEST_CASE("check values differ per key and verify only the key they came from", "[vault]") {
  const auto ring = keyring::parse(std::string("1 ") + key_a + "\n2 " + key_b + "\n", "k").value();
  const std::string one = ring.check_value(1).value();
  const std::string two = ring.check_value(2).value();
  CHECK(one.size() == 64);
  CHECK(std::all_of(one.begin(), one.end(),
                    [](char c) { return std::isdigit(c) || (c >= 'a' && c <= 'f'); }));
  CHECK(one != two);

  CHECK(ring.verify_check_value(1, one));
  CHECK(ring.verify_check_value(2, two));
  const auto swapped = ring.verify_check_value(1, two);
  CHECK(failure_code(swapped) == "check_value_mismatch");
  CHECK(failure_detail(swapped).find("key version 1") != std::string::npos);
  CHECK(failure_code(ring.verify_check_value(1, one.substr(0, 63))) == "check_value_mismatch");
  CHECK(failure_code(ring.verify_check_value(1, "")) == "check_value_mismatch");
  std::string upper = one;
  for (auto& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  CHECK(failure_code(ring.verify_check_value(1, upper)) == "check_value_mismatch");
  CHECK(failure_code(ring.check_value(3)) == "unknown_key_version");
  CHECK(failure_code(ring.verify_check_value(3, one)) == "unknown_key_version");
}

TEST_CASE("the same key file gives the same check value; a new key of that version does not",
          "[vault]") {
  const std::string text = key_file_text({1});
  const auto first = keyring::parse(text, "k").value();
  const auto again = keyring::parse(text, "k").value();
  const auto replaced = ring_with({1});
  CHECK(first.check_value(1).value() == again.check_value(1).value());
  CHECK(again.verify_check_value(1, first.check_value(1).value()));
  CHECK(failure_code(replaced.verify_check_value(1, first.check_value(1).value())) ==
        "check_value_mismatch");
}

TEST_CASE("generated key lines load, and every generated key is new", "[vault]") {
  const auto line = generate_key_file_line(42);
  const std::string text(line.reveal());
  REQUIRE(text.size() == 3 + 44);
  CHECK(text.rfind("42 ", 0) == 0);
  CHECK(text.back() == '=');
  const auto ring = keyring::parse(text, "generated");
  REQUIRE(ring);
  CHECK(ring->versions() == std::vector<std::uint32_t>{42});
  CHECK(std::string(generate_key_file_line(42).reveal()) != text);
  CHECK(std::string(generate_key_file_line(4294967295U).reveal()).rfind("4294967295 ", 0) == 0);
  CHECK_THROWS_AS(generate_key_file_line(0), std::invalid_argument);
}

TEST_CASE("key memory is reported locked when the memlock limit allows it", "[vault]") {
  rlimit limit{};
  REQUIRE(::getrlimit(RLIMIT_MEMLOCK, &limit) == 0);
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < 64 * 1024) {
    WARN("RLIMIT_MEMLOCK below 64 KiB: not checking that key memory is locked");
    return;
  }
  CHECK(ring_with({1, 2, 3}).memory_locked());
}

TEST_CASE("a sealed value opens after the key file is loaded again", "[vault]") {
  temp_directory dir;
  const auto path = write_key_file(dir, "k", key_file_text({1, 2}));
  const binding where{"connections", "con_1", "access_token"};
  const auto sealed = keyring::load_file(path).value().seal("persisted", where).value();
  const auto reloaded = keyring::load_file(path);
  REQUIRE(reloaded);
  CHECK(reloaded->open(sealed, where)->reveal() == "persisted");
}
