#pragma once
// The vault library's error vocabulary: why a key file could not be used, and why a sealed value
// could not be opened. Details (failure::detail) name files, lines, key versions and bindings,
// never key material or plaintext.

#include <string_view>
#include <system_error>

namespace rosterd::vault {

enum class errc {
  key_file_missing = 1,  // no key file at that path, or a credential without $CREDENTIALS_DIRECTORY
  key_file_unreadable,   // the key file exists but cannot be read (permissions, not a regular file)
  key_file_unsafe,       // the key file is accessible to group or others (mode & 077 != 0)
  key_file_invalid,      // a line that is not "<version> <base64 key>", a wrong length, a duplicate
  no_keys,               // a key file without a single key
  unknown_key_version,   // a sealed value, or a check, names a key version the keyring lacks
  decrypt_failed,        // authentication failed: tampered, moved to another place, or wrong key
  malformed_ciphertext,  // too short, too long, or an unknown format byte
  plaintext_too_large,   // more than max_plaintext_bytes to seal
  check_value_mismatch,  // the key of that version is not the key the database was written with
  // Values run from 1 without gaps: tests walk them until errc_name() answers "unknown".
};

/// The category named "vault". Its messages are short and for operators (logs, rosterctl);
/// what a client reads is chosen by the HTTP edge for each code.
const std::error_category& vault_category() noexcept;

/// Lets errc convert to std::error_code (found by ADL), in vault_category().
std::error_code make_error_code(errc e) noexcept;

/// The enumerator's name ("decrypt_failed"): a stable identifier for logs and tests. Returns
/// "unknown" for a value outside the enum.
std::string_view errc_name(errc e) noexcept;

}  // namespace rosterd::vault

template <>
struct std::is_error_code_enum<rosterd::vault::errc> : std::true_type {};
