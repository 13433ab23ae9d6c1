#pragma once
// The token vault: AES-256-GCM encryption of the provider tokens we store, under versioned keys,
// each ciphertext bound to the table, row and column it lives in, so a value copied to another
// place does not open.
//
// Sealed format (format 1), stored as an SQLite BLOB; integers big-endian:
//
//   offset  size  field
//   0       1     format byte, 0x01
//   1       4     key version (uint32, >= 1)
//   5       12    nonce: 96 random bits from RAND_bytes, fresh for every seal
//   17      n     AES-256-GCM ciphertext (n = plaintext length)
//   17+n    16    GCM tag (128 bits)
//
// 33 bytes of overhead. The associated data (authenticated, not stored) is
//
//   the 5 header bytes (format byte + key version)
//   || u32(len(table))  || table
//   || u32(len(row_id)) || row_id
//   || u32(len(column)) || column
//
// Every field is length-prefixed, so no two different bindings give the same bytes ("a|b|c"
// and "a|bc|" cannot collide). A value copied to another row, column or table, a changed format
// byte or key version, or any changed byte fails the tag check: decrypt_failed, one code with
// no detail about which check failed (they are one check).
//
// Key file (one key per line; '#' starts a comment line; blank lines are ignored; spaces or tabs
// separate the fields; a trailing "# comment" after the key is allowed):
//
//   # rosterd vault keys. The highest version encrypts; every listed version decrypts.
//   1 <44 characters: base64 of 32 random bytes>
//   2 <44 characters: base64 of 32 random bytes>   # added 2025-06-01
//
// version: decimal, 1 to 4294967295, each at most once. key: 32 bytes in standard padded base64
// (44 characters), as printed by `openssl rand -base64 32` or generate_key_file_line(). Two
// versions with the same key, and an all-zero key, are refused. The file must not be accessible
// to group or others (chmod 600), except under $CREDENTIALS_DIRECTORY, which systemd manages.
//
// Rotation: add a line with a higher version and restart/reload: new seals use it, old values
// still open. rewrap() moves a value to the newest key; once no row holds an older version
// (key_version_of), delete that line: the version is retired.
//
// Thread safety: a keyring is immutable after loading; every const member may be called from
// any number of threads at once (each call uses its own EVP context).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/failure.hpp"
#include "base/secret.hpp"
#include "vault/locked_bytes.hpp"

namespace rosterd::vault {

inline constexpr std::uint8_t format_v1 = 0x01;
inline constexpr std::size_t key_bytes = 32;
inline constexpr std::size_t nonce_bytes = 12;
inline constexpr std::size_t tag_bytes = 16;
inline constexpr std::size_t header_bytes = 1 + 4;
inline constexpr std::size_t overhead_bytes = header_bytes + nonce_bytes + tag_bytes;  // 33
/// The largest plaintext seal() accepts; tokens are a few KiB at most.
inline constexpr std::size_t max_plaintext_bytes = 1024 * 1024;
/// The largest key file read; a key file is a few lines.
inline constexpr std::size_t max_key_file_bytes = 64 * 1024;

/// The size of a sealed value holding `plaintext_size` bytes.
constexpr std::size_t sealed_size(std::size_t plaintext_size) {
  return overhead_bytes + plaintext_size;
}

/// Where a sealed value lives. All three must be non-empty (an empty one is a programming error:
/// seal/open/rewrap throw std::invalid_argument). The table and column are fixed names in code; the
/// row id is the row's primary key.
struct binding {
  std::string_view table;
  std::string_view row_id;
  std::string_view column;
};

/// The key version in a sealed value's header, or nullopt when it is not a format-1 value of at
/// least the minimum size. Does not authenticate anything: for rotation scans and diagnostics.
std::optional<std::uint32_t> key_version_of(std::span<const std::uint8_t> sealed);

/// $CREDENTIALS_DIRECTORY/<name>, the file systemd provides for LoadCredential=<name>:... or
/// LoadCredentialEncrypted=<name>:... Fails (key_file_missing) when the variable is unset or
/// empty, when `name` is not a plain file name, or when the file does not exist.
base::result<std::filesystem::path> credential_path(std::string_view name);

/// A fresh key-file line for `version` (>= 1, else std::invalid_argument): "<version> <base64 of
/// 32 bytes from RAND_bytes>", without a newline. For `rosterctl keys generate`.
base::secret generate_key_file_line(std::uint32_t version);

/// The versioned keys, held in locked memory (locked_bytes) and wiped on destruction. Move-only;
/// has no output operator.
class keyring {
 public:
  /// Reads and parses a key file. Refuses a missing or unreadable file, a file that is not a
  /// regular file, and one accessible to group or others (unless it is directly in
  /// $CREDENTIALS_DIRECTORY). Details name the file and line, never key material.
  static base::result<keyring> load_file(const std::filesystem::path& path);

