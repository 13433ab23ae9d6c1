// Sealing and opening: round trips, tampering, moving values between places, truncation, nonce
// uniqueness, rotation and concurrent use.

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/unit/vault/vault_testing.hpp"
#include "vault/keyring.hpp"

using rosterd::vault::binding;
using rosterd::vault::keyring;
using rosterd::vault::testing::failure_code;
using rosterd::vault::testing::failure_detail;
using rosterd::vault::testing::ring_with;
namespace vault = rosterd::vault;

namespace {

using blob = std::vector<std::uint8_t>;

const binding here{"connections", "con_0001", "refresh_token"};

std::string binary_string(std::size_t size) {
  std::string s(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    s[i] = static_cast<char>((i * 131 + 7) & 0xff);
  }
  return s;
}

blob from_hex(std::string_view hex) {
  blob out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

bool fails_closed(const rosterd::base::result<rosterd::base::secret>& r) {
  const std::string code = failure_code(r);
  return code == "decrypt_failed" || code == "malformed_ciphertext" ||
         code == "unknown_key_version";
}

}  // namespace

TEST_CASE("sealed values open to the same bytes: empty, one byte, 10 KB, binary", "[vault]") {
  const keyring ring = ring_with({1});
  const std::string token_10k = [] {
    std::string s;
    while (s.size() < 10 * 1024) {
      s += "ya29.a0AfH6SMB-refresh-token-";
    }
    return s.substr(0, 10 * 1024);
  }();
  for (const std::string& plaintext :
       {std::string(), std::string("x"), token_10k, binary_string(256), binary_string(4099),
        std::string("\0\0\0", 3)}) {
    INFO("plaintext size " << plaintext.size());
    const auto sealed = ring.seal(plaintext, here);
    REQUIRE(sealed);
    CHECK(sealed->size() == vault::sealed_size(plaintext.size()));
    CHECK(sealed->size() == plaintext.size() + 33);
    const auto opened = ring.open(*sealed, here);
    REQUIRE(opened);
    CHECK(opened->reveal() == plaintext);
  }
}

TEST_CASE("the largest allowed value round trips and one byte more is refused", "[vault]") {
  const keyring ring = ring_with({1});
  const std::string largest(vault::max_plaintext_bytes, 'a');
  const auto sealed = ring.seal(largest, here);
  REQUIRE(sealed);
  CHECK(ring.open(*sealed, here)->reveal() == largest);
  const auto too_large = ring.seal(largest + "a", here);
  CHECK(failure_code(too_large) == "plaintext_too_large");
  CHECK(failure_detail(too_large).find("connections.refresh_token") != std::string::npos);
}

TEST_CASE("a sealed value has the documented layout: format 1, key version, nonce, tag",
          "[vault]") {
  const keyring ring = ring_with({1, 7});
  const auto sealed = ring.seal("token", here).value();
  REQUIRE(sealed.size() == 5 + 12 + 5 + 16);
  CHECK(sealed[0] == 0x01);
  CHECK(sealed[1] == 0);
  CHECK(sealed[2] == 0);
  CHECK(sealed[3] == 0);
  CHECK(sealed[4] == 7);
  CHECK(vault::key_version_of(sealed) == 7u);
  // The plaintext does not appear in the blob.
  const std::string bytes(sealed.begin(), sealed.end());
  CHECK(bytes.find("token") == std::string::npos);
}

TEST_CASE("a value sealed by an independent AES-GCM implementation opens (format and AD pinned)",
          "[vault]") {
  // Made with Python's `cryptography` AESGCM: key = bytes 0..31, nonce = a0..ab, version 3,
  // AD = 01 00000003 || u32 11 "connections" || u32 6 "con_42" || u32 13 "refresh_token".
  const keyring ring =
      keyring::parse("3 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", "kat").value();
  const blob sealed = from_hex(
      "0100000003a0a1a2a3a4a5a6a7a8a9aaab946c514520a76ed04f13e6a66b0e7d7bbd68245734b9967f2024c343"
      "9e2c");
  const auto opened = ring.open(sealed, binding{"connections", "con_42", "refresh_token"});
  REQUIRE(opened);
  CHECK(opened->reveal() == "rt-hello-vault");
  CHECK(failure_code(ring.open(sealed, binding{"connections", "con_42", "access_token"})) ==
        "decrypt_failed");
}

TEST_CASE("sealing the same value twice gives different ciphertexts", "[vault]") {
  const keyring ring = ring_with({1});
  const auto a = ring.seal("same token", here).value();
  const auto b = ring.seal("same token", here).value();
  CHECK(a != b);
  CHECK(std::equal(a.begin(), a.begin() + 5, b.begin()));  // same header
}

TEST_CASE("flipping any byte of a sealed value fails closed, never a wrong plaintext", "[vault]") {
  const keyring ring = ring_with({1, 2});
  for (const std::string& plaintext : {std::string(), std::string("refresh-token-abc-123-xyz")}) {
    const blob sealed = ring.seal(plaintext, here).value();
    for (std::size_t i = 0; i < sealed.size(); ++i) {
      for (const unsigned mask : {0x01u, 0x80u, 0xffu}) {
        blob changed = sealed;
        changed[i] = static_cast<std::uint8_t>(changed[i] ^ mask);
        const auto opened = ring.open(changed, here);
        INFO("byte " << i << " mask " << mask << " plaintext size " << plaintext.size() << ": "
                     << failure_code(opened));
        REQUIRE_FALSE(opened);
        CHECK(fails_closed(opened));
        if (i == 0) {
          CHECK(failure_code(opened) == "malformed_ciphertext");
        } else if (i >= 5) {
          CHECK(failure_code(opened) == "decrypt_failed");
        }
      }
    }
  }
}

TEST_CASE("a ciphertext moved to another row does not decrypt", "[vault]") {
  const keyring ring = ring_with({1});
  const auto sealed = ring.seal("token of con_0001", here).value();
  const auto opened = ring.open(sealed, binding{"connections", "con_0002", "refresh_token"});
  CHECK(failure_code(opened) == "decrypt_failed");
  CHECK(failure_detail(opened).find("con_0002") != std::string::npos);
}

TEST_CASE("a ciphertext moved to another column does not decrypt", "[vault]") {
  const keyring ring = ring_with({1});
  const auto sealed = ring.seal("refresh", here).value();
  CHECK(failure_code(ring.open(sealed, binding{"connections", "con_0001", "access_token"})) ==
        "decrypt_failed");
}

TEST_CASE("a ciphertext moved to another table does not decrypt", "[vault]") {
  const keyring ring = ring_with({1});
  const auto sealed = ring.seal("refresh", here).value();
  CHECK(failure_code(ring.open(sealed, binding{"connections_old", "con_0001", "refresh_token"})) ==
        "decrypt_failed");
}

TEST_CASE("bindings that would concatenate alike are distinct", "[vault]") {
  const keyring ring = ring_with({1});
  const auto sealed = ring.seal("v", binding{"ab", "c", "d"}).value();
  CHECK(failure_code(ring.open(sealed, binding{"a", "bc", "d"})) == "decrypt_failed");
  CHECK(failure_code(ring.open(sealed, binding{"ab", "c|", "d"})) == "decrypt_failed");
  const auto piped = ring.seal("v", binding{"a|b", "c", "d"}).value();
  CHECK(failure_code(ring.open(piped, binding{"a", "b|c", "d"})) == "decrypt_failed");
  CHECK(ring.open(piped, binding{"a|b", "c", "d"}));
}

TEST_CASE("an empty table, row id or column is a programming error", "[vault]") {
  const keyring ring = ring_with({1});
  CHECK_THROWS_AS(ring.seal("v", binding{"", "r", "c"}), std::invalid_argument);
  CHECK_THROWS_AS(ring.seal("v", binding{"t", "", "c"}), std::invalid_argument);
  CHECK_THROWS_AS(ring.seal("v", binding{"t", "r", ""}), std::invalid_argument);
  const auto sealed = ring.seal("v", here).value();
  CHECK_THROWS_AS(ring.open(sealed, binding{"t", "", "c"}), std::invalid_argument);
  CHECK_THROWS_AS(ring.open(blob(3, 0), binding{"t", "r", ""}), std::invalid_argument);
  CHECK_THROWS_AS(ring.rewrap(sealed, binding{"", "r", "c"}), std::invalid_argument);
}

TEST_CASE("changing the key version in the header fails", "[vault]") {
  const keyring ring = ring_with({1, 2});
  blob sealed = ring.seal("token", here).value();
  REQUIRE(vault::key_version_of(sealed) == 2u);
  sealed[4] = 1;  // claims key 1, which the ring holds
  CHECK(failure_code(ring.open(sealed, here)) == "decrypt_failed");
  sealed[4] = 9;  // a version the ring lacks
  CHECK(failure_code(ring.open(sealed, here)) == "unknown_key_version");
}

TEST_CASE("changing the format byte fails as malformed", "[vault]") {
  const keyring ring = ring_with({1});
  blob sealed = ring.seal("token", here).value();
  sealed[0] = 0x02;
  const auto opened = ring.open(sealed, here);
  CHECK(failure_code(opened) == "malformed_ciphertext");
  CHECK(vault::key_version_of(sealed) == std::nullopt);
}

TEST_CASE("a truncated or extended sealed value does not decrypt", "[vault]") {
  const keyring ring = ring_with({1});
  const blob sealed = ring.seal("refresh-token-abc", here).value();
  for (std::size_t size = 0; size < sealed.size(); ++size) {
    INFO("first " << size << " bytes");
    const auto opened = ring.open(std::span(sealed).first(size), here);
    CHECK(failure_code(opened) == (size < 33 ? "malformed_ciphertext" : "decrypt_failed"));
  }
  blob longer = sealed;
  longer.push_back(0);
  CHECK(failure_code(ring.open(longer, here)) == "decrypt_failed");
}

TEST_CASE("a value with the right version but sealed under another key does not decrypt",
          "[vault]") {
  const keyring ours = ring_with({1});
  const keyring theirs = ring_with({1});
  const auto sealed = theirs.seal("token", here).value();
  CHECK(failure_code(ours.open(sealed, here)) == "decrypt_failed");
}

TEST_CASE("one million encryptions draw no repeated nonce", "[vault][nonce]") {
  // Full seals, not just nonce draws: the nonce is what seal() writes into the blob.
  constexpr std::size_t count = 1'000'000;
  const keyring ring = ring_with({1});
  std::vector<std::array<std::uint8_t, vault::nonce_bytes>> nonces(count);
  for (std::size_t i = 0; i < count; ++i) {
    const auto sealed = ring.seal("t", here).value();
    std::copy_n(sealed.begin() + vault::header_bytes, vault::nonce_bytes, nonces[i].begin());
  }
  std::sort(nonces.begin(), nonces.end());
  CHECK(std::adjacent_find(nonces.begin(), nonces.end()) == nonces.end());
}

TEST_CASE("rotation: a keyring with keys 1 and 2 seals under 2 and opens both", "[vault]") {
  const std::string v1_line(rosterd::vault::generate_key_file_line(1).reveal());
  const std::string v2_line(rosterd::vault::generate_key_file_line(2).reveal());
  const keyring old_ring = keyring::parse(v1_line + "\n", "old").value();
  const keyring ring = keyring::parse(v1_line + "\n" + v2_line + "\n", "new").value();
  CHECK(ring.current_version() == 2);
  CHECK(ring.versions() == std::vector<std::uint32_t>{1, 2});

  const auto under_1 = old_ring.seal("old token", here).value();
  const auto under_2 = ring.seal("new token", here).value();
  CHECK(vault::key_version_of(under_1) == 1u);
  CHECK(vault::key_version_of(under_2) == 2u);
  CHECK(ring.open(under_1, here)->reveal() == "old token");
  CHECK(ring.open(under_2, here)->reveal() == "new token");

  SECTION("rewrap moves a version-1 value to version 2 and leaves version 2 alone") {
    const auto moved = ring.rewrap(under_1, here);
    REQUIRE(moved);
    REQUIRE(moved->has_value());
    CHECK(vault::key_version_of(**moved) == 2u);
    CHECK(ring.open(**moved, here)->reveal() == "old token");
    // Rewrapped under the key only the new ring has.
    CHECK(failure_code(old_ring.open(**moved, here)) == "unknown_key_version");

    const auto untouched = ring.rewrap(under_2, here);
    REQUIRE(untouched);
    CHECK_FALSE(untouched->has_value());
  }
  SECTION("rewrap refuses a value that does not open where it is said to live") {
    CHECK(failure_code(ring.rewrap(under_1, binding{"connections", "con_9", "refresh_token"})) ==
          "decrypt_failed");
    blob bad = under_1;
    bad[20] ^= 1;
    CHECK(failure_code(ring.rewrap(bad, here)) == "decrypt_failed");
    CHECK(failure_code(ring.rewrap(blob(10, 1), here)) == "malformed_ciphertext");
  }
  SECTION("once version 1 is retired its values no longer open") {
    const keyring retired = keyring::parse(v2_line + "\n", "retired").value();
    const auto opened = retired.open(under_1, here);
    CHECK(failure_code(opened) == "unknown_key_version");
    CHECK(failure_detail(opened).find("key version 1") != std::string::npos);
    CHECK(retired.open(under_2, here)->reveal() == "new token");
  }
}

TEST_CASE("key_version_of reads the header of well-formed values only", "[vault]") {
  CHECK(vault::key_version_of(blob{}) == std::nullopt);
  CHECK(vault::key_version_of(blob(32, 1)) == std::nullopt);
  blob b(33, 0);
  b[0] = 1;
  b[1] = 0x01;
  b[2] = 0x02;
  b[3] = 0x03;
  b[4] = 0x04;
  CHECK(vault::key_version_of(b) == 0x01020304u);
}

TEST_CASE("an opened value prints as redacted", "[vault]") {
  const keyring ring = ring_with({1});
  const auto opened = ring.open(ring.seal("canary-token-Q7X", here).value(), here).value();
  std::ostringstream os;
  os << opened;
  CHECK(os.str() == "[redacted]");
}

TEST_CASE("one keyring seals and opens from several threads at once", "[vault]") {
  const keyring ring = ring_with({1, 2});
  const auto old_value = ring_with({1}).seal("x", here);  // under another key 1: must fail
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string row = "con_" + std::to_string(t) + "_" + std::to_string(i);
        const std::string token = "token-" + row;
        const binding where{"connections", row, "access_token"};
        const auto sealed = ring.seal(token, where);
        if (!sealed) {
          ++failures;
          continue;
        }
        const auto opened = ring.open(*sealed, where);
        if (!opened || opened->reveal() != token) {
          ++failures;
        }
        if (ring.open(*sealed, here)) {
          ++failures;
        }
        if (!ring.check_value(2)) {
          ++failures;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  CHECK(failures == 0);
  CHECK(failure_code(ring.open(old_value.value(), here)) == "decrypt_failed");
}