  /// load_file(credential_path(name)).
  static base::result<keyring> load_credential(std::string_view name);

  /// Parses key-file text; `origin` names it in error details ("keys.txt" gives "keys.txt:3:
  /// ..."). Every bad line is reported (joined with newlines), as key_file_invalid; a text
  /// without keys is no_keys.
  static base::result<keyring> parse(std::string_view text, std::string_view origin);

  keyring(keyring&&) noexcept = default;
  keyring& operator=(keyring&&) noexcept = default;
  keyring(const keyring&) = delete;
  keyring& operator=(const keyring&) = delete;
  ~keyring() = default;

  /// The highest version: the one seal() uses.
  [[nodiscard]] std::uint32_t current_version() const noexcept;
  /// Every version, ascending.
  [[nodiscard]] std::vector<std::uint32_t> versions() const;
  [[nodiscard]] bool has_version(std::uint32_t version) const noexcept;
  /// Whether the key memory is locked against swapping (see locked_bytes); when false the
  /// daemon should warn (raise LimitMEMLOCK=).
  [[nodiscard]] bool memory_locked() const noexcept { return keys_.locked(); }

  /// Encrypts `plaintext` (any bytes, at most max_plaintext_bytes, else plaintext_too_large)
  /// under the current key, bound to `where`.
  [[nodiscard]] base::result<std::vector<std::uint8_t>> seal(std::string_view plaintext,
                                                             const binding& where) const;

  /// Decrypts a sealed value that must have been sealed for exactly `where`. Failures:
  /// malformed_ciphertext (too short or long, unknown format byte), unknown_key_version (the
  /// header names a version this keyring does not hold: retired, or a newer key elsewhere),
  /// decrypt_failed (anything else: tampering, another row/column/table, a changed header, a
  /// different key under the same version number). Never returns unauthenticated bytes.
  [[nodiscard]] base::result<base::secret> open(std::span<const std::uint8_t> sealed,
                                                const binding& where) const;

  /// For rotation batches: nullopt when `sealed` is already under the current version (it is
  /// not decrypted then); otherwise open() + seal() under the current key, failing as open()
  /// does. Write the result back to the same place, in the same transaction that read it.
  [[nodiscard]] base::result<std::optional<std::vector<std::uint8_t>>> rewrap(
      std::span<const std::uint8_t> sealed, const binding& where) const;

  /// Key-check value of a version: lower-case hex HMAC-SHA256(key, "rosterd vault key check
  /// v1"), 64 characters. Reveals nothing about the key; the database stores it and startup
  /// compares. unknown_key_version when the keyring lacks `version`.
  [[nodiscard]] base::result<std::string> check_value(std::uint32_t version) const;

  /// Compares `stored` with check_value(version) in constant time. check_value_mismatch (the
  /// detail says the key changed) or unknown_key_version; the daemon refuses to start on either.
  [[nodiscard]] base::result<void> verify_check_value(std::uint32_t version,
                                                      std::string_view stored) const;

 private:
  struct entry {
    std::uint32_t version;
    std::size_t slot;  // key bytes at keys_.data() + slot * key_bytes
  };

  keyring(locked_bytes keys, std::vector<entry> entries);
  [[nodiscard]] const std::uint8_t* key_of(std::uint32_t version) const noexcept;

  locked_bytes keys_;
  std::vector<entry> entries_;  // ascending by version; never empty
};

namespace detail {
/// Fills `nonce` from the CSPRNG (aborts if it fails): the function seal() draws nonces with,
/// exposed so the no-repeat test can draw millions cheaply.
void fresh_nonce(std::span<std::uint8_t, nonce_bytes> nonce);
}  // namespace detail

}  // namespace rosterd::vault
